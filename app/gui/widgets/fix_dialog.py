"""Preview a fix before anything happens: every action, which ones need admin rights.

`checks.fixes` may be absent in a build; the dialog then says the fix is not
available rather than failing. The module is passed in so tests can use a fake.
"""

from __future__ import annotations

import logging
from types import ModuleType
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
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
    if getattr(plan, "blocked", None) is not None:
        lines.append(("blocked", S.render(S.FIX_BLOCKED, lang, reason=_render(plan.blocked, lang))))
    return lines


class FixDialog(QDialog):
    def __init__(
        self,
        fix_ids: list[str],
        *,
        config: Config,
        report: dict[str, Any],
        lang: str,
        module: ModuleType | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.lang = lang
        self.module = module
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
        self.undo_button.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        if self.apply_button.isVisibleTo(self):
            self.status.setText(S.FIX_NO_APPLY.render(lang))
        self.close_button.setFocus()

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
