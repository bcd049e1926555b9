"""A saved report with far more checks than wxdoctor has: the window draws a bounded
number of rows, the problems first, and says how many it left out (the timing and the
memory are measured by tests/bench/big_report.py, not asserted here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.gui.widgets.check_list import MAX_ROWS, shown_checks
from tests.bench.big_report import big_report


def test_a_report_of_500_checks_shows_the_problems_first_and_says_what_it_left_out(
        qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    report = big_report(500, 2.0)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    window = make_window([])
    assert window.exports.open_report(path)
    qtbot.wait(20)
    assert len(window.rows) == MAX_ROWS
    # 125 each of fail, warn, ok and info: the 100 rows are the first 100 failures.
    assert [row.state for row in window.rows.values()] == ["fail"] * MAX_ROWS
    failures = [c["id"] for c in report["checks"] if c["status"] == "fail"][:MAX_ROWS]
    assert list(window.rows) == failures
    assert window.check_list.not_shown.isVisible()
    assert window.check_list.not_shown.text() == ("This report has 500 checks: the window shows 100 of them, "
                                       "the problems first. The PDF and the JSON export have "
                                       "them all.")
    window.set_lang("zh")
    assert window.check_list.not_shown.text().startswith("此报告有 500 个检测项：窗口只显示其中 100 个")
    assert len(window.report["checks"]) == 500  # what the exports write
    # A report wxdoctor writes has every row and no such line.
    window.show_report(json.loads((Path(__file__).parents[1] / "fixtures" / "reports"
                                   / "faults.json").read_text(encoding="utf-8")))
    assert not window.check_list.not_shown.isVisible() and len(window.rows) == 12


def test_which_checks_get_a_row() -> None:
    checks = [{"id": str(i), "status": s} for i, s in enumerate(["ok", "fail", "info", "warn", "error"])]
    assert shown_checks(checks, 2) == [checks[1], checks[4]]  # the worst two, in report order
    assert shown_checks(checks, 5) == checks
