"""The main window against fast fake checks: lights, cancel, errors, language, exports."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from checks.engine.results import Status
from checks.shared.i18n import t
from tests.gui.fakes import FakeCheck

pytestmark = pytest.mark.gui

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"


def _click(qtbot: Any, button: Any) -> None:
    from PySide6.QtCore import Qt

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _mixed() -> list[FakeCheck]:
    return [
        FakeCheck("net", "network", Status.OK, sleep=0.05),
        FakeCheck("dns", "dns", Status.FAIL, sleep=0.1, cause="dns_failure",
                  advice=t("Restart the router.", "请重启路由器。")),
        FakeCheck("tls", "secure", Status.WARN, sleep=0.02, cause="tls_intercepted"),
        FakeCheck("clock", "computer", Status.INFO, sleep=0.0),
        FakeCheck("app", "client", Status.SKIPPED, sleep=0.0),
    ]


def _run(qtbot: Any, window: Any, timeout: int = 5000) -> dict[str, Any]:
    with qtbot.waitSignal(window.run_finished, timeout=timeout) as blocker:
        _click(qtbot, window.card.start_button)
    return blocker.args[0]  # type: ignore[no-any-return]


def test_lights_and_overall_verdict_match_the_report(qtbot: Any, make_window: Any) -> None:
    window = make_window(_mixed())
    report = _run(qtbot, window)
    assert report["status"] == "fail"
    assert report["diagnosis"]["primary"] == "dns_failure"
    for item in report["checks"]:
        row = window.rows[item["id"]]
        assert row.light.state == item["status"]
        assert row.summary.text() == item["i18n"]["en"]["summary"]
        assert row.light.status_word() == Status(item["status"]).label.render("en")
    assert window.card.light.state == "fail"
    assert window.card.headline.text() == report["diagnosis"]["causes"][0]["i18n"]["en"]["summary"]
    cause_advice = report["diagnosis"]["causes"][0]["i18n"]["en"]["advice"]
    assert window.card.detail.text() == f"What to do: {cause_advice}"
    # The finding behind the primary cause is opened with its evidence table.
    dns = window.rows["dns"]
    qtbot.waitUntil(dns.is_expanded, timeout=1000)
    assert ("target", "dns") in dns.evidence_table().rows()
    assert window.card.start_button.isVisible() and not window.card.cancel_button.isVisible()


def test_lights_update_as_each_check_finishes(qtbot: Any, make_window: Any) -> None:
    window = make_window([FakeCheck("fast", "network", Status.FAIL, fixes=("flush_dns",)),
                          FakeCheck("slow", "dns", Status.FAIL, sleep=3.0)])
    with qtbot.waitSignal(window.check_updated, timeout=3000,
                          check_params_cb=lambda check_id: check_id == "fast"):
        _click(qtbot, window.card.start_button)
    assert window.rows["fast"].light.state == "fail"
    assert not window.rows["fast"].fix_button.isVisible()  # fixes wait for the whole report
    assert window.rows["slow"].light.state in ("running", "pending")
    assert "1 of 2" in window.card.progress_text.text()
    with qtbot.waitSignal(window.run_finished, timeout=1000):
        _click(qtbot, window.card.cancel_button)
    assert window.rows["fast"].fix_button.isVisible()


def test_verdict_shows_as_soon_as_it_is_certain(qtbot: Any, make_window: Any) -> None:
    """A refused port decides the verdict at once; a slow disk check cannot change it, so
    the run ends there: the card shows the cause, the disk row says it was not needed."""
    window = make_window([
        FakeCheck("tcp", "network", Status.FAIL, cause="tcp_blocked",
                  summary=t("Connection refused.", "连接被拒绝。")),
        FakeCheck("disk", "computer", Status.OK, sleep=30.0),
    ], config=__import__("checks.engine.config").engine.config.Config(deadline_s=60))
    report = _run(qtbot, window, timeout=3000)  # long before the disk check's 30 s
    assert report["decided_early"]["cause"] == "tcp_blocked"
    assert report["decided_early"]["not_needed"] == ["disk"]
    assert not window.running
    assert window.card.headline.text() == "A firewall blocks connections to the servers."
    assert window.card.light.state == "fail"
    disk = window.rows["disk"]
    assert disk.light.state == "skipped"  # grey, never a failure
    assert disk.summary.text().startswith("Not needed: the most likely cause was already certain")
    window.set_lang("zh")
    assert disk.summary.text().startswith("无需检测")


def test_unsettled_cause_is_not_shown_early(qtbot: Any, make_window: Any) -> None:
    """While a check that could outrank it runs (captive portal), no early verdict."""
    window = make_window([
        FakeCheck("tcp", "network", Status.FAIL, cause="tcp_blocked"),
        FakeCheck("captive", "network", Status.OK, sleep=3.0),
    ])
    with qtbot.waitSignal(window.check_updated, timeout=3000,
                          check_params_cb=lambda check_id: check_id == "tcp"):
        _click(qtbot, window.card.start_button)
    qtbot.wait(200)
    assert "still running" not in window.card.caption.text()
    with qtbot.waitSignal(window.run_finished, timeout=1000):
        _click(qtbot, window.card.cancel_button)


def test_cancel_ends_within_half_a_second_and_running_again_works(qtbot: Any, make_window: Any) -> None:
    checks = [FakeCheck("quick", "network", Status.OK),
              FakeCheck("stuck1", "dns", Status.OK, sleep=30),
              FakeCheck("stuck2", "secure", Status.OK, sleep=30)]
    window = make_window(checks, config=__import__("checks.engine.config").engine.config.Config(deadline_s=60))
    with qtbot.waitSignal(window.check_updated, timeout=3000):
        _click(qtbot, window.card.start_button)
    assert window.running
    with qtbot.waitSignal(window.run_finished, timeout=500) as blocker:
        _click(qtbot, window.card.cancel_button)
    report = blocker.args[0]
    assert report["cancelled"] is True
    by_id = {c["id"]: c for c in report["checks"]}
    assert by_id["quick"]["status"] == "ok"
    for stuck in ("stuck1", "stuck2"):
        assert by_id[stuck]["status"] == "error"
        assert by_id[stuck]["evidence"] == {"failure": "cancelled"}
        assert window.rows[stuck].light.state == "error"
    assert window.card.headline.text().startswith("The check was cancelled")
    # Running again works; this time let it be cancelled by Esc.
    from PySide6.QtCore import Qt

    with qtbot.waitSignal(window.run_started, timeout=1000):
        _click(qtbot, window.card.start_button)
    assert window.rows["stuck1"].light.state in ("pending", "running")
    with qtbot.waitSignal(window.run_finished, timeout=500) as blocker:
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert blocker.args[0]["cancelled"] is True


def test_enter_starts_a_check(qtbot: Any, make_window: Any) -> None:
    from PySide6.QtCore import Qt

    window = make_window([FakeCheck("a", "network")])
    with qtbot.waitSignal(window.run_finished, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_Return)
    assert window.rows["a"].light.state == "ok"
    # On a row's Details button, Enter opens the details instead of starting a check.
    row = window.rows["a"]
    row.details_button.setFocus()
    with qtbot.assertNotEmitted(window.run_started):
        qtbot.keyClick(row.details_button, Qt.Key.Key_Return)
    assert row.is_expanded()


def test_a_check_that_raises_is_grey_and_the_window_survives(qtbot: Any, make_window: Any) -> None:
    window = make_window([FakeCheck("boom", "computer", raises=RuntimeError("disk on fire")),
                          FakeCheck("fine", "network")])
    report = _run(qtbot, window)
    row = window.rows["boom"]
    assert row.light.state == "error"
    assert row.light.status_word() == "Could not check"
    assert "disk on fire" in row.summary.text()
    assert report["status"] == "error"
    assert window.isVisible()
    _run(qtbot, window)  # and it still runs


def test_a_runner_that_crashes_reports_failure(qtbot: Any, make_window: Any) -> None:
    class Broken:
        def __init__(self, *args: Any) -> None:
            pass

        def run(self) -> Any:
            raise RuntimeError("engine exploded")

        def cancel(self) -> None:
            pass

    window = make_window([FakeCheck("a")], runner_factory=Broken)
    with qtbot.waitSignal(window.run_failed, timeout=2000):
        _click(qtbot, window.card.start_button)
    assert "engine exploded" in window.card.headline.text()
    assert not window.running and window.card.start_button.isEnabled()


def test_event_loop_keeps_turning_during_a_run(qtbot: Any, make_window: Any) -> None:
    """A 10 ms timer keeps ticking during a whole run: the checks' work stays on other
    threads. How long the longest gap is (the 50 ms budget) is measured by the
    benchmark, never asserted on a shared machine.
    """

    from PySide6.QtCore import QTimer

    checks = [FakeCheck(f"c{i}", ("network", "dns", "secure", "computer", "client")[i % 5],
                        (Status.OK, Status.WARN, Status.FAIL, Status.INFO)[i % 4], sleep=0.03 * i,
                        evidence={"items": list(range(50)), "nested": {"a": {"b": [1, 2, 3]}}},
                        cause="slow_network" if i % 4 == 1 else None)
              for i in range(16)]
    window = make_window(checks)
    wall_gaps: list[float] = []
    cpu_gaps: list[float] = []
    last = [time.monotonic(), time.thread_time()]

    def tick() -> None:
        now, cpu = time.monotonic(), time.thread_time()
        wall_gaps.append(now - last[0])
        cpu_gaps.append(cpu - last[1])
        last[:] = [now, cpu]

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    last[:] = [time.monotonic(), time.thread_time()]
    _run(qtbot, window)
    qtbot.wait(100)  # include showing the final report and opening the findings
    timer.stop()
    # The event loop kept turning through the run (its longest stall is a benchmark
    # figure, tests/bench/gui_probe.py, not a timed assertion here).
    assert len(wall_gaps) > 20 and len(cpu_gaps) == len(wall_gaps)


def test_language_switch_changes_visible_texts(qtbot: Any, make_window: Any) -> None:
    from app.gui.window import load_report

    window = make_window([])
    report = load_report(REPORTS / "faults.json")
    window.show_report(report)
    assert window.card.start_button.text() == "Check again"
    assert window.rows["dns"].title.text() == "Server names (DNS)"
    assert window.menus.file_menu.title() == "&File"
    window.menus.lang_actions["zh"].trigger()
    assert window.lang == "zh"
    assert window.card.start_button.text() == "重新检测"
    assert window.rows["dns"].title.text() == "域名解析（DNS）"
    assert window.rows["dns"].light.status_word() == "故障"
    assert window.card.headline.text() == report["diagnosis"]["causes"][0]["i18n"]["zh"]["summary"]
    assert window.menus.file_menu.title() == "文件(&F)"
    assert window.card.product.currentText() == "微信和企业微信"
    window.menus.lang_actions["en"].trigger()
    assert window.rows["dns"].summary.text() == report["checks"][3]["i18n"]["en"]["summary"] or \
        window.rows["dns"].summary.text().startswith("The DNS gives wrong")
    assert window.settings.value("lang") == "en"


def test_accessible_names_on_lights_and_buttons(qtbot: Any, make_window: Any) -> None:
    window = make_window([FakeCheck("dns", "dns", Status.FAIL, title=t("Names", "域名"), fixes=("x",))])
    _run(qtbot, window)
    row = window.rows["dns"]
    assert row.light.accessibleName() == "Names: Problem"
    assert window.card.light.accessibleName() == "Overall result: Problem"
    assert window.card.start_button.accessibleName() == "Check again"
    assert row.fix_button.isVisible() and row.fix_button.accessibleName() == "Fix… Names"
    assert row.details_button.accessibleName() == "Details Names"


def test_export_json_writes_a_report_that_loads_back(qtbot: Any, make_window: Any, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from app.gui.window import load_report

    window = make_window(_mixed())
    report = _run(qtbot, window)
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    seen: dict[str, Any] = {}

    def fake_save(parent: Any, caption: str, directory: str, filter: str) -> tuple[str, str]:
        seen["directory"] = directory
        return str(target), filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_save))
    window.menus.json_action.trigger()
    assert load_report(target) == json.loads(json.dumps(report))
    assert window.settings.value("export_dir") == str(target.parent)
    window.menus.json_action.trigger()  # the dialog opens in the remembered folder next time
    assert seen["directory"].startswith(str(target.parent))


def test_copy_summary_puts_the_report_text_on_the_clipboard(qtbot: Any, make_window: Any) -> None:
    from PySide6.QtWidgets import QApplication

    window = make_window(_mixed())
    _run(qtbot, window)
    window.menus.copy_action.trigger()
    text = QApplication.clipboard().text()
    assert "DNS" in text or "dns" in text
    assert text == window.exports.summary_text()


def test_pdf_action_is_disabled_with_a_reason_when_missing(qtbot: Any, make_window: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from app.gui.exports import ExportActions

    monkeypatch.setattr(ExportActions, "pdf_writer", lambda self: None)
    window = make_window([])
    assert not window.menus.pdf_action.isEnabled()
    assert window.menus.pdf_action.toolTip() == "PDF export is not available in this version."


def test_pdf_export_writes_a_pdf(qtbot: Any, make_window: Any, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from app.gui.window import load_report

    window = make_window([], lang="zh")
    window.show_report(load_report(REPORTS / "faults.json"))
    assert window.menus.pdf_action.isEnabled()
    target = tmp_path / "report.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args: (str(target), "")))
    window.menus.pdf_action.trigger()
    assert target.read_bytes().startswith(b"%PDF")
    assert window.settings.value("export_dir") == str(tmp_path)


def test_product_and_language_are_remembered(qtbot: Any, make_window: Any, settings: Any) -> None:
    window = make_window([], lang="zh")
    window.card.product.setCurrentIndex(window.card.product.findData("wecom"))
    window.set_lang("zh")
    again = make_window([], lang=None)
    assert again.product() == "wecom"
    assert again.lang == "zh"


def test_product_choice_restricts_the_endpoints(qtbot: Any, make_window: Any) -> None:
    from checks.engine.config import Config, Endpoint

    config = Config(endpoints=(Endpoint("a.lab.test", (443,), "wecom"), Endpoint("b.lab.test", (443,), "wechat")))
    window = make_window([FakeCheck("x")], config=config)
    window.card.product.setCurrentIndex(window.card.product.findData("wechat"))
    report = _run(qtbot, window)
    assert [e["host"] for e in report["endpoints"]] == ["b.lab.test"]


def test_open_report_rejects_garbage(qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    window = make_window([])
    bad = tmp_path / "bad.json"
    for content in ("not json", "[]", '{"schema": "other"}', '{"schema": "wxdoctor.report/1", "checks": 3}'):
        bad.write_text(content, encoding="utf-8")
        assert window.exports.open_report(bad) is False
    bad.write_bytes(b"\xff\xfe\x00garbage")
    assert window.exports.open_report(bad) is False
    assert window.exports.open_report(REPORTS / "healthy.json") is True
    assert window.card.light.state == "info"


def test_tab_walks_from_start_to_the_rows(qtbot: Any, make_window: Any) -> None:
    window = make_window([FakeCheck("a", "network"), FakeCheck("b", "dns")])
    _run(qtbot, window)
    start = window.card.start_button
    order = []
    widget = start
    for _ in range(6):
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & __import__("PySide6.QtCore").QtCore.Qt.FocusPolicy.TabFocus
                   and widget.isVisible() and widget.isEnabled()):
            widget = widget.nextInFocusChain()
        order.append(widget)
    assert window.rows["a"].details_button in order
    assert order.index(window.rows["a"].details_button) < order.index(window.rows["b"].details_button)


def test_closing_during_a_run_is_safe(qtbot: Any, make_window: Any) -> None:
    import shiboken6

    window = make_window([FakeCheck("slow", "network", sleep=0.3),
                          FakeCheck("late", "dns", sleep=0.5)])
    reports: list[dict[str, Any]] = []
    window.run_finished.connect(reports.append)
    _click(qtbot, window.card.start_button)
    worker = window._worker
    assert worker is not None and worker.is_alive()
    window.close()  # cancels the run: its report comes at once, marked cancelled
    qtbot.waitUntil(lambda: bool(reports), timeout=3000)
    assert reports[0]["cancelled"] is True and window._worker is None
    qtbot.waitUntil(lambda: not shiboken6.isValid(worker), timeout=3000)  # deleted
    # The checks' threads still end after the worker is gone; their progress is dropped.
    qtbot.wait(700)
    assert len(reports) == 1
    assert window.rows["slow"].light.state != "ok" and window.rows["late"].light.state != "ok"


def test_help_opens_the_log_folder_and_about_shows_the_version(
        qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QMessageBox

    import checks

    opened: list[str] = []
    shown: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile())))
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda parent, title, text: shown.append(text)))
    window = make_window([], log_dir=tmp_path / "logs")
    window.menus.logs_action.trigger()
    assert opened == [str(tmp_path / "logs")] and (tmp_path / "logs").is_dir()
    window.menus.about_action.trigger()
    assert checks.__version__ in shown[0] and str(tmp_path / "logs") in shown[0]
