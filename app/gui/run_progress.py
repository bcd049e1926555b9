"""A run's progress as the window shows it: the rows' lights, the elapsed time, and the
most likely cause as soon as nothing still running could change it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from app.gui.widgets.check_row import CheckRow
from app.gui.widgets.summary_card import SummaryCard
from checks.engine.results import CheckResult

# Progress from the check threads is applied to the rows in batches, at most this
# often: each slot the GUI thread runs during a run must first win the interpreter
# lock from dozens of busy probe threads, so one batch costs far less than a slot
# call per started and per finished check (the bench measured 100-190 ms stalls).
FLUSH_MS = 40


class RunProgress:
    def __init__(self, parent: QObject, rows: dict[str, CheckRow], card: SummaryCard,
                 lang: Callable[[], str], updated: Callable[[str], None]) -> None:
        self.rows, self.card, self.lang, self.updated = rows, card, lang, updated
        self.active = False
        self.check_ids: list[str] = []
        self.done = self.total = 0
        self.started_at = 0.0
        self.pending_started: set[str] = set()
        self.pending_results: dict[str, CheckResult] = {}
        self.finished: dict[str, CheckResult] = {}  # this run's results so far
        self.early: dict[str, Any] | None = None  # the settled cause shown while running
        self.tick = QTimer(parent)  # the elapsed-time display
        self.tick.setInterval(100)
        self.tick.timeout.connect(self.show_elapsed)
        self.flush_timer = QTimer(parent)
        self.flush_timer.setSingleShot(True)
        self.flush_timer.setInterval(FLUSH_MS)
        self.flush_timer.timeout.connect(self.flush)

    def begin(self, check_ids: list[str]) -> None:
        self.active = True
        self.check_ids = list(check_ids)
        self.pending_started, self.pending_results = set(), {}
        self.finished, self.early = {}, None
        self.done, self.total = 0, len(check_ids)
        self.started_at = time.monotonic()
        self.tick.start()

    def started(self, check_id: str) -> None:
        self.pending_started.add(check_id)
        self._schedule()

    def result(self, result: CheckResult) -> None:
        self.pending_results[result.id] = result
        self._schedule()

    def _schedule(self) -> None:
        if not self.flush_timer.isActive():
            self.flush_timer.start()

    def flush(self) -> None:
        """Apply the progress that arrived since the last batch to the rows."""
        started, results = self.pending_started, self.pending_results
        self.pending_started, self.pending_results = set(), {}
        if not self.active:
            return
        lang = self.lang()
        for check_id in started - results.keys():
            if check_id in self.rows:
                self.rows[check_id].set_running()
        for check_id, result in results.items():
            row = self.rows.get(check_id)
            if row is not None:
                row.set_result(result.to_json(lang))
                self.done += 1
        if results:
            self.finished.update(results)
            self.show_elapsed()
            self._show_early()
        for check_id in results:
            self.updated(check_id)

    def _show_early(self) -> None:
        """The most likely cause as soon as the results that decide it are in."""
        if self.early is not None:
            return
        pending = [c for c in self.check_ids if c not in self.finished]
        from checks.diagnosis.early_verdict import early_diagnosis  # loaded by the first run

        diagnosis = early_diagnosis(list(self.finished.values()), pending)
        if diagnosis is not None:
            self.early = diagnosis.causes[0].to_json(self.lang())
            self.card.show_early(self.early, self.lang())

    def show_elapsed(self) -> None:
        if self.active:
            elapsed = time.monotonic() - self.started_at
            self.card.show_progress(self.lang(), self.done, self.total, elapsed)

    def end(self) -> None:
        """The last batch, then no more: what arrives after belongs to no run."""
        self.flush_timer.stop()
        self.flush()
        self.tick.stop()
        self.active = False
