"""The window's fix buttons: open the preview dialog over a fix session, and keep the
window's report up to date with what the session re-checked, applied and undid.

The session re-checks with the window's own runner, so a fix's re-check runs in the
same child process as every other run of the window.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtWidgets import QWidget

from app.gui import theme

if TYPE_CHECKING:  # the fixes load when a fix is first asked for, not with the window
    from app.gui.widgets.check_row import CheckRow
    from app.gui.widgets.fix_dialog import FixDialog
    from app.gui.worker import RunnerFactory
    from checks.engine.check import Check
    from checks.engine.config import Config
    from checks.engine.runner import RunResult
    from checks.fixes.session import Registry


class FixHost(Protocol):
    """What the fix buttons read and update in the window."""

    report: dict[str, Any] | None
    lang: str
    config: Config | None
    rows: dict[str, CheckRow]
    checks_factory: Callable[[], Sequence[Check]]
    config_loader: Callable[[], Config]
    runner_factory: RunnerFactory
    fix_registry: Registry

    def product(self) -> str: ...
    def show_verdict(self) -> None: ...


class _Quiet:
    """A re-check's runner: the window's, without progress callbacks."""

    def __init__(self, factory: RunnerFactory, config: Config, checks: Sequence[Check],
                 lang: str) -> None:
        self.runner = factory(config, checks, lang, lambda _id: None, lambda _result: None)
        # The window's runners end a run once its verdict is certain; a re-check must
        # see every check it ran (the fix's before/after), so it runs to the end.
        if hasattr(self.runner, "decide_early"):
            self.runner.decide_early = False

    def run(self) -> RunResult:
        return self.runner.run()


class FixActions:
    def __init__(self, host: FixHost, parent: QWidget) -> None:
        self.host = host
        self.parent = parent

    def fix_row(self, check_id: str) -> None:
        row = self.host.rows.get(check_id)
        if row is not None and row.fixes:
            self.open_fix_dialog(row.fixes)

    def fix_primary(self) -> None:
        """The card's button: the fixes the headline offers, the one for the cause first."""
        if self.host.report is None:
            return
        from checks.report.rejudge import headline

        fixes = headline(self.host.report, self.host.lang).get("fixes") or []
        if fixes:
            self.open_fix_dialog(list(fixes))

    def fix_dialog(self, fix_ids: list[str]) -> FixDialog:
        import app.cli.commands.fix_helper  # noqa: F401 (says how this app starts its helper)
        from app.gui.widgets.fix_dialog import FixDialog
        from checks.fixes.session import FixSession

        host = self.host
        config = host.config or host.config_loader().for_product(host.product())
        # The session works on its own copy (on a helper thread); the window takes the
        # re-checked results into its report through the dialog's signals.
        session = FixSession(
            config, copy.deepcopy(host.report or {}), lang=host.lang, checks=host.checks_factory,
            registry=host.fix_registry,
            runner=lambda cfg, checks, lang: _Quiet(host.runner_factory, cfg, checks, lang))
        dialog = FixDialog(session, fix_ids, parent=self.parent)
        dialog.rechecked.connect(self.show_rechecked)
        dialog.fixes_applied.connect(self.record_fixes)
        dialog.fixes_undone.connect(self.record_undone)
        theme.style_tree(dialog)
        return dialog

    def show_rechecked(self, items: list[dict[str, Any]]) -> None:
        """After a fix or its undo: show the re-checked rows and keep them in the report."""
        report = self.host.report
        if report is None:
            return
        fresh = {item["id"]: item for item in items}
        report["checks"] = [fresh.get(c["id"], c) for c in report.get("checks", [])]
        for check_id, item in fresh.items():
            if check_id in self.host.rows:
                self.host.rows[check_id].set_result(item)
        # The verdict on top follows the fresh rows (the window's report is what it exports).
        from checks.report.rejudge import rejudged

        report.update(rejudged(report, report.get("lang", self.host.lang)))
        self.host.show_verdict()

    def record_fixes(self, records: list[dict[str, Any]]) -> None:
        """Fixes applied this session travel with the report (PDF: before/after)."""
        report = self.host.report
        if report is not None:
            known = {r.get("journal_id") for r in report.get("fixes_applied", [])}
            report.setdefault("fixes_applied", []).extend(
                r for r in records if r["journal_id"] not in known)

    def record_undone(self, journal_ids: list[str]) -> None:
        for record in (self.host.report or {}).get("fixes_applied", []):
            if record.get("journal_id") in journal_ids:
                record["undone"] = True

    def open_fix_dialog(self, fix_ids: list[str]) -> None:
        self.fix_dialog(fix_ids).exec()
