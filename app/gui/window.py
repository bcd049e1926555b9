"""The main window: one button, traffic lights grouped by topic, plain language.

Everything shown is rendered from the report dict (or, during a run, from each
CheckResult's JSON form), so a saved report looks exactly like a fresh run and can
be re-shown in the other language without running anything.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSettings, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QMainWindow,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui import bridge, theme
from app.gui import strings as S
from app.gui.exports import ExportActions, load_report  # noqa: F401 (re-exported)
from app.gui.fix_actions import FixActions
from app.gui.menus import Menus
from app.gui.run_progress import RunProgress
from app.gui.watch_view import CHECK_TAB, WatchView
from app.gui.watch_view import TAB as WATCH_TAB
from app.gui.widgets.check_list import CheckList, Entry
from app.gui.widgets.servers_view import ResultTabs
from app.gui.widgets.summary_card import PRODUCTS, SummaryCard
from app.gui.worker import (
    ChecksFactory,
    RunnerFactory,
    RunWorker,
    default_runner_factory,
    prespawn_engine,
    process_runner_factory,
    warm_up,
)
from checks.shared.i18n import detect_lang, normalize_lang

if TYPE_CHECKING:
    from checks.engine.check import Check
    from checks.engine.config import Config
    from checks.engine.results import CheckResult
    from checks.fixes.fix import Fix
    from checks.fixes.session import Registry

# The window paints before it loads the engine: the catalog, the config (and with it the
# platform layer and psutil), the fixes, the diagnosis and the PDF load on first use, and
# the list of checks after the first frame (tests/gui/test_gui_startup.py).

log = logging.getLogger("wxdoctor.gui")

AUTO_EXPAND = 2  # finding rows opened automatically after a run
UNPAINTED_POPULATE_MS = 1000


def _default_checks() -> Sequence[Check]:
    from checks.engine.check import all_checks

    return all_checks()


def _default_config() -> Config:
    from checks.engine.config import load_config

    return load_config(None)


def _default_registry(fix_id: str) -> Fix:
    from checks.fixes import get_fix

    return get_fix(fix_id)


class MainWindow(QMainWindow):
    run_started = Signal()
    run_finished = Signal(object)  # the report dict (also after a cancel)
    run_failed = Signal(str)
    check_updated = Signal(str)  # check id, after its row changed
    checks_ready = Signal()  # the "waiting" rows are shown

    def __init__(
        self,
        *,
        checks_factory: ChecksFactory | None = None,
        config_loader: Callable[[], Config] | None = None,
        runner_factory: RunnerFactory | None = None,
        settings: QSettings | None = None,
        lang: str | None = None,
        log_dir: Path | None = None,
        fix_registry: Registry | None = None,
    ) -> None:
        theme.apply_font(QApplication.instance())  # type: ignore[arg-type]
        # During a run a dozen check threads want the interpreter lock; handing it
        # over every 1 ms instead of 5 keeps the GUI thread's turn short.
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
        super().__init__()
        bridge.install()
        self.checks_factory = checks_factory or _default_checks
        self.config_loader = config_loader or _default_config
        # The catalog's checks run in a child process (the GUI thread must not share
        # the interpreter lock with a run's probe threads); checks handed in by the
        # caller run here, on threads.
        self._in_child = runner_factory is None and checks_factory is None
        self.runner_factory = runner_factory or (
            process_runner_factory if self._in_child else default_runner_factory)
        self.settings = settings if settings is not None else QSettings("wxdoctor", "wxdoctor")
        self.fix_registry: Registry = fix_registry or _default_registry
        saved = normalize_lang(str(self.settings.value("lang", "") or ""))
        self.lang = normalize_lang(lang) or saved or detect_lang()
        self.report: dict[str, Any] | None = None
        self.report_note = ""
        self.config: Config | None = None
        self._worker: RunWorker | None = None
        self._run_id = 0
        self._populated = False
        self.ready = False  # the list of checks is shown (or failed to load)
        self.fixes = FixActions(self, self)
        self.exports = ExportActions(self, self)

        self._build_card()
        self.check_list = CheckList(self.lang, self.fixes.fix_row, self)
        self.rows = self.check_list.rows  # check id -> its row
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(18, 14, 18, 10)
        layout.setSpacing(12)
        layout.addWidget(self.card)
        self.tabs = ResultTabs(self.check_list, self)  # the lights, and the Servers matrix
        layout.addWidget(self.tabs, 1)
        self._build_modes(central)
        self.progress = RunProgress(self, self.rows, self.card, lambda: self.lang,
                                    self.check_updated.emit)
        self.menus = Menus(self, self.exports, self.set_lang, log_dir)
        self._build_shortcuts()

        self.resize(860, 700)
        self.setMinimumSize(640, 480)
        self._apply_style()
        self.retranslate()
        self.card.start_button.setFocus()
        # Discovering the checks imports every check module on a helper thread, which
        # shares the interpreter lock with this one: after the first frame.
        self._painted = False
        self._pdf_ok: bool | None = None  # found by the thread that lists the checks
        QTimer.singleShot(0, self._populate_when_painted)

    # ---- building ----------------------------------------------------------------------
    def _build_card(self) -> None:
        """The top card: the one button, the product choice, the verdict."""
        self.card = SummaryCard(self)
        self.card.start_clicked.connect(self.start)
        self.card.cancel_clicked.connect(self.cancel)
        self.card.fix_clicked.connect(self.fixes.fix_primary)
        self.card.it_clicked.connect(self.exports.copy_for_it)
        product = str(self.settings.value("product", "both") or "both")
        keys = [k for k, _ in PRODUCTS]
        self.card.product.setCurrentIndex(keys.index(product) if product in keys else 0)
        self.card.product.currentIndexChanged.connect(self._product_changed)

    def _build_modes(self, check_page: QWidget) -> None:
        """The one-button check, and beside it the watch for "it keeps dropping"."""
        self.modes = QTabWidget(self)
        self.modes.setDocumentMode(True)
        self.modes.addTab(check_page, "")
        watch_page = QWidget(self)
        box = QVBoxLayout(watch_page)
        box.setContentsMargins(18, 10, 18, 10)
        self.watch_view = WatchView(self.config_loader, self.product, self.settings, self.lang,
                                    watch_page)
        box.addWidget(self.watch_view)
        self.modes.addTab(watch_page, "")
        self.setCentralWidget(self.modes)

    def show_watch(self, report: dict[str, Any]) -> None:
        """Show a saved watch in the Watch tab."""
        self.modes.setCurrentIndex(1)
        self.watch_view.show_report(report)

    def _build_shortcuts(self) -> None:
        for key in ("Return", "Enter"):
            QShortcut(QKeySequence(key), self).activated.connect(self._enter_pressed)
        QShortcut(QKeySequence("Esc"), self).activated.connect(self.cancel)

    # ---- language and theme ------------------------------------------------------------
    def set_lang(self, lang: str) -> None:
        lang = normalize_lang(lang) or "en"
        self.lang = lang
        self.settings.setValue("lang", lang)
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.lang
        self.setWindowTitle(S.APP_NAME.render(lang))
        self.menus.retranslate(lang)
        self.card.retranslate_controls(lang, self.report is not None)
        self.modes.setTabText(0, CHECK_TAB.render(lang))
        self.modes.setTabText(1, WATCH_TAB.render(lang))
        self.watch_view.retranslate(lang)
        self.check_list.retranslate(lang)
        self.tabs.retranslate(lang)
        self._render_card()

    def _render_card(self) -> None:
        if self.running:
            if self.progress.early is not None:
                self.card.show_early(self.progress.early, self.lang)
            else:
                self.card.show_running(self.lang)
            self.progress.show_elapsed()
        elif self.report is not None:
            self.card.show_report(self.report, self.lang, self._note())
        else:
            deadline = self.config.deadline_s if self.config else 10.0
            self.card.show_idle(self.lang, deadline)

    def _note(self) -> str:
        if not self.report_note:
            return ""
        return S.render(S.SHOWING_FILE, self.lang, when=self.report_note)

    def _apply_style(self) -> None:
        theme.style_tree(self)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the system switched light/dark
            self._apply_style()
            self.update()

    # ---- rows --------------------------------------------------------------------------
    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.populate)  # runs once this frame is flushed

    def _populate_when_painted(self) -> None:
        if self.isVisible() and not self._painted:
            # Shown, first frame still to come: populate() follows it (or, for a window
            # that is never painted, e.g. started minimised, this timer).
            QTimer.singleShot(UNPAINTED_POPULATE_MS, self.populate)
            return
        self.populate()

    def populate(self, wait: bool = False) -> None:
        """Show every check as "waiting" so the user sees what will be checked.

        Listing the checks imports the whole catalog, so it happens on a helper
        thread; the rows appear when it is done (`wait` does it inline).
        """
        if self._populated or self.report is not None:
            return
        self._populated = True
        if wait:
            self._on_listed(*self._list_checks())
        else:
            bridge.run_in_thread(self._list_checks, self._listed, self, "list-checks")

    def _list_checks(self) -> tuple[object, object]:
        try:
            entries = [(c.id, c.group, c.title.both()) for c in self.checks_factory()]
            config = self.config_loader()
            warm_up()
            self._pdf_ok = self.exports.pdf_writer() is not None  # loads the PDF code here
        except Exception as exc:
            log.exception("could not list the checks")
            return None, str(exc)
        return entries, config

    def _listed(self, result: tuple[object, object] | None, error: BaseException | None) -> None:
        self._on_listed(*(result or (None, str(error))))

    def _on_listed(self, entries: Any, config: Any) -> None:
        self.ready = True
        if self._pdf_ok is not None:
            self.menus.set_pdf_available(self._pdf_ok)
        if self.running or self.report is not None:
            return
        if entries is None:
            self.card.show_message(self.lang, "error", S.render(S.RUN_FAILED, self.lang, reason=str(config)))
            return
        self.config = config
        self._sync_rows(entries)
        self._render_card()
        self._prespawn()
        self.checks_ready.emit()

    def _sync_rows(self, entries: list[Entry]) -> None:
        self.check_list.sync(entries, first_focus=self.card.fix_button)

    # ---- running -----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._worker is not None

    def product(self) -> str:
        return str(self.card.product.currentData() or "both")

    def _product_changed(self) -> None:
        self.settings.setValue("product", self.product())

    def _enter_pressed(self) -> None:
        """Enter starts a check, unless the keyboard focus is on another button
        (a row's Fix or Details, Cancel): then Enter presses that button."""
        if QApplication.activeModalWidget() is not None or self.modes.currentIndex() != 0:
            return  # on the Watch tab, Enter does not start a hidden check
        focus = QApplication.focusWidget()
        if isinstance(focus, QAbstractButton) and focus is not self.card.start_button and focus.isVisible():
            focus.click()
        elif not self.running:
            self.start()

    def start(self) -> None:
        if self.running:
            return
        try:
            checks = list(self.checks_factory())
            self.config = self.config_loader().for_product(self.product())
        except Exception as exc:  # a broken override file: say so, keep the window
            log.exception("could not prepare the run")
            self.run_failed.emit(str(exc))
            self.card.show_message(self.lang, "error", S.render(S.CONFIG_FAILED, self.lang, reason=str(exc)))
            return
        self._populated = True
        self.report, self.report_note = None, ""
        self._sync_rows([(c.id, c.group, c.title.both()) for c in checks])
        for row in self.rows.values():
            row.allow_fix(False)
            row.set_pending()
        self.tabs.show_report(None, self.lang)
        self._run_id += 1
        worker = RunWorker(self._run_id, self.config, checks, self.lang, self.runner_factory, self)
        worker.check_started.connect(self._on_check_started)
        worker.check_finished.connect(self._on_check_finished)
        worker.run_finished.connect(self._on_run_finished)
        worker.run_failed.connect(self._on_run_failed)
        self._worker = worker
        log.info("run %s started: product=%s checks=%d", self._run_id, self.product(), len(checks))
        self.card.set_running(True)
        self.card.retranslate_controls(self.lang, False)
        self._render_card()
        self.progress.begin([c.id for c in checks])
        worker.start()
        self.run_started.emit()

    def cancel(self) -> None:
        if self._worker is not None:
            log.info("run %s cancelled by the user", self._run_id)
            self._worker.cancel()

    def _current(self, run_id: int) -> bool:
        return self._worker is not None and run_id == self._run_id

    def _on_check_started(self, run_id: int, check_id: str) -> None:
        if self._current(run_id):
            self.progress.started(check_id)

    def _on_check_finished(self, run_id: int, result: CheckResult) -> None:
        if self._current(run_id):
            self.progress.result(result)

    def stop_run(self) -> None:
        """Cancel a run in progress and settle the window (a saved report is shown)."""
        self.cancel()
        self._end_run()

    def status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _end_run(self) -> None:
        self.progress.end()
        for row in self.rows.values():
            row.allow_fix(True)
        if self._worker is not None:
            self._worker.deleteLater()
        self._worker = None
        self.card.set_running(False)
        QTimer.singleShot(0, self._prespawn)  # after the report is on screen

    def _prespawn(self) -> None:
        """Have the next run's check process started and its catalog imported while idle."""
        if self._in_child and not self.running:
            threading.Thread(target=prespawn_engine, name="engine-prespawn", daemon=True).start()

    def _on_run_finished(self, run_id: int, report: dict[str, Any]) -> None:
        if not self._current(run_id):
            return
        self._end_run()
        self.show_report(report)
        self.run_finished.emit(report)

    def _on_run_failed(self, run_id: int, reason: str) -> None:
        if not self._current(run_id):
            return
        self._end_run()
        self.card.retranslate_controls(self.lang, self.report is not None)
        self.card.show_message(self.lang, "error", S.render(S.RUN_FAILED, self.lang, reason=reason))
        self.run_failed.emit(reason)

    def show_report(self, report: dict[str, Any], note: str = "") -> None:
        """Show a finished or saved report (rows, lights, diagnosis)."""
        self.report, self.report_note = report, note
        self._populated = True
        self.check_list.show_checks(list(report.get("checks", [])), self.card.fix_button)
        self.card.retranslate_controls(self.lang, True)
        self._render_card()
        self.tabs.show_report(report, self.lang)
        # Opening the findings builds tables: a separate, later slice of GUI work.
        QTimer.singleShot(0, lambda: self._expand_findings(report))

    def show_verdict(self) -> None:
        """The card and the Servers tab again, from the report as it is now (after a fix)."""
        if self.report is not None:
            self._render_card()
            self.tabs.show_report(self.report, self.lang)

    def _expand_findings(self, report: dict[str, Any]) -> None:
        if report is not self.report:
            return
        causes = report.get("diagnosis", {}).get("causes", [])
        if causes and causes[0].get("code") != "healthy":
            because = [i for i in causes[0].get("because", []) if i in self.rows]
            for check_id in because[:AUTO_EXPAND]:
                self.rows[check_id].set_expanded(True)

    def fitting_height(self, limit: int = 1800) -> int:
        """A height that shows everything without scrolling (for screenshots)."""
        chrome = self.height() - self.check_list.viewport().height()
        return min(limit, chrome + self.check_list.needed_height() + 4)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        self.cancel()
        self.watch_view.stop()
        super().closeEvent(event)

