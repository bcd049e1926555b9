"""Measure the desktop window during one run (started by bench.py in the client ns).

    QT_QPA_PLATFORM=offscreen python tests/bench/gui_probe.py --config FILE

A QTimer fires every 5 ms and records the largest gap between two ticks while
a real run executes; prints one JSON line: max_stall_ms, rss_mb, run_s.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

TICK_MS = 5


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    args = parser.parse_args()

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from app.gui.window import MainWindow
    from checks.engine.config import load_config

    app = QApplication([sys.argv[0]])
    tmp = tempfile.mkdtemp(prefix="wxd-gui-bench-")
    settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(config_loader=lambda: load_config(args.config), settings=settings,
                        lang="zh", log_dir=Path(tmp))
    window.show()
    app.processEvents()

    gaps = {"max": 0.0, "last": 0.0, "measuring": False}
    worst: list[tuple[float, float]] = []  # (gap ms, at s since the run started)
    start = {"t": 0.0}
    done: dict[str, float] = {}

    def tick() -> None:
        now = time.perf_counter()
        if gaps["measuring"]:
            gap = now - gaps["last"]
            gaps["max"] = max(gaps["max"], gap)
            worst.append((round(gap * 1000, 1), round(gaps["last"] - start["t"], 3)))
        gaps["last"] = now

    def begin() -> None:
        start["t"] = time.perf_counter()
        gaps["last"] = start["t"]
        gaps["measuring"] = True
        window.start()
        done["start_call_ms"] = (time.perf_counter() - start["t"]) * 1000

    def finished(*_: object) -> None:
        if "run_s" in done:
            return
        done["run_s"] = time.perf_counter() - start["t"]
        gaps["measuring"] = False
        QTimer.singleShot(50, app.quit)  # let the final repaint happen inside the measurement

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    timer.start()
    window.run_finished.connect(finished)
    window.run_failed.connect(finished)
    # Press Start the way a user can: once the window lists the checks (it imports
    # the catalog on a helper thread after it appears).
    ready = getattr(window, "checks_ready", None)
    if ready is not None and not getattr(window, "ready", False):
        ready.connect(lambda: QTimer.singleShot(100, begin))
    else:
        QTimer.singleShot(100, begin)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"max_stall_ms": gaps["max"] * 1000, "rss_mb": rss_mb,
                      "run_s": done.get("run_s"), "tick_ms": TICK_MS,
                      "start_call_ms": done.get("start_call_ms"),
                      "worst_gaps": sorted(worst, reverse=True)[:5]}))
    return 0 if "run_s" in done else 1


if __name__ == "__main__":
    raise SystemExit(main())
