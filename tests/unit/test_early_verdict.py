"""The early verdict: shown only once nothing still running could change it."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from checks.diagnosis.early_verdict import early_diagnosis
from checks.engine import check_ids, codes
from checks.engine.check import all_checks
from checks.engine.results import CheckResult, Problem, Status
from checks.shared.i18n import t

GROUPS = {c.id: c.group for c in all_checks()}


def r(cid: str, status: Status, cause: str | None = None, *problems: Problem) -> CheckResult:
    return CheckResult(id=cid, title=t(cid, cid), group=GROUPS[cid], status=status,
                       summary=t(cid, cid), cause=cause, problems=problems)


def test_refused_port_is_settled_while_lower_ranked_checks_still_run() -> None:
    tcp = r("tcp", Status.FAIL, "tcp_blocked", Problem("tcp_refused", "a", 443, "10.0.0.1"))
    d = early_diagnosis([tcp, r("dns", Status.OK), r("network", Status.OK)],
                        pending={"disk", "client_version", codes.HTTP_HIJACK})
    assert d is not None and d.primary == "tcp_blocked"


def test_not_settled_while_a_check_that_could_outrank_it_runs() -> None:
    tcp = r("tcp", Status.FAIL, "tcp_blocked", Problem("tcp_refused", "a", 443, "10.0.0.1"))
    # The captive portal check could still explain the failed connection.
    assert early_diagnosis([tcp], pending={"captive"}) is None
    # A DNS failure is not the answer while dns_pollution may find that nothing answers.
    dns = r("dns", Status.FAIL, "dns_failure", Problem("dns_timeout", "a"))
    assert early_diagnosis([dns], pending={codes.DNS_POLLUTION}) is None
    # A VPN holding the default route can stand in for "offline"; so can heavy loss.
    assert early_diagnosis([dns], pending={"vpn"}) is None
    assert early_diagnosis([dns], pending={"latency"}) is None
    # A check the map does not know could change anything.
    assert early_diagnosis([tcp], pending={"a_new_check"}) is None


def test_warnings_and_healthy_are_never_early() -> None:
    slow = r("latency", Status.WARN, "slow_network", Problem("slow_network", "a", 443))
    assert early_diagnosis([slow], pending={"disk"}) is None
    assert early_diagnosis([r("dns", Status.OK)], pending={"disk"}) is None


def _resolve(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in (
            "codes", "check_ids"):
        value = getattr(codes if node.value.id == "codes" else check_ids, node.attr)
        return value if isinstance(value, str) else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def test_every_check_declares_every_cause_its_module_names() -> None:
    """`causes` on the class is what the early verdict waits for: a cause the module's
    verdicts name but the class does not declare would let a wrong verdict show early."""
    for check in all_checks():
        module = sys.modules[type(check).__module__]
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        named = {_resolve(v) for node in ast.walk(tree) if isinstance(node, ast.keyword)
                 and node.arg == "cause" for v in ast.walk(node.value) if isinstance(v, ast.expr)}
        named.discard(None)
        assert named <= set(check.causes), (check.id, named - set(check.causes))
        assert all(c in codes.CAUSES for c in check.causes), check.id


# ---- causes derived from several checks (early_verdict.DERIVED) ---------------------------

def _offline_results() -> list[CheckResult]:
    """Every DNS server silent, the trusted ones too: the diagnosis says offline."""
    dns = CheckResult(id="dns", title=t("dns", "dns"), group="dns", status=Status.FAIL,
                      summary=t("dns", "dns"), cause="dns_failure",
                      problems=(Problem("dns_timeout", "a"),),
                      evidence={"answers": [{"host": "a", "error": "dns_timeout"}]})
    reference = r(codes.DNS_POLLUTION, Status.ERROR, None, Problem("dns_trusted_unreachable"))
    return [dns, reference]


ANSWERING = {
    "clock": CheckResult(id="clock", title=t("c", "c"), group="computer", status=Status.OK,
                         summary=t("c", "c"), evidence={"answered": 1}),
    "tcp": CheckResult(id="tcp", title=t("t", "t"), group="network", status=Status.OK,
                       summary=t("t", "t"), evidence={"probes": [{"ok": True}]}),
    "captive": CheckResult(id="captive", title=t("p", "p"), group="network", status=Status.OK,
                           summary=t("p", "p"), evidence={"probes": [{"status": 204}]}),
}


def test_offline_waits_for_the_checks_that_would_show_something_answers() -> None:
    """A time server, a server's port or a connectivity probe answering rules "offline"
    out: while any of them runs, offline is not settled (their own causes rank far below
    it, so the rank alone would have settled it)."""
    finished = _offline_results()
    assert early_diagnosis(finished, pending={"disk"}) is not None
    assert early_diagnosis(finished, pending={"disk"}).primary == "offline"  # type: ignore[union-attr]
    for check_id, answered in ANSWERING.items():
        assert early_diagnosis(finished, pending={check_id, "disk"}) is None, check_id
        # ... and rightly so: its answer changes the primary cause.
        from checks.diagnosis.correlate import diagnose
        assert diagnose([*finished, answered]).primary != "offline", check_id


def _pmtu_results() -> list[CheckResult]:
    mtu = CheckResult(id="mtu", title=t("m", "m"), group="network", status=Status.WARN,
                      summary=t("m", "m"), cause="pmtu_blackhole",
                      problems=(Problem("pmtu_blackhole", "a"),),
                      evidence={"target": "a", "targets": [{"target": "a", "path_mtu": 1280,
                                                            "mtu_black_hole": True}]})
    tls = CheckResult(id="tls", title=t("s", "s"), group="secure", status=Status.FAIL,
                      summary=t("s", "s"), cause="tcp_blocked",
                      problems=(Problem("tls_handshake_timeout", "a", 443),))
    return [mtu, tls]


def test_a_black_hole_waits_for_the_connects_that_would_rule_it_out() -> None:
    finished = _pmtu_results()
    from checks.diagnosis.correlate import diagnose
    assert diagnose(finished).primary == "pmtu_blackhole"
    assert early_diagnosis(finished, pending={"disk"}) is not None
    # tcp's own causes rank below a black hole, but a failed connect to the same server
    # means the connection itself fails: not an MTU problem.
    assert early_diagnosis(finished, pending={"tcp"}) is None
    tcp = r("tcp", Status.FAIL, "tcp_blocked", Problem("tcp_timeout", "a", 443, "10.0.0.1"))
    assert diagnose([*finished, tcp]).primary != "pmtu_blackhole"


def test_a_pending_tls_check_could_still_make_a_black_hole() -> None:
    """A clock far off (rank 11) is not settled while tls runs: with mtu's black hole
    already found, a handshake timing out would make the (stronger) black hole."""
    clock = r("clock", Status.FAIL, "clock_skew", Problem("clock_skew"))
    assert early_diagnosis([clock], pending={"disk"}) is not None
    assert early_diagnosis([clock], pending={"tls"}) is None
    assert early_diagnosis([clock], pending={"mtu"}) is None


def test_derived_causes_name_real_checks_and_causes() -> None:
    from checks.diagnosis.early_verdict import DERIVED

    known = {c.id for c in all_checks()}
    for code, derived in DERIVED.items():
        assert code in codes.CAUSES, code
        assert set(derived.made_by) <= known and set(derived.ruled_out_by) <= known, code
        assert not derived.rank_of or derived.rank_of in codes.CAUSES, code


def test_a_dns_failure_waits_for_the_time_servers_that_could_make_it_offline() -> None:
    """Every DNS server, the trusted one too, saying no name exists is a DNS failure, or,
    with the time servers asked by address silent too, no internet (offline_rule.py):
    while the clock check runs, that DNS failure is not settled. One name missing while
    the others resolve is a DNS failure whatever the time servers do."""
    names = ("login.work.weixin.qq.com", "weixin.qq.com")

    def dns(*errors: str | None) -> CheckResult:
        answers = [{"host": h, "error": e, "A": {"addresses": [] if e else ["10.0.0.1"]}}
                   for h, e in zip(names, errors, strict=True)]
        return CheckResult(id="dns", title=t("d", "d"), group=GROUPS["dns"], status=Status.FAIL,
                           summary=t("d", "d"), cause="dns_failure",
                           problems=tuple(Problem("dns_nxdomain", a["host"]) for a in answers
                                          if a["error"]),
                           evidence={"answers": answers})

    reference = r("dns_pollution", Status.ERROR, None, Problem("dns_trusted_unreachable"))
    everywhere = [dns("dns_nxdomain", "dns_nxdomain"), reference]
    assert early_diagnosis(everywhere, pending={"disk"}) is not None
    assert early_diagnosis(everywhere, pending={"clock", "disk"}) is None
    one_name = [dns("dns_nxdomain", None), reference]
    assert early_diagnosis(one_name, pending={"clock", "disk"}) is not None
