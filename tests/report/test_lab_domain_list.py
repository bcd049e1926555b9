"""`check --domain-list`: Tencent's saved server list, tested like configured endpoints.

A saved get_server_domain_ip response names lab servers: a necessary domain the
router drops (the run turns red), an optional domain it drops (a warning, never
red), a working necessary domain with TLS, a necessary address and an optional
address the router drops, and a UDP entry that cannot be tested with TCP.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tests.lab import REPO_ROOT, Lab
from tests.lab.world import World, build_world, serve

NEEDED_OK = "i.work.wecom.lab.test"
NEEDED_BLOCKED = "blocked.work.wecom.lab.test"
OPTIONAL_BLOCKED = "live.work.wecom.lab.test"
SAVED_AT = datetime(2025, 6, 3, 9, 30, tzinfo=timezone.utc)


def _listed_host(world: World, name: str, ports: list[int], *, blocked: bool) -> str:
    lab = world.lab
    addr = lab.add_address()
    serve(world, addr, ports, world.ca.issue(name) if 443 in ports else None)
    lab.dns.set(name, a=addr)
    world.trusted_dns.set(name, a=addr)  # both resolvers agree: DNS is fine
    if blocked:
        lab.drop(addr)
    return addr


def _domain(name: str, ports: list[int], necessary: int) -> dict[str, Any]:
    return {"domain": name, "universal_domian": "work.wecom.lab.test", "protocol": "TCP",
            "port": ports, "is_necessary": necessary, "description": "企业微信客户端长连接,消息收发等功能"}


def _ip(addr: str, ports: list[int], necessary: int) -> dict[str, Any]:
    return {"ip": addr, "protocol": "TCP", "port": ports, "is_necessary": necessary,
            "description": "企业微信客户端HTTPDNS解析"}


def _save(lab: Lab, name: str, response: dict[str, Any]) -> Path:
    path = lab.tmp / name
    path.write_text(json.dumps(response, ensure_ascii=False, indent=1), encoding="utf-8")
    stamp = SAVED_AT.timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _check(lab: Lab, world: World, *args: str) -> tuple[dict[str, Any], int, str]:
    config = lab.write_config(world.config)
    argv = [sys.executable, "-m", "app", "check", "--no-history", "--config", str(config), *args]
    proc = lab.client.run(argv, timeout=60, check=False, cwd=REPO_ROOT, env=lab.doctor_env())
    if "--json" not in args:
        return {}, proc.returncode, proc.stdout + proc.stderr
    try:
        return json.loads(proc.stdout), proc.returncode, proc.stderr
    except ValueError:
        raise AssertionError(f"rc={proc.returncode}\n{proc.stdout}\n{proc.stderr}") from None


def _check_result(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["id"] == check_id)


def _row(report: dict[str, Any], host: str) -> dict[str, Any]:
    return next(r for r in report["matrix"]["rows"] if r["host"] == host)


def test_a_blocked_necessary_domain_is_red_a_blocked_optional_one_is_not(lab: Lab) -> None:
    world = build_world(lab)
    _listed_host(world, NEEDED_OK, [443, 80], blocked=False)
    _listed_host(world, NEEDED_BLOCKED, [443, 80], blocked=True)
    _listed_host(world, OPTIONAL_BLOCKED, [443], blocked=True)
    needed_ip = lab.add_address()
    serve(world, needed_ip, [8443])
    optional_ip = lab.add_address()
    serve(world, optional_ip, [8443])
    lab.drop(optional_ip)
    response = {
        "errcode": 0, "errmsg": "ok",
        "domain_list": [_domain(NEEDED_OK, [443, 80], 1), _domain(NEEDED_BLOCKED, [443, 80], 1),
                        _domain(OPTIONAL_BLOCKED, [443], 0),
                        {**_domain("udp.work.wecom.lab.test", [8000], 1), "protocol": "UDP"}],
        "ip_list": [_ip(needed_ip, [8443], 1), _ip(optional_ip, [8443], 0)],
    }
    listed = _save(lab, "server_domain_ip.json", response)

    report, rc, stderr = _check(lab, world, "--json", "--domain-list", str(listed))

    assert rc == 2, stderr
    source = report["domain_list"]
    assert source["path"] == str(listed)
    assert source["modified"] == SAVED_AT.isoformat(timespec="seconds")
    assert (source["domains"], source["necessary"], source["addresses"]) == (3, 2, 2)
    assert source["not_tested"] == ["udp.work.wecom.lab.test"]
    by_host = {e["host"]: e for e in report["endpoints"]}
    assert by_host[OPTIONAL_BLOCKED]["necessary"] is False
    assert by_host[NEEDED_BLOCKED]["source"] == "domain_list"
    assert by_host[NEEDED_BLOCKED]["universal_domain"] == "work.wecom.lab.test"
    assert "udp.work.wecom.lab.test" not in by_host  # reported, not probed

    tcp = _check_result(report, "tcp")
    assert tcp["status"] == "fail"
    failed = {(p["host"], p["port"]) for p in tcp["problems"]}
    assert {(NEEDED_BLOCKED, 443), (NEEDED_BLOCKED, 80), (OPTIONAL_BLOCKED, 443),
            (optional_ip, 8443)} == failed
    assert report["diagnosis"]["primary"] == "tcp_blocked"
    # The addresses are only connected to: no name to resolve or compare.
    assert needed_ip not in {a["host"] for a in _check_result(report, "dns")["evidence"]["answers"]}
    assert _check_result(report, "dns_pollution")["status"] == "ok"

    blocked = _row(report, NEEDED_BLOCKED)
    assert blocked["state"] == "fail" and blocked["necessary"] is True
    assert blocked["cells"]["tcp_443"]["state"] == "fail"
    assert blocked["cells"]["tcp_443"]["failure"] == "tcp_timeout"
    assert blocked["universal_domain"] == "work.wecom.lab.test"
    optional = _row(report, OPTIONAL_BLOCKED)
    assert optional["state"] == "warn" and optional["necessary"] is False
    assert optional["cells"]["tcp_443"]["failure"] == "tcp_timeout"
    working = _row(report, NEEDED_OK)
    assert working["state"] == "ok", working
    assert working["cells"]["tls"]["valid"] is True
    assert _row(report, needed_ip)["cells"]["tcp_8443"]["state"] == "ok"
    assert _row(report, needed_ip)["cells"]["system_dns"]["state"] == "none"

    # Only optional servers blocked: a warning, the run is not red.
    response["domain_list"] = [_domain(NEEDED_OK, [443, 80], 1), _domain(OPTIONAL_BLOCKED, [443], 0)]
    response["ip_list"] = [_ip(optional_ip, [8443], 0)]
    only_optional = _save(lab, "optional_only.json", response)
    report, rc, stderr = _check(lab, world, "--json", "--domain-list", str(only_optional))
    tcp = _check_result(report, "tcp")
    assert tcp["status"] == "warn", tcp
    assert "not necessary" in tcp["i18n"]["en"]["summary"]
    assert "非必要" in tcp["i18n"]["zh"]["summary"]
    assert report["status"] != "fail" and rc == 1, (rc, stderr)
    assert _row(report, OPTIONAL_BLOCKED)["state"] == "warn"

    # The same list as the technician reads it: the matrix in the terminal.
    _report, rc, text = _check(lab, world, "--matrix", "--lang", "en", "--domain-list",
                               str(only_optional))
    assert rc == 1, text
    lines = text.splitlines()
    assert "Servers" in lines and f"saved {SAVED_AT.isoformat(timespec='seconds')}" in text
    row = next(line for line in lines if line.startswith(OPTIONAL_BLOCKED))
    assert " ! timed" in row and " x " not in row  # a warning mark, not a failure mark
    below = lines[lines.index(row) + 1]
    assert "WeCom · optional" in below
    assert any(line.startswith("allow") for line in lines[lines.index(row):])


def test_a_list_too_big_for_one_run_is_cut_and_says_so(lab: Lab) -> None:
    """2,000 domains x 199 ports (3.2 MB, within the size limit) ask for 398,000
    connects; the run tests the first servers and ports within the limits, every check
    finishes within the deadline, and the report says what was left out.
    (tests/bench/domain_list_bench.py measures the time and memory of such runs.)"""
    from checks.engine.check import all_checks
    from checks.tencent.domain_list import MAX_PORTS, MAX_SERVERS

    world = build_world(lab, timeout_s=None, deadline_s=10)
    answering, dropping = lab.add_address(), lab.add_address()
    serve(world, answering, [443, 80, 8080], world.ca.issue("*.big.lab.test"))
    lab.drop(dropping)
    lab.dns.set("*.big.lab.test", a=[answering, dropping])
    world.trusted_dns.set("*.big.lab.test", a=[answering, dropping])
    ports = [443, 80, 8080, *range(10000, 10196)]
    response = {"errcode": 0, "errmsg": "ok", "domain_list": [
        _domain(f"s{i}.big.lab.test", ports, int(i % 3 != 2)) for i in range(2000)]}
    listed = lab.tmp / "big.json"
    listed.write_text(json.dumps(response, ensure_ascii=False), encoding="utf-8")
    assert 3_000_000 < listed.stat().st_size < 4 * 1024 * 1024

    report, rc, stderr = _check(lab, world, "--json", "--deadline", "8",
                                "--domain-list", str(listed))

    assert rc in (0, 1, 2), stderr
    assert {c["id"] for c in report["checks"]} == {c.id for c in all_checks()}
    overran = [c["id"] for c in report["checks"] if c["evidence"].get("failure") == "deadline"]
    assert overran == [], overran
    cut = report["domain_list"]["cut"]
    assert cut == {"servers": 2000, "servers_tested": MAX_SERVERS, "ports": 199,
                   "ports_tested": [443, 80, 8080, *range(10000, 10000 + MAX_PORTS - 3)],
                   "probes": 2000 * 199, "probes_tested": MAX_SERVERS * MAX_PORTS,
                   "max_servers": MAX_SERVERS, "max_ports": MAX_PORTS}
    listed_hosts = [e["host"] for e in report["endpoints"] if e["source"] == "domain_list"]
    assert len(listed_hosts) == MAX_SERVERS
    assert all(int(h[1:].split(".")[0]) % 3 != 2 for h in listed_hosts)  # necessary first
    assert len(report["matrix"]["ports"]) <= MAX_PORTS + 3

    _report, rc, text = _check(lab, world, "--lang", "zh", "--deadline", "8",
                               "--domain-list", str(listed))
    assert "腾讯域名列表要求检测 398000 个连接（2000 个服务器，199 个端口），只检测了其中 800 个" in text
