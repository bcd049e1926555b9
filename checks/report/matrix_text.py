"""The endpoint matrix as plain text for a terminal or a ticket (`--matrix`).

A table fitted to the terminal width: cells wrap inside their column, Chinese
characters count as two columns. Every cell starts with an ASCII mark (a Windows
console in GBK has no check-mark glyphs), colour is added only on a terminal; a
cell that was not measured points at a numbered note below the table.

The work is linear in the text and the text is bounded: a cell, a server name or a
note longer than MAX_CELL characters is cut (saying so), and its control characters
are shown as symbols (a saved matrix may come from anywhere).
"""

from __future__ import annotations

import functools
import re
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
from checks.shared.safe_text import printable

MARKS = {"ok": "+", "info": "i", "warn": "!", "fail": "x", "none": "-"}
_COLOURS = {"ok": "32", "info": "36", "warn": "33", "fail": "31", "none": "90"}
TITLE = t("Servers", "服务器")
LEGEND = t("+ ok   i note   ! warning   x failed   - not measured, [n] says why",
           "+ 正常   i 提示   ! 警告   x 失败   - 未检测，[n] 为原因")
MIN_COLUMN = 8
MAX_CELL = 400  # characters of one cell's text shown; a real cell has a few dozen
MAX_TABLE = 1_000_000  # characters of the table: rows after that are counted, not shown
NOT_SHOWN = t("… and {n} more servers, not shown here (the JSON report has them all).",
              "……另有 {n} 台服务器未在此列出（JSON 报告中有全部服务器）。")
GLUE = "\u00a0"  # between a mark and its text: never broken, printed as a space


def terminal_width() -> int:
    """The terminal's columns; 120 when the output goes to a file or a pipe."""
    return shutil.get_terminal_size((120, 24)).columns


@functools.lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    if text.isascii():
        return len(text)
    return len(text) + sum(_char_width(c) - 1 for c in _NON_ASCII.findall(text))


def wrap(text: str, limit: int) -> list[str]:
    """Lines of at most `limit` columns, broken at spaces where there are any."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0
        for word in _words(paragraph):
            size = width(word)
            if used + size <= limit:
                line.append(word)
                used += size
                continue
            if "".join(line).strip():
                lines.append("".join(line).rstrip())
            word = word.lstrip()
            size = width(word)
            while size > limit:  # a word longer than the column is cut
                cut = _fit(word, limit)
                lines.append(word[:cut])
                size -= width(word[:cut])
                word = word[cut:]
            line, used = [word], size
        lines.append("".join(line).rstrip())
    return lines


def _words(text: str) -> list[str]:
    """Latin text breaks at spaces, Chinese between any two characters; GLUE joins the
    words on either side of it."""
    out: list[str] = []
    for index, part in enumerate(text.split(GLUE)):
        words = _plain_words(part)
        if index:  # a GLUE before this part: it joins the word before and the one after
            if out:
                out[-1] += GLUE
            else:
                out.append(GLUE)
            if words:
                out[-1] += words[0]
                words = words[1:]
        out += words
    return out


_ASCII_WORDS = re.compile(r"\S+|\s")


def _plain_words(text: str) -> list[str]:
    if text.isascii():  # runs of non-space characters; each space on its own
        return _ASCII_WORDS.findall(text)
    words: list[list[str]] = []
    for char in text:
        if words:
            last = words[-1][-1]
            if (not char.isspace() and _char_width(char) == 1
                    and _char_width(last) == 1 and not last.isspace()):
                words[-1].append(char)
                continue
        words.append([char])
    return ["".join(word) for word in words]


def _fit(text: str, limit: int) -> int:
    used = 0
    for index, char in enumerate(text):
        used += _char_width(char)
        if used > limit:
            return max(index, 1)
    return len(text)


def _shown(text: str) -> str:
    """A text as the table shows it: cut to MAX_CELL characters, controls as symbols."""
    return printable(text, MAX_CELL, newlines=True)


def render_matrix(matrix: Mapping[str, Any], lang: str, columns: int = 120,
                  colour: bool = False) -> str:
    rows = list(matrix.get("rows") or [])
    out = [TITLE.render(lang), LEGEND.render(lang),
           *(_shown(x.render(lang)) for x in source_texts(matrix))]
    if not rows:
        return "\n".join([*out, NO_SERVERS.render(lang)]) + "\n"
    notes: dict[str, int] = {}
    header = [_shown(title) for title in header_titles(matrix, lang)]
    keys = [str(c.get("id")) for c in matrix.get("columns") or []]
    body = [[_server(row, lang)] + [_cell(row, key, lang, notes) for key in keys] for row in rows]
    states = [["none"] + [str(cell_of(row, k).get("state", "none")) for k in keys]
              for row in rows]
    table, shown = _table(header, body, states, columns, colour)
    out = [line for text in out for line in wrap(text, max(columns, 40))] + ["", *table]
    if shown < len(rows):
        out += ["", NOT_SHOWN.with_params(n=len(rows) - shown).render(lang)]
    if notes:
        out.append("")
        out += [line for note, n in notes.items()
                for line in wrap(f"[{n}] {_shown(note)}", max(columns, 40))]
    return "\n".join(out) + "\n"


def _server(row: Mapping[str, Any], lang: str) -> str:
    return _shown("\n".join([str(row.get("host")), *(x.render(lang) for x in server_details(row))]))


def _cell(row: Mapping[str, Any], key: str, lang: str, notes: dict[str, int]) -> str:
    cell = cell_of(row, key)
    state = str(cell.get("state", "none"))
    text, number = cell_words(cell, lang, notes)
    if number is not None:
        text = f"[{number}]"
    return f"{MARKS.get(state, '-')}{GLUE}{_shown(text)}"


def _table(header: Sequence[str], body: Sequence[Sequence[str]], states: Sequence[Sequence[str]],
           columns: int, colour: bool) -> tuple[list[str], int]:
    """The table's lines, and how many rows they show (up to MAX_TABLE characters)."""
    gap = 2
    natural = [max(width(line) for r in [header, *body] for line in r[i].split("\n"))
               for i in range(len(header))]
    floors = [min(natural[i], _longest_word([r[i] for r in body]), 30) for i in range(len(header))]
    widths = _fit_widths(natural, max(columns, 40) - gap * (len(header) - 1), floors)
    lines = _line(header, widths, gap)
    lines.append((" " * gap).join("-" * w for w in widths))
    size = sum(len(line) for line in lines)
    for index, (row, row_states) in enumerate(zip(body, states, strict=True)):
        if size > MAX_TABLE:
            return lines, index
        if index:
            lines.append("")
        drawn = _line(row, widths, gap, row_states if colour else None)
        lines += drawn
        size += sum(len(line) + 1 for line in drawn)
    return lines, len(body)


def _fit_widths(natural: list[int], room: int, floors: list[int]) -> list[int]:
    """Narrow the widest columns until the table fits: first down to their longest
    word (an address stays whole), then, if it must, to MIN_COLUMN. The widest column
    loses one column at a time (the first of equals first), done level by level."""
    widths = list(natural)
    for limits in (floors, [min(f, MIN_COLUMN) for f in floors]):
        excess = sum(widths) - room
        while excess > 0:
            shrinkable = [i for i in range(len(widths)) if widths[i] > limits[i]]
            if not shrinkable:
                break
            top = max(widths[i] for i in shrinkable)
            at_top = [i for i in shrinkable if widths[i] == top]
            # How far they all go down together before meeting another column or a limit.
            below = max([widths[i] for i in shrinkable if widths[i] < top]
                        + [limits[i] for i in at_top])
            steps = min(top - below, excess // len(at_top))
            for i in at_top:
                widths[i] -= steps
            excess -= steps * len(at_top)
            if steps < top - below:  # fewer than one round left: the first of them
                for i in at_top[:excess]:
                    widths[i] -= 1
                excess = 0
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
