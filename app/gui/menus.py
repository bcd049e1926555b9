"""The window's menus (File, Language, Help) and what Help opens. A mixin of
MainWindow, kept apart so the window module stays small."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from app.gui import strings as S
from checks.shared.i18n import LANGS, t

LANG_NAMES = {"zh": t("中文", "中文"), "en": t("English", "English")}


def default_log_dir() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir("wxdoctor", "wxdoctor"))


class WindowMenus:
    lang: str
    log_dir: Path | None

    if TYPE_CHECKING:  # provided by MainWindow (QMainWindow and the other mixins)
        def menuBar(self) -> Any: ...  # noqa: N802
        def close(self) -> bool: ...
        def set_lang(self, lang: str) -> None: ...
        def open_report_dialog(self) -> None: ...
        def export_json_dialog(self) -> None: ...
        def export_pdf_dialog(self) -> None: ...
        def copy_summary(self) -> None: ...
        def _pdf_writer(self) -> Any: ...

    def _window(self) -> QWidget:
        assert isinstance(self, QWidget)
        return self

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.file_menu.setToolTipsVisible(True)
        self.open_action = self._action(self.file_menu, self.open_report_dialog, QKeySequence.StandardKey.Open)
        self.file_menu.addSeparator()
        self.json_action = self._action(self.file_menu, self.export_json_dialog, QKeySequence.StandardKey.Save)
        self.pdf_action = self._action(self.file_menu, self.export_pdf_dialog)
        self.copy_action = self._action(self.file_menu, self.copy_summary, QKeySequence("Ctrl+Shift+C"))
        self.file_menu.addSeparator()
        self.quit_action = self._action(self.file_menu, self.close, QKeySequence.StandardKey.Quit)
        self.lang_menu = bar.addMenu("")
        group = QActionGroup(self._window())
        self.lang_actions: dict[str, QAction] = {}
        for lang in LANGS:
            action = QAction(self._window(), checkable=True)
            action.triggered.connect(lambda _=False, lang=lang: self.set_lang(lang))
            group.addAction(action)
            self.lang_menu.addAction(action)
            self.lang_actions[lang] = action
        self.help_menu = bar.addMenu("")
        self.logs_action = self._action(self.help_menu, self.open_log_folder)
        self.about_action = self._action(self.help_menu, self.show_about)

    def _action(self, menu: Any, slot: Callable[[], Any], shortcut: Any = None) -> QAction:
        action = QAction(self._window())
        action.triggered.connect(lambda _=False: slot())
        if shortcut is not None:
            action.setShortcut(shortcut)
        menu.addAction(action)
        return action

    def _retranslate_menus(self, lang: str) -> None:
        self.file_menu.setTitle(S.MENU_FILE.render(lang))
        self.open_action.setText(S.OPEN_REPORT.render(lang))
        self.json_action.setText(S.EXPORT_JSON.render(lang))
        self.copy_action.setText(S.COPY_SUMMARY.render(lang))
        self.pdf_action.setText(S.EXPORT_PDF.render(lang))
        pdf_ok = self._pdf_writer() is not None
        self.pdf_action.setEnabled(pdf_ok)
        self.pdf_action.setToolTip("" if pdf_ok else S.PDF_MISSING.render(lang))
        self.quit_action.setText(S.QUIT.render(lang))
        self.lang_menu.setTitle(S.MENU_LANG.render(lang))
        for code, action in self.lang_actions.items():
            action.setText(LANG_NAMES[code].render(lang))
            action.setChecked(code == lang)
        self.help_menu.setTitle(S.MENU_HELP.render(lang))
        self.logs_action.setText(S.OPEN_LOGS.render(lang))
        self.about_action.setText(S.ABOUT.render(lang))

    # ---- help --------------------------------------------------------------------------
    def logs(self) -> Path:
        return self.log_dir or default_log_dir()

    def open_log_folder(self) -> None:
        folder = self.logs()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def show_about(self) -> None:
        import checks

        text = S.render(S.ABOUT_TEXT, self.lang, version=checks.__version__, logs=str(self.logs()))
        QMessageBox.about(self._window(), S.ABOUT_TITLE.render(self.lang), text)

