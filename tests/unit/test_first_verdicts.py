"""Verdicts of the network, dns and tcp checks on recorded evidence (lab recordings
from tests/fixtures/evidence where the lab has the situation, hand-made otherwise)."""

from __future__ import annotations

from checks.catalog.dns_resolve import assess_dns
from checks.catalog.network import assess_network
from checks.catalog.tcp_connect import assess_tcp
from checks.engine.results import Status
from tests.fixtures.evidence.recorded import evidence

ETH = {"name": "eth0", "up": True, "mtu": 1500, "ipv4": ["192.168.1.20"], "ipv6": [],
       "loopback": False}
LO = {"name": "lo", "up": True, "mtu": 65536, "ipv4": ["127.0.0.1"], "ipv6": ["::1"],
      "loopback": True}
ROUTE_V4 = {"family": "ipv4", "source_address": "192.168.1.20", "interface": "eth0",
            "error": None, "gateway": "192.168.1.1"}
NO_V4 = {"family": "ipv4", "source_address": None, "interface": None, "error": "no_route"}
NO_V6 = {"family": "ipv6", "source_address": None, "interface": None, "error": "no_route"}


def test_network_ok_with_route() -> None:
    verdict = assess_network(evidence("healthy", "network"))
    assert verdict.status is Status.OK
    assert "eth0" in verdict.summary.render("en")
    assert "eth0" in verdict.summary.render("zh")


def test_network_offline_without_default_route() -> None:
    verdict = assess_network(evidence("no_default_route", "network"))
    assert verdict.status is Status.FAIL
    assert verdict.cause == "offline"
    assert verdict.problems[0].code == "no_default_route"


def test_network_offline_without_adapter() -> None:
    down = dict(ETH, up=False)
    verdict = assess_network({"interfaces": [LO, down], "routes": [NO_V4, NO_V6]})
    assert verdict.status is Status.FAIL
    assert verdict.problems[0].code == "no_adapter"


def _answer(host: str, addrs: list[str], error: str | None = None) -> dict:
    return {"host": host, "A": {"addresses": addrs, "error": error, "ms": 3.0},
            "AAAA": {"addresses": [], "error": None, "ms": 3.0}, "error": error, "ms": 4.0}


def test_dns_ok() -> None:
    recorded = evidence("healthy", "dns")
    verdict = assess_dns(recorded)
    assert verdict.status is Status.OK
    # The sentence names how many names resolved and the slowest time, not by accident.
    slowest = max(a["ms"] for a in recorded["answers"])
    assert verdict.summary.render("en") == (
        f"All {len(recorded['answers'])} server names resolved (slowest {slowest:.0f} ms).")


def test_dns_failure_names_hosts_and_code() -> None:
    verdict = assess_dns({"answers": [_answer("a.test", ["10.0.0.1"]),
                                      _answer("b.test", [], "dns_nxdomain")]})
    assert verdict.status is Status.FAIL
    assert verdict.cause == "dns_failure"
    assert [(p.code, p.host) for p in verdict.problems] == [("dns_nxdomain", "b.test")]
    assert "b.test" in verdict.summary.render("zh")
    assert "NXDOMAIN" in verdict.summary.render("en")
    assert "flush_dns" in verdict.fixes


def test_dns_server_down_gets_server_advice() -> None:
    verdict = assess_dns(evidence("dns_server_down", "dns"))
    assert {p.code for p in verdict.problems} == {"dns_unreachable"}
    assert verdict.status is Status.FAIL
    assert "119.29.29.29" in (verdict.advice.render("en") if verdict.advice else "")
    # The row's button does what its advice says: change the DNS servers (a cache flush
    # changes nothing about a server that does not answer).
    assert verdict.fixes == ("set_dns_servers",)


def _probe(host: str, port: int, failure: str | None, ms: float | None = 5.0) -> dict:
    return {"host": host, "port": port, "address": "10.0.0.1" if failure != "not_resolved" else None,
            "ok": failure is None, "ms": ms, "failure": failure}


def test_tcp_ok() -> None:
    recorded = evidence("healthy", "tcp")
    verdict = assess_tcp(recorded)
    assert verdict.status is Status.OK
    slowest = max(p["ms"] for p in recorded["probes"])
    assert f"slowest {slowest:.0f} ms" in verdict.summary.render("en")


def test_tcp_refused_and_timed_out_https_ports_fail_with_problems() -> None:
    for scenario, code, words, zh in (("port_443_rejected", "tcp_refused", "refused", "被拒绝"),
                                      ("port_443_dropped", "tcp_timeout", "timed out", "超时")):
        verdict = assess_tcp(evidence(scenario, "tcp"))
        assert verdict.status is Status.FAIL and verdict.cause == "tcp_blocked"
        # The HTTPS ports block their servers; 443 of the mmtls host falls back to 80/8080.
        assert {(p.code, p.host, p.port) for p in verdict.problems} == {
            (code, "login.wecom.lab.test", 443), (code, "qyapi.wecom.lab.test", 443)}
        assert f"login.wecom.lab.test:443 {words}" in verdict.summary.render("en")
        assert zh in verdict.summary.render("zh")


def test_tcp_refused_and_timeout_are_failures_with_problems() -> None:
    verdict = assess_tcp({"probes": [_probe("a", 443, "tcp_refused"),
                                     _probe("a", 80, "tcp_timeout", None),
                                     _probe("b", 443, None)]})
    assert verdict.status is Status.FAIL
    assert verdict.cause == "tcp_blocked"
    assert {(p.code, p.port) for p in verdict.problems} == {("tcp_refused", 443),
                                                            ("tcp_timeout", 80)}
    text = verdict.summary.render("en")
    assert "a:443 refused" in text and "a:80 timed out" in text
    assert "被拒绝" in verdict.summary.render("zh")


def test_tcp_cannot_test_when_nothing_resolved() -> None:
    verdict = assess_tcp(evidence("dns_server_down", "tcp"))
    assert verdict.status is Status.ERROR


def test_tcp_partial_resolution_is_info_not_ok() -> None:
    verdict = assess_tcp(evidence("one_name_dropped_everywhere", "tcp"))
    assert verdict.status is Status.INFO


def test_one_failing_port_of_a_fallback_server_is_information() -> None:
    verdict = assess_tcp(evidence("port_8080_dropped", "tcp"))
    assert verdict.status is Status.INFO and verdict.cause is None
    assert {(p.code, p.port) for p in verdict.problems} == {("tcp_timeout", 8080)}
    assert "fall back" in verdict.summary.render("en")
    assert "改用同一服务器的其他端口" in verdict.summary.render("zh")


def test_ipv6_that_times_out_while_ipv4_works_warns() -> None:
    verdict = assess_tcp(evidence("ipv6_blackhole", "tcp"))
    assert (verdict.status, verdict.cause) == (Status.WARN, "ipv6_broken")
    assert all(":" in (p.address or "") for p in verdict.problems)


def test_slow_flaky_and_silent_dns_warn_as_unreliable() -> None:
    for scenario, code in (("dns_slow", "dns_slow"), ("dns_flaky_servfail", "dns_intermittent")):
        verdict = assess_dns(evidence(scenario, "dns"))
        assert (verdict.status, verdict.cause) == (Status.WARN, "dns_unreliable"), scenario
        assert code in {p.code for p in verdict.problems}
