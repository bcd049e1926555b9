"""A check's evidence as a person reads it: labelled lines, then small tables.

What is shown comes from `checks.report.readable` (each check renders its own evidence,
words and units in both languages, no key paths); the raw JSON stays one click
away ("Copy raw evidence" in the row).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui import strings as S
from app.gui.widgets.plain import PlainLabel, plain_tip
from checks.report import evidence_view, readable


class _FittedTable(QTableWidget):
    """Read-only, word-wrapped, as tall as its rows so the page scrolls, not the table."""

    def __init__(self, columns: int, parent: QWidget | None = None) -> None:
        super().__init__(0, columns, parent)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.setWordWrap(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Stretched sections get their widths after resizeEvent: fit the rows once they have.
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self.fit)
        header.sectionResized.connect(lambda *_: self._refit.start())

    def fill(self, headers: list[str], rows: list[list[str]]) -> None:
        self.setColumnCount(len(headers))
        self.setHorizontalHeaderLabels(headers)
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(plain_tip(text))
                self.setItem(r, c, item)
        self.fit()

    def texts(self) -> list[list[str]]:
        def text(row: int, col: int) -> str:
            item = self.item(row, col)
            return item.text() if item is not None else ""

        return [[text(r, c) for c in range(self.columnCount())] for r in range(self.rowCount())]

    def headers(self) -> list[str]:
        items = [self.horizontalHeaderItem(c) for c in range(self.columnCount())]
        return [item.text() for item in items if item is not None]

    def fit(self) -> None:
        self.resizeRowsToContents()
        height = self.horizontalHeader().height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(height + 2)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self.fit()


class EvidenceTable(QWidget):
    """Labelled lines in a two-column table, each small table under its caption."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidence")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._lines: list[tuple[str, str]] = []
        self._tables: list[tuple[str, _FittedTable]] = []
        self.shown: evidence_view.Shown = evidence_view.Shown()

    def set_evidence(self, item: Mapping[str, Any], lang: str) -> None:
        """`item` is the check's report entry (its id picks the renderer)."""
        while self._layout.count():
            taken = self._layout.takeAt(0)
            child = taken.widget() if taken is not None else None
            if child is not None:
                child.deleteLater()
        self.shown = readable.render(item, lang)
        self._lines, self._tables = list(self.shown.lines), []
        pending: list[tuple[str, str]] = []
        for kind, index in self.shown.order:
            if kind == "line":
                pending.append(self.shown.lines[index])
                continue
            self._add_lines(pending, lang)
            pending = []
            title, headers, rows = self.shown.tables[index]
            caption = PlainLabel(title, self)
            caption.setObjectName("caption")
            caption.setWordWrap(True)
            self._layout.addWidget(caption)
            table = _FittedTable(len(headers), self)
            table.fill(headers, rows)
            self._layout.addWidget(table)
            self._tables.append((title, table))
        self._add_lines(pending, lang)
        if not self.shown.order:
            self._layout.addWidget(PlainLabel(S.EMPTY.render(lang), self))

    def _add_lines(self, lines: list[tuple[str, str]], lang: str) -> None:
        if not lines:
            return
        table = _FittedTable(2, self)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.fill([S.EVIDENCE_KEY.render(lang), S.EVIDENCE_VALUE.render(lang)],
                   [list(pair) for pair in lines])
        self._layout.addWidget(table)

    def rows(self) -> list[tuple[str, str]]:
        """The labelled lines as shown."""
        return list(self._lines)

    def tables(self) -> list[tuple[str, list[list[str]]]]:
        """Each small table's caption and its rows as shown."""
        return [(title, table.texts()) for title, table in self._tables]

    def texts(self) -> list[str]:
        """Every text a person sees in the evidence."""
        out = [x for pair in self._lines for x in pair]
        for title, table in self._tables:
            out += [title, *table.headers(), *(c for row in table.texts() for c in row)]
        return out
