"""Correlation rules of the diagnosis, on synthetic results."""

from __future__ import annotations

from typing import Any

from checks.diagnosis import diagnose
from checks.i18n import t
from checks.model import CheckResult, Problem, Status

GROUP = {"network": "network", "tcp": "network", "dns": "dns", "dns_pollution": "dns",
         "hosts": "dns", "tls": "secure", "http_hijack": "network", "captive": "network",
         "latency": "network", "mtu": "network", "proxy": "network", "vpn": "network",
         "clock": "computer", "disk": "computer", "client_data": "client",
         "client_version": "client"}


def r(cid: str, status: Status, cause: str | None = None, problems: tuple[Problem, ...] = (),
      evidence: dict[str, Any] | None = None, fixes: tuple[str, ...] = ()) -> CheckResult:
    return CheckResult(id=cid, title=t(cid, cid), group=GROUP[cid], status=status,
                       summary=t(cid, cid), cause=cause, problems=problems,
                       evidence=evidence or {}, fixes=fixes)


def codes(diagnosis) -> list[str]:
    return [c.code for c in diagnosis.causes]


def test_healthy() -> None:
    d = diagnose([r("network", Status.OK), r("dns", Status.OK), r("vpn", Status.INFO)])
    assert d.primary == "healthy"


def test_captive_portal_explains_tls_and_http_failures() -> None:
    d = diagnose([
        r("captive", Status.FAIL, "captive_portal"),
        r("tls", Status.FAIL, "tls_invalid_certificate",
          (Problem("tls_name_mismatch", "login.work.weixin.qq.com", 443),)),
        r("http_hijack", Status.FAIL, "http_hijack", (Problem("http_redirect", "short.weixin.qq.com", 80),)),
    ])
    assert codes(d) == ["captive_portal"]
    assert set(d.causes[0].explains) == {"tls", "http_hijack"}


def test_dns_pollution_explains_failures_to_polluted_names_only() -> None:
    polluted = (Problem("dns_mismatch", "qyapi.weixin.qq.com", address="10.9.9.9"),)
    d = diagnose([
        r("dns_pollution", Status.FAIL, "dns_pollution", polluted),
        r("tcp", Status.FAIL, "tcp_blocked", (Problem("tcp_timeout", "qyapi.weixin.qq.com", 443, "10.9.9.9"),)),
    ])
    assert codes(d) == ["dns_pollution"]
    assert d.causes[0].explains == ("tcp",)
    # A failure to another name is an independent cause, listed too.
    d = diagnose([
        r("dns_pollution", Status.FAIL, "dns_pollution", polluted),
        r("tcp", Status.FAIL, "tcp_blocked", (Problem("tcp_timeout", "long.weixin.qq.com", 8080, "1.2.3.4"),)),
    ])
    assert codes(d) == ["dns_pollution", "tcp_blocked"]


def test_hosts_override_explains_exactly_those_names() -> None:
    d = diagnose([
        r("hosts", Status.FAIL, "hosts_override", (Problem("hosts_override", "login.work.weixin.qq.com", address="127.0.0.1"),)),
        r("tls", Status.FAIL, "tls_invalid_certificate", (Problem("tls_untrusted_issuer", "login.work.weixin.qq.com", 443),)),
    ])
    assert codes(d) == ["hosts_override"]
    assert d.causes[0].explains == ("tls",)


def test_clock_explains_not_yet_valid_certificates() -> None:
    d = diagnose([
        r("tls", Status.FAIL, "tls_invalid_certificate", (Problem("tls_not_yet_valid", "work.weixin.qq.com", 443),)),
        r("clock", Status.FAIL, "clock_skew"),
    ])
    assert codes(d) == ["clock_skew"]
    assert d.primary == "clock_skew"


def test_pmtu_blackhole_inferred_from_tcp_ok_tls_timeout_and_small_path_mtu() -> None:
    results = [
        r("tcp", Status.OK),
        r("tls", Status.FAIL, "tcp_blocked", (Problem("tls_handshake_timeout", "qyapi.weixin.qq.com", 443),)),
        r("mtu", Status.INFO, None, evidence={"path_mtu": 1400, "interface_mtu": 1500}),
    ]
    d = diagnose(results)
    assert d.primary == "pmtu_blackhole"
    assert "mtu" in d.causes[0].because
    assert "tls" in d.causes[0].explains
    # Same TLS timeouts with a path MTU equal to the interface MTU: not an MTU problem.
    results[2] = r("mtu", Status.OK, None, evidence={"path_mtu": 1500, "interface_mtu": 1500})
    assert diagnose(results).primary == "tcp_blocked"


def test_independent_causes_all_listed_fail_before_warn() -> None:
    d = diagnose([
        r("latency", Status.WARN, "slow_network"),
        r("disk", Status.FAIL, "disk_full"),
        r("clock", Status.WARN, "clock_skew"),
        r("client_version", Status.FAIL, "client_outdated"),
    ])
    assert codes(d) == ["disk_full", "client_outdated", "clock_skew", "slow_network"]


def test_consequence_never_ranked_above_its_cause() -> None:
    d = diagnose([
        r("network", Status.FAIL, "offline"),
        r("captive", Status.FAIL, "captive_portal"),
        r("dns", Status.FAIL, "dns_failure", (Problem("dns_timeout", "a"),)),
    ])
    assert codes(d) == ["offline"]


def test_evidence_chain_has_readable_lines() -> None:
    d = diagnose([r("tcp", Status.FAIL, "tcp_blocked", (Problem("tcp_refused", "qyapi.weixin.qq.com", 443, "10.0.0.1"),))])
    assert d.causes[0].evidence == ("tcp: tcp_refused qyapi.weixin.qq.com:443 (10.0.0.1)",)
    assert d.to_json("zh")["causes"][0]["because"] == ["tcp"]


def test_route_but_no_dns_server_anywhere_answers_is_offline() -> None:
    silent = {"answers": [{"host": "a", "error": "dns_timeout"}, {"host": "b", "error": "dns_unreachable"}]}
    results = [
        r("network", Status.OK),
        r("dns", Status.FAIL, "dns_failure", (Problem("dns_timeout", "a"), Problem("dns_unreachable", "b")),
          evidence=silent),
        r("dns_pollution", Status.ERROR, None, (Problem("dns_trusted_unreachable"),)),
        r("tcp", Status.ERROR, None, (Problem("not_resolved"),)),
    ]
    d = diagnose(results)
    assert codes(d) == ["offline"]
    assert set(d.causes[0].because) == {"dns", "dns_pollution"}


def test_dns_failure_stays_when_trusted_resolvers_answer() -> None:
    nxdomain = {"answers": [{"host": "a", "error": "dns_timeout"}]}
    d = diagnose([
        r("dns", Status.FAIL, "dns_failure", (Problem("dns_timeout", "a"),), evidence=nxdomain),
        r("dns_pollution", Status.OK),
    ])
    assert d.primary == "dns_failure"
    d = diagnose([
        r("dns", Status.FAIL, "dns_failure", (Problem("dns_nxdomain", "a"),),
          evidence={"answers": [{"host": "a", "error": "dns_nxdomain"}]}),
        r("dns_pollution", Status.ERROR, None, (Problem("dns_trusted_unreachable"),)),
    ])
    assert d.primary == "dns_failure"
