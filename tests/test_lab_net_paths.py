"""`check --json` in the lab for the hosts, HTTP-hijack, captive-portal and latency checks."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pytest

from tests.lab import Lab
from tests.lab.http_server import INJECTED_PAGE, PORTAL_PAGE, Answer, spawn_http
from tests.lab.path_faults import drop_every_nth_syn, intercept_port

LOGIN = "login.wecom.lab.test"
SHORT = "short.wechat.lab.test"
SZSHORT = "szshort.wechat.lab.test"
PROBE_204 = "connect.probe.lab.test"
PROBE_TXT = "hotspot.probe.lab.test"
PORTAL = "portal.hotspot.lab.test"
MY_CHECKS = "hosts,http_hijack,captive,latency"

# What the real short-link servers answer a bare GET: short and not a web page.
SHORT_LINK_ANSWER = Answer(404, "", ["Server: nginx"], "application/octet-stream")


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in report["checks"]}


def healthy(lab: Lab, hosts_file: Path | None = None) -> dict[str, Any]:
    """WeCom login + two WeChat short-link hosts on 80, two captive probes; all healthy."""
    lab.add_host(LOGIN, ports=[443, 80])
    for name in (SHORT, SZSHORT):
        spawn_http(lab, lab.add_host(name, ports=[443]), SHORT_LINK_ANSWER)
    spawn_http(lab, lab.add_host(PROBE_204), Answer(204))
    spawn_http(lab, lab.add_host(PROBE_TXT), Answer(200, "<HTML><BODY>Success</BODY></HTML>"))
    if hosts_file is None:
        hosts_file = lab.tmp / "hosts"
        hosts_file.write_text("127.0.0.1 localhost\n")
    return {
        "deadline_s": 8,
        "endpoints": [
            {"host": LOGIN, "ports": [443, 80], "product": "wecom"},
            {"host": SHORT, "ports": [443, 80], "product": "wechat", "tls": False},
            {"host": SZSHORT, "ports": [443, 80], "product": "wechat", "tls": False},
        ],
        "dns": {"trusted_resolvers": [lab.dns_ip], "timeout_s": 1.0},
        "tcp": {"timeout_s": 1.0},
        "ntp": {"servers": []},
        "captive": {"timeout_s": 2.0, "probes": [
            {"url": f"http://{PROBE_204}/generate_204", "status": 204},
            {"url": f"http://{PROBE_TXT}/hotspot-detect.html", "status": 200, "body": "Success"},
        ]},
        "system": {"hosts_file": str(hosts_file)},
        "http": {"timeout_s": 2.0},
        "latency": {"count": 3, "timeout_s": 2.0},
    }


LAST_REPORT: dict[str, Any] = {}


def run(lab: Lab, cfg: dict[str, Any], only: str = MY_CHECKS) -> tuple[dict[str, Any], int]:
    report, rc, stderr = lab.check_json(cfg, "--only", only)
    assert report.get("schema") == "wxdoctor.report/1", stderr
    LAST_REPORT.clear()
    LAST_REPORT.update(report)
    return by_id(report), rc


def test_healthy_lab_is_all_green(lab: Lab) -> None:
    cfg = healthy(lab)
    checks, rc = run(lab, cfg, MY_CHECKS + ",network,dns,tcp")
    assert {k: c["status"] for k, c in checks.items()} == dict.fromkeys(
        MY_CHECKS.split(",") + ["network", "dns", "tcp"], "ok"), checks
    assert rc == 0
    # Only the WeChat hosts on port 80 are probed for hijacking, with what came back.
    probes = checks["http_hijack"]["evidence"]["probes"]
    assert {p["host"]: (p["status"], p["server"]) for p in probes} == {
        SHORT: (404, "nginx"), SZSHORT: (404, "nginx")}
    assert checks["captive"]["evidence"]["portal_url"] is None
    assert {s["host"]: s["summary"]["ok"] for s in checks["latency"]["evidence"]["series"]} == {
        LOGIN: 3, SHORT: 3, SZSHORT: 3}


def test_redirect_to_foreign_host_is_http_hijack(lab: Lab) -> None:
    cfg = healthy(lab)
    hijacked = lab.add_host("hijacked.short.lab.test")
    spawn_http(lab, hijacked, Answer(302, "", ["Location: http://ad.isp.lab.test/?u=short"]))
    cfg["endpoints"].append({"host": "hijacked.short.lab.test", "ports": [80],
                             "product": "wechat", "tls": False})
    checks, rc = run(lab, cfg, "http_hijack")
    hijack = checks["http_hijack"]
    assert (hijack["status"], hijack["cause"]) == ("fail", "http_hijack"), hijack
    assert [p["host"] for p in hijack["problems"]] == ["hijacked.short.lab.test"]
    probe = next(p for p in hijack["evidence"]["probes"] if p["host"] == "hijacked.short.lab.test")
    assert (probe["status"], probe["location"]) == (302, "http://ad.isp.lab.test/?u=short")
    assert rc == 2


def test_transparent_proxy_injecting_html_is_http_hijack(lab: Lab) -> None:
    cfg = healthy(lab)
    proxy = lab.add_address()
    spawn_http(lab, proxy, Answer(200, INJECTED_PAGE.format(url="http://ad.isp.lab.test/"),
                                  [], "text/html"))
    intercept_port(lab, proxy)  # every port-80 connection of the client goes to the proxy
    checks, _ = run(lab, cfg, "http_hijack,tcp")
    hijack = checks["http_hijack"]
    assert (hijack["status"], hijack["cause"]) == ("fail", "http_hijack"), hijack
    assert {p["host"] for p in hijack["problems"]} == {SHORT, SZSHORT}
    assert "window.location" in hijack["evidence"]["probes"][0]["body_start"]
    # TCP alone cannot see it: port 80 still connects.
    assert checks["tcp"]["status"] == "ok"


def test_captive_portal_found_with_its_url(lab: Lab) -> None:
    cfg = healthy(lab)
    portal = lab.add_host(PORTAL)
    login_url = f"http://{PORTAL}/login?ap=lab"
    spawn_http(lab, portal, Answer(302, PORTAL_PAGE.format(url=login_url),
                                   [f"Location: {login_url}"], "text/html"))
    intercept_port(lab, portal)
    checks, rc = run(lab, cfg, "captive,http_hijack")
    captive = checks["captive"]
    assert (captive["status"], captive["cause"]) == ("fail", "captive_portal"), captive
    assert captive["evidence"]["portal_url"] == login_url
    assert captive["fixes"] == ["open_captive_portal"]
    assert {p["status"] for p in captive["evidence"]["probes"]} == {302}
    # The portal also grabs WeChat's short links; the diagnosis blames the portal.
    assert checks["http_hijack"]["cause"] == "http_hijack"
    assert LAST_REPORT["diagnosis"]["primary"] == "captive_portal"
    assert rc == 2


def test_captive_probes_unreachable_is_not_a_portal(lab: Lab) -> None:
    cfg = healthy(lab)
    for name in (PROBE_204, PROBE_TXT):
        lab.drop(lab.hosts[name].addr, 80)
    checks, _ = run(lab, cfg, "captive")
    captive = checks["captive"]
    assert (captive["status"], captive["cause"]) == ("info", None), captive
    assert captive["evidence"]["portal_url"] is None


BODY = (
    "# 由加速工具添加 accelerator entries\n"
    "127.0.0.1 localhost\n"
    "10.201.99.99 {login}   # 加速\n"
    "{real} {short}\n"
)
ENCODE = {
    "utf-8": lambda s: s.encode("utf-8"),
    "utf-8-sig": lambda s: codecs.BOM_UTF8 + s.replace("\n", "\r\n").encode("utf-8"),
    "utf-16-le": lambda s: codecs.BOM_UTF16_LE + s.replace("\n", "\r\n").encode("utf-16-le"),
    "gbk": lambda s: s.replace("\n", "\r\n").encode("gbk"),
}


@pytest.mark.parametrize("encoding", sorted(ENCODE))
def test_hosts_override_in_every_encoding(lab: Lab, encoding: str) -> None:
    path = lab.tmp / f"hosts-{encoding}"
    cfg = healthy(lab, path)
    short_addr = lab.hosts[SHORT].addr
    path.write_bytes(ENCODE[encoding](BODY.format(login=LOGIN, real=short_addr, short=SHORT)))
    checks, rc = run(lab, cfg, "hosts")
    hosts = checks["hosts"]
    assert (hosts["status"], hosts["cause"]) == ("fail", "hosts_override"), hosts
    ev = hosts["evidence"]
    assert ev["encoding"] == encoding
    assert [(m["line_no"], m["address"], m["names"]) for m in ev["mappings"]] == [
        (3, "10.201.99.99", [LOGIN]), (4, short_addr, [SHORT])]
    # The lab DNS was asked directly: the login line differs, the short line matches.
    assert ev["dns"][LOGIN]["addresses"] == [lab.hosts[LOGIN].addr]
    assert [(p["host"], p["address"]) for p in hosts["problems"]] == [(LOGIN, "10.201.99.99")]
    assert hosts["fixes"] == ["repair_hosts"]
    assert LAST_REPORT["diagnosis"]["primary"] == "hosts_override"
    assert rc == 2


def test_hosts_pin_matching_dns_is_only_info(lab: Lab) -> None:
    path = lab.tmp / "hosts"
    cfg = healthy(lab, path)
    path.write_text(f"{lab.hosts[SHORT].addr}\t{SHORT}\n")
    checks, _ = run(lab, cfg, "hosts")
    assert (checks["hosts"]["status"], checks["hosts"]["cause"]) == ("info", None)


def test_hosts_override_unverifiable_when_dns_is_down(lab: Lab) -> None:
    path = lab.tmp / "hosts"
    cfg = healthy(lab, path)
    path.write_text(f"10.201.99.99 {LOGIN}\n")
    lab.stop_dns()
    checks, _ = run(lab, cfg, "hosts")
    assert (checks["hosts"]["status"], checks["hosts"]["cause"]) == ("warn", "hosts_override")


def test_missing_hosts_file_is_grey(lab: Lab) -> None:
    cfg = healthy(lab, lab.tmp / "no-such-hosts")
    checks, _ = run(lab, cfg, "hosts")
    assert checks["hosts"]["status"] == "error"
    assert checks["hosts"]["evidence"]["failure"] == "hosts_missing"


def test_syn_loss_is_slow_network_warning(lab: Lab) -> None:
    cfg = healthy(lab)
    # Every other SYN to the login server is lost: its connects need retransmissions.
    drop_every_nth_syn(lab, lab.hosts[LOGIN].addr, 443, every=2)
    # One server of three loses every other SYN: 2 or 3 of the run's 12 exchanges,
    # depending on which SYN of a hedged connect the counter hits.
    cfg["latency"]["loss_warn_pct"] = 10.0
    checks, rc = run(lab, cfg, "latency")
    latency = checks["latency"]
    assert (latency["status"], latency["cause"]) == ("warn", "slow_network"), latency
    assert [p["host"] for p in latency["problems"]] == [LOGIN]
    series = {s["host"]: s["summary"] for s in latency["evidence"]["series"]}
    assert series[LOGIN]["lost"] >= 1
    assert all(s["lost"] == 0 for host, s in series.items() if host != LOGIN), series
    assert rc == 1


def test_everything_black_holed_still_reports(lab: Lab) -> None:
    cfg = healthy(lab)
    cfg["deadline_s"] = 4
    lab.blackhole()
    checks, _ = run(lab, cfg)
    statuses = {k: (c["status"], c["cause"]) for k, c in checks.items()}
    assert statuses == {
        "hosts": ("ok", None),  # a local file: unaffected
        "http_hijack": ("error", None),
        "captive": ("info", None),  # no probe answered: not a portal
        "latency": ("error", None),
    }, checks
