"""Evidence as a readable two-column table: nested data flattened to key/value rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.gui import strings as S

MAX_LIST = 6  # list items shown before "… and N more"
MAX_ROWS = 60  # rows shown in total; the JSON export has everything
MAX_TEXT = 300  # characters of one value


def _scalar(value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return (S.YES if value else S.NO).render(lang)
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (Mapping, list, tuple))


def flatten(evidence: Any, lang: str = "en", prefix: str = "") -> list[tuple[str, str]]:
    """Nested dicts become dotted keys; short scalar lists one row; long lists elided."""
    rows: list[tuple[str, str]] = []
    if isinstance(evidence, Mapping):
        if not evidence and prefix:
            rows.append((prefix, S.EMPTY.render(lang)))
        for key, value in evidence.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            rows.extend(flatten(value, lang, path))
    elif isinstance(evidence, (list, tuple)):
        items = list(evidence)
        if not items:
            rows.append((prefix, S.EMPTY.render(lang)))
        elif all(_is_scalar(v) for v in items):
            shown = ", ".join(_scalar(v, lang) for v in items[:MAX_LIST])
            if len(items) > MAX_LIST:
                shown += " " + S.render(S.MORE_ITEMS, lang, n=len(items) - MAX_LIST)
            rows.append((prefix, shown))
        else:
            for i, value in enumerate(items[:MAX_LIST]):
                rows.extend(flatten(value, lang, f"{prefix}[{i}]"))
            if len(items) > MAX_LIST:
                rows.append((f"{prefix}[…]", S.render(S.MORE_ITEMS, lang, n=len(items) - MAX_LIST)))
    else:
        rows.append((prefix, _scalar(evidence, lang)))
    if len(rows) > MAX_ROWS and not prefix:
        extra = len(rows) - MAX_ROWS
        rows = rows[:MAX_ROWS] + [("…", S.render(S.MORE_ITEMS, lang, n=extra))]
    return rows


class EvidenceTable(QTableWidget):
    """Read-only, sized to its rows so the page scrolls, not the table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 2, parent)
        self.setObjectName("evidence")
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.setWordWrap(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.setAlternatingRowColors(True)

    def set_evidence(self, evidence: Any, lang: str) -> None:
        self.setHorizontalHeaderLabels([S.EVIDENCE_KEY.render(lang), S.EVIDENCE_VALUE.render(lang)])
        rows = flatten(evidence, lang)
        self.setRowCount(len(rows))
        for i, (key, value) in enumerate(rows):
            for col, text in enumerate((key, value)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.setItem(i, col, item)
        self.resizeRowsToContents()
        self._fit_height()

    def rows(self) -> list[tuple[str, str]]:
        def text(row: int, col: int) -> str:
            item = self.item(row, col)
            return item.text() if item is not None else ""

        return [(text(r, 0), text(r, 1)) for r in range(self.rowCount())]

    def _fit_height(self) -> None:
        height = self.horizontalHeader().height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(height + 2)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self.resizeRowsToContents()
        self._fit_height()
