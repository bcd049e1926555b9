"""The window's File menu: open a saved report, save JSON or PDF, copy a summary."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from app.gui import strings as S

log = logging.getLogger("wxdoctor.gui")


class ExportHost(Protocol):
    """What the File menu reads and drives in the window."""

    report: dict[str, Any] | None
    lang: str
    settings: QSettings

    @property
    def running(self) -> bool: ...
    def status(self, text: str) -> None: ...
    def stop_run(self) -> None: ...
    def show_report(self, report: dict[str, Any], note: str = "") -> None: ...


class ExportActions:
    def __init__(self, host: ExportHost, parent: QWidget) -> None:
        self.host = host
        self.parent = parent

    @property
    def report(self) -> dict[str, Any] | None:
        return self.host.report

    @property
    def lang(self) -> str:
        return self.host.lang

    @property
    def settings(self) -> QSettings:
        return self.host.settings

    def _parent(self) -> QWidget:
        return self.parent

    def _export_dir(self) -> str:
        saved = str(self.settings.value("export_dir", "") or "")
        return saved if saved and Path(saved).is_dir() else str(Path.home())

    def _default_name(self, suffix: str) -> str:
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        return str(Path(self._export_dir()) / f"wxdoctor-{stamp}.{suffix}")

    def _message(self, text: str) -> None:
        self.host.status(text)

    def export_json_dialog(self) -> None:
        if self.report is None:
            self._message(S.NO_REPORT.render(self.lang))
            return
        path, _ = QFileDialog.getSaveFileName(self._parent(), S.EXPORT_JSON.render(self.lang).replace("&", ""),
                                              self._default_name("json"), S.JSON_FILTER.render(self.lang))
        if path:
            self.export_json(Path(path))

    def export_json(self, path: Path) -> bool:
        assert self.report is not None
        try:
            path.write_text(json.dumps(self.report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            self._message(S.render(S.SAVE_FAILED, self.lang, reason=exc.strerror or str(exc)))
            return False
        self.settings.setValue("export_dir", str(path.parent))
        self._message(S.render(S.SAVED_TO, self.lang, path=str(path)))
        log.info("report saved to %s", path)
        return True

    def pdf_writer(self) -> Callable[..., None] | None:
        import importlib.util

        if importlib.util.find_spec("app.pdf.check_pages") is None:
            return None
        try:
            from app.pdf.check_pages import write_pdf  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            return None
        return write_pdf  # type: ignore[no-any-return]

    def export_pdf_dialog(self) -> None:
        writer = self.pdf_writer()
        if writer is None or self.report is None:
            self._message((S.PDF_MISSING if writer is None else S.NO_REPORT).render(self.lang))
            return
        path, _ = QFileDialog.getSaveFileName(self._parent(), S.EXPORT_PDF.render(self.lang).replace("&", ""),
                                              self._default_name("pdf"), S.PDF_FILTER.render(self.lang))
        if not path:
            return
        try:
            writer(self.report, path, self.lang)
        except Exception as exc:
            log.exception("PDF export failed")
            self._message(S.render(S.SAVE_FAILED, self.lang, reason=str(exc)))
            return
        self.settings.setValue("export_dir", str(Path(path).parent))
        self._message(S.render(S.SAVED_TO, self.lang, path=path))

    def summary_text(self) -> str:
        assert self.report is not None
        from checks.report.chat_summary import summary_text

        return summary_text(self.report, self.lang)

    def copy_summary(self) -> None:
        if self.report is None:
            self._message(S.NO_REPORT.render(self.lang))
            return
        QApplication.clipboard().setText(self.summary_text())
        self._message(S.COPIED.render(self.lang))

    def for_it_text(self) -> str:
        assert self.report is not None
        from checks.report.rejudge import headline

        return str(headline(self.report, self.lang).get("for_it") or "")

    def copy_for_it(self) -> None:
        """The text for the network administrator, as the core wrote it, on the clipboard."""
        if self.report is None:
            self._message(S.NO_REPORT.render(self.lang))
            return
        QApplication.clipboard().setText(self.for_it_text())
        self._message(S.COPIED_FOR_IT.render(self.lang))

    def open_report_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self._parent(), S.OPEN_REPORT.render(self.lang).replace("&", ""),
                                              self._export_dir(), S.JSON_FILTER.render(self.lang))
        if path:
            self.open_report(Path(path))

    def open_report(self, path: Path) -> bool:
        try:
            report = load_report(path)
        except (OSError, ValueError) as exc:
            self._message(S.render(S.OPEN_FAILED, self.lang, reason=str(exc)))
            return False
        if self.host.running:
            self.host.stop_run()
        self.host.show_report(report, note=str(report.get("started_at", "")))
        return True


def load_report(path: Path) -> dict[str, Any]:
    """A saved report through the one validating loader, so showing it cannot crash the
    window; OSError or ValueError (checks.report.load.ReportError) says why not."""
    from checks.report.load import load_report_file

    return load_report_file(path).to_json()
