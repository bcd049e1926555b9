"""Preview a fix before anything happens, apply it, see before/after, undo.

A thin view over `checks.fixes.session.FixSession`: the preview lines, the
buttons, and the session's work on a helper thread.
"""

from __future__ import annotations

import copy
import logging
import sys
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.gui import bridge, theme
from app.gui import strings as S
from app.gui.widgets.plain import PlainLabel
from checks.fixes.actions import FixError
from checks.fixes.preview import preview_lines
from checks.fixes.session import FixSession, PlannedFix

log = logging.getLogger("wxdoctor.gui")


def _error_text(error: BaseException, lang: str) -> str:
    if isinstance(error, FixError):
        return error.text.render(lang)
    return f"{type(error).__name__}: {error}"


class FixDialog(QDialog):
    state_changed = Signal(str)  # preview, applying, applied, failed, undoing, undone
    rechecked = Signal(object)  # list of check JSON items after apply or undo
    # Report entries of the fixes applied (fix_id, journal_id, before, after), and the
    # journal ids undone: the window keeps them in its report for the PDF.
    fixes_applied = Signal(object)
    fixes_undone = Signal(object)

    def __init__(self, session: FixSession, fix_ids: list[str], *,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        bridge.install()
        self.session = session
        self.lang = lang = session.lang
        # The statuses before any fix of this dialog, for the comparison.
        self.before = {c.get("id"): c for c in copy.deepcopy(session.report or {}).get("checks", [])}
        self.after: list[dict[str, Any]] = []
        self.state = "preview"
        self.planned = session.plan(fix_ids)
        self.runnable = [p for p in self.planned if p.runnable]
        self.lines: list[tuple[str, str]] = []
        self.setMinimumWidth(520)
        first = self.planned[0] if self.planned else None
        self.setWindowTitle(S.render(S.FIX_TITLE, lang, title=first.title if first else ""))

        body = QWidget(self)
        self.body_layout = QVBoxLayout(body)
        self.body_layout.setSpacing(6)
        # One section per fix: its choice box (if it offers choices) above its preview,
        # which is planned again when another choice is picked.
        self.sections: list[QVBoxLayout] = []
        self.section_lines: list[list[tuple[str, str]]] = []
        self.choice_boxes: dict[int, QComboBox] = {}
        self.previews: dict[int, QWidget] = {}
        for index in range(len(self.planned)):
            section = QWidget(body)
            layout = QVBoxLayout(section)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.setSpacing(6)
            self.body_layout.addWidget(section)
            self.body_layout.addSpacing(8)
            self.sections.append(layout)
            self.section_lines.append([])
            self._fill_section(index)
        if self.runnable:
            self._add_line("muted", S.FIX_SAFE_NOTE.render(lang))
        self.body_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self.status = PlainLabel(self)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.apply_button = self._button(S.FIX_APPLY, QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("primary")
        self.undo_button = self._button(S.FIX_UNDO, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self._button(S.FIX_CLOSE, QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.clicked.connect(self.reject)
        self.apply_button.clicked.connect(self.apply)
        self.undo_button.clicked.connect(self.undo)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)  # indeterminate: a fix reports no steps of progress
        self.busy.setTextVisible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.busy)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._set_state("preview", "")
        self.close_button.setFocus()

    def _button(self, text: Any, role: QDialogButtonBox.ButtonRole) -> QPushButton:
        button = QPushButton(text.render(self.lang), self)
        button.setAccessibleName(text.render(self.lang))
        self.buttons.addButton(button, role)
        return button

    # ---- apply, re-check, undo (each on a helper thread) ---------------------------------
    def can_apply(self) -> bool:
        return bool(self.runnable)

    def _set_state(self, state: str, message: str) -> None:
        self.state = state
        busy = state in ("applying", "undoing")
        applied = [a for a in self.session.applied if not a.undone]
        self.busy.setVisible(busy)
        # After addButton, which shows the buttons it is given.
        self.apply_button.setVisible(state in ("preview", "applying") and self.can_apply())
        self.apply_button.setEnabled(state == "preview" and self.can_apply())
        for box in self.choice_boxes.values():  # the choice is made before applying
            box.setEnabled(state == "preview")
        self.undo_button.setVisible(state in ("applied", "undoing") and bool(applied))
        self.undo_button.setEnabled(state == "applied")
        self.close_button.setEnabled(not busy)
        self.status.setText(message)
        self.state_changed.emit(state)

    def apply(self) -> None:
        if not self.can_apply() or self.state != "preview":
            return
        session, runnable = self.session, self.runnable
        log.info("applying fixes %s", ", ".join(p.fix_id for p in runnable))
        self._set_state("applying", S.FIX_APPLYING.render(self.lang))
        session.window = self.prompt_owner()
        bridge.run_in_thread(lambda: session.apply(runnable), self._applied, self, "fix-apply")

    def prompt_owner(self) -> int | None:
        """This dialog's native handle (HWND on Windows): an administrator prompt owned by
        it comes to the front instead of only flashing in the taskbar."""
        return int(self.winId()) if sys.platform == "win32" else None

    def _applied(self, after: list[dict[str, Any]] | None, error: BaseException | None) -> None:
        applied = self.session.applied
        if applied:
            self.fixes_applied.emit(self.session.fixes_applied())
        if error is not None:
            reason = _error_text(error, self.lang)
            self._set_state("applied" if applied else "failed",
                            S.render(S.FIX_FAILED, self.lang, reason=reason))
            return
        self.after = after or []
        lines = [S.FIX_DONE.render(self.lang), *self.comparison(self.after)]
        if any(a.restart_needed for a in applied):
            lines.append(S.FIX_RESTART.render(self.lang))
        self._set_state("applied", "\n".join(lines))
        if self.after:
            self.rechecked.emit(self.after)

    def comparison(self, after: list[dict[str, Any]]) -> list[str]:
        from app.gui.widgets.check_row import localized
        from app.gui.widgets.light import status_label

        lines = []
        for item in after:
            was = self.before.get(item["id"], {}).get("status", "pending")
            lines.append(S.render(
                S.FIX_BEFORE_AFTER, self.lang, title=localized(item, "title", self.lang),
                before=status_label(str(was)).render(self.lang),
                after=f"{status_label(str(item['status'])).render(self.lang)} — {localized(item, 'summary', self.lang)}",
            ))
        return lines

    def undo(self) -> None:
        if self.state != "applied" or not self.session.applied:
            return
        session = self.session
        log.info("undoing fixes %s", ", ".join(a.entry.id for a in session.applied))
        self._set_state("undoing", S.FIX_UNDOING.render(self.lang))
        session.window = self.prompt_owner()
        bridge.run_in_thread(session.undo, self._undone, self, "fix-undo")

    def _undone(self, result: tuple[Any, list[dict[str, Any]]] | None,
                error: BaseException | None) -> None:
        if error is not None:
            self._set_state("applied", S.render(S.FIX_UNDO_FAILED, self.lang,
                                                reason=_error_text(error, self.lang)))
            return
        self.fixes_undone.emit([a.entry.id for a in self.session.applied if a.undone])
        self.after = result[1] if result else []
        self._set_state("undone", "\n".join([S.FIX_UNDONE.render(self.lang),
                                              *self.comparison(self.after)]))
        if self.after:
            self.rechecked.emit(self.after)

    def reject(self) -> None:
        if self.state not in ("applying", "undoing"):  # never walk away from a half-done fix
            super().reject()

    # ---- choices ---------------------------------------------------------------------------
    def _fill_section(self, index: int) -> None:
        """The fix's title, its choice box (a fix that offers choices) and its preview
        lines; after another choice, only the preview lines are made again."""
        layout, planned = self.sections[index], self.planned[index]
        lines = preview_lines(planned, self.lang)
        old = self.previews.get(index)
        if old is None:
            self.section_lines[index] = []
            self._add_line(*lines[0], layout=layout, index=index)  # the title first
            if planned.choices:
                layout.addWidget(self._choice_row(index, planned))
        else:
            layout.removeWidget(old)
            old.deleteLater()
            del self.section_lines[index][1:]
        preview = QWidget(self)
        preview_layout = QVBoxLayout(preview)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_layout.setSpacing(6)
        for kind, text in lines[1:]:
            self._add_line(kind, text, layout=preview_layout, index=index)
        layout.addWidget(preview)
        self.previews[index] = preview

    def _choice_row(self, index: int, planned: PlannedFix) -> QWidget:
        row = QWidget(self)
        box_layout = QHBoxLayout(row)
        box_layout.setContentsMargins(0, 0, 0, 0)
        caption = PlainLabel(S.FIX_CHOICE.render(self.lang), row)
        box = QComboBox(row)
        ids = [choice.id for choice in planned.choices]
        for choice in planned.choices:
            box.addItem(choice.label.render(self.lang), choice.id)
        box.setCurrentIndex(ids.index(planned.choice) if planned.choice in ids else 0)
        box.setAccessibleName(S.FIX_CHOICE.render(self.lang))
        box.setEnabled(self.state == "preview")
        caption.setBuddy(box)
        box.currentIndexChanged.connect(lambda i, n=index: self.choose(n, box.itemData(i)))
        box_layout.addWidget(caption)
        box_layout.addWidget(box, 1)
        self.choice_boxes[index] = box
        return row

    def choose(self, index: int, choice: str) -> None:
        """Plan the fix again for the choice picked in its box, and show that plan."""
        if self.state != "preview" or choice == self.planned[index].choice:
            return
        log.info("fix %s: choice %s", self.planned[index].fix_id, choice)
        self.planned[index] = self.session.replan(self.planned[index], choice)
        self.runnable = [p for p in self.planned if p.runnable]
        self._fill_section(index)
        theme.style_tree(self)
        self._set_state("preview", "")

    def _add_line(self, kind: str, text: str, layout: QVBoxLayout | None = None,
                  index: int | None = None) -> None:
        label = PlainLabel(text, self)
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
        if index is None:
            self.lines.append((kind, text))
        else:
            self.section_lines[index].append((kind, text))
        (layout if layout is not None else self.body_layout).addWidget(label)

    def text_lines(self) -> list[str]:
        return [text for lines in (*self.section_lines, self.lines) for _, text in lines]
