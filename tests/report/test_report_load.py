"""The one report loader: bad fields are named, sizes are bounded, good reports round-trip."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from checks.report.compare import compare
from checks.report.history import History, HistoryError
from checks.report.load import (
    MAX_TEXT,
    ReportError,
    SavedReport,
    load_report_file,
    parse_report,
    parse_report_text,
)
from checks.report.plain_text import render_text
from tests.report.helpers import wxdoctor

ISSUE_EXAMPLE = '{"schema":"wxdoctor.report/1","checks":[{"id":"x","status":5}]}'
STATUS_MESSAGE = "checks[0].status: expected one of ok, info, warn, fail, skipped, error, got 5"


def _save(tmp_path: Path, text: str, name: str = "r.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_real_report_round_trips(faulty_report: dict[str, Any]) -> None:
    saved = parse_report(copy.deepcopy(faulty_report))
    assert isinstance(saved, SavedReport)
    assert saved.to_json() == faulty_report
    tcp = saved.check("tcp")
    assert tcp is not None and tcp.status.value == "fail" and tcp.problems[0].code
    assert parse_report(saved.to_json()) == saved


def test_the_issue_example_names_the_field(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(ReportError) as caught:
        parse_report_text(ISSUE_EXAMPLE)
    assert str(caught.value) == STATUS_MESSAGE
    bad = _save(tmp_path, ISSUE_EXAMPLE)
    for args in (["report", str(bad)], ["report", str(bad), "--text"],
                 ["compare", str(bad), str(bad)]):
        result = wxdoctor(*args, data_dir=data_dir)
        assert result.returncode == 64, (args, result.stderr)
        assert f"{bad}: {STATUS_MESSAGE}" in result.stderr
        assert "Traceback" not in result.stderr


def _mutated(report: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(report)
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[int(last) if isinstance(node, list) else last] = value
    return data


@pytest.mark.parametrize(("path", "value", "message"), [
    ("checks", {"id": "x"}, "checks: expected a list, got an object"),
    ("checks[0]", "dns", 'checks[0]: expected an object, got "dns"'),
    ("checks[0].id", 7, "checks[0].id: expected a string, got 7"),
    ("checks[1].title", None, "checks[1].title: expected a string, got null"),
    ("checks[0].i18n", ["zh"], "checks[0].i18n: expected an object, got a list"),
    ("checks[0].i18n.zh", "标题", 'checks[0].i18n.zh: expected an object, got "标题"'),
    ("checks[0].i18n.en.summary", 1.5, "checks[0].i18n.en.summary: expected a string, got 1.5"),
    ("checks[0].evidence", "none", 'checks[0].evidence: expected an object, got "none"'),
    ("checks[0].problems", [{"host": "a"}], "checks[0].problems[0].code: missing"),
    ("checks[0].problems", ["tcp_refused"], 'checks[0].problems[0]: expected an object, got "tcp_refused"'),
    ("checks[0].fixes", "flush_dns", 'checks[0].fixes: expected a list, got "flush_dns"'),
    ("checks[0].duration_s", "fast", 'checks[0].duration_s: expected a number, got "fast"'),
    ("status", "red", 'status: expected one of ok, info, warn, fail, skipped, error, got "red"'),
    ("diagnosis", [], "diagnosis: expected an object, got a list"),
    ("diagnosis.causes", [{"code": "x", "because": "dns"}],
     'diagnosis.causes[0].because: expected a list, got "dns"'),
    ("diagnosis.primary", 3, "diagnosis.primary: expected a string, got 3"),
    ("cancelled", "no", 'cancelled: expected true or false, got "no"'),
    ("system", "pc", 'system: expected an object, got "pc"'),
    ("fixes_applied", [{"fix_id": "flush_dns", "before": {"dns": 2}}],
     "fixes_applied[0].before.dns: expected a string, got 2"),
])
def test_a_bad_field_is_named(faulty_report: dict[str, Any], path: str, value: Any,
                              message: str) -> None:
    with pytest.raises(ReportError) as caught:
        parse_report(_mutated(faulty_report, path, value))
    assert str(caught.value) == message


def test_duplicate_ids_and_non_numbers(faulty_report: dict[str, Any]) -> None:
    twice = copy.deepcopy(faulty_report)
    twice["checks"].append(copy.deepcopy(twice["checks"][0]))
    with pytest.raises(ReportError, match=r"checks\[\d+\]\.id: '\w+' appears twice"):
        parse_report(twice)
    text = json.dumps(faulty_report).replace('"duration_s": ', '"duration_s": NaN, "x": ', 1)
    with pytest.raises(ReportError, match="NaN is not a JSON number"):
        parse_report_text(text)
    with pytest.raises(ReportError, match="not a wxdoctor report"):
        parse_report_text('{"hello": 1}')
    with pytest.raises(ReportError, match="not a wxdoctor report"):
        parse_report_text("[1, 2]")


def test_deep_nesting_is_refused(tmp_path: Path, data_dir: Path) -> None:
    deep = '{"schema": "wxdoctor.report/1", "checks": [], "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(ReportError, match="nested more than 32 levels deep"):
        parse_report_text(deep)
    shallow_but_deep = '{"schema": "wxdoctor.report/1", "checks": [], "x": ' + "[" * 40 + "]" * 40 + "}"
    with pytest.raises(ReportError, match=r"^x(\[0\]){31}: nested more than 32 levels deep"):
        parse_report_text(shallow_but_deep)
    result = wxdoctor("report", str(_save(tmp_path, deep)), data_dir=data_dir)
    assert result.returncode == 64 and "nested more than 32 levels deep" in result.stderr


def test_huge_reports_are_bounded(faulty_report: dict[str, Any], tmp_path: Path,
                                  data_dir: Path) -> None:
    # 150 MB of evidence: refused by its size before it is read.
    big = tmp_path / "big.json"
    with big.open("w", encoding="utf-8") as fh:
        fh.write('{"schema": "wxdoctor.report/1", "checks": [{"id": "x", "status": "ok", '
                 '"evidence": {"blob": "')
        chunk = "A" * 2**20
        for _ in range(150):
            fh.write(chunk)
        fh.write('"}}]}')
    result = wxdoctor("report", str(big), data_dir=data_dir)
    assert result.returncode == 64
    assert f"cannot read {big}: larger than 16 MB" in result.stderr
    big.unlink()
    # 85 000 checks: too many to be a report.
    many = {"schema": "wxdoctor.report/1",
            "checks": [{"id": f"c{i}", "status": "ok"} for i in range(85_000)]}
    with pytest.raises(ReportError, match="checks: at most 500 entries, got 85000"):
        parse_report(many)
    # A long string within the size limit is cut where it is loaded, so every renderer
    # gets a bounded text.
    long = copy.deepcopy(faulty_report)
    long["checks"][0]["evidence"]["blob"] = "B" * 5_000_000
    long["checks"][0]["i18n"]["en"]["summary"] = "C" * 1_000_000
    saved = parse_report(long)
    blob = saved.checks[0].evidence["blob"]
    assert blob.startswith("B" * MAX_TEXT) and blob.endswith(f"[{5_000_000 - MAX_TEXT} characters cut]")
    assert len(render_text(saved.to_json(), "en")) < 200_000


def test_fifo_and_devices_are_not_reports(tmp_path: Path, data_dir: Path) -> None:
    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        load_report_file(fifo)
    result = wxdoctor("report", str(fifo), data_dir=data_dir)  # must not wait for a writer
    assert result.returncode == 64 and "not a regular file (pipe)" in result.stderr
    assert wxdoctor("compare", "/dev/zero", str(fifo), data_dir=data_dir).returncode == 64


def test_a_bad_run_in_the_history_is_a_clear_error(faulty_report: dict[str, Any],
                                                   tmp_path: Path) -> None:
    history = History(tmp_path / "history.db")  # the data folder's history
    good = history.add(faulty_report)
    bad = history.add(_mutated(faulty_report, "checks[0].status", 5))
    assert history.get(good)["checks"] == faulty_report["checks"]
    with pytest.raises(HistoryError, match=r"run 2 cannot be read back: checks\[0\]\.status"):
        history.get(bad)
    result = wxdoctor("compare", str(good), str(bad), data_dir=tmp_path)
    assert result.returncode == 64 and "checks[0].status" in result.stderr


def test_compare_takes_validated_reports(faulty_report: dict[str, Any]) -> None:
    with pytest.raises(ReportError, match=r"checks\[0\]\.status"):
        compare(faulty_report, _mutated(faulty_report, "checks[0].status", "broken"))
    tcp = [c["id"] for c in faulty_report["checks"]].index("tcp")
    fixed = _mutated(faulty_report, f"checks[{tcp}].status", "ok")
    [change] = [c for c in compare(faulty_report, fixed) if c["kind"] == "changed"]
    assert (change["check_id"], change["before"], change["after"]) == ("tcp", "fail", "ok")
    assert set(change["title"]) == {"zh", "en"}
