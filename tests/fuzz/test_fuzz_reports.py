"""The report loader on type-mutated and broken report files: refused with the path of
the bad field, or loaded and then rendered by every renderer (text, chat summary,
compare, redaction, the PDF and the window) without an exception.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.report.chat_summary import summary_text
from checks.report.compare import compare, render_changes
from checks.report.load import ReportError, SavedReport, parse_report, parse_report_text
from checks.report.plain_text import render_text
from checks.report.redact import Identity, redact
from tests.fuzz.budget import FUZZ, FUZZ_SLOW

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
BASES = {name: json.loads((REPORTS / f"{name}.json").read_text(encoding="utf-8"))
         for name in ("faults", "healthy", "offline")}
IDENTITY = Identity(users=("zhangwei", "张三"), hosts=("demo-pc",))
# A refusal names where: "checks[3].i18n.zh.title: expected ...", "diagnosis: ...".
ERROR = re.compile(r"^(not a wxdoctor report|not JSON|nested more than|more than \d+ values|"
                   r"\(top\)|[a-z_]+(\[\d+\]|\[\"[^\n]*\"\]|\.[A-Za-z0-9_-]+)*: )")


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
              st.text(max_size=30), st.sampled_from(["ok", "fail", "zh", "", "wxdoctor.report/1"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)


@st.composite
def mutated_reports(draw: st.DrawFn) -> dict[str, Any]:
    """A real report with 1-3 values replaced by other JSON (often of another type) or
    keys deleted: what a hand-edited or half-written file looks like."""
    report = copy.deepcopy(BASES[draw(st.sampled_from(sorted(BASES)))])
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(report) if p]
        path = draw(st.sampled_from(paths))
        parent: Any = report
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return report


def _load(report: dict[str, Any]) -> SavedReport | None:
    try:
        return parse_report(report)
    except ReportError as exc:
        assert ERROR.match(str(exc)), str(exc)
        return None


@FUZZ
@given(mutated_reports(), st.sampled_from(["zh", "en"]))
def test_mutated_reports_are_refused_or_render(report: dict[str, Any], lang: str) -> None:
    saved = _load(report)
    if saved is None:
        return
    data = saved.to_json()
    assert parse_report(data) == saved  # what renderers get is itself a valid report
    render_text(data, lang)
    summary_text(data, lang, redacted=False)
    clean = redact(data, IDENTITY)
    summary_text(clean, lang, redacted=False)
    for a, b in ((saved, BASES["faults"]), (BASES["healthy"], saved), (saved, saved)):
        render_changes(compare(a, b), lang, names=("a", "b"))


@FUZZ
@given(st.one_of(st.text(max_size=500), st.lists(st.sampled_from(
    ['{', '}', '[', ']', '"schema"', '"wxdoctor.report/1"', '"checks"', ':', ',', '"status"',
     '"id"', '"x"', '5', 'null', 'NaN', 'Infinity', '-', '1e999', '"\\ud800"', '\ufeff']),
    max_size=80).map("".join)))
def test_any_text_is_refused_with_a_reason(text: str) -> None:
    try:
        saved = parse_report_text(text)
    except ReportError as exc:
        assert ERROR.match(str(exc)), str(exc)
    else:
        render_text(saved.to_json(), "en")


@pytest.fixture(scope="module")
def qt_app() -> Any:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


@FUZZ_SLOW
@given(report=mutated_reports(), lang=st.sampled_from(["zh", "en"]))
def test_mutated_reports_make_a_pdf(qt_app: Any, tmp_path_factory: pytest.TempPathFactory,
                                    report: dict[str, Any], lang: str) -> None:
    from app.pdf.check_pages import write_pdf

    saved = _load(report)
    if saved is None:
        return
    out = tmp_path_factory.mktemp("pdf") / "r.pdf"
    write_pdf(redact(saved.to_json(), IDENTITY), out, lang)
    assert out.read_bytes().startswith(b"%PDF")


@FUZZ_SLOW
@given(report=mutated_reports())
def test_mutated_reports_open_in_the_window(qt_app: Any, tmp_path_factory: pytest.TempPathFactory,
                                            report: dict[str, Any]) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.window import MainWindow

    folder = tmp_path_factory.mktemp("window")
    path = folder / "r.json"
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    settings = QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(checks_factory=list, settings=settings, lang="en",
                        log_dir=folder / "logs")
    try:
        window.show()
        opened = window.exports.open_report(path)  # refused reports show a message instead
        assert opened == (_load(report) is not None)
        qt_app.processEvents()
        if opened:  # the other language re-renders every row from the same report
            window.set_lang("zh")
            qt_app.processEvents()
    finally:
        window.close()
        window.deleteLater()
        qt_app.processEvents()


def test_the_window_names_the_bad_field(qt_app: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.window import MainWindow

    path = tmp_path / "bad.json"
    path.write_text('{"schema":"wxdoctor.report/1","checks":[{"id":"x","status":5}]}',
                    encoding="utf-8")
    window = MainWindow(checks_factory=list, lang="en", log_dir=tmp_path / "logs",
                        settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    try:
        assert window.exports.open_report(path) is False
        assert ("checks[0].status: expected one of ok, info, warn, fail, skipped, error, got 5"
                in window.statusBar().currentMessage())
        assert window.report is None
    finally:
        window.close()
        window.deleteLater()
