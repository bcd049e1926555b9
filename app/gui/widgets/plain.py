"""Labels and tooltips that show text as it is, never as markup.

Much of what the window shows comes from a network or a file: a captive portal's
address, a certificate's name, a saved report. QLabel and tooltips guess "rich
text" from a leading tag, so `<h1>ALL GOOD</h1><img src=file://…>` in such a text
would draw a heading and load a local file. Every label of the window is a
PlainLabel (Qt.PlainText), every tooltip goes through `plain_tip` (escaped), and a
run of characters without a place to break gets one every BREAK_EVERY characters
(a zero-width space), so a 2,000-character address wraps instead of stretching the
window to thousands of pixels.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QWidget

from checks.shared.safe_text import printable

BREAK_EVERY = 40
ZERO_WIDTH_SPACE = "\u200b"
MAX_TIP = 2000  # characters of a tooltip
MAX_LABEL = 20_000  # characters of a label (a saved report's strings may hold 64 K)
# Runs Qt finds no line break in: no space, and not Chinese (which breaks anywhere).
_UNBROKEN = re.compile(r"[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
                       f"{ZERO_WIDTH_SPACE}]{{{BREAK_EVERY + 1},}}")


def breakable(text: str) -> str:
    """`text` with a zero-width space after every BREAK_EVERY characters of a run that
    has no other place to wrap."""
    def split(match: re.Match[str]) -> str:
        run = match.group(0)
        return ZERO_WIDTH_SPACE.join(run[i:i + BREAK_EVERY] for i in range(0, len(run), BREAK_EVERY))

    return _UNBROKEN.sub(split, text)


def shown(text: str, limit: int = MAX_LABEL) -> str:
    """What a label draws of `text`: cut to `limit` characters, control characters as
    symbols (line breaks stay), long runs breakable."""
    return breakable(printable(text, limit, newlines=True))


def plain_tip(text: str) -> str:
    """A tooltip showing `text` literally (escaped rich text, so long ones still wrap)."""
    if not text:
        return ""
    escaped = html.escape(shown(text, MAX_TIP), quote=False).replace("\n", "<br/>")
    return f"<qt>{escaped}</qt>"  # <qt>: rich text for sure, whatever the text starts with


def tip_text(tip: str) -> str:
    """What a person reads in a tooltip made by `plain_tip`."""
    if not tip.startswith("<qt>"):
        return tip
    document = QTextDocument()
    document.setHtml(tip)
    return document.toPlainText().replace("\u2029", "\n")


class PlainLabel(QLabel):
    """A QLabel that never interprets markup, and wraps long unbroken text."""

    def __init__(self, text: str | QWidget | None = None, parent: QWidget | None = None) -> None:
        if isinstance(text, QWidget):  # PlainLabel(parent), like QLabel(parent)
            text, parent = None, text
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        if text:
            self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt API)
        super().setText(shown(text))
