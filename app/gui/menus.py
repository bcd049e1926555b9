"""The window's menu bar: File (open, save JSON or PDF, copy a summary, quit), the
language, and Help (the log folder, About)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from app.gui import strings as S
from app.gui.exports import ExportActions
from checks.shared.i18n import LANGS, t

LANG_NAMES = {"zh": t("中文", "中文"), "en": t("English", "English")}


def default_log_dir() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir("wxdoctor", "wxdoctor"))


class Menus:
    def __init__(self, window: QMainWindow, exports: ExportActions,
                 set_lang: Callable[[str], None], log_dir: Path | None) -> None:
        self.window = window
        self.exports = exports
        self.log_dir = log_dir
        bar = window.menuBar()
        self.file_menu = bar.addMenu("")
        self.file_menu.setToolTipsVisible(True)
        self.open_action = self._action(self.file_menu, exports.open_report_dialog,
                                        QKeySequence.StandardKey.Open)
        self.file_menu.addSeparator()
        self.json_action = self._action(self.file_menu, exports.export_json_dialog,
                                        QKeySequence.StandardKey.Save)
        self.pdf_action = self._action(self.file_menu, exports.export_pdf_dialog)
        # Whether this build can write PDFs: looked up off the GUI thread with the list
        # of checks (the writer loads the PDF code), else when the menu first opens.
        self.pdf_ok: bool | None = None
        self.file_menu.aboutToShow.connect(self._look_up_pdf)
        self.copy_action = self._action(self.file_menu, exports.copy_summary,
                                        QKeySequence("Ctrl+Shift+C"))
        self.file_menu.addSeparator()
        self.quit_action = self._action(self.file_menu, window.close, QKeySequence.StandardKey.Quit)
        self.lang_menu = bar.addMenu("")
        group = QActionGroup(window)
        self.lang_actions: dict[str, QAction] = {}
        for lang in LANGS:
            action = QAction(window, checkable=True)
            action.triggered.connect(lambda _=False, lang=lang: set_lang(lang))
            group.addAction(action)
            self.lang_menu.addAction(action)
            self.lang_actions[lang] = action
        self.help_menu = bar.addMenu("")
        self.logs_action = self._action(self.help_menu, self.open_log_folder)
        self.about_action = self._action(self.help_menu, self.show_about)
        self.lang = "en"

    def _action(self, menu: Any, slot: Callable[[], Any], shortcut: Any = None) -> QAction:
        action = QAction(self.window)
        action.triggered.connect(lambda _=False: slot())
        if shortcut is not None:
            action.setShortcut(shortcut)
        menu.addAction(action)
        return action

    def retranslate(self, lang: str) -> None:
        self.lang = lang
        self.file_menu.setTitle(S.MENU_FILE.render(lang))
        self.open_action.setText(S.OPEN_REPORT.render(lang))
        self.json_action.setText(S.EXPORT_JSON.render(lang))
        self.copy_action.setText(S.COPY_SUMMARY.render(lang))
        self.pdf_action.setText(S.EXPORT_PDF.render(lang))
        self._show_pdf_state()
        self.quit_action.setText(S.QUIT.render(lang))
        self.lang_menu.setTitle(S.MENU_LANG.render(lang))
        for code, action in self.lang_actions.items():
            action.setText(LANG_NAMES[code].render(lang))
            action.setChecked(code == lang)
        self.help_menu.setTitle(S.MENU_HELP.render(lang))
        self.logs_action.setText(S.OPEN_LOGS.render(lang))
        self.about_action.setText(S.ABOUT.render(lang))

    def set_pdf_available(self, available: bool) -> None:
        self.pdf_ok = available
        self._show_pdf_state()

    def _look_up_pdf(self) -> None:
        if self.pdf_ok is None:
            self.set_pdf_available(self.exports.pdf_writer() is not None)

    def _show_pdf_state(self) -> None:
        ok = self.pdf_ok is not False  # unknown: enabled; a missing writer says so on use
        self.pdf_action.setEnabled(ok)
        self.pdf_action.setToolTip("" if ok else S.PDF_MISSING.render(self.lang))

    def logs(self) -> Path:
        return self.log_dir or default_log_dir()

    def open_log_folder(self) -> None:
        folder = self.logs()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def show_about(self) -> None:
        import checks

        text = S.render(S.ABOUT_TEXT, self.lang, version=checks.__version__, logs=str(self.logs()))
        QMessageBox.about(self.window, S.ABOUT_TITLE.render(self.lang), text)
