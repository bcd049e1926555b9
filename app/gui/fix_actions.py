"""Fix buttons of the main window: open the preview dialog over a fix session, and
keep the report up to date with what the session re-checked, applied and undid.
A mixin of MainWindow, kept apart so the window module stays small."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from app.gui import theme
from app.gui.widgets.check_row import CheckRow
from checks.engine.check import Check
from checks.engine.config import Config
from checks.fixes.session import FixSession, Registry
from checks.report.rejudge import rejudged

if TYPE_CHECKING:
    from app.gui.widgets.fix_dialog import FixDialog


class FixActions:
    report: dict[str, Any] | None
    lang: str
    config: Config | None
    rows: dict[str, CheckRow]
    checks_factory: Callable[[], Sequence[Check]]
    config_loader: Callable[[], Config]
    fix_registry: Registry

    if TYPE_CHECKING:  # provided by MainWindow
        def product(self) -> str: ...
        def show_verdict(self) -> None: ...

    def _fix_row(self, check_id: str) -> None:
        row = self.rows.get(check_id)
        if row is not None and row.fixes:
            self.open_fix_dialog(row.fixes)

    def _fix_primary(self) -> None:
        causes = (self.report or {}).get("diagnosis", {}).get("causes", [])
        if causes and causes[0].get("fixes"):
            self.open_fix_dialog(list(causes[0]["fixes"]))

    def fix_dialog(self, fix_ids: list[str]) -> FixDialog:
        from app.gui.widgets.fix_dialog import FixDialog

        config = self.config or self.config_loader().for_product(self.product())
        # The session works on its own copy (on a helper thread); the window takes the
        # re-checked results into its report through the dialog's signals.
        session = FixSession(config, copy.deepcopy(self.report or {}), lang=self.lang,
                             checks=self.checks_factory, registry=self.fix_registry)
        dialog = FixDialog(session, fix_ids, parent=self)  # type: ignore[arg-type]
        dialog.rechecked.connect(self._show_rechecked)
        dialog.fixes_applied.connect(self._record_fixes)
        dialog.fixes_undone.connect(self._record_undone)
        theme.style_tree(dialog)
        return dialog

    def _show_rechecked(self, items: list[dict[str, Any]]) -> None:
        """After a fix or its undo: show the re-checked rows and keep them in the report."""
        if self.report is None:
            return
        fresh = {item["id"]: item for item in items}
        self.report["checks"] = [fresh.get(c["id"], c) for c in self.report.get("checks", [])]
        for check_id, item in fresh.items():
            if check_id in self.rows:
                self.rows[check_id].set_result(item)
        # The verdict on top follows the fresh rows (the window's report is what it exports).
        self.report.update(rejudged(self.report, self.report.get("lang", self.lang)))
        self.show_verdict()

    def _record_fixes(self, records: list[dict[str, Any]]) -> None:
        """Fixes applied this session travel with the report (PDF: before/after)."""
        if self.report is not None:
            known = {r.get("journal_id") for r in self.report.get("fixes_applied", [])}
            self.report.setdefault("fixes_applied", []).extend(
                r for r in records if r["journal_id"] not in known)

    def _record_undone(self, journal_ids: list[str]) -> None:
        for record in (self.report or {}).get("fixes_applied", []):
            if record.get("journal_id") in journal_ids:
                record["undone"] = True

    def open_fix_dialog(self, fix_ids: list[str]) -> None:
        self.fix_dialog(fix_ids).exec()
