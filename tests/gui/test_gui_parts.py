"""Window parts: colours, fix preview, screenshot command, real engine (evidence and the
Servers tab: test_gui_servers.py)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checks.engine.results import Status
from checks.fixes.journal import Journal
from checks.shared.i18n import t
from tests.gui.fakes import FakeCheck

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "tests" / "fixtures" / "reports"


# ---- colours ---------------------------------------------------------------------------

@pytest.mark.parametrize("dark", [False, True])
def test_status_colours_have_enough_contrast(qapp: Any, dark: bool) -> None:
    from PySide6.QtGui import QPalette

    from app.gui import theme

    palette = theme.dark_palette() if dark else qapp.style().standardPalette()
    assert theme.is_dark(palette) is dark
    for status in ("ok", "info", "warn", "fail", "skipped", "error", "pending", "running"):
        color = theme.status_color(status, palette)
        assert theme.contrast(color, theme.card_bg(palette)) >= 4.5, status
        assert theme.contrast(color, palette.color(QPalette.ColorRole.Window)) >= 4.5, status
    assert theme.contrast(theme.subtle_text(palette), theme.card_bg(palette)) >= 4.5
    assert theme.contrast(theme.accent_text(palette), theme.accent(palette)) >= 3.0  # large bold text


def test_every_light_has_its_own_icon_shape() -> None:
    from app.gui.widgets.light import ICONS, _svg_source

    sources = {name: _svg_source(name) for name in ICONS}
    assert len(set(sources.values())) == len(ICONS)
    for name, svg in sources.items():
        assert "#000000" in svg, name  # the status colour placeholder


# ---- fix preview -----------------------------------------------------------------------

def _fake_registry(calls: list[str] | None = None) -> Any:
    """Fixes built on the real fix machinery whose steps only flip a fake check's state."""
    from checks.fixes import Fix
    from checks.fixes.actions import Action, Plan

    calls = [] if calls is None else calls

    def plan_for(fix_id: str) -> Plan:
        if fix_id == "blocked_fix":
            return Plan(fix_id, t("x", "x"), blocked=t("You are not an administrator.", "您不是管理员。"))
        return Plan(
            fix_id, t("Use public DNS servers.", "改用公共 DNS 服务器。"),
            actions=[
                Action("edit_file", t("Back up the current DNS settings.", "备份当前 DNS 设置。"),
                       paths=["/tmp/backup.json"]),
                Action("run", t("Set DNS of “Wi-Fi” to 119.29.29.29.", "把“Wi-Fi”的 DNS 设为 119.29.29.29。"),
                       argv=["netsh", "interface", "ip", "set", "dns", "Wi-Fi", "static", "119.29.29.29"],
                       needs_admin=True),
            ],
            warnings=[t("The network may drop for a second.", "网络可能会中断一秒钟。")],
        )

    class FakeFix(Fix):
        affects = ("dns",)

        def __init__(self, fix_id: str) -> None:
            self.id = fix_id  # type: ignore[misc]
            self.title = t(f"Fix {fix_id}", f"修复 {fix_id}")  # type: ignore[misc]

        def plan(self, env: Any) -> Plan:
            assert env.report["status"] == "fail"
            if self.id == "explodes":
                raise RuntimeError("no adapter")
            return plan_for(self.id)

        def execute(self, action: Any, step: Any, env: Any) -> None:
            if self.id == "fails":
                raise RuntimeError("step 1 failed")
            if step.index == 0:
                calls.append(f"apply {self.id}")
            STATE["dns"] = Status.OK

        def revert(self, action: Any, step: Any, env: Any) -> Any:
            if step.index == 0:
                calls.append(f"undo {self.id}")
            STATE["dns"] = Status.FAIL
            return None

    def get_fix(fix_id: str) -> Fix:
        if fix_id not in ("flush_dns", "blocked_fix", "explodes", "fails"):
            raise KeyError(fix_id)
        return FakeFix(fix_id)

    get_fix.calls = calls  # type: ignore[attr-defined]
    return get_fix


@pytest.fixture(autouse=True)
def _private_journal(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("WXDOCTOR_DATA_DIR", str(tmp_path / "data"))


STATE: dict[str, Status] = {}


class SwitchableCheck(FakeCheck):
    """A check whose verdict a fake fix changes, to see before/after."""

    def assess(self, evidence: Any, ctx: Any) -> Any:
        from checks.engine.results import Verdict

        status = STATE.get(self.id, Status.FAIL)
        return Verdict(status, t(f"dns is {status.value}", f"dns 的结果：{status.value}"))


def test_fix_preview_lists_the_plan(qtbot: Any, make_window: Any) -> None:
    from app.gui.window import load_report

    window = make_window([], fix_registry=_fake_registry())
    window.show_report(load_report(REPORTS / "faults.json"))
    row = window.rows["dns"]
    assert row.fix_button.isVisible()
    opened: list[Any] = []
    window.fixes.open_fix_dialog = lambda ids: opened.append(window.fixes.fix_dialog(ids))  # type: ignore[method-assign]
    from PySide6.QtCore import Qt

    qtbot.mouseClick(row.fix_button, Qt.MouseButton.LeftButton)
    dialog = opened[0]
    qtbot.addWidget(dialog)
    lines = dialog.text_lines()
    assert lines[0] == "Fix flush_dns"
    assert "Use public DNS servers." in lines
    assert "1. Back up the current DNS settings." in lines
    assert "2. Set DNS of “Wi-Fi” to 119.29.29.29.  [needs administrator]" in lines
    assert "Command: netsh interface ip set dns Wi-Fi static 119.29.29.29" in lines
    assert "Files: /tmp/backup.json" in lines
    assert "Note: The network may drop for a second." in lines
    assert dialog.apply_button.isVisibleTo(dialog)


def test_fix_apply_recheck_and_undo(qtbot: Any, make_window: Any) -> None:
    from app.gui.window import load_report

    module = _fake_registry()
    STATE["dns"] = Status.FAIL
    window = make_window([SwitchableCheck("dns", "dns")], fix_registry=module)
    window.show_report(load_report(REPORTS / "faults.json"))
    dialog = window.fixes.fix_dialog(window.rows["dns"].fixes)
    qtbot.addWidget(dialog)
    assert dialog.apply_button.isEnabled()
    with qtbot.waitSignal(dialog.state_changed, timeout=5000,
                          check_params_cb=lambda state: state == "applied"):
        dialog.apply_button.click()
    assert module.calls == ["apply flush_dns"]
    assert "Check dns: Problem → OK — dns is ok" in dialog.status.text()
    assert window.rows["dns"].light.state == "ok"  # the window shows the re-checked result
    # ... and the verdict on top follows it: DNS pollution is no longer the cause.
    primary = window.report["diagnosis"]["causes"][0]
    assert primary["code"] != "dns_pollution"
    assert window.card.headline.text() == primary["i18n"]["en"]["summary"]
    # The fix travels with the report, for the PDF's "fixes applied" section.
    (entry,) = Journal().entries()
    assert window.report["fixes_applied"] == [
        {"fix_id": "flush_dns", "journal_id": entry.id, "before": {"dns": "fail"},
         "after": {"dns": "ok"}}]
    assert dialog.undo_button.isVisibleTo(dialog) and dialog.undo_button.isEnabled()
    with qtbot.waitSignal(dialog.state_changed, timeout=5000,
                          check_params_cb=lambda state: state == "undone"):
        dialog.undo_button.click()
    assert module.calls == ["apply flush_dns", "undo flush_dns"]
    assert dialog.status.text().startswith("Undone: everything is back as it was.")
    assert window.rows["dns"].light.state == "fail"
    assert window.report["fixes_applied"][0]["undone"] is True


def test_the_recheck_runs_with_the_windows_own_runner(qtbot: Any, make_window: Any) -> None:
    """The re-check after a fix goes through the window's runner factory (in the packaged
    window: the check child process), not a second engine of its own."""
    from app.gui.window import load_report
    from app.gui.worker import default_runner_factory

    used: list[list[str]] = []

    def recording(config: Any, checks: Any, lang: str, started: Any, finished: Any) -> Any:
        used.append([c.id for c in checks])
        return default_runner_factory(config, checks, lang, started, finished)

    STATE["dns"] = Status.FAIL
    window = make_window([SwitchableCheck("dns", "dns")], fix_registry=_fake_registry(),
                         runner_factory=recording)
    window.show_report(load_report(REPORTS / "faults.json"))
    dialog = window.fixes.fix_dialog(window.rows["dns"].fixes)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.state_changed, timeout=5000,
                          check_params_cb=lambda state: state == "applied"):
        dialog.apply_button.click()
    assert used == [["dns"]]
    assert window.rows["dns"].light.state == "ok"


def test_a_failed_fix_says_so_and_offers_no_undo(qtbot: Any, make_window: Any) -> None:
    from app.gui.window import load_report

    window = make_window([SwitchableCheck("dns", "dns")], fix_registry=_fake_registry())
    window.show_report(load_report(REPORTS / "faults.json"))
    dialog = window.fixes.fix_dialog(["fails"])
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.state_changed, timeout=5000,
                          check_params_cb=lambda state: state == "failed"):
        dialog.apply_button.click()
    assert "step 1 failed" in dialog.status.text()
    assert not dialog.undo_button.isVisibleTo(dialog)
    assert dialog.close_button.isEnabled()


def test_real_fix_framework_preview(qtbot: Any, make_window: Any) -> None:
    from app.gui.window import load_report

    window = make_window([])  # the real checks.fixes
    window.show_report(load_report(REPORTS / "faults.json"))
    dialog = window.fixes.fix_dialog(["flush_dns", "resync_clock"])
    qtbot.addWidget(dialog)
    lines = dialog.text_lines()
    assert "Flush the DNS cache" in lines
    assert any(line.startswith("1. ") for line in lines)
    assert all("Traceback" not in line for line in lines)


def test_fix_preview_reports_blocked_unknown_and_broken_fixes(qtbot: Any, make_window: Any) -> None:
    from app.gui.window import load_report

    window = make_window([], fix_registry=_fake_registry(), lang="zh")
    window.show_report(load_report(REPORTS / "faults.json"))
    dialog = window.fixes.fix_dialog(["blocked_fix", "nope", "explodes"])
    qtbot.addWidget(dialog)
    lines = dialog.text_lines()
    assert "无法自动修复：您不是管理员。" in lines
    assert "未知的修复项“nope”。" in lines
    assert any(line.startswith("无法准备此修复：RuntimeError: no adapter") for line in lines)
    assert not dialog.apply_button.isVisibleTo(dialog)


# ---- screenshot command ----------------------------------------------------------------

@pytest.mark.parametrize("extra", [["--lang", "zh"], ["--lang", "en", "--dark"]])
def test_screenshot_command_renders_a_saved_report(tmp_path: Path, extra: list[str]) -> None:
    from PySide6.QtGui import QImage

    out = tmp_path / "shot.png"
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "WXDOCTOR_LOG_DIR": str(tmp_path / "log")}
    proc = subprocess.run(
        [sys.executable, "-m", "app.gui.main", "--report", str(REPORTS / "faults.json"),
         "--screenshot", str(out), *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    image = QImage(str(out))
    assert image.width() >= 800 and image.height() > 600
    corner = image.pixelColor(image.width() - 2, image.height() - 2)
    assert (corner.lightness() < 128) == ("--dark" in extra)
    assert (tmp_path / "log" / "wxdoctor-gui.log").exists()


def test_screenshot_command_rejects_a_broken_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "WXDOCTOR_LOG_DIR": str(tmp_path / "log")}
    proc = subprocess.run(
        [sys.executable, "-m", "app.gui.main", "--report", str(bad), "--screenshot", str(tmp_path / "x.png")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 64
    assert "cannot open" in proc.stderr
    assert not (tmp_path / "x.png").exists()


def test_screenshot_command_names_the_bad_field_of_a_watch(tmp_path: Path) -> None:
    watch = json.loads((ROOT / "docs" / "watch" / "lab-watch-en.json").read_text("utf-8"))
    watch["watch"]["outages"][0]["end_x"] = "soon\x9b2J"  # an 8-bit CSI: shown, not obeyed
    bad = tmp_path / "watch.json"
    bad.write_text(json.dumps(watch), encoding="utf-8")
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "WXDOCTOR_LOG_DIR": str(tmp_path / "log")}
    proc = subprocess.run(
        [sys.executable, "-m", "app.gui.main", "--report", str(bad), "--screenshot", str(tmp_path / "x.png")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 64, proc.stderr
    assert proc.stderr.strip() == (f'wxdoctor-gui: {bad}: watch.outages[0].end_x: expected a number, '
                                   'got "soon\ufffd2J"')
    assert not (tmp_path / "x.png").exists()


# ---- the real engine on loopback ------------------------------------------------------

@pytest.fixture
def tcp_server() -> Iterator[int]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(1)
    server.close()


def test_real_engine_run_on_loopback(qtbot: Any, make_window: Any, tcp_server: int) -> None:
    from PySide6.QtCore import Qt

    from checks.engine.check import all_checks
    from checks.engine.config import Config, DnsConfig, Endpoint, TcpConfig

    config = Config(deadline_s=8, endpoints=(Endpoint("127.0.0.1", (tcp_server,), "wecom", tls=False),),
                    dns=DnsConfig(timeout_s=1.0), tcp=TcpConfig(timeout_s=1.0))
    real = [c for c in all_checks() if c.id in ("tcp", "dns")]
    assert {c.id for c in real} == {"tcp", "dns"}
    window = make_window(real, config=config)
    with qtbot.waitSignal(window.run_finished, timeout=15000) as blocker:
        qtbot.mouseClick(window.card.start_button, Qt.MouseButton.LeftButton)
    report = blocker.args[0]
    by_id = {c["id"]: c for c in report["checks"]}
    assert by_id["tcp"]["status"] == "ok", by_id["tcp"]
    assert by_id["tcp"]["evidence"]["probes"][0]["port"] == tcp_server
    for item in report["checks"]:
        assert window.rows[item["id"]].light.state == item["status"]
    assert window.card.light.state == report["status"]
    assert json.loads(json.dumps(report)) == report


def test_fake_check_statuses_cover_every_light(qtbot: Any, make_window: Any) -> None:
    statuses = [Status.OK, Status.INFO, Status.WARN, Status.FAIL, Status.SKIPPED]
    window = make_window([FakeCheck(s.value, "computer", s) for s in statuses])
    with qtbot.waitSignal(window.run_finished, timeout=5000):
        window.start()
    for status in statuses:
        light = window.rows[status.value].light
        assert light.state == status.value
        assert light.icon.pixmap() is not None and not light.icon.pixmap().isNull()


def test_the_recheck_after_a_fix_waits_for_every_check_it_runs(qtbot: Any,
                                                                make_window: Any) -> None:
    """The window's own run ends once its verdict is certain, but the re-check after a fix
    must see each check it ran: a slow check there is measured, never 'not needed'."""
    from app.gui.window import load_report

    registry = _fake_registry()

    def get_fix(fix_id: str) -> Any:
        fix = registry(fix_id)
        fix.affects = ("dns", "tcp", "disk")
        return fix

    STATE["dns"] = Status.FAIL
    window = make_window([
        SwitchableCheck("dns", "dns"),
        FakeCheck("tcp", "network", Status.FAIL, cause="tcp_blocked"),
        FakeCheck("disk", "computer", Status.OK, sleep=1.0),
    ], fix_registry=get_fix)
    window.show_report(load_report(REPORTS / "faults.json"))
    dialog = window.fixes.fix_dialog(["flush_dns"])
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.state_changed, timeout=8000,
                          check_params_cb=lambda state: state == "applied"):
        dialog.apply_button.click()
    assert window.rows["tcp"].light.state == "fail"
    assert window.rows["disk"].light.state == "ok"
    disk = next(c for c in window.report["checks"] if c["id"] == "disk")
    assert "not_needed" not in disk["evidence"]
