"""The endpoint matrix as plain text for a terminal or a ticket (`--matrix`).

A table fitted to the terminal width: cells wrap inside their column, Chinese
characters count as two columns. Every cell starts with an ASCII mark (a Windows
console in GBK has no check-mark glyphs), colour is added only on a terminal; a
cell that was not measured points at a numbered note below the table.
"""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from checks.report.matrix import (
    NO_SERVERS,
    cell_of,
    cell_words,
    header_titles,
    server_details,
    source_texts,
)
from checks.shared.i18n import t

MARKS = {"ok": "+", "info": "i", "warn": "!", "fail": "x", "none": "-"}
_COLOURS = {"ok": "32", "info": "36", "warn": "33", "fail": "31", "none": "90"}
TITLE = t("Servers", "服务器")
LEGEND = t("+ ok   i note   ! warning   x failed   - not measured, [n] says why",
           "+ 正常   i 提示   ! 警告   x 失败   - 未检测，[n] 为原因")
MIN_COLUMN = 8
GLUE = "\u00a0"  # between a mark and its text: never broken, printed as a space


def terminal_width() -> int:
    """The terminal's columns; 120 when the output goes to a file or a pipe."""
    return shutil.get_terminal_size((120, 24)).columns


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, limit: int) -> list[str]:
    """Lines of at most `limit` columns, broken at spaces where there are any."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in _words(paragraph):
            if width(line + word) <= limit:
                line += word
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = word.lstrip()
            while width(line) > limit:  # a word longer than the column is cut
                cut = _fit(line, limit)
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line.rstrip())
    return lines


def _words(text: str) -> list[str]:
    # Latin text breaks at spaces, Chinese between any two characters.
    out: list[str] = []
    for char in text:
        joined = char == GLUE or (out and out[-1][-1] == GLUE)
        if out and (joined or (not char.isspace() and width(char) == 1
                               and width(out[-1][-1]) == 1 and not out[-1][-1].isspace())):
            out[-1] += char
        else:
            out.append(char)
    return out


def _fit(text: str, limit: int) -> int:
    used = 0
    for index, char in enumerate(text):
        used += width(char)
        if used > limit:
            return max(index, 1)
    return len(text)


def render_matrix(matrix: Mapping[str, Any], lang: str, columns: int = 120,
                  colour: bool = False) -> str:
    rows = list(matrix.get("rows") or [])
    out = [TITLE.render(lang), LEGEND.render(lang), *(x.render(lang) for x in source_texts(matrix))]
    if not rows:
        return "\n".join([*out, NO_SERVERS.render(lang)]) + "\n"
    notes: dict[str, int] = {}
    header = header_titles(matrix, lang)
    keys = [str(c.get("id")) for c in matrix.get("columns") or []]
    body = [[_server(row, lang)] + [_cell(row, key, lang, notes) for key in keys] for row in rows]
    states = [["none"] + [str(cell_of(row, k).get("state", "none")) for k in keys]
              for row in rows]
    table = _table(header, body, states, columns, colour)
    out = [line for text in out for line in wrap(text, max(columns, 40))] + ["", *table]
    if notes:
        out.append("")
        out += [line for note, n in notes.items() for line in wrap(f"[{n}] {note}", max(columns, 40))]
    return "\n".join(out) + "\n"


def _server(row: Mapping[str, Any], lang: str) -> str:
    return "\n".join([str(row.get("host")), *(x.render(lang) for x in server_details(row))])


def _cell(row: Mapping[str, Any], key: str, lang: str, notes: dict[str, int]) -> str:
    cell = cell_of(row, key)
    state = str(cell.get("state", "none"))
    text, number = cell_words(cell, lang, notes)
    if number is not None:
        text = f"[{number}]"
    return f"{MARKS.get(state, '-')}{GLUE}{text}"


def _table(header: Sequence[str], body: Sequence[Sequence[str]], states: Sequence[Sequence[str]],
           columns: int, colour: bool) -> list[str]:
    gap = 2
    natural = [max(width(line) for r in [header, *body] for line in r[i].split("\n"))
               for i in range(len(header))]
    floors = [min(natural[i], _longest_word([r[i] for r in body]), 30) for i in range(len(header))]
    widths = _fit_widths(natural, max(columns, 40) - gap * (len(header) - 1), floors)
    lines = _line(header, widths, gap)
    lines.append((" " * gap).join("-" * w for w in widths))
    for index, (row, row_states) in enumerate(zip(body, states, strict=True)):
        if index:
            lines.append("")
        lines += _line(row, widths, gap, row_states if colour else None)
    return lines


def _fit_widths(natural: list[int], room: int, floors: list[int]) -> list[int]:
    """Narrow the widest columns until the table fits: first down to their longest
    word (an address stays whole), then, if it must, to MIN_COLUMN."""
    widths = list(natural)
    for limits in (floors, [min(f, MIN_COLUMN) for f in floors]):
        while sum(widths) > room:
            shrinkable = [i for i in range(len(widths)) if widths[i] > limits[i]]
            if not shrinkable:
                break
            widths[max(shrinkable, key=widths.__getitem__)] -= 1
    return widths


def _longest_word(texts: Sequence[str]) -> int:
    return max((width(word.strip()) for text in texts for word in _words(text)), default=1)


def _line(cells: Sequence[str], widths: Sequence[int], gap: int,
          states: Sequence[str] | None = None) -> list[str]:
    wrapped = [wrap(cell, w) for cell, w in zip(cells, widths, strict=True)]
    height = max(len(c) for c in wrapped)
    out = []
    for i in range(height):
        parts = []
        for column, (lines, w) in enumerate(zip(wrapped, widths, strict=True)):
            text = lines[i] if i < len(lines) else ""
            padded = text + " " * (w - width(text))
            if states is not None and i == 0 and column > 0:
                padded = f"\x1b[{_COLOURS.get(states[column], '0')}m{padded}\x1b[0m"
            parts.append(padded)
        out.append((" " * gap).join(parts).rstrip().replace(GLUE, " "))
    return out
