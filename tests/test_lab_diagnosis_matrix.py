"""One real lab fault (or a pair) -> the diagnosis' primary cause of `check --json`.

Every case builds the full lab world (a server for every check present), applies
its fault and runs every check once. A case whose check is not in this tree is
skipped with the reason, so the matrix grows as checks land.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from checks.base import check_ids
from tests.lab import Lab
from tests.lab.world import API, LOGIN, World, build_world, lab_helper, rehost

Fault = Callable[[Lab, World], None]


@dataclass(frozen=True)
class Case:
    id: str
    primary: str
    faults: tuple[Fault, ...]
    needs: tuple[str, ...] = ()  # check ids that must exist for the fault to be seen


# ---- faults ---------------------------------------------------------------------------------

def no_route(lab: Lab, world: World) -> None:
    lab.no_default_route()


def dns_down(lab: Lab, world: World) -> None:
    lab.stop_dns()


def _endpoint_addresses(world: World) -> list[str]:
    return list(world.addresses.values())


def reject_443(lab: Lab, world: World) -> None:
    for addr in _endpoint_addresses(world):
        lab.reject(addr, 443)


def drop_443(lab: Lab, world: World) -> None:
    for addr in _endpoint_addresses(world):
        lab.drop(addr, 443)


def _other_ca(world: World, name: str) -> Any:
    certs = lab_helper("certs")
    assert certs is not None
    return certs.LabCA(world.lab.tmp / "pki", name)


def polluted(lab: Lab, world: World) -> None:
    # The system resolver sends LOGIN to a server with someone else's certificate;
    # the trusted resolver still gives the real address.
    fake = _other_ca(world, "Polluter CA")
    world.extra["polluted"] = rehost(world, LOGIN, fake.issue(LOGIN), system_only=True)


def polluted_and_blocked(lab: Lab, world: World) -> None:
    polluted(lab, world)
    lab.reject(world.extra["polluted"], 443)


def fake_ip(lab: Lab, world: World) -> None:
    lab.dns.set(LOGIN, a="198.18.0.7")  # the range Clash-style tools hand out


def expired_cert(lab: Lab, world: World) -> None:
    rehost(world, LOGIN, world.ca.issue(LOGIN, expired=True))


def untrusted_cert(lab: Lab, world: World) -> None:
    rehost(world, LOGIN, _other_ca(world, "Nobody Trusts Me CA").issue(LOGIN))


def intercepted(lab: Lab, world: World) -> None:
    # A company inspection CA the computer trusts, but not the servers' real issuer.
    corp = _other_ca(world, "Corp Inspection CA")
    world.config["tls"]["extra_ca_files"].append(str(corp.ca_file))
    for host in (LOGIN, API):
        rehost(world, host, corp.issue(host))


def not_yet_valid_cert(lab: Lab, world: World) -> None:
    rehost(world, LOGIN, world.ca.issue(LOGIN, not_yet_valid=True))


def clock_off(lab: Lab, world: World) -> None:
    services = lab_helper("services")
    assert services is not None
    # Two NTP servers 3 days ahead: this computer's clock looks 3 days behind (one
    # server alone could only make the clock warn).
    world.config["ntp"]["servers"] = [services.start_ntp(lab, 3 * 86400.0) for _ in range(2)]


def hosts_override(lab: Lab, world: World) -> None:
    hosts = world.config["system"]["hosts_file"]
    with open(hosts, "a") as fh:
        fh.write(f"127.0.0.1\t{LOGIN}\n")


def slow_path(lab: Lab, world: World) -> None:
    # Every TCP connection loses its first SYN (hashlimit: one token per flow, so only
    # the retransmission passes): each connect costs ~1 s, as on a lossy line.
    for v6 in (False, True):
        lab.router.iptables(
            "-I", "FORWARD", "-p", "tcp", "--syn", "-m", "hashlimit", "--hashlimit-upto",
            "1/hour", "--hashlimit-burst", "1", "--hashlimit-mode",
            "srcip,srcport,dstip,dstport", "--hashlimit-name", f"firstsyn{int(v6)}",
            "-j", "DROP", v6=v6)
    # Slow, not broken: probes wait long enough for the retransmission.
    world.config["deadline_s"] = 10
    for section in world.config.values():
        if isinstance(section, dict) and "timeout_s" in section:
            section["timeout_s"] = 3.0


def captive(lab: Lab, world: World) -> None:
    portal = lab_helper("path_faults")
    assert portal is not None and world.portal is not None
    portal.intercept_port(lab, world.portal, 80)


def tls_fails_too(lab: Lab, world: World) -> None:
    for addr in _endpoint_addresses(world):
        lab.reject(addr, 443)


def pmtu_blackhole(lab: Lab, world: World) -> None:
    lab.set_link_mtu(1280, link="server", ends="router")
    lab.block_frag_needed()


def dead_proxy(lab: Lab, world: World) -> None:
    world.env.update(https_proxy="http://10.201.2.99:3128", http_proxy="http://10.201.2.99:3128")


def blackhole(lab: Lab, world: World) -> None:
    lab.blackhole()


CASES = [
    Case("healthy", "healthy", ()),
    Case("no_default_route", "offline", (no_route,)),
    Case("dns_server_down", "dns_failure", (dns_down,)),
    Case("port_443_rejected", "tcp_blocked", (reject_443,)),
    Case("port_443_dropped", "tcp_blocked", (drop_443,)),
    Case("polluted_dns", "dns_pollution", (polluted,), ("dns_pollution", "tls")),
    Case("fake_ip_answer", "fake_ip_proxy", (fake_ip,), ("dns_pollution",)),
    Case("hosts_override", "hosts_override", (hosts_override,), ("hosts",)),
    Case("captive_portal", "captive_portal", (captive,), ("captive",)),
    Case("pmtu_blackhole", "pmtu_blackhole", (pmtu_blackhole,), ("mtu", "tls")),
    Case("dead_proxy", "proxy_broken", (dead_proxy,), ("proxy",)),
    Case("clock_off", "clock_skew", (clock_off,), ("clock",)),
    Case("expired_certificate", "tls_invalid_certificate", (expired_cert,), ("tls",)),
    Case("untrusted_certificate", "tls_invalid_certificate", (untrusted_cert,), ("tls",)),
    Case("interception_ca", "tls_intercepted", (intercepted,), ("tls",)),
    Case("slow_path", "slow_network", (slow_path,), ("latency",)),
    # A route, but nothing beyond it answers: not a DNS setting, the internet is gone.
    Case("every_packet_dropped", "offline", (blackhole,), ("dns_pollution",)),
    # Pairs: the cause that explains the other finding wins.
    Case("no_route+dns_down", "offline", (no_route, dns_down)),
    Case("captive+tls_failure", "captive_portal", (captive, tls_fails_too), ("captive", "tls")),
    Case("polluted+tcp_to_polluted_address", "dns_pollution", (polluted_and_blocked,),
         ("dns_pollution", "tls")),
    Case("clock_off+not_yet_valid_cert", "clock_skew", (clock_off, not_yet_valid_cert),
         ("clock", "tls")),
]


def _missing(case: Case) -> list[str]:
    present = set(check_ids())
    return [c for c in case.needs if c not in present]


def run_full(lab: Lab, world: World) -> dict[str, Any]:
    import json
    import sys

    from tests.lab import REPO_ROOT

    path = lab.write_config(world.config)
    argv = [sys.executable, "-m", "app", "check", "--json", "--lang", "en", "--config", str(path)]
    proc = lab.client.run(argv, timeout=60, check=False, cwd=REPO_ROOT,
                          env={**lab.doctor_env(), **world.env})
    try:
        report: dict[str, Any] = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError(f"no JSON report (rc={proc.returncode})\n{proc.stderr}") from None
    return report


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_primary_cause(lab: Lab, case: Case) -> None:
    missing = _missing(case)
    if missing:
        pytest.skip(f"check {', '.join(missing)} not on this branch yet")
    world = build_world(lab)
    for fault in case.faults:
        fault(lab, world)
    report = run_full(lab, world)
    diagnosis = report["diagnosis"]
    findings = {c["id"]: (c["status"], c.get("cause"), [p["code"] for p in c["problems"]])
                for c in report["checks"] if c["status"] not in ("ok", "skipped")}
    assert diagnosis["primary"] == case.primary, (diagnosis, findings)
    if case.primary == "healthy":
        assert report["status"] in ("ok", "info"), findings
