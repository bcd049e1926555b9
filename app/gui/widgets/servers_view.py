"""The Servers tab: the endpoint matrix beside the lights.

One row per server, one column per thing measured (`checks.report.matrix`). Each
cell has a tint, a symbol and words (never colour alone); a cell that was not
measured shows "—" with a numbered note below the table and the reason as its
tooltip.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui import theme
from app.gui.widgets.plain import PlainLabel, plain_tip, tip_text
from checks.shared.i18n import t

CHECKS_TAB = t("Checks", "检测项")
SERVERS_TAB = t("Servers", "服务器")
TITLE = t("What was measured on each server", "每台服务器的检测结果")
NO_REPORT = t("Run a check to see every server here.", "检测完成后，这里会列出每台服务器的结果。")
TINT = 0.18  # how much of the status colour a cell's background takes


class ServersView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("servers")
        self.report: Mapping[str, Any] | None = None
        self.lang = "en"
        self.matrix: dict[str, Any] = {}
        self.title = PlainLabel(self)
        self.title.setObjectName("groupTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.source = PlainLabel(self)
        self.source.setWordWrap(True)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.legend = PlainLabel(self)
        self.legend.setObjectName("caption")
        self.legend.setWordWrap(True)
        self.table = QTableWidget(0, 0, self)
        self.table.setObjectName("matrix")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Stretched sections get their widths after resizeEvent: fit the rows once they have.
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._fit)
        self.table.horizontalHeader().sectionResized.connect(lambda *_: self._refit.start())
        self.notes = PlainLabel(self)
        self.notes.setObjectName("caption")
        self.notes.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 8)
        layout.setSpacing(6)
        for widget in (self.title, self.source, self.legend, self.table, self.notes):
            layout.addWidget(widget)
        layout.addStretch(1)
        theme.style_tree(self)
        self.show_report(None, "en")

    def show_report(self, report: Mapping[str, Any] | None, lang: str) -> None:
        self.report, self.lang = report, lang
        if report is None:
            self.matrix = {}
        else:
            from checks.report.matrix import build_matrix

            self.matrix = build_matrix(report)
        self._render()

    def retranslate(self, lang: str) -> None:
        if lang != self.lang:
            self.lang = lang
            self._render()

    def _render(self) -> None:
        lang = self.lang
        self.title.setText(TITLE.render(lang))
        if self.report is None:  # nothing measured yet: the matrix code is not needed
            for widget in (self.source, self.table, self.legend):
                widget.setVisible(False)
            self.notes.setText(NO_REPORT.render(lang))
            self.notes.setVisible(True)
            return
        # Loaded with the first report (it imports the engine's check registry).
        from checks.report.matrix import (
            LEGEND,
            NO_SERVERS,
            cell_of,
            header_titles,
            source_texts,
        )

        self.legend.setText(LEGEND.render(lang))
        sources = source_texts(self.matrix)
        self.source.setVisible(bool(sources))
        self.source.setText("\n".join(x.render(lang) for x in sources))
        rows = list(self.matrix.get("rows") or [])
        columns = list(self.matrix.get("columns") or [])
        self.table.setVisible(bool(rows))
        self.legend.setVisible(bool(rows))
        if not rows:
            self.notes.setText(NO_SERVERS.render(lang))
            self.notes.setVisible(True)
            return
        self.table.setColumnCount(len(columns) + 1)
        self.table.setHorizontalHeaderLabels(header_titles(self.matrix, lang))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setRowCount(len(rows))
        notes: dict[str, int] = {}
        for r, row in enumerate(rows):
            self.table.setItem(r, 0, self._server_item(row))
            for c, column in enumerate(columns, start=1):
                self.table.setItem(r, c, self._cell_item(cell_of(row, column.get("id")), notes))
        self.notes.setText("\n".join(f"({n}) {note}" for note, n in notes.items()))
        self.notes.setVisible(bool(notes))
        self._fit()

    def _server_item(self, row: Mapping[str, Any]) -> QTableWidgetItem:
        from checks.report.matrix import server_details

        text = "\n".join([str(row.get("host")), *(x.render(self.lang) for x in server_details(row))])
        item = QTableWidgetItem(text)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        item.setToolTip(plain_tip(text))
        return item

    def _cell_item(self, cell: Mapping[str, Any], notes: dict[str, int]) -> QTableWidgetItem:
        from checks.report.matrix import SYMBOLS, cell_words

        state = str(cell.get("state") or "none")
        text, number = cell_words(cell, self.lang, notes)
        note = (cell.get("note") or {}).get(self.lang)
        # Not measured: the symbol says so, the numbered note below says why.
        shown = f"{SYMBOLS.get(state, '–')} {text if number is None else f'({number})'}"
        item = QTableWidgetItem(shown)
        item.setToolTip(plain_tip(str(note) if note else text))
        item.setData(Qt.ItemDataRole.UserRole, state)
        palette = self.palette()
        colour = theme.status_color("skipped" if state == "none" else state, palette)
        item.setBackground(QBrush(theme.mix(theme.card_bg(palette), colour,
                                            TINT / 3 if state == "none" else TINT)))
        return item

    def _fit(self) -> None:
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(height + 2)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self.table.rowCount():
            self._fit()

    def cells(self) -> list[list[tuple[str, str, str]]]:
        """(text, tooltip, state) of every cell as shown, row by row (server first)."""
        out = []
        for r in range(self.table.rowCount()):
            row = []
            for c in range(self.table.columnCount()):
                item = self.table.item(r, c)
                if item is not None:
                    row.append((item.text(), tip_text(item.toolTip()),
                                str(item.data(Qt.ItemDataRole.UserRole) or "")))
            out.append(row)
        return out


class ResultTabs(QTabWidget):
    """The lights ("Checks") and the endpoint matrix ("Servers") side by side."""

    def __init__(self, checks_page: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultTabs")
        self.servers = ServersView()
        self.servers_page = QScrollArea(self)
        self.servers_page.setWidgetResizable(True)
        self.servers_page.setFrameShape(QFrame.Shape.NoFrame)
        self.servers_page.setWidget(self.servers)
        self.addTab(checks_page, "")
        self.addTab(self.servers_page, "")
        self.retranslate("en")

    def retranslate(self, lang: str) -> None:
        self.setTabText(0, CHECKS_TAB.render(lang))
        self.setTabText(1, SERVERS_TAB.render(lang))
        self.servers.retranslate(lang)

    def show_report(self, report: Mapping[str, Any] | None, lang: str) -> None:
        self.servers.show_report(report, lang)

    def show_servers(self) -> None:
        self.setCurrentWidget(self.servers_page)

    def fitting_height(self) -> int:
        """The height the Servers page needs without scrolling (for screenshots)."""
        tab_bar = self.tabBar().sizeHint().height()
        return tab_bar + self.servers.sizeHint().height() + 12
