"""The watch chart, drawn with QPainter: one function for the window and the PDF.

`draw_watch_chart` paints into any rectangle of any paint device (a widget, a
QPdfWriter page: vector there), scaling lines and text by the device's DPI.
Time runs left to right; each server's connect time is a line; outages are red
bands, gaps in the data hatched grey bands, changes of the route dashed marks.
QtCharts is not used: it lives in the PySide6-Addons wheel (175 MB download,
439 MB installed, for 4.5 MB of chart libraries) and would draw differently in
the PDF; this is a few hundred lines of painting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from checks.shared.i18n import t
from checks.watch.chart import Y_TICKS, ChartData, time_step

# Tableau 10: distinguishable, also for the common colour-vision deficiencies.
SERIES_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948",
                  "#9c755f", "#ff9da7", "#bab0ac", "#e15759")

WAITING = t("Waiting for the first samples…", "正在等待第一批采样…")
AXIS_MS = t("connect time (ms)", "连接时间（毫秒）")
OUTAGE = t("outage", "断线")
GAP = t("no data", "无数据")

Scale = Callable[[float], float]  # seconds or milliseconds -> device coordinate


@dataclass(frozen=True)
class ChartStyle:
    background: str = "#ffffff"
    text: str = "#37474f"
    grid: str = "#dfe3e6"
    outage: str = "#e53935"
    gap: str = "#90a4ae"
    event: str = "#ef6c00"
    colours: tuple[str, ...] = field(default=SERIES_COLOURS)
    point_size: float = 8.0


DARK_STYLE = ChartStyle(background="#1e2227", text="#c9d1d9", grid="#3a4048")


def _fmt_time(wall: float | None, x: float, step: float) -> str:
    if wall is None:
        minutes, seconds = divmod(int(x), 60)
        return f"+{minutes}:{seconds:02d}"
    return datetime.fromtimestamp(wall + x).strftime("%H:%M:%S" if step < 60 else "%H:%M")


def _legend_rows(data: ChartData, width: float, fm: QFontMetricsF, unit: float
                 ) -> list[list[tuple[int, str, float]]]:
    rows: list[list[tuple[int, str, float]]] = [[]]
    x = 0.0
    for index, line in enumerate(data.lines):
        w = 14 * unit + fm.horizontalAdvance(line.label) + 14 * unit
        if rows[-1] and x + w > width:
            rows.append([])
            x = 0.0
        rows[-1].append((index, line.label, w))
        x += w
    return [r for r in rows if r]


def draw_watch_chart(painter: QPainter, rect: QRectF, data: ChartData, lang: str,
                     style: ChartStyle = ChartStyle()) -> None:
    """Paint `data` into `rect`: axes, bands, lines and a legend under the plot."""
    device = painter.device()
    unit = (device.logicalDpiY() if device is not None else 96) / 96.0
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.fillRect(rect, QColor(style.background))
    font = QFont(painter.font())
    font.setPointSizeF(style.point_size)
    painter.setFont(font)
    fm = QFontMetricsF(font, device) if device is not None else QFontMetricsF(font)
    line_h = fm.height()
    legend = _legend_rows(data, rect.width() - 8 * unit, fm, unit)
    legend_h = len(legend) * line_h * 1.3
    left = rect.left() + fm.horizontalAdvance("30000") + 10 * unit
    top = line_h * 2.0  # the axis title, then half a line for the top grid label
    plot = QRectF(left, rect.top() + top, rect.right() - left - 8 * unit,
                  rect.height() - top - line_h * 1.6 - legend_h - 6 * unit)
    if plot.width() <= 10 or plot.height() <= 10:
        painter.restore()
        return
    text_pen = QPen(QColor(style.text))
    painter.setPen(text_pen)
    painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), line_h),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                     AXIS_MS.render(lang))
    span = max(data.span_s, 10.0)

    def px(x: float) -> float:
        return plot.left() + plot.width() * min(max(x, 0.0), span) / span

    def py(ms: float) -> float:
        return plot.bottom() - plot.height() * min(ms, data.y_max_ms) / data.y_max_ms

    _bands(painter, plot, data, px, style, unit, fm, lang)
    _grid(painter, plot, data, px, py, style, unit, fm, span)
    if data.empty:
        painter.setPen(text_pen)
        painter.drawText(plot, int(Qt.AlignmentFlag.AlignCenter), WAITING.render(lang))
    _lines(painter, plot, data, px, py, style, unit)
    _events(painter, plot, data, px, style, unit)
    _legend(painter, QRectF(rect.left() + 4 * unit, plot.bottom() + line_h * 1.6,
                            rect.width(), legend_h), legend, style, unit, fm)
    painter.restore()


def _bands(painter: QPainter, plot: QRectF, data: ChartData, px: Scale, style: ChartStyle,
           unit: float, fm: QFontMetricsF, lang: str) -> None:
    outage = QColor(style.outage)
    outage.setAlpha(60)
    for x0, x1, _where in data.outages:
        left, right = px(x0), px(x1)
        band = QRectF(left, plot.top(), max(right - left, 2 * unit), plot.height())
        painter.fillRect(band, outage)
    gap = QColor(style.gap)
    brush = QBrush(gap, Qt.BrushStyle.BDiagPattern)
    painter.save()
    # The hatch pattern's spacing is in device pixels: scale it for print.
    brush.setTransform(brush.transform().scale(unit, unit))
    for x0, x1 in data.gaps:
        band = QRectF(px(x0), plot.top(), max(px(x1) - px(x0), 2 * unit), plot.height())
        painter.fillRect(band, brush)
        if band.width() > fm.horizontalAdvance(GAP.render(lang)) + 4 * unit:
            painter.setPen(QPen(gap))
            painter.drawText(band, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                             GAP.render(lang))
    painter.restore()


def _grid(painter: QPainter, plot: QRectF, data: ChartData, px: Scale, py: Scale,
          style: ChartStyle, unit: float, fm: QFontMetricsF, span: float) -> None:
    grid = QPen(QColor(style.grid), 1 * unit)
    text = QPen(QColor(style.text))
    right_align = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    for i in range(Y_TICKS + 1):
        ms = data.y_max_ms * i / Y_TICKS
        y = py(ms)
        painter.setPen(grid)
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(text)
        painter.drawText(QRectF(plot.left() - fm.horizontalAdvance("30000") - 8 * unit,
                                y - fm.height() / 2, fm.horizontalAdvance("30000") + 4 * unit,
                                fm.height()), right_align, f"{ms:g}")
    step = time_step(span)
    # Ticks on round clock times when the wall time is known.
    offset = 0.0 if data.start_wall is None else (-data.start_wall) % step
    x = offset
    while x <= span + 1e-6:
        sx = px(x)
        painter.setPen(grid)
        painter.drawLine(QPointF(sx, plot.top()), QPointF(sx, plot.bottom()))
        painter.setPen(text)
        label = _fmt_time(data.start_wall, x, step)
        w = fm.horizontalAdvance(label)
        if sx + w / 2 <= plot.right() + 6 * unit:  # a label cut off at the edge says nothing
            painter.drawText(QRectF(sx - w / 2 - 2 * unit, plot.bottom() + 2 * unit,
                                    w + 4 * unit, fm.height()),
                             int(Qt.AlignmentFlag.AlignCenter), label)
        x += step
    painter.setPen(QPen(QColor(style.text), 1 * unit))
    painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))


def _lines(painter: QPainter, plot: QRectF, data: ChartData, px: Scale, py: Scale,
           style: ChartStyle, unit: float) -> None:
    """Each line as separate segments: stroking one long polyline computes every join and
    took ~25 ms per server on the window's thread; segments take well under 1 ms."""
    painter.save()
    painter.setClipRect(plot.adjusted(-2 * unit, -2 * unit, 2 * unit, 2 * unit))
    for index, line in enumerate(data.lines):
        colour = QColor(style.colours[index % len(style.colours)])
        segments: list[QLineF] = []
        dots: list[QPointF] = []
        previous: QPointF | None = None
        previous_x = 0.0
        for x, mean, _low, _high in line.points:
            if mean is None:
                previous = None
                continue
            point = QPointF(px(x), py(mean))
            broken = any(g0 <= x and g1 >= previous_x for g0, g1 in data.gaps)
            if previous is not None and not broken:
                segments.append(QLineF(previous, point))
            else:
                dots.append(point)  # a point with no neighbour stays visible
            previous, previous_x = point, x
        painter.setPen(QPen(colour, 1.6 * unit, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLines(segments)
        painter.setPen(QPen(colour, 3 * unit, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawPoints(dots)
    painter.restore()


def _events(painter: QPainter, plot: QRectF, data: ChartData, px: Scale, style: ChartStyle,
            unit: float) -> None:
    pen = QPen(QColor(style.event), 1.2 * unit, Qt.PenStyle.DashLine)
    painter.setPen(pen)
    for x, _kind in data.events:
        sx = px(x)
        painter.drawLine(QPointF(sx, plot.top()), QPointF(sx, plot.bottom()))


def _legend(painter: QPainter, area: QRectF, rows: list[list[tuple[int, str, float]]],
            style: ChartStyle, unit: float, fm: QFontMetricsF) -> None:
    y = area.top()
    for row in rows:
        x = area.left()
        for index, label, width in row:
            colour = QColor(style.colours[index % len(style.colours)])
            mid = y + fm.height() / 2
            painter.setPen(QPen(colour, 2.5 * unit))
            painter.drawLine(QPointF(x, mid), QPointF(x + 10 * unit, mid))
            painter.setPen(QPen(QColor(style.text)))
            painter.drawText(QRectF(x + 14 * unit, y, width, fm.height()),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), label)
            x += width
        y += fm.height() * 1.3


class WatchChart(QWidget):
    """The live chart in the window; `set_data` from the GUI thread repaints it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: ChartData | None = None
        self.lang = "en"
        self.style_ = ChartStyle()
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, data: ChartData | None) -> None:
        self.data = data
        self.update()

    def set_style(self, style: ChartStyle) -> None:
        self.style_ = style
        self.update()

    def paintEvent(self, event: object) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        try:
            empty = ChartData(None, 60.0, (), (), (), (), 100.0)
            draw_watch_chart(painter, QRectF(self.rect()), self.data or empty, self.lang,
                             self.style_)
        finally:
            painter.end()
