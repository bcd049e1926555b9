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
