"""Direct or through the proxy, on evidence and reports recorded in the lab:
proxy_only_network (the router drops every direct connection to the servers, tinyproxy
reaches them, https_proxy/http_proxy name it) and proxy_set_direct_works (the variables
name an address where nothing listens, direct connections work)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from checks.catalog.proxy import assess_proxy
from checks.diagnosis.correlate import diagnose
from checks.diagnosis.impact import impact_rank
from checks.diagnosis.sayings.proxies import IN_THE_CLIENTS
from checks.engine import codes, fix_ids
from checks.engine.results import Status
from checks.report.load import as_saved
from checks.report.rejudge import rejudged, result_of
from tests.fixtures.evidence.recorded import evidence

REPORTS = Path(__file__).resolve().parents[1] / "report" / "lab_reports"


def _report(name: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((REPORTS / f"{name}.json").read_text("utf-8"))
    return report


def _proxy_address(report: dict[str, Any]) -> str:
    proxy = next(c for c in report["checks"] if c["id"] == "proxy")
    (found,) = proxy["evidence"]["proxies"]
    return f"{found['host']}:{found['port']}"


def test_direct_blocked_and_the_proxy_getting_through_is_proxy_required() -> None:
    recorded = evidence("proxy_only_network", "proxy")
    assert recorded["direct"] and not any(d["ok"] for d in recorded["direct"])
    assert all(r["ok"] for r in recorded["proxies"][0]["through"])
    verdict = assess_proxy(recorded)
    assert (verdict.status, verdict.cause) == (Status.WARN, codes.PROXY_REQUIRED)
    assert {(p.host, p.port) for p in verdict.problems} == {
        (d["server"], d["port"]) for d in recorded["direct"]}


def test_a_proxy_that_does_not_reach_what_direct_connections_miss_changes_nothing() -> None:
    recorded = copy.deepcopy(evidence("proxy_only_network", "proxy"))
    for row in recorded["proxies"][0]["through"]:
        row.update(ok=False, failure=codes.PROXY_REFUSED, status=403)
    verdict = assess_proxy(recorded)
    assert verdict.cause is None and verdict.status is Status.INFO


def test_a_proxy_that_fails_while_direct_connections_work_says_so() -> None:
    recorded = evidence("proxy_set_direct_works", "proxy")
    assert recorded["direct"] and all(d["ok"] for d in recorded["direct"])
    verdict = assess_proxy(recorded)
    assert (verdict.status, verdict.cause) == (Status.FAIL, codes.PROXY_BROKEN)
    assert "Direct connections to the servers work." in verdict.summary.render("en")
    # A recording made before direct connections were compared keeps its words.
    old = assess_proxy(evidence("dead_proxy", "proxy"))
    assert "Direct connections" not in old.summary.render("en")


def test_proxy_required_explains_the_blocked_connections_and_outranks_them() -> None:
    report = _report("proxy_only")
    proxy = _proxy_address(report)
    assert impact_rank(codes.PROXY_REQUIRED) < impact_rank(codes.TCP_BLOCKED)
    for lang in ("en", "zh"):
        fresh = rejudged(report, lang)
        primary = fresh["diagnosis"]["causes"][0]
        assert primary["code"] == codes.PROXY_REQUIRED and primary["status"] == "fail"
        assert "tcp" in primary["explains"] and len(fresh["diagnosis"]["causes"]) == 1
        headline = fresh["headline"]
        assert proxy in headline["summary"] and proxy in headline["advice"]
        assert IN_THE_CLIENTS.render(lang) in headline["advice"]
        assert headline["fixes"] == []  # the advice is to enter it in the clients
    en = rejudged(report, "en")["headline"]["summary"]
    assert en.startswith("Direct connections to Tencent's servers are blocked on this network")


def test_without_the_proxy_comparison_the_same_run_is_a_blocked_firewall() -> None:
    # The rule at work: the tcp finding alone names the firewall.
    results = [result_of(r) for r in as_saved(_report("proxy_only")).checks if r.id != "proxy"]
    assert diagnose(results).primary == codes.TCP_BLOCKED


def test_the_proxy_broken_sentence_says_direct_connections_work() -> None:
    report = _report("proxy_direct_works")
    proxy = _proxy_address(report)
    fresh = rejudged(report, "en")
    assert fresh["diagnosis"]["primary"] == codes.PROXY_BROKEN
    summary = fresh["headline"]["summary"]
    assert proxy in summary and "Direct connections to Tencent's servers work: turn the proxy " \
        "off." in summary
    assert "直接连接腾讯服务器是正常的：请关闭这个代理。" in rejudged(report, "zh")["headline"]["summary"]
    # Set in the environment only: there is no system setting for a fix to turn off.
    assert fix_ids.DISABLE_PROXY not in fresh["headline"]["fixes"]
