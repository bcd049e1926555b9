"""Preview a fix before anything happens: every action, which ones need admin rights.

`checks.fixes` may be absent in a build; the dialog then says the fix is not
available rather than failing. The module is passed in so tests can use a fake.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import ModuleType
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.gui import strings as S
from checks.config import Config
from checks.i18n import Text

log = logging.getLogger("wxdoctor.gui")


def load_fixes_module() -> ModuleType | None:
    try:
        import checks.fixes as fixes
    except ImportError:
        return None
    return fixes if hasattr(fixes, "get_fix") else None


def _render(value: Any, lang: str) -> str:
    return value.render(lang) if isinstance(value, Text) else str(value or "")


class PlannedFix:
    """One fix id resolved to its Fix and Plan, or to the reason it cannot be shown."""

    def __init__(self, fix_id: str, fix: Any = None, plan: Any = None, problem: Text | None = None):
        self.fix_id, self.fix, self.plan, self.problem = fix_id, fix, plan, problem

    @property
    def runnable(self) -> bool:
        return self.plan is not None and getattr(self.plan, "blocked", None) is None


def plan_fixes(
    fix_ids: list[str], module: ModuleType | None, config: Config, report: dict[str, Any]
) -> list[PlannedFix]:
    """Planning only reads the system; it never changes anything."""
    planned: list[PlannedFix] = []
    for fix_id in dict.fromkeys(fix_ids):
        if module is None:
            planned.append(PlannedFix(fix_id, problem=S.FIX_UNAVAILABLE))
            continue
        try:
            fix = module.get_fix(fix_id)
        except KeyError:
            planned.append(PlannedFix(fix_id, problem=Text(S.FIX_UNKNOWN.en, S.FIX_UNKNOWN.zh, {"id": fix_id})))
            continue
        reason = fix.applicable() if hasattr(fix, "applicable") else None
        if reason is not None:
            planned.append(PlannedFix(fix_id, fix, problem=Text(S.FIX_NOT_HERE.en, S.FIX_NOT_HERE.zh, {"reason": reason})))
            continue
        try:
            plan = fix.plan(module.FixEnv(config=config, report=report))
        except Exception as exc:  # a broken fix must not take the window down
            log.exception("planning fix %s failed", fix_id)
            reason = f"{type(exc).__name__}: {exc}"
            planned.append(PlannedFix(fix_id, fix, problem=Text(S.FIX_PLAN_FAILED.en, S.FIX_PLAN_FAILED.zh, {"reason": reason})))
            continue
        planned.append(PlannedFix(fix_id, fix, plan))
    return planned


def describe(planned: PlannedFix, lang: str) -> list[tuple[str, str]]:
    """(kind, text) lines for one fix: title, summary, actions, warnings, blocked."""
    lines: list[tuple[str, str]] = []
    title = _render(getattr(planned.fix, "title", None), lang) or planned.fix_id
    lines.append(("title", title))
    if planned.problem is not None:
        lines.append(("problem", planned.problem.render(lang)))
        return lines
    plan = planned.plan
    if getattr(plan, "summary", None):
        lines.append(("summary", _render(plan.summary, lang)))
    actions = list(getattr(plan, "actions", []) or [])
    lines.append(("caption", (S.FIX_WILL if actions else S.FIX_NOTHING).render(lang)))
    for i, action in enumerate(actions, 1):
        text = f"{i}. {_render(action.description, lang)}"
        if getattr(action, "needs_admin", False):
            text += f"  [{S.FIX_NEEDS_ADMIN.render(lang)}]"
        lines.append(("admin" if getattr(action, "needs_admin", False) else "action", text))
        argv = list(getattr(action, "argv", None) or [])
        if argv:
            lines.append(("code", S.render(S.FIX_COMMAND, lang, argv=" ".join(str(a) for a in argv))))
        paths = [str(p) for p in (getattr(action, "paths", None) or [])]
        if paths:
            lines.append(("code", S.render(S.FIX_FILES, lang, paths=", ".join(paths))))
    for warning in getattr(plan, "warnings", []) or []:
        lines.append(("warning", S.render(S.FIX_WARNING, lang, text=_render(warning, lang))))
    if getattr(plan, "reversible", True) is False:
        lines.append(("warning", S.FIX_IRREVERSIBLE.render(lang)))
    elif getattr(plan, "undo", None):
        lines.append(("muted", S.render(S.FIX_UNDO_PLAN, lang, text=_render(plan.undo, lang))))
    if getattr(plan, "blocked", None) is not None:
        lines.append(("blocked", S.render(S.FIX_BLOCKED, lang, reason=_render(plan.blocked, lang))))
    return lines


def _error_text(error: BaseException, lang: str) -> str:
    text = getattr(error, "text", None)  # FixError carries both languages
    return text.render(lang) if isinstance(text, Text) else f"{type(error).__name__}: {error}"


class FixDialog(QDialog):
    state_changed = Signal(str)  # preview, applying, applied, failed, undoing, undone
    rechecked = Signal(object)  # list of check JSON items after apply or undo
    # Report entries of the fixes applied (fix_id, journal_id, before, after), and the
    # journal ids undone: the window keeps them in its report for the PDF.
    fixes_applied = Signal(object)
    fixes_undone = Signal(object)
    def __init__(
        self,
        fix_ids: list[str],
        *,
        config: Config,
        report: dict[str, Any],
        lang: str,
        module: ModuleType | None = None,
        recheck: Callable[[list[str]], list[dict[str, Any]]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.lang = lang
        self.module = module
        self.config = config
        self.report = report
        self.recheck = recheck
        self.entries: list[tuple[Any, Any]] = []  # (fix, journal entry) applied, for undo
        self.after: list[dict[str, Any]] = []
        self.state = "preview"
        self._task: Any = None
        self.planned = plan_fixes(fix_ids, module, config, report)
        self.lines: list[tuple[str, str]] = []
        self.setMinimumWidth(520)
        first = self.planned[0] if self.planned else None
        title = _render(getattr(first.fix, "title", None), lang) if first else ""
        self.setWindowTitle(S.render(S.FIX_TITLE, lang, title=title or (first.fix_id if first else "")))

        body = QWidget(self)
        self.body_layout = QVBoxLayout(body)
        self.body_layout.setSpacing(6)
        for planned in self.planned:
            for kind, text in describe(planned, lang):
                self._add_line(kind, text)
            self.body_layout.addSpacing(8)
        if any(p.runnable for p in self.planned):
            self._add_line("muted", S.FIX_SAFE_NOTE.render(lang))
        self.body_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.apply_button = QPushButton(S.FIX_APPLY.render(lang), self)
        self.apply_button.setObjectName("primary")
        self.apply_button.setAccessibleName(S.FIX_APPLY.render(lang))
        self.apply_button.setEnabled(False)
        self.undo_button = QPushButton(S.FIX_UNDO.render(lang), self)
        self.undo_button.setAccessibleName(S.FIX_UNDO.render(lang))
        self.undo_button.setVisible(False)
        self.close_button = QPushButton(S.FIX_CLOSE.render(lang), self)
        self.close_button.setAccessibleName(S.FIX_CLOSE.render(lang))
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.clicked.connect(self.reject)
        # After addButton, which shows the buttons it is given.
        self.apply_button.setVisible(any(p.runnable for p in self.planned))
        self.apply_button.setEnabled(self.can_apply())
        self.undo_button.setVisible(False)
        self.apply_button.clicked.connect(self.apply)
        self.undo_button.clicked.connect(self.undo)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)  # indeterminate: a fix reports no steps of progress
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.busy)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        if self.apply_button.isVisibleTo(self) and not self.can_apply():
            self.status.setText(S.FIX_NO_APPLY.render(lang))
        self.close_button.setFocus()

    # ---- apply, re-check, undo (each on a helper thread) ---------------------------------
    def can_apply(self) -> bool:
        return (self.module is not None and hasattr(self.module, "Journal")
                and any(p.runnable for p in self.planned))

    def _set_state(self, state: str, message: str) -> None:
        self.state = state
        busy = state in ("applying", "undoing")
        self.busy.setVisible(busy)
        self.apply_button.setEnabled(state == "preview" and self.can_apply())
        self.apply_button.setVisible(state in ("preview", "applying") and any(p.runnable for p in self.planned))
        self.undo_button.setVisible(state in ("applied", "undoing") and bool(self.entries))
        self.undo_button.setEnabled(state == "applied")
        self.close_button.setEnabled(not busy)
        self.status.setText(message)
        self.state_changed.emit(state)

    def _affected(self) -> list[str]:
        ids = [c for p in self.planned if p.runnable for c in getattr(p.fix, "affects", ())]
        return list(dict.fromkeys(ids))

    def apply(self) -> None:
        if not self.can_apply() or self.state != "preview":
            return
        from app.gui.worker import Task

        module, recheck, affected = self.module, self.recheck, self._affected()
        runnable = [p for p in self.planned if p.runnable]
        applied = self.entries

        def work() -> list[dict[str, Any]]:
            assert module is not None
            for planned in runnable:
                journal = module.Journal()
                log.info("applying fix %s", planned.fix_id)
                try:
                    planned.fix.apply(planned.plan, journal)
                finally:
                    if journal.last is not None and getattr(journal.last, "state", "applied") == "applied":
                        applied.append((planned.fix, journal.last))
            return recheck(affected) if recheck and affected else []

        self._set_state("applying", S.FIX_APPLYING.render(self.lang))
        self._task = Task(work, self)
        self._task.done.connect(self._applied)
        self._task.start()

    def _applied(self, after: list[dict[str, Any]] | None, error: BaseException | None) -> None:
        if error is not None:
            reason = _error_text(error, self.lang)
            self._set_state("applied" if self.entries else "failed", S.render(S.FIX_FAILED, self.lang, reason=reason))
            return
        self.after = after or []
        lines = [S.FIX_DONE.render(self.lang), *self.comparison(self.after)]
        if any(step.get("restart_needed") for _, e in self.entries for step in getattr(e, "steps", [])):
            lines.append(S.FIX_RESTART.render(self.lang))
        self._set_state("applied", "\n".join(lines))
        if self.entries:
            self.fixes_applied.emit(self.applied_records())
        if self.after:
            self.rechecked.emit(self.after)

    def applied_records(self) -> list[dict[str, Any]]:
        before = {c.get("id"): c.get("status") for c in self.report.get("checks", [])}
        after = {item["id"]: item["status"] for item in self.after}
        return [
            {"fix_id": getattr(entry, "fix_id", None) or getattr(fix, "id", None) or fix.fix_id,
             "journal_id": getattr(entry, "id", ""),
             "before": {cid: before[cid] for cid in after if cid in before}, "after": after}
            for fix, entry in self.entries
        ]

    def comparison(self, after: list[dict[str, Any]]) -> list[str]:
        from app.gui.widgets.check_row import localized
        from app.gui.widgets.light import status_label

        before = {c.get("id"): c for c in self.report.get("checks", [])}
        lines = []
        for item in after:
            was = before.get(item["id"], {}).get("status", "pending")
            lines.append(S.render(
                S.FIX_BEFORE_AFTER, self.lang, title=localized(item, "title", self.lang),
                before=status_label(str(was)).render(self.lang),
                after=f"{status_label(str(item['status'])).render(self.lang)} — {localized(item, 'summary', self.lang)}",
            ))
        return lines

    def undo(self) -> None:
        if self.state != "applied" or not self.entries:
            return
        from app.gui.worker import Task

        entries, recheck, affected = list(self.entries), self.recheck, self._affected()
        module, config, report = self.module, self.config, self.report

        def work() -> list[dict[str, Any]]:
            assert module is not None
            for fix, entry in reversed(entries):
                log.info("undoing fix %s", getattr(entry, "id", "?"))
                fix.undo(entry, module.FixEnv(config=config, report=report))
            return recheck(affected) if recheck and affected else []

        self._set_state("undoing", S.FIX_UNDOING.render(self.lang))
        self._task = Task(work, self)
        self._task.done.connect(self._undone)
        self._task.start()

    def _undone(self, after: list[dict[str, Any]] | None, error: BaseException | None) -> None:
        if error is not None:
            self._set_state("applied", S.render(S.FIX_UNDO_FAILED, self.lang, reason=_error_text(error, self.lang)))
            return
        self.fixes_undone.emit([getattr(entry, "id", "") for _, entry in self.entries])
        self.entries.clear()
        self.after = after or []
        self._set_state("undone", "\n".join([S.FIX_UNDONE.render(self.lang), *self.comparison(self.after)]))
        if self.after:
            self.rechecked.emit(self.after)

    def reject(self) -> None:
        if self.state not in ("applying", "undoing"):  # never walk away from a half-done fix
            super().reject()

    def _add_line(self, kind: str, text: str) -> None:
        label = QLabel(text, self)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setProperty("kind", kind)
        if kind == "title":
            font = label.font()
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 1.15)
            label.setFont(font)
        elif kind in ("caption", "muted"):
            label.setObjectName("caption")
        elif kind == "code":
            label.setObjectName("muted")
            label.setIndent(18)
        elif kind == "admin":
            label.setToolTip(S.FIX_NEEDS_ADMIN_TIP.render(self.lang))
        elif kind in ("blocked", "problem", "warning"):
            font = label.font()
            font.setBold(kind != "warning")
            label.setFont(font)
        self.lines.append((kind, text))
        self.body_layout.addWidget(label)

    def text_lines(self) -> list[str]:
        return [text for _, text in self.lines]
