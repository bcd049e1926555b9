"""Correlation rules of the diagnosis, on synthetic results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from checks.diagnosis.correlate import diagnose
from checks.engine.results import CheckResult, Problem, Status
from checks.report.load import as_saved
from checks.report.rejudge import result_of
from checks.shared.i18n import t

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


def _mtu(path: int, iface: int, sizes: dict[int, str], black_hole: bool | None) -> CheckResult:
    target = {"target": "login.work.weixin.qq.com", "path_mtu": path, "interface_mtu": iface,
              "sizes": {str(k): v for k, v in sizes.items()}, "black_hole": black_hole}
    return r("mtu", Status.INFO, None, evidence={**target, "targets": [target]})


def test_pmtu_blackhole_inferred_from_tcp_ok_tls_timeout_and_vanishing_big_packets() -> None:
    results = [
        r("tcp", Status.OK),
        r("tls", Status.FAIL, "tcp_blocked", (Problem("tls_handshake_timeout", "qyapi.weixin.qq.com", 443),)),
        _mtu(1400, 1500, {1400: "passed", 1420: "no_reply", 1500: "no_reply"}, True),
    ]
    d = diagnose(results)
    assert d.primary == "pmtu_blackhole"
    assert "mtu" in d.causes[0].because
    assert "tls" in d.causes[0].explains
    # Same TLS timeouts with a path MTU equal to the interface MTU: not an MTU problem.
    results[2] = _mtu(1500, 1500, {1500: "passed"}, False)
    assert diagnose(results).primary == "tcp_blocked"


def test_jumbo_adapter_with_a_full_size_path_is_no_black_hole() -> None:
    """Adapter MTU 9000, every size up to 1500 passes, one TLS handshake times out:
    the path carries what was tried, so the timeout is not an MTU problem."""
    results = [
        r("tcp", Status.OK),
        r("tls", Status.FAIL, "tcp_blocked", (Problem("tls_handshake_timeout", "qyapi.weixin.qq.com", 443),)),
        _mtu(1500, 9000, {1400: "passed", 1500: "passed"}, False),
    ]
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


def test_never_healthy_while_any_check_warns_or_fails() -> None:
    """Every check of the catalog, every cause code (none, an unknown one, even
    "healthy"), warn and fail: the diagnosis always names something."""
    from checks.engine import codes as registry
    from checks.engine.check import all_checks

    for check in all_checks():
        for cause in [None, "from_a_newer_version", *registry.CAUSES]:
            for status in (Status.WARN, Status.FAIL):
                result = CheckResult(id=check.id, title=check.title, group=check.group,
                                     status=status, summary=t("x", "x"), cause=cause)
                d = diagnose([r("network", Status.OK), result])
                assert d.primary != "healthy", (check.id, cause, status)
                assert d.causes[0].status == status.value, (check.id, cause, status)


def test_a_finding_without_a_cause_speaks_in_its_own_words() -> None:
    warn = CheckResult(id="proxy", title=t("p", "p"), group="network", status=Status.WARN,
                       summary=t("The proxy is odd.", "代理异常。"), advice=t("Ask IT.", "问 IT。"))
    d = diagnose([warn])
    assert d.primary == "unclassified"
    assert d.causes[0].summary.render("en") == "The proxy is odd."
    assert d.causes[0].advice.render("zh") == "问 IT。"


SILENT_DNS = {"answers": [{"host": "a", "error": "dns_timeout"}, {"host": "b", "error": "dns_timeout"}]}


def _nothing_answers(*extra: CheckResult) -> list[CheckResult]:
    return [
        r("network", Status.OK),
        r("dns", Status.FAIL, "dns_failure", (Problem("dns_timeout", "a"), Problem("dns_timeout", "b")),
          evidence=SILENT_DNS),
        r("dns_pollution", Status.ERROR, None, (Problem("dns_trusted_unreachable"),)),
        r("tcp", Status.ERROR, None, (Problem("not_resolved"),)),
        *extra,
    ]


def test_tunnel_holding_the_default_route_explains_the_silence_not_offline() -> None:
    vpn = r("vpn", Status.WARN, "vpn_interference", (Problem("vpn_default_route", "tun0"),),
            evidence={"default_via_tunnel": ["tun0"]})
    d = diagnose(_nothing_answers(vpn))
    assert codes(d) == ["vpn_interference"]
    assert d.causes[0].status == "fail"  # it accounts for the red DNS light
    assert set(d.causes[0].because) == {"vpn", "dns", "dns_pollution"}
    assert "tcp" in d.causes[0].explains
    assert any("tun0" in line and "swallows" in line for line in d.causes[0].evidence)
    # The same silence with a tunnel that does not hold the default route: offline.
    present = r("vpn", Status.INFO, None, evidence={"default_via_tunnel": []})
    assert diagnose(_nothing_answers(present)).primary == "offline"


def test_silent_dns_is_not_offline_when_something_else_answered() -> None:
    assert diagnose(_nothing_answers()).primary == "offline"
    # A time server answered, a server's port connected, or a connectivity probe
    # answered: the line works, DNS fails.
    for proof in (r("clock", Status.OK, evidence={"answered": 1, "asked": 2}),
                  r("tcp", Status.OK, evidence={"probes": [{"host": "10.0.0.9", "ok": True}]}),
                  r("captive", Status.OK, evidence={"probes": [{"url": "x", "status": 204}]})):
        results = [x for x in _nothing_answers() if x.id != proof.id] + [proof]
        assert diagnose(results).primary == "dns_failure", proof.id
    nothing = [r("clock", Status.ERROR, evidence={"answered": 0, "asked": 2}),
               r("captive", Status.INFO, evidence={"probes": [{"url": "x", "status": None}]})]
    assert diagnose(_nothing_answers(*nothing)).primary == "offline"


def test_dns_servers_answering_garbage_are_not_silent() -> None:
    garbage = {"answers": [{"host": "a", "error": "dns_bad_response"},
                           {"host": "b", "error": "dns_timeout"}]}
    results = [x for x in _nothing_answers() if x.id != "dns"] + [
        r("dns", Status.FAIL, "dns_failure", (Problem("dns_bad_response", "a"),), evidence=garbage)]
    assert diagnose(results).primary == "dns_failure"


LOSSY = {"loss": {"sent": 21, "lost": 9, "pct": 42.9}}


def test_heavy_loss_explains_timeouts_but_not_refusals() -> None:
    latency = r("latency", Status.WARN, "slow_network", (Problem("packet_loss"),), evidence=LOSSY)
    dns = r("dns", Status.FAIL, "dns_failure", (Problem("dns_timeout", "a"),),
            evidence={"answers": [{"host": "a", "error": "dns_timeout"}, {"host": "b", "error": None}]})
    tcp = r("tcp", Status.FAIL, "tcp_blocked", (Problem("tcp_timeout", "b", 443, "10.0.0.2"),))
    mtu = r("mtu", Status.WARN, "pmtu_blackhole", (Problem("pmtu_blackhole", "b"),))
    d = diagnose([latency, dns, tcp, mtu])
    assert codes(d) == ["slow_network"]
    assert d.causes[0].status == "fail"
    assert set(d.causes[0].explains) == {"dns", "tcp", "mtu"}
    assert any("9 of 21 test exchanges" in line for line in d.causes[0].evidence)
    # A refused connection is an answer, not a lost packet: a cause of its own.
    refused = r("tcp", Status.FAIL, "tcp_blocked", (Problem("tcp_refused", "b", 443, "10.0.0.2"),))
    assert codes(diagnose([latency, refused])) == ["tcp_blocked", "slow_network"]
    # Slow without loss explains nothing.
    slow = r("latency", Status.WARN, "slow_network", (Problem("slow_network", "b", 443),))
    assert codes(diagnose([slow, tcp])) == ["tcp_blocked", "slow_network"]


def test_hosts_file_answer_is_the_hosts_file_not_dns_pollution() -> None:
    hosts = r("hosts", Status.FAIL, "hosts_override",
              (Problem("hosts_override", "login.work.weixin.qq.com", address="127.0.0.1"),),
              fixes=("repair_hosts",))
    polluted = r("dns_pollution", Status.FAIL, "dns_pollution",
                 (Problem("dns_bogus_loopback", "login.work.weixin.qq.com", address="127.0.0.1"),),
                 fixes=("flush_dns",))
    d = diagnose([hosts, polluted])
    assert codes(d) == ["hosts_override"]
    assert d.causes[0].fixes == ("repair_hosts",)
    assert d.causes[0].explains == ("dns_pollution",)


def test_service_outage_names_the_controls_that_work() -> None:
    d = diagnose([
        r("tls", Status.FAIL, "service_outage", (Problem("https_server_error", "a", 443),)),
        r("captive", Status.OK), r("dns_pollution", Status.OK),
    ])
    assert d.primary == "service_outage"
    assert any(line.startswith("control: the connectivity probes") for line in d.causes[0].evidence)


# ---- no internet, while DNS servers answer "no such name" ------------------------------------

def _recorded_no_internet() -> list[CheckResult]:
    path = Path(__file__).resolve().parents[1] / "report" / "lab_reports" / "no_internet.json"
    saved = as_saved(json.loads(path.read_text(encoding="utf-8")))
    return [result_of(c) for c in saved.checks]


def test_dns_servers_that_say_no_name_exists_while_nothing_answers_is_no_internet() -> None:
    """Every DNS server, the trusted one too, answers that Tencent's names do not exist,
    and the time server asked by address is silent: the internet is out of reach."""
    d = diagnose(_recorded_no_internet())
    assert d.primary == "offline"
    summary = d.causes[0].summary.render("en")
    assert "does not reach the internet" in summary and "10.201.2.60" in summary, summary
    assert "DNS server 10.201.2.53" not in summary  # it answered: it was not silent


def test_no_such_name_everywhere_but_a_time_server_answering_is_not_offline() -> None:
    results = _recorded_no_internet()
    clock = next(r for r in results if r.id == "clock")
    clock.evidence["answered"] = 1
    assert diagnose(results).primary == "dns_failure"


def test_no_such_name_from_the_system_server_only_is_not_offline() -> None:
    results = _recorded_no_internet()
    reference = next(r for r in results if r.id == "dns_pollution")
    for host in reference.evidence["hosts"]:
        for trusted in host["trusted"]:
            trusted["addresses"], trusted["errors"] = ["10.201.16.1"], {"A": None, "AAAA": None}
    assert diagnose(results).primary != "offline"
