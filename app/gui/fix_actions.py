"""Fix buttons of the main window: preview, apply, re-check, undo (in FixDialog).
A mixin of MainWindow, kept apart so the window module stays small."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from app.gui import theme
from app.gui.widgets.check_row import CheckRow
from checks.base import Check
from checks.config import Config


class FixActions:
    report: dict[str, Any] | None
    lang: str
    config: Config | None
    rows: dict[str, CheckRow]
    checks_factory: Callable[[], Sequence[Check]]
    config_loader: Callable[[], Config]
    _fixes_module: Any

    if TYPE_CHECKING:  # provided by MainWindow
        def product(self) -> str: ...

    def fixes_module(self) -> Any:
        if self._fixes_module == "auto":
            from app.gui.widgets.fix_dialog import load_fixes_module

            self._fixes_module = load_fixes_module()
        return self._fixes_module

    def _fix_row(self, check_id: str) -> None:
        row = self.rows.get(check_id)
        if row is not None and row.fixes:
            self.open_fix_dialog(row.fixes)

    def _fix_primary(self) -> None:
        causes = (self.report or {}).get("diagnosis", {}).get("causes", [])
        if causes and causes[0].get("fixes"):
            self.open_fix_dialog(list(causes[0]["fixes"]))

    def fix_dialog(self, fix_ids: list[str]) -> Any:
        from app.gui.widgets.fix_dialog import FixDialog

        config = self.config or self.config_loader().for_product(self.product())
        dialog = FixDialog(fix_ids, config=config, report=self.report or {}, lang=self.lang,
                           module=self.fixes_module(), recheck=self._recheck_function(config), parent=self)  # type: ignore[arg-type]
        dialog.rechecked.connect(self._show_rechecked)
        dialog.fixes_applied.connect(self._record_fixes)
        dialog.fixes_undone.connect(self._record_undone)
        theme.style_tree(dialog)
        return dialog

    def _recheck_function(self, config: Config) -> Callable[[list[str]], list[dict[str, Any]]]:
        """Runs on the dialog's helper thread: the affected checks only, same engine."""
        factory, lang = self.checks_factory, self.lang

        def recheck(ids: list[str]) -> list[dict[str, Any]]:
            from checks.runner import Runner

            selected = [c for c in factory() if c.id in ids]
            if not selected:
                return []
            return [r.to_json(lang) for r in Runner(config, selected, lang=lang).run().results
                    if r.id in ids]

        return recheck

    def _show_rechecked(self, items: list[dict[str, Any]]) -> None:
        """After a fix or its undo: show the re-checked rows and keep them in the report."""
        if self.report is None:
            return
        fresh = {item["id"]: item for item in items}
        self.report["checks"] = [fresh.get(c["id"], c) for c in self.report.get("checks", [])]
        for check_id, item in fresh.items():
            if check_id in self.rows:
                self.rows[check_id].set_result(item)

    def _record_fixes(self, records: list[dict[str, Any]]) -> None:
        """Fixes applied this session travel with the report (PDF: before/after)."""
        if self.report is not None:
            self.report.setdefault("fixes_applied", []).extend(records)

    def _record_undone(self, journal_ids: list[str]) -> None:
        for record in (self.report or {}).get("fixes_applied", []):
            if record.get("journal_id") in journal_ids:
                record["undone"] = True

    def open_fix_dialog(self, fix_ids: list[str]) -> None:
        self.fix_dialog(fix_ids).exec()
