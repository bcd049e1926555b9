"""Copy-and-paste out of the PDF gives the characters that were drawn.

Qt's PDF engine writes, per embedded font, a ToUnicode map from each glyph back to
a character: the lowest code point the font's cmap gives that glyph. CJK fonts
share one glyph between an ideograph and its radical or compatibility variant
(页 U+9875 and ⻚ U+2EDA, 户 and 戶), so `pdftotext`, search and copied text would
read "第 2 ⻚" instead of "第 2 页" — a ticket system then cannot find the words.
Qt offers no way to choose the mapping, so the map is corrected after writing:
we know every character we drew, and where a mapped code point was never drawn
but shares its glyph with one that was, the map points to the drawn one. The maps
are uncompressed text and each replacement keeps its length, so the PDF's byte
offsets (its cross-reference table) stay valid.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QFont, QRawFont

_TOUNICODE_REF = re.compile(rb"/ToUnicode (\d+) 0 R")
_HEX4 = re.compile(rb"<([0-9A-Fa-f]{4})>")


class _Remap:
    def __init__(self, drawn: set[str], families: list[str]) -> None:
        self.drawn = {c for c in drawn if 0x2E80 <= ord(c) <= 0xFFFF}
        self.fonts = []
        for family in families:
            for weight in (QFont.Weight.Normal, QFont.Weight.Bold):
                font = QFont(family)
                font.setWeight(weight)
                raw = QRawFont.fromFont(font)
                if raw.isValid():
                    self.fonts.append(raw)
        self.by_glyph: list[dict[int, str]] = [
            {self._glyph(raw, c): c for c in sorted(self.drawn)} for raw in self.fonts
        ]
        self.cache: dict[int, int] = {}

    @staticmethod
    def _glyph(raw: QRawFont, char: str) -> int:
        glyphs = raw.glyphIndexesForString(char)
        return int(glyphs[0]) if glyphs else 0

    def code(self, code: int) -> int:
        if code in self.cache:
            return self.cache[code]
        result = code
        if code >= 0x2E80 and chr(code) not in self.drawn:
            for raw, table in zip(self.fonts, self.by_glyph, strict=True):
                glyph = self._glyph(raw, chr(code))
                if glyph and glyph in table:
                    result = ord(table[glyph])
                    break
        self.cache[code] = result
        return result

    def hex(self, match: re.Match[bytes]) -> bytes:
        return b"%04X" % self.code(int(match.group(1), 16))

    def sub(self, text: bytes) -> bytes:
        return _HEX4.sub(lambda m: b"<" + self.hex(m) + b">", text)

    def cmap(self, stream: bytes) -> bytes:
        lines = stream.split(b"\n")
        section = b""
        for index, line in enumerate(lines):
            if line.endswith((b"beginbfrange", b"beginbfchar")):
                section = line.split()[-1]
            elif line.startswith((b"endbfrange", b"endbfchar")):
                section = b""
            elif section == b"beginbfrange" and b"[" in line:  # <first> <last> [<dst> ...]
                head, _, rest = line.partition(b"[")
                lines[index] = head + b"[" + self.sub(rest)
            elif section in (b"beginbfrange", b"beginbfchar"):
                # <first> <last> <dst> or <src> <dst>: only the destination changes.
                parts = line.split(b" ")
                if len(parts) in (2, 3):
                    parts[-1] = self.sub(parts[-1])
                    lines[index] = b" ".join(parts)
        return b"\n".join(lines)


def fix_text_mapping(path: Path, drawn: set[str], families: list[str]) -> None:
    data = path.read_bytes()
    patched = bytearray(data)
    remap = _Remap(drawn, families)
    for number in set(_TOUNICODE_REF.findall(data)):
        start = data.find(b"\n" + number + b" 0 obj")
        head_end = data.find(b"stream\n", start) if start >= 0 else -1
        end = data.find(b"endstream", head_end) if head_end >= 0 else -1
        if end < 0 or b"/Filter" in data[start:head_end]:
            continue  # compressed maps are left alone
        body_start = head_end + len(b"stream\n")
        body = data[body_start:end]
        new = remap.cmap(body)
        if len(new) == len(body):
            patched[body_start:end] = new
    if patched != data:
        path.write_bytes(bytes(patched))
