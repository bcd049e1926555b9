"""Saved watch reports and the server matrix of a saved report, type-mutated: refused with
the path of the bad field (exit 64), or loaded and then rendered by `report` (text,
--matrix, --json), the PDF and the window without an exception or a hang."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.cli.main import main as cli
from checks.report.load import ReportError, parse_report_text
from checks.report.load_watch import parse_watch, parse_watch_text
from checks.report.matrix_text import render_matrix
from checks.report.redact import Identity, redact
from checks.watch.chart import chart_data
from checks.watch.terminal import render_watch_text
from tests.fuzz.budget import FUZZ, FUZZ_SLOW
from tests.fuzz.test_fuzz_reports import ERROR, JSON_VALUES

ROOT = Path(__file__).resolve().parents[2]
IDENTITY = Identity(users=("zhangwei",), hosts=("demo-pc",))
# A refusal names where: "watch.outages[0].start_x: expected ...", "matrix.rows[2]...".
WATCH_ERROR = re.compile(r"^(not a wxdoctor watch|not JSON|more than \d+ values|nested more than|"
                         r"[a-z_]+(\[\d+\]|\[\"[^\n]*\"\]|\.[A-Za-z0-9_-]+)*: )")


def _lab_watch() -> dict[str, Any]:
    """A watch with every kind of record: an outage, a sleep gap, a VPN, slow DNS."""
    from checks.watch.loop import Watch
    from checks.watch.plan import Plan
    from tests.unit.test_watch import VPN, FakeClock, Net, ScriptedSampler, _config

    def script(i: int) -> Net:
        if 3 <= i < 6:
            return Net(servers=False, gateway=False)
        if 10 <= i < 13:
            return Net(link=VPN)
        return Net(dns_ms=2600.0 if 15 <= i < 17 else 5.0)

    clock = FakeClock()
    clock.sleeps = {8: 900.0}
    report = Watch(_config(), Plan(20, 1.0), clock=clock,
                   sampler=ScriptedSampler(clock, script)).run()
    return json.loads(json.dumps(report))


WATCHES = [json.loads((ROOT / "docs" / "watch" / f"lab-watch-{lang}.json").read_text("utf-8"))
           for lang in ("en", "zh")] + [_lab_watch()]


def _with_domain_list(report: dict[str, Any]) -> dict[str, Any]:
    report["matrix"]["domain_list"] = {
        "path": "/tmp/server_domain_ip.json", "modified": "2025-06-03T09:30:00+00:00",
        "domains": 2, "necessary": 1, "addresses": 2, "not_tested": ["udp.example:8000"],
        "wildcards": ["*.work.weixin.qq.com"]}
    return report


MATRIX_REPORTS = [json.loads((ROOT / "tests" / "report" / "lab_reports" / f"{name}.json")
                             .read_text("utf-8")) for name in ("captive", "drop_443", "polluted")]
MATRIX_REPORTS.append(_with_domain_list(copy.deepcopy(MATRIX_REPORTS[1])))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:6]):  # long lists: their first entries
            found += _paths(item, (*prefix, index))
    return found


def _mutate(draw: st.DrawFn, document: dict[str, Any], under: tuple[str, ...]) -> dict[str, Any]:
    """1-3 values under `under` replaced by other JSON, or keys deleted."""
    root: Any = document
    for step in under:
        root = root[step]
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(root) if p]
        path = draw(st.sampled_from(paths))
        parent: Any = root
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES | st.sampled_from(
                [1e300, -1, 2**62, "0001-01-01T00:00:00", "x", [], {}]))
    return document


@st.composite
def mutated_watches(draw: st.DrawFn) -> dict[str, Any]:
    watch = copy.deepcopy(draw(st.sampled_from(WATCHES)))
    return _mutate(draw, watch, ("watch",) if draw(st.booleans()) else ())


@st.composite
def mutated_matrices(draw: st.DrawFn) -> dict[str, Any]:
    report = copy.deepcopy(draw(st.sampled_from(MATRIX_REPORTS)))
    return _mutate(draw, report, ("matrix",))


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli(list(argv))
    return code, out.getvalue(), err.getvalue()


def _saved(folder: Path, document: dict[str, Any]) -> Path:
    path = folder / "saved.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _watch_or_none(document: dict[str, Any]) -> dict[str, Any] | None:
    """The watch as `report FILE` loads it (from its JSON text), or None when refused."""
    try:
        return parse_watch_text(json.dumps(document, ensure_ascii=False))
    except ReportError as exc:
        assert WATCH_ERROR.match(str(exc)), str(exc)
        return None


@FUZZ
@given(watch=mutated_watches(), lang=st.sampled_from(["zh", "en"]))
def test_mutated_watches_are_refused_or_render(tmp_path_factory: pytest.TempPathFactory,
                                               watch: dict[str, Any], lang: str) -> None:
    loaded = _watch_or_none(watch)
    path = _saved(tmp_path_factory.mktemp("watch"), watch)
    code, out, err = _run("report", str(path), "--lang", lang)
    if loaded is None:
        assert code == 64 and "wxdoctor: " in err and str(path) in err, (code, err)
        return
    assert code == 0, err
    assert parse_watch(loaded) == loaded  # what renderers get is itself a valid watch
    render_watch_text(redact(loaded, IDENTITY), lang)
    chart_data(loaded["watch"])
    code, out, err = _run("report", str(path), "--json", "-")
    assert code == 0 and parse_watch(json.loads(out))["watch"] == redact(loaded)["watch"]


@FUZZ
@given(report=mutated_matrices(), lang=st.sampled_from(["zh", "en"]))
def test_mutated_matrices_are_refused_or_render(tmp_path_factory: pytest.TempPathFactory,
                                                report: dict[str, Any], lang: str) -> None:
    try:
        saved = parse_report_text(json.dumps(report, ensure_ascii=False))
    except ReportError as exc:
        # The matrix's own field, or a number JSON has no word for (an infinite float).
        assert ERROR.match(str(exc)) and str(exc).startswith(("matrix", "not JSON")), str(exc)
        saved = None
    path = _saved(tmp_path_factory.mktemp("matrix"), report)
    code, out, err = _run("report", str(path), "--matrix", "--lang", lang)
    if saved is None:
        assert code == 64 and "matrix" in err, (code, err)
        return
    assert code == 0, err
    assert saved.matrix is not None
    render_matrix(saved.matrix, lang, 80)


@FUZZ_SLOW
@given(watch=mutated_watches(), lang=st.sampled_from(["zh", "en"]))
def test_mutated_watches_make_a_pdf_and_open_in_the_window(
        tmp_path_factory: pytest.TempPathFactory, watch: dict[str, Any], lang: str) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.gui.window import MainWindow
    from app.pdf.watch_pages import write_watch_pdf

    loaded = _watch_or_none(watch)
    if loaded is None:
        return
    folder = tmp_path_factory.mktemp("watch_pdf")
    write_watch_pdf(redact(loaded, IDENTITY), folder / "w.pdf", lang)
    assert (folder / "w.pdf").read_bytes().startswith(b"%PDF")
    settings = QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(checks_factory=list, settings=settings, lang=lang,
                        log_dir=folder / "logs")
    try:
        window.show_watch(loaded)
        window.show()
        window.grab()  # paints the chart
        QApplication.processEvents()
    finally:
        window.close()
        window.deleteLater()
        QApplication.processEvents()


# Mutations the earlier loader let through to a crash or a hang, and what is said now.
WATCH_CASES = [
    (("watch", "outages", 0, "start_x"), "x",
     'watch.outages[0].start_x: expected a number, got "x"'),
    (("watch", "span_s"), 1e300, "watch.span_s: expected seconds from 0 to 31622400, got 1e+300"),
    (("watch", "first_sample"), "0001-01-01T00:00:00",
     'watch.first_sample: expected a time such as 2026-12-01T13:41:29+08:00, got '
     '"0001-01-01T00:00:00"'),
    (("watch", "outages", 0, "attribution"), "moon",
     'watch.outages[0].attribution: expected one of link, route_change, gateway, uplink, '
     'servers, unknown, got "moon"'),
    (("watch", "timeline", "series"), {"x": [[1, 2]]},
     "watch.timeline.series.x[0]: expected a list of 5 values, got a list"),
    (("watch", "stats", "targets", 0, "kind"), None,
     "watch.stats.targets[0].kind: expected one of server, control, got null"),
    (("summary", "i18n", "en"), "text", 'summary.i18n.en: expected a list, got "text"'),
    (("diagnosis", "causes", 0), {"status": "fail"}, "diagnosis.causes[0].code: missing"),
    (("watch",), [], "watch: expected an object, got a list"),
]


@pytest.mark.parametrize(("where", "value", "message"), WATCH_CASES,
                         ids=[".".join(map(str, c[0])) for c in WATCH_CASES])
def test_a_bad_field_of_a_watch_is_named_and_exits_64(tmp_path: Path, where: tuple[Any, ...],
                                                      value: Any, message: str) -> None:
    watch = copy.deepcopy(WATCHES[0])
    parent: Any = watch
    for step in where[:-1]:
        parent = parent[step]
    parent[where[-1]] = value
    path = _saved(tmp_path, watch)
    code, _, err = _run("report", str(path))
    assert code == 64 and err.strip() == f"wxdoctor: {path}: {message}"


def test_a_bad_matrix_cell_is_named_and_exits_64(tmp_path: Path) -> None:
    report = copy.deepcopy(MATRIX_REPORTS[0])
    report["matrix"]["rows"][0]["cells"]["tls"] = {"state": "fail", "text": ["x"]}
    code, _, err = _run("report", str(_saved(tmp_path, report)), "--matrix")
    host = report["matrix"]["rows"][0]["host"]
    assert code == 64 and err.strip().endswith(
        'matrix.rows[0].cells.tls.text: expected an object, got a list'), (host, err)
