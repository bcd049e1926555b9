"""What every wxdoctor PDF page is made of: A4 at a fixed resolution, the fonts (a Latin
family first, a CJK one for Chinese, a bundled one when the system has none), blocks of
rich text laid out top to bottom and never cut across pages, the running header and the
"page n of m" footer.

Every text a block carries is escaped (`escape`) before it becomes markup.
"""

from __future__ import annotations

import html
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)

from checks.shared.resources import resource_path

RESOLUTION = 300  # dots per inch of the PDF's coordinate system


MARGIN_MM = 15.0


# First family present wins; the rest stay as fallbacks for missing glyphs.
CJK_FAMILIES = ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
                "Hiragino Sans GB", "WenQuanYi Micro Hei", "Heiti SC", "SimHei", "SimSun")


LATIN_FAMILIES = ("Segoe UI", "Helvetica Neue", "Arial", "Noto Sans", "DejaVu Sans",
                  "Liberation Sans")


# Never colour alone: a symbol and a word go with every light.
LIGHTS = {
    "ok": ("✓", "#2e7d32"),
    "info": ("i", "#0277bd"),
    "warn": ("!", "#ef6c00"),
    "fail": ("✗", "#c62828"),
    "skipped": ("–", "#757575"),
    "error": ("?", "#616161"),
}


_app: QGuiApplication | None = None


def ensure_app() -> QGuiApplication:
    """Qt needs a QGuiApplication for fonts and painting; reuse a running GUI's."""
    global _app
    existing = QGuiApplication.instance()
    if isinstance(existing, QGuiApplication):
        return existing
    if existing is not None:
        raise RuntimeError("a non-GUI QCoreApplication is running; cannot render a PDF")
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    _app = QGuiApplication([sys.argv[0] if sys.argv else "wxdoctor"])
    return _app


def font_families(lang: str) -> list[str]:
    """Families in preference order for `lang`, loading a bundled font if the OS has no CJK one."""
    available = set(QFontDatabase.families())
    cjk = [f for f in CJK_FAMILIES if f in available]
    if not cjk:
        cjk = _load_bundled_fonts()
    latin = [f for f in LATIN_FAMILIES if f in available]
    # Latin text always comes from a Latin font: CJK fonts substitute digit glyphs in some
    # contexts, and those glyphs lose their characters when text is copied from the PDF.
    return latin + cjk


def _load_bundled_fonts() -> list[str]:
    folder = resource_path("fonts")
    families: list[str] = []
    if folder.is_dir():
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() in (".ttf", ".otf", ".ttc"):
                font_id = QFontDatabase.addApplicationFont(str(file))
                if font_id >= 0:
                    families += QFontDatabase.applicationFontFamilies(font_id)
    return families


def escape(text: Any) -> str:
    return html.escape(str(text), quote=False)


@dataclass
class Block:
    html: str
    keep_with_next: bool = False
    background: str | None = None
    rule_below: bool = False
    repeat_header: str | None = None  # table header to repeat when this row opens a page
    space_before: float = 0.0  # in millimetres
    margin: float = 0.6  # document margin, millimetres
    doc: QTextDocument | None = None
    height: float = 0.0


class Layout:
    def __init__(self, writer: QPdfWriter, font: QFont) -> None:
        self.writer = writer
        self.font = font
        self.mm = RESOLUTION / 25.4
        self.width = float(writer.width())
        self.header_h = 8 * self.mm
        self.footer_h = 8 * self.mm
        self.body_h = float(writer.height()) - self.header_h - self.footer_h

    def document(self, markup: str, margin: float = 0.6) -> QTextDocument:
        doc = QTextDocument()
        doc.documentLayout().setPaintDevice(self.writer)
        doc.setDefaultFont(self.font)
        doc.setDocumentMargin(margin * self.mm)
        doc.setDefaultStyleSheet(CSS)
        doc.setHtml(markup)
        doc.setTextWidth(self.width)
        return doc

    def prepare(self, block: Block) -> None:
        block.doc = self.document(block.html, block.margin)
        block.height = block.doc.size().height()

    def paginate(self, blocks: list[Block]) -> list[list[tuple[Block, float]]]:
        """Pages of (block, y) placements; header rows are re-inserted at page tops."""
        headers: dict[str, Block] = {}
        pages: list[list[tuple[Block, float]]] = [[]]
        y = 0.0
        for index, block in enumerate(blocks):
            if block.doc is None:
                self.prepare(block)
            gap = block.space_before * self.mm if pages[-1] else 0.0
            need = gap + block.height
            # A heading stays with what follows it, through a chain of headings.
            follow = index
            while blocks[follow].keep_with_next and follow + 1 < len(blocks):
                follow += 1
                if blocks[follow].doc is None:
                    self.prepare(blocks[follow])
                need += blocks[follow].height
            if pages[-1] and y + need > self.body_h:
                pages.append([])
                y, gap = 0.0, 0.0
                if block.repeat_header:
                    header = headers.get(block.repeat_header)
                    if header is None:
                        header = Block(block.repeat_header, background="#eceff1")
                        self.prepare(header)
                        headers[block.repeat_header] = header
                    pages[-1].append((header, y))
                    y += header.height
            y += gap
            pages[-1].append((block, y))
            y += block.height
            # Only a block taller than a page runs over onto the next one.
            while y > self.body_h:
                pages.append([])
                y -= self.body_h
                pages[-1].append((block, y - block.height))
        return pages


CSS = """
h1 { font-size: 17pt; margin: 0; }
h2 { font-size: 12.5pt; margin: 0; }
h3 { font-size: 10.5pt; margin: 0; }
td { vertical-align: top; }
.muted { color: #555555; }
.small { font-size: 7.5pt; }
.key { color: #37474f; }
"""


def a4_writer(target: Path, title: str, report: dict[str, Any]) -> QPdfWriter:
    """An A4 PDF writer at RESOLUTION with our margins, title and creator (every PDF)."""
    ensure_app()
    target.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(target))
    writer.setResolution(RESOLUTION)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                          QPageLayout.Unit.Millimeter)
    writer.setTitle(title)
    writer.setCreator(f"wxdoctor {report.get('tool', {}).get('version', '')}")
    return writer


def no_ligatures(font: QFont) -> None:
    """"fl" drawn as one ligature glyph would be copied out of the PDF as "ﬂ"."""
    tag = getattr(QFont, "Tag", None)
    if tag is not None and hasattr(font, "setFeature"):  # Qt 6.7 and later
        for feature in ("liga", "clig", "dlig"):
            font.setFeature(tag(feature), 0)


def draw_page_frame(painter: QPainter, layout: Layout, font: QFont, header: str, footer: str) -> None:
    draw_frame(painter, font, layout.width, layout.header_h, layout.body_h, layout.footer_h,
               layout.mm, header, footer)


def draw_frame(painter: QPainter, font: QFont, width: float, header_h: float, body_h: float,
               footer_h: float, mm: float, header: str, footer: str) -> None:
    """The running header (title, time, a rule) and the page-number footer of a page."""
    painter.save()
    painter.setFont(font)
    painter.setPen(QColor("#666666"))
    painter.drawText(QRectF(0, 0, width, header_h * 0.7),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), header)
    painter.setPen(QPen(QColor("#b0bec5"), 0.25 * mm))
    painter.drawLine(QPointF(0, header_h * 0.75), QPointF(width, header_h * 0.75))
    painter.setPen(QColor("#666666"))
    bottom = header_h + body_h
    painter.drawText(QRectF(0, bottom + footer_h * 0.3, width, footer_h * 0.7),
                     int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter), footer)
    painter.restore()


def draw_block(painter: QPainter, layout: Layout, block: Block, y: float) -> None:
    assert block.doc is not None
    top = layout.header_h + y
    visible_top = max(top, layout.header_h)
    visible_bottom = min(top + block.height, layout.header_h + layout.body_h)
    if visible_bottom <= visible_top:
        return
    painter.save()
    painter.setClipRect(QRectF(0, visible_top, layout.width, visible_bottom - visible_top))
    if block.background:
        painter.fillRect(QRectF(0, top, layout.width, block.height), QColor(block.background))
    painter.translate(0, top)
    block.doc.drawContents(painter, QRectF(QPointF(0, visible_top - top),
                                           QSizeF(layout.width, visible_bottom - visible_top)))
    painter.restore()
    if block.rule_below and top + block.height <= layout.header_h + layout.body_h:
        painter.save()
        painter.setPen(QPen(QColor("#cfd8dc"), 0.15 * layout.mm))
        bottom = top + block.height
        painter.drawLine(QPointF(0, bottom), QPointF(layout.width, bottom))
        painter.restore()
