"""What the window's start-up costs, for tests/bench/startup_bench.py.

With `WXDOCTOR_STARTUP_PROBE=FILE` set, `wxdoctor-gui` notes when its first frame
reached the window system and what was loaded by then, waits until the list of checks
is shown (what loads after the first frame), writes both to FILE as JSON and quits.

The first frame: Qt paints a top-level window in one pass, every widget's paint event
and then the flush of the finished picture to the window system (the X server, the
offscreen platform's image). A zero timer started by the main window's first paint
event runs when that pass has returned, so its time is the moment the first complete
frame was handed over. Times are `time.monotonic()`: CLOCK_MONOTONIC on Linux, the same
clock in every process, so the benchmark can take its own clock reading just before it
starts the program and subtract.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

LISTED_TIMEOUT_S = 30.0  # the check list never came: write what there is and quit


def shared_libraries() -> list[dict[str, Any]]:
    """The shared libraries mapped into this process (Linux: /proc/self/maps)."""
    paths: set[str] = set()
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.split(maxsplit=5)[-1].strip() if line.count(" ") >= 5 else ""
                if path.startswith("/") and ".so" in os.path.basename(path):
                    paths.add(path)
    except OSError:
        return []
    found = []
    for path in sorted(paths):
        try:
            size = os.stat(path).st_size
        except OSError:
            continue
        found.append({"path": path, "bytes": size})
    return found


def modules() -> list[str]:
    return sorted(name for name, module in list(sys.modules.items()) if module is not None)


class Probe(QObject):
    def __init__(self, path: str, window: QWidget, marks: dict[str, float]) -> None:
        super().__init__(window)
        self.path = path
        self.window = window
        self.marks = dict(marks)
        self.record: dict[str, Any] = {"frozen": bool(getattr(sys, "frozen", False)),
                                       "platform": QApplication.platformName()}
        window.installEventFilter(self)
        signal = getattr(window, "checks_ready", None)
        if signal is not None:
            signal.connect(self._listed)
        QTimer.singleShot(int(LISTED_TIMEOUT_S * 1000), self._finish)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.window and event.type() == QEvent.Type.Paint \
                and "first_paint_event" not in self.marks:
            self.marks["first_paint_event"] = time.monotonic()
            QTimer.singleShot(0, self._first_frame)
        return False

    def _first_frame(self) -> None:
        self.marks["first_frame"] = time.monotonic()
        self.record["modules_at_first_frame"] = modules()
        self.record["libraries_at_first_frame"] = shared_libraries()
        if "listed" in self.marks:
            self._finish()

    def _listed(self) -> None:
        self.marks["listed"] = time.monotonic()
        if "first_frame" in self.marks:
            self._finish()

    def _finish(self) -> None:
        if "written" in self.record:
            return
        self.record["written"] = True
        self.record["marks"] = self.marks
        self.record["modules_at_end"] = modules()
        with open(self.path, "w", encoding="utf-8") as f:
            json.dump(self.record, f, indent=1)
        app = QApplication.instance()
        if app is not None:
            app.quit()


def install(path: str, window: QWidget, marks: dict[str, float]) -> Probe:
    """Watch `window` (call before it is shown); `marks` are the times noted so far."""
    return Probe(path, window, marks)
