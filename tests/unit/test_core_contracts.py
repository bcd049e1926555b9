"""Contracts across the core: no Qt, status order, report shape, exit codes, i18n."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from checks.diagnosis.correlate import diagnose
from checks.engine.config import load_config
from checks.engine.results import CheckResult, Problem, Status, worst
from checks.engine.runner import RunResult
from checks.report.build import SCHEMA, build_report, exit_code
from checks.report.plain_text import render_text
from checks.shared.i18n import normalize_lang, t

ROOT = Path(__file__).resolve().parents[2]


def test_core_never_imports_qt() -> None:
    code = (
        "import sys, checks.engine.check, checks.engine.runner, checks.report.build, checks.report.plain_text\n"
        "checks.engine.check.all_checks()\n"
        "import checks.diagnosis.correlate\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'PyQt'))]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
    offenders = [p for p in (ROOT / "checks").rglob("*.py")
                 if "PySide6" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_status_order() -> None:
    assert worst([Status.OK, Status.INFO]) is Status.INFO
    assert worst([Status.WARN, Status.ERROR, Status.OK]) is Status.WARN
    assert worst([Status.FAIL, Status.WARN]) is Status.FAIL
    assert worst([Status.SKIPPED]) is Status.OK
    assert worst([]) is Status.OK


def _result(cid: str, status: Status, cause: str | None = None, group: str = "network") -> CheckResult:
    return CheckResult(id=cid, title=t(cid, cid), group=group, status=status,
                       summary=t("s " + cid, "摘要 " + cid), cause=cause,
                       problems=(Problem("x", host="h"),) if cause else ())


def _report(results: list[CheckResult], lang: str = "en") -> dict:
    run = RunResult(results=results, started_at=datetime.now(timezone.utc), duration_s=1.25)
    return build_report(run, load_config(), lang)


def test_report_shape_and_json_roundtrip() -> None:
    report = _report([_result("network", Status.OK), _result("dns", Status.FAIL, "dns_failure", "dns")])
    assert report["schema"] == SCHEMA
    assert report["tool"]["name"] == "wxdoctor" and report["tool"]["version"]
    check = report["checks"][1]
    for key in ("id", "title", "status", "summary", "advice", "evidence", "fixes", "duration_s"):
        assert key in check
    assert check["i18n"]["zh"]["summary"] == "摘要 dns"
    assert report["diagnosis"]["primary"] == "dns_failure"
    assert report["diagnosis"]["causes"][0]["because"] == ["dns"]
    assert json.loads(json.dumps(report, ensure_ascii=False)) == report


def test_exit_codes_follow_worst_status() -> None:
    assert exit_code(_report([_result("a", Status.OK), _result("b", Status.SKIPPED)])) == 0
    assert exit_code(_report([_result("a", Status.INFO), _result("b", Status.ERROR)])) == 0
    assert exit_code(_report([_result("a", Status.WARN)])) == 1
    assert exit_code(_report([_result("a", Status.WARN), _result("b", Status.FAIL)])) == 2


def test_offline_explains_every_network_failure() -> None:
    diagnosis = diagnose([
        _result("network", Status.FAIL, "offline"),
        _result("dns", Status.FAIL, "dns_failure", "dns"),
        _result("tcp", Status.FAIL, "tcp_blocked"),
    ])
    assert diagnosis.primary == "offline"
    assert len(diagnosis.causes) == 1
    assert diagnosis.causes[0].because == ("network",)
    assert diagnosis.causes[0].explains == ("dns", "tcp")


def test_healthy_only_when_nothing_fails() -> None:
    assert diagnose([_result("a", Status.OK), _result("b", Status.INFO)]).primary == "healthy"
    assert diagnose([_result("a", Status.WARN, "slow_network")]).primary == "slow_network"


def test_text_rendering_in_both_languages() -> None:
    report = _report([_result("dns", Status.FAIL, "dns_failure", "dns")])
    en = render_text(report, "en")
    zh = render_text(report, "zh")
    assert "[FAIL]" in en and "Most likely cause" in en
    assert "[故障]" in zh and "最可能的原因" in zh and "摘要 dns" in zh
    assert "\x1b[" not in en
    assert "\x1b[31m" in render_text(report, "en", colour=True)


def test_language_normalization() -> None:
    assert normalize_lang("zh_CN.UTF-8") == "zh"
    assert normalize_lang("zh-TW") == "zh"
    assert normalize_lang("en_US.UTF-8") == "en"
    assert normalize_lang("C") is None
