"""The window's Watch mode (持续监测): Start/Stop, a live chart, the summary when stopped.

The watch samples in a child process (app/child/watch_process.py), which also prepares
what the window shows after each sample (the chart's model); a worker thread here
reads those messages and posts them through app/gui/bridge.py, so the GUI thread
only sets labels and repaints the chart. A watch with a sampler handed in (tests)
runs on that thread instead. The finished watch is stored in the history off the
GUI thread.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui import bridge, theme
from app.gui.widgets.card import Card
from app.gui.widgets.light import Light
from app.gui.widgets.plain import PlainLabel
from app.gui.widgets.watch_chart import DARK_STYLE, ChartStyle, WatchChart
from checks.shared.i18n import Text, t

if TYPE_CHECKING:  # the watch's code loads when a watch starts or is shown
    from app.child.watch_process import Progress
    from checks.engine.config import Config
    from checks.watch.loop import SampleSource
    from checks.watch.plan import Plan
    from checks.watch.sample import Sample

log = logging.getLogger("wxdoctor.gui")

TAB = t("Watch", "持续监测")
CHECK_TAB = t("Check", "一键检测")  # the window's other mode
HOW_LONG = t("Watch for", "监测时长")
START = t("Start watching", "开始监测")
STOP = t("Stop", "停止")
SAVE_PDF = t("Save PDF…", "保存 PDF…")
SAVE_JSON = t("Save JSON…", "保存 JSON…")
IDLE = t("For \"it keeps dropping\": samples the servers, DNS and your router every {i:g} s "
         "and tells you what failed when. Nothing on this computer is changed.",
         "适用于“总是掉线”：每 {i:g} 秒检测一次服务器、DNS 和路由器，告诉您何时、哪里出了问题。"
         "不会更改这台电脑上的任何设置。")
RUNNING = t("Watching · {elapsed} of {total} · {outages} outage(s) so far",
            "正在监测 · 已 {elapsed}，共 {total} · 目前断线 {outages} 次")
DONE = t("Watched {span} · {n} samples", "已监测 {span} · 共采样 {n} 次")
FAILED = t("The watch could not run: {reason}", "无法进行监测：{reason}")
SAVED = t("Saved to {path}", "已保存到 {path}")
SAVE_FAILED = t("Could not save: {reason}", "保存失败：{reason}")
DURATIONS: tuple[tuple[float, Text], ...] = (
    (300, t("5 minutes", "5 分钟")), (600, t("10 minutes", "10 分钟")),
    (1800, t("30 minutes", "30 分钟")), (3600, t("1 hour", "1 小时")),
    (4 * 3600, t("4 hours", "4 小时")), (24 * 3600, t("24 hours", "24 小时")),
)
# The chart is rebuilt at most this often: every sample at 1 s intervals, but a burst
# of posted samples (a busy GUI thread) is drawn once.
CHART_MS = 250

SamplerFactory = Callable[["Config", "Plan"], "SampleSource"]
Store = Callable[[dict[str, Any]], object]


class Running(Protocol):
    def run(self) -> dict[str, Any]: ...
    def stop(self) -> None: ...


def _store_in_history(report: dict[str, Any]) -> object:
    from checks.report.history import History

    return History().add_watch(report)


class WatchView(QWidget):
    started = Signal()
    sampled = Signal(int)  # sample index, after the window showed it
    finished = Signal(object)  # the watch report
    failed = Signal(str)

    def __init__(self, config_loader: Callable[[], Config], product: Callable[[], str],
                 settings: QSettings, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config_loader = config_loader
        self.product = product
        self.settings = settings
        self.lang = lang
        self.sampler_factory: SamplerFactory | None = None  # tests hand in their own
        self.store: Store = _store_in_history
        self.report: dict[str, Any] | None = None
        self.watch: Running | None = None
        self.plan: Plan | None = None
        self._sample: Sample | None = None
        self._down = False
        self._outages = 0
        self._started = 0.0
        self._chart_due = False
        self._build()
        self.retranslate(lang)

    # ---- building ------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(10)
        controls = QHBoxLayout()
        self.how_long_label = PlainLabel(self)
        self.how_long = QComboBox(self)
        for seconds, _ in DURATIONS:
            self.how_long.addItem("", seconds)
        saved = _number(self.settings.value("watch_seconds", 600), 600.0)
        index = next((i for i, (s, _) in enumerate(DURATIONS) if s == saved), 1)
        self.how_long.setCurrentIndex(index)
        self.start_button = QPushButton(self)
        self.start_button.setObjectName("primary")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton(self)
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.hide()
        self.pdf_button = QPushButton(self)
        self.pdf_button.clicked.connect(self.save_pdf_dialog)
        self.json_button = QPushButton(self)
        self.json_button.clicked.connect(self.save_json_dialog)
        for widget in (self.how_long_label, self.how_long, self.start_button, self.stop_button):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.json_button)
        controls.addWidget(self.pdf_button)
        layout.addLayout(controls)

        self.card = Card(self)
        box = QVBoxLayout(self.card)
        box.setContentsMargins(16, 12, 16, 12)
        top = QHBoxLayout()
        self.light = Light(size=26, parent=self.card)
        self.status = PlainLabel(self.card)
        self.status.setWordWrap(True)
        font = self.status.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.status.setFont(font)
        top.addWidget(self.light, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.status, 1)
        box.addLayout(top)
        self.live = PlainLabel(self.card)
        self.live.setObjectName("muted")
        self.live.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.live)
        self.live.hide()  # until the first sample (or a "saved to" note)
        self.summary = PlainLabel(self.card)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.summary)
        layout.addWidget(self.card)
        self.chart = WatchChart(self)
        layout.addWidget(self.chart, 1)

        self._chart_timer = QTimer(self)
        self._chart_timer.setSingleShot(True)
        self._chart_timer.setInterval(CHART_MS)
        self._chart_timer.timeout.connect(self._flush_chart)
        self._pending: Progress | None = None
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._render_status)
        theme.style_tree(self)

    # ---- language ------------------------------------------------------------------------
    def retranslate(self, lang: str) -> None:
        self.lang = lang
        self.how_long_label.setText(HOW_LONG.render(lang))
        for i, (_, name) in enumerate(DURATIONS):
            self.how_long.setItemText(i, name.render(lang))
        self.start_button.setText(START.render(lang))
        self.stop_button.setText(STOP.render(lang))
        self.pdf_button.setText(SAVE_PDF.render(lang))
        self.json_button.setText(SAVE_JSON.render(lang))
        self.chart.lang = lang
        self.chart.set_style(DARK_STYLE if theme.is_dark(self.palette()) else ChartStyle())
        self._render_status()
        if self._sample is not None:
            from checks.watch.terminal import live_line

            self.live.setText(live_line(self._sample, self._down, lang))

    def _render_status(self) -> None:
        lang = self.lang
        exports = self.report is not None and not self.running
        self.pdf_button.setEnabled(exports)
        self.json_button.setEnabled(exports)
        self.light.show()
        if self.running and self.plan is not None:
            from checks.watch.summary import duration

            self.light.set_state("fail" if self._down else "running", lang)
            self.status.setText(RUNNING.with_params(
                elapsed=duration(time.monotonic() - self._started),
                total=duration(self.plan.seconds), outages=self._outages).render(lang))
            self.summary.hide()
            return
        if self.report is None:
            interval = self.plan.interval_s if self.plan else 5.0
            self.light.hide()  # nothing measured yet: no light to show
            self.status.setText(IDLE.with_params(i=interval).render(lang))
            self.summary.hide()
            return
        from checks.watch.summary import duration
        from checks.watch.watch_report import advice_lines, summary_lines

        report = self.report
        data = report.get("watch", {})
        self.light.set_state(str(report.get("status", "error")), lang)
        lines = summary_lines(report, lang)
        self.status.setText(lines[0] if lines else "")
        rest = [*lines[1:], *(f"→ {a}" for a in advice_lines(report, lang))]
        rest.append(DONE.with_params(span=duration(float(data.get("span_s") or 0)),
                                     n=data.get("samples", 0)).render(lang))
        self.summary.setText("\n".join(rest))
        self.summary.show()

    # ---- running ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.watch is not None

    def selected_seconds(self) -> float:
        return float(self.how_long.currentData() or 600)

    def start(self, seconds: float | None = None, interval_s: float | None = None) -> None:
        if self.running:
            return
        from checks.watch.plan import Plan

        try:
            config = self.config_loader().for_product(self.product())
            self.plan = Plan.of(config, seconds or self.selected_seconds(), interval_s)
        except Exception as exc:  # a broken override file or a bad plan: say so, keep going
            log.exception("could not prepare the watch")
            self._show_failure(str(exc))
            return
        self.settings.setValue("watch_seconds", self.selected_seconds())
        try:
            self.watch = self._make_watch(config, self.plan)
        except OSError as exc:  # the child process could not start
            self._show_failure(str(exc))
            return
        self.report, self._sample, self._down, self._outages = None, None, False, 0
        self._started = time.monotonic()
        self.chart.set_data(None)
        self.live.setText("")
        self.live.hide()
        self.start_button.hide()
        self.stop_button.show()
        self.how_long.setEnabled(False)
        self._clock.start()
        self._render_status()
        watch = self.watch
        bridge.run_in_thread(watch.run, lambda r, e: self._done(watch, r, e), self, "watch")
        log.info("watch started: %s s every %s s", self.plan.seconds, self.plan.interval_s)
        self.started.emit()

    def stop(self) -> None:
        if self.watch is not None:
            self.watch.stop()

    def _make_watch(self, config: Config, plan: Plan) -> Running:
        from app.child.watch_process import ProcessWatch, progress
        from checks.watch.loop import Watch

        holder: list[Running] = []

        def post(item: Progress) -> None:  # on the worker thread: one call to the GUI
            bridge.deliver(self, lambda: self._on_progress(holder[0], item))

        if self.sampler_factory is None:
            holder.append(ProcessWatch(config, plan, lang=self.lang, on_progress=post))
        else:
            holder.append(Watch(config, plan, lang=self.lang,
                                sampler=self.sampler_factory(config, plan),
                                on_sample=lambda s, news, a: post(progress(s, news, a))))
        return holder[0]

    def _on_progress(self, watch: Running, item: Progress) -> None:
        if watch is not self.watch:  # a late sample of a watch already stopped
            return
        from checks.watch.terminal import live_line

        self._sample, self._down, self._outages = item.sample, item.down, item.outages
        self.live.setText(live_line(item.sample, item.down, self.lang))
        self.live.show()
        self._pending = item
        if not self._chart_timer.isActive():
            self._flush_chart()
            self._chart_timer.start()
        self._render_status()
        self.sampled.emit(item.sample.index)

    def _flush_chart(self) -> None:
        if self._pending is not None:
            self.chart.set_data(self._pending.chart)
            self._pending = None

    def _done(self, watch: Running, report: dict[str, Any] | None,
              error: BaseException | None) -> None:
        if watch is not self.watch:
            return
        self.watch = None
        self._clock.stop()
        self._chart_timer.stop()
        self.start_button.show()
        self.stop_button.hide()
        self.how_long.setEnabled(True)
        if report is None:
            self._show_failure(f"{type(error).__name__}: {error}")
            return
        self.show_report(report)
        store = self.store
        threading.Thread(target=_store_quietly, args=(store, report), name="watch-history",
                         daemon=True).start()
        self.finished.emit(report)

    def show_report(self, report: dict[str, Any]) -> None:
        """Show a finished or saved watch: verdict, summary and its chart."""
        from checks.watch.chart import chart_data

        self.report = report
        self.chart.set_data(chart_data(report.get("watch", {})))
        self._render_status()

    def _show_failure(self, reason: str) -> None:
        self.light.show()
        self.light.set_state("error", self.lang)
        self.status.setText(FAILED.with_params(reason=reason).render(self.lang))
        self.failed.emit(reason)

    # ---- saving ------------------------------------------------------------------------------
    def _default_path(self, suffix: str) -> str:
        folder = str(self.settings.value("export_dir", "") or "") or str(Path.home())
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        return str(Path(folder) / f"wxdoctor-watch-{stamp}.{suffix}")

    def save_pdf_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, SAVE_PDF.render(self.lang),
                                              self._default_path("pdf"), "PDF (*.pdf)")
        if path:
            self.save(Path(path))

    def save_json_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, SAVE_JSON.render(self.lang),
                                              self._default_path("json"), "JSON (*.json)")
        if path:
            self.save(Path(path))

    def save(self, path: Path) -> bool:
        """The PDF and exported JSON are redacted, like a check's."""
        from checks.report.redact import redact

        if self.report is None:
            return False
        export = redact(self.report)
        try:
            if path.suffix.lower() == ".pdf":
                from app.pdf.watch_pages import write_watch_pdf

                write_watch_pdf(export, path, self.lang)
            else:
                path.write_text(json.dumps(export, ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")
        except OSError as exc:
            self.status.setText(SAVE_FAILED.with_params(reason=exc.strerror or str(exc))
                                .render(self.lang))
            return False
        self.settings.setValue("export_dir", str(path.parent))
        self.live.setText(SAVED.with_params(path=str(path)).render(self.lang))
        self.live.show()
        return True


def _number(value: object, default: float) -> float:
    """A saved setting as a number (QSettings may hand back a string, or junk)."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def _store_quietly(store: Store, report: dict[str, Any]) -> None:
    try:
        store(report)
    except Exception:  # the history is a convenience: a locked or damaged one loses nothing
        log.exception("the watch was not stored in the history")
