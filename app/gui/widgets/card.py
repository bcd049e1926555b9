"""A rounded panel painted from the palette (no style sheet, so repaints stay cheap)."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QWidget

from app.gui import theme


class Card(QFrame):
    def __init__(self, parent: QWidget | None = None, radius: float = 10.0) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.radius = radius

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.border(palette), 1))
        painter.setBrush(theme.card_bg(palette))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), self.radius, self.radius)
        painter.end()
