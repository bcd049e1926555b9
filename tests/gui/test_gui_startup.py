"""The window paints before it loads what it needs only later: what is loaded at its
first frame, and in which order things happen (never how long they take: that is
tests/bench/startup_bench.py's, printed, not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.sandbox import ROOT, sandboxed

# Needed for a run, a fix, an export or a watch, not for the first frame: the engine
# (config, platform layer, catalog, probes, runner), the diagnosis, the fixes, the PDF,
# the watch, the helper processes, psutil and dnspython.
LATER = ("checks.engine.config", "checks.engine.check", "checks.engine.runner",
         "checks.engine.context", "checks.platform", "checks.catalog", "checks.probes",
         "checks.diagnosis", "checks.fixes", "checks.report.build", "checks.report.matrix",
         "checks.report.rejudge", "checks.watch.loop", "checks.watch.sampler", "app.pdf",
         "app.child", "app.cli.commands", "app.gui.widgets.fix_dialog",
         "app.gui.widgets.evidence_table", "psutil", "dns")


# The only engine modules the first frame may need: the status and text types a row
# paints with, the watch chart's data type, and the shared helpers they use (no I/O).
FIRST_FRAME_CHECKS = ("checks", "checks.engine", "checks.engine.results", "checks.shared",
                      "checks.watch", "checks.watch.chart")


def later(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in LATER)]


def engine_beyond_first_frame(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] == "checks" and m not in FIRST_FRAME_CHECKS
            and not m.startswith("checks.shared.")]


def start(tmp_path: Path, *args: str) -> dict[str, Any]:
    probe = tmp_path / "probe.json"
    env = {k: v for k, v in os.environ.items() if k not in ("WXDOCTOR_CONFIG", "PYTHONPATH")}
    env.update(QT_QPA_PLATFORM="offscreen", WXDOCTOR_STARTUP_PROBE=str(probe),
               WXDOCTOR_DATA_DIR=str(tmp_path / "data"), WXDOCTOR_LOG_DIR=str(tmp_path / "logs"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(ROOT))
    proc = subprocess.run(sandboxed([sys.executable, "-m", "app.gui.main", *args]), cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    record: dict[str, Any] = json.loads(probe.read_text(encoding="utf-8"))
    return record


def test_first_frame_comes_before_the_engine(tmp_path: Path) -> None:
    record = start(tmp_path)
    marks = record["marks"]
    # The probe saw the whole start: the window built, painted, then the checks listed.
    assert marks["main"] < marks["qapplication"] < marks["window_built"] \
        < marks["first_paint_event"] <= marks["first_frame"] < marks["listed"]
    first = record["modules_at_first_frame"]
    assert "app.gui.window" in first and "PySide6.QtWidgets" in first
    assert later(first) == []
    assert engine_beyond_first_frame(first) == []
    # What was left out is loaded afterwards, to list the checks and to be ready to run.
    end = record["modules_at_end"]
    for module in ("checks.engine.config", "checks.catalog.dns_resolve", "checks.engine.runner",
                   "checks.diagnosis.early_verdict", "checks.report.matrix", "app.pdf.check_pages",
                   "psutil"):
        assert module in end, module


def test_a_window_never_shown_still_lists_its_checks(qtbot: Any, settings: Any,
                                                     tmp_path: Path) -> None:
    """The list waits for the first frame only when one is coming."""
    from app.gui.window import MainWindow
    from checks.engine.config import Config

    window = MainWindow(checks_factory=list, config_loader=lambda: Config(deadline_s=10),
                        settings=settings, lang="en", log_dir=tmp_path / "logs")
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.ready, timeout=10000)
    assert not window.isVisible()


def test_a_shown_window_lists_its_checks_after_painting(qtbot: Any, settings: Any,
                                                        tmp_path: Path) -> None:
    from app.gui.window import MainWindow
    from checks.engine.config import Config

    painted_when_listed: list[bool] = []
    window = MainWindow(checks_factory=list, config_loader=lambda: Config(deadline_s=10),
                        settings=settings, lang="zh", log_dir=tmp_path / "logs")
    qtbot.addWidget(window)
    window.checks_ready.connect(lambda: painted_when_listed.append(window._painted))
    window.show()
    qtbot.waitUntil(lambda: window.ready, timeout=10000)
    assert painted_when_listed == [True]
