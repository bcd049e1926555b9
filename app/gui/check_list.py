"""The window's list of lights: one row per check, grouped by topic. A mixin of
MainWindow, kept apart so the window module stays small.

A saved report may hold far more checks than wxdoctor has (a file from elsewhere, or
made to be heavy): the list shows at most MAX_ROWS rows, the findings first, and
says how many it left out (the PDF and the JSON export keep them all). Rows are
built with the list hidden, so the layout is worked out once, not once per row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.gui import strings as S
from app.gui import theme
from app.gui.widgets.card import Card
from app.gui.widgets.check_row import CheckRow
from app.gui.widgets.plain import PlainLabel
from checks.engine.check import GROUPS
from checks.shared.i18n import t

AUTO_EXPAND = 2  # finding rows opened automatically after a run
MAX_ROWS = 100  # check rows drawn; wxdoctor itself has fewer than 20 checks
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


class CheckList:
    report: dict[str, Any] | None
    report_note: str
    lang: str
    _populated: bool

    if TYPE_CHECKING:  # provided by MainWindow
        card: Any
        tabs: Any

        def _fix_row(self, check_id: str) -> None: ...
        def _render_card(self) -> None: ...

    def _widget(self) -> QWidget:
        assert isinstance(self, QWidget)
        return self

    def _build_check_list(self) -> None:
        """The scrolling list of lights, grouped by topic (groups appear as checks do)."""
        self.rows: dict[str, CheckRow] = {}
        self._groups: dict[str, tuple[QLabel, QFrame, QVBoxLayout]] = {}
        self.content = QWidget(self._widget())
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
        self.scroll_area = QScrollArea(self._widget())
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self.content)

    def _group_box(self, group: str) -> tuple[QLabel, QFrame, QVBoxLayout]:
        if group not in self._groups:
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
            position = sum(1 for g in GROUPS[: GROUPS.index(group) if group in GROUPS else len(GROUPS)]
                           if g in self._groups)
            self.groups_layout.insertWidget(position * 2, title)
            self.groups_layout.insertWidget(position * 2 + 1, card)
            theme.style_tree(title)
            self._groups[group] = (title, card, box)
        return self._groups[group]

    def _sync_rows(self, entries: list[tuple[str, str, dict[str, str]]]) -> None:
        wanted = {check_id for check_id, _, _ in entries}
        for check_id in [i for i in self.rows if i not in wanted]:
            self.rows.pop(check_id).deleteLater()
        for check_id, group, titles in entries:
            if check_id in self.rows:
                self.rows[check_id].titles = titles
                continue
            group = group if group in GROUPS else "computer"
            _, card, box = self._group_box(group)
            row = CheckRow(check_id, titles, card)
            row.first = box.count() == 0
            row.fix_requested.connect(self._fix_row)
            row.retranslate(self.lang)
            box.addWidget(row)
            self.rows[check_id] = row
        for title, card, _ in self._groups.values():
            visible = any(r.parent() is card for r in self.rows.values())
            title.setVisible(visible)
            card.setVisible(visible)
        self._fix_tab_order()

    def _fix_tab_order(self) -> None:
        previous: QWidget = self.card.fix_button
        for group in GROUPS:
            if group not in self._groups:
                continue
            box = self._groups[group][2]
            for i in range(box.count()):
                item = box.itemAt(i)
                row = item.widget() if item is not None else None
                if isinstance(row, CheckRow):
                    for w in (row.fix_button, row.details_button):
                        QWidget.setTabOrder(previous, w)
                        previous = w

    def show_report(self, report: dict[str, Any], note: str = "") -> None:
        """Show a finished or saved report (rows, lights, diagnosis)."""
        self.report, self.report_note = report, note
        self._populated = True
        checks = list(report.get("checks", []))
        items = shown_checks(checks)
        entries = [(c["id"], c.get("group", "computer"), {k: v.get("title", "") for k, v in c.get("i18n", {}).items()})
                   for c in items]
        self.content.hide()  # one layout pass for all the rows, not one per row
        try:
            self._sync_rows(entries)
            for item in items:
                row = self.rows[item["id"]]
                if row.item != item:  # after a run most rows already show this result
                    row.set_result(item)
            self._show_not_shown(len(checks), len(items))
        finally:
            self.content.show()
        self.card.retranslate_controls(self.lang, True)
        self._render_card()
        self.tabs.show_report(report, self.lang)
        # Opening the findings builds tables: a separate, later slice of GUI work.
        QTimer.singleShot(0, lambda: self._expand_findings(report))

    def _show_not_shown(self, total: int, shown: int) -> None:
        self._not_shown_counts = (total, shown)
        self.not_shown.setVisible(shown < total)
        if shown < total:
            self.not_shown.setText(NOT_SHOWN.with_params(n=total, shown=shown).render(self.lang))

    def retranslate_list(self, lang: str) -> None:
        for group, (title, _, _) in self._groups.items():
            title.setText(S.GROUPS[group].render(lang))
        for row in self.rows.values():
            row.retranslate(lang)
        total, shown = getattr(self, "_not_shown_counts", (0, 0))
        if shown < total:
            self.not_shown.setText(NOT_SHOWN.with_params(n=total, shown=shown).render(lang))

    def show_verdict(self) -> None:
        """The card and the Servers tab again, from the report as it is now (after a fix)."""
        if self.report is not None:
            self._render_card()
            self.tabs.show_report(self.report, self.lang)

    def _expand_findings(self, report: dict[str, Any]) -> None:
        if report is not self.report:
            return
        causes = report.get("diagnosis", {}).get("causes", [])
        if causes and causes[0].get("code") != "healthy":
            because = [i for i in causes[0].get("because", []) if i in self.rows]
            for check_id in because[:AUTO_EXPAND]:
                self.rows[check_id].set_expanded(True)

    def fitting_height(self, limit: int = 1800) -> int:
        """A height that shows everything without scrolling (for screenshots)."""
        chrome = self._widget().height() - self.scroll_area.viewport().height()
        width = self.scroll_area.viewport().width()
        layout = self.groups_layout
        needed = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.sizeHint().height()
        return min(limit, chrome + needed + 4)

