"""The scrolling list of lights, one row per check, grouped by topic. Groups appear as
their checks do and keep the topic order whatever order the checks arrive in.

A saved report may hold far more checks than wxdoctor has (a file from elsewhere, or
made to be heavy): the list shows at most MAX_ROWS rows, the findings first, and says
how many it left out (the PDF and the JSON export keep them all). Rows are built with
the list hidden, so the layout is worked out once, not once per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.gui import strings as S
from app.gui import theme
from app.gui.widgets.card import Card
from app.gui.widgets.check_row import CheckRow
from app.gui.widgets.plain import PlainLabel
from checks.shared.i18n import t

MAX_ROWS = 100  # check rows drawn; wxdoctor itself has fewer than 20 checks


def _groups() -> tuple[str, ...]:
    # checks.engine.check loads the config and the platform layer: only once there are
    # checks to show, after the window's first frame.
    from checks.engine.check import GROUPS

    return GROUPS
NOT_SHOWN = t("This report has {n} checks: the window shows {shown} of them, the problems "
              "first. The PDF and the JSON export have them all.",
              "此报告有 {n} 个检测项：窗口只显示其中 {shown} 个（先显示有问题的）。"
              "PDF 和 JSON 导出包含全部检测项。")
# Which checks a capped list shows first: the worst.
_FIRST = {"fail": 0, "error": 1, "warn": 2, "info": 3, "ok": 4, "skipped": 5}


def shown_checks(checks: list[dict[str, Any]], limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    """The checks that get a row: all of them, or the `limit` worst in report order."""
    if len(checks) <= limit:
        return list(checks)
    ranked = sorted(range(len(checks)),
                    key=lambda i: (_FIRST.get(str(checks[i].get("status")), 6), i))
    keep = set(ranked[:limit])
    return [c for i, c in enumerate(checks) if i in keep]

# (check id, group, titles by language)
Entry = tuple[str, str, dict[str, str]]


class CheckList(QScrollArea):
    def __init__(self, lang: str, on_fix: Callable[[str], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.lang = lang
        self.on_fix = on_fix
        self.rows: dict[str, CheckRow] = {}
        self.groups: dict[str, tuple[QLabel, QFrame, QVBoxLayout]] = {}
        self.content = QWidget(self)
        self.content.setObjectName("content")
        self.groups_layout = QVBoxLayout(self.content)
        self.groups_layout.setContentsMargins(0, 0, 0, 0)
        self.groups_layout.setSpacing(6)
        self.not_shown = PlainLabel(self.content)  # the rows a capped list left out
        self.not_shown.setObjectName("muted")
        self.not_shown.setWordWrap(True)
        self.not_shown.setVisible(False)
        self.groups_layout.addWidget(self.not_shown)
        self.groups_layout.addStretch(1)
        self._counts = (0, 0)  # checks in the report, rows shown
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidget(self.content)

    def retranslate(self, lang: str) -> None:
        self.lang = lang
        for group, (title, _, _) in self.groups.items():
            title.setText(S.GROUPS[group].render(lang))
        for row in self.rows.values():
            row.retranslate(lang)
        self._say_not_shown()

    def show_checks(self, checks: list[dict[str, Any]], first_focus: QWidget) -> None:
        """A finished or saved report's rows (at most MAX_ROWS), built in one layout pass."""
        items = shown_checks(checks)
        entries = [(c["id"], c.get("group", "computer"),
                    {k: v.get("title", "") for k, v in c.get("i18n", {}).items()}) for c in items]
        self.content.hide()  # one layout pass for all the rows, not one per row
        try:
            self.sync(entries, first_focus)
            for item in items:
                row = self.rows[item["id"]]
                if row.item != item:  # after a run most rows already show this result
                    row.set_result(item)
            self._counts = (len(checks), len(items))
            self._say_not_shown()
        finally:
            self.content.show()

    def _say_not_shown(self) -> None:
        total, shown = self._counts
        self.not_shown.setVisible(shown < total)
        if shown < total:
            self.not_shown.setText(NOT_SHOWN.with_params(n=total, shown=shown).render(self.lang))

    def _group_box(self, group: str) -> tuple[QLabel, QFrame, QVBoxLayout]:
        if group not in self.groups:
            title = PlainLabel(S.GROUPS.get(group, S.GROUPS["computer"]).render(self.lang), self.content)
            title.setObjectName("groupTitle")
            font = title.font()
            font.setBold(True)
            title.setFont(font)
            card = Card(self.content)
            box = QVBoxLayout(card)
            box.setContentsMargins(0, 2, 0, 2)
            box.setSpacing(0)
            # Keep the topic order of GROUPS however the checks arrive.
            groups = _groups()
            position = sum(1 for g in groups[: groups.index(group) if group in groups else len(groups)]
                           if g in self.groups)
            self.groups_layout.insertWidget(position * 2, title)
            self.groups_layout.insertWidget(position * 2 + 1, card)
            theme.style_tree(title)
            self.groups[group] = (title, card, box)
        return self.groups[group]

    def sync(self, entries: list[Entry], first_focus: QWidget) -> None:
        """One row per entry, in its group; rows of checks no longer listed go."""
        wanted = {check_id for check_id, _, _ in entries}
        for check_id in [i for i in self.rows if i not in wanted]:
            self.rows.pop(check_id).deleteLater()
        for check_id, group, titles in entries:
            if check_id in self.rows:
                self.rows[check_id].titles = titles
                continue
            group = group if group in _groups() else "computer"
            _, card, box = self._group_box(group)
            row = CheckRow(check_id, titles, card)
            row.first = box.count() == 0
            row.fix_requested.connect(self.on_fix)
            row.retranslate(self.lang)
            box.addWidget(row)
            self.rows[check_id] = row
        for title, card, _ in self.groups.values():
            visible = any(r.parent() is card for r in self.rows.values())
            title.setVisible(visible)
            card.setVisible(visible)
        self._fix_tab_order(first_focus)

    def _fix_tab_order(self, previous: QWidget) -> None:
        for group in _groups():
            if group not in self.groups:
                continue
            box = self.groups[group][2]
            for i in range(box.count()):
                item = box.itemAt(i)
                row = item.widget() if item is not None else None
                if isinstance(row, CheckRow):
                    for w in (row.fix_button, row.details_button):
                        QWidget.setTabOrder(previous, w)
                        previous = w

    def needed_height(self) -> int:
        """How tall the content is at the current width (for screenshots)."""
        width = self.viewport().width()
        layout = self.groups_layout
        return (layout.totalHeightForWidth(width) if layout.hasHeightForWidth()
                else layout.sizeHint().height())
