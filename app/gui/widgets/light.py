"""A traffic light that is not colour alone: a shaped SVG icon plus a text label.

Icons ship in resources/icons/ with #000000 as the status colour and #FFFFFF as
the glyph colour; both are replaced from the palette at paint time, so the light
is crisp at any scale and readable in light and dark themes.
"""

from __future__ import annotations

from functools import cache, lru_cache

from PySide6.QtCore import QByteArray, QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from app.gui import strings as S
from app.gui import theme
from app.gui.widgets.plain import PlainLabel
from checks.engine.results import Status
from checks.shared.i18n import Text
from checks.shared.resources import resource_path

ICONS = ("ok", "info", "warn", "fail", "skipped", "error", "pending", "running", "idle")


@cache
def _svg_source(name: str) -> str:
    name = name if name in ICONS else "error"
    return resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")


@lru_cache(maxsize=128)
def _renderer(name: str, fill: str, glyph: str) -> QSvgRenderer:
    svg = _svg_source(name).replace("#000000", fill).replace("#FFFFFF", glyph)
    return QSvgRenderer(QByteArray(svg.encode("utf-8")))


def status_label(state: str) -> Text:
    if state == "pending":
        return S.PENDING
    if state == "running":
        return S.RUNNING
    if state == "idle":
        return S.IDLE
    try:
        return Status(state).label
    except ValueError:
        return Status.ERROR.label


class LightIcon(QLabel):
    """Just the shaped icon, as a cached pixmap at the screen's pixel ratio (crisp on
    HiDPI, and no Python code runs when Qt repaints it)."""

    def __init__(self, size: int = 22, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # a picture only, never markup
        self._state = "pending"
        self._size = size
        self._key: tuple[str, int] | None = None
        self.setFixedSize(QSize(size, size))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._refresh()

    @property
    def state(self) -> str:
        return self._state

    def set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self._refresh()

    def _refresh(self) -> None:
        palette = self.palette()
        key = (self._state, palette.cacheKey())
        if key == self._key:
            return
        self._key = key
        fill = theme.status_color(self._state, palette).name()
        glyph = palette.color(QPalette.ColorRole.Base).name()
        self.setPixmap(_pixmap(self._state, fill, glyph, self._size, self.devicePixelRatioF()))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ScreenChangeInternal):
            self._key = None  # the palette or the pixel ratio changed
            self._refresh()


@lru_cache(maxsize=256)
def _pixmap(name: str, fill: str, glyph: str, size: int, ratio: float) -> QPixmap:
    pixels = max(1, round(size * ratio))
    image = QPixmap(pixels, pixels)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _renderer(name, fill, glyph).render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    image.setDevicePixelRatio(ratio)
    return image


class Light(QWidget):
    """Icon + status word ("正常", "故障"...), coloured like the icon."""

    def __init__(self, size: int = 22, show_text: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.icon = LightIcon(size, self)
        self.text = PlainLabel(self)
        bold = self.text.font()
        bold.setBold(True)
        self.text.setFont(bold)
        self.text.setVisible(show_text)
        self.text.setMinimumWidth(0)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.text, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._lang = "en"
        self._name = ""
        self._shown = False  # set_state has run once

    @property
    def state(self) -> str:
        return self.icon.state

    def set_state(self, state: str, lang: str, name: str = "") -> None:
        """`name` is what the light is about (a check title) for screen readers."""
        if (state, lang, name) == (self.icon.state, self._lang, self._name) and self._shown:
            return  # nothing to change: spare the GUI thread the Qt calls
        self._lang, self._name = lang, name
        self._shown = True
        self.icon.set_state(state)
        word = status_label(state).render(lang)
        self.text.setText(word)
        self._recolor()
        accessible = S.render(S.LIGHT_NAME, lang, title=name, status=word) if name else word
        self.setAccessibleName(accessible)
        self.icon.setAccessibleName(accessible)
        self.setToolTip(word)

    def status_word(self) -> str:
        return self.text.text()

    def _recolor(self) -> None:
        # A palette, not a style sheet: re-polishing a style sheet per update is slow.
        color = theme.status_color(self.icon.state, self.palette())
        palette = self.text.palette()
        if palette.color(QPalette.ColorRole.WindowText) != color:
            palette.setColor(QPalette.ColorRole.WindowText, color)
            self.text.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._recolor()
