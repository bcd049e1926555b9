"""The endpoint matrix in the PDF: one row per server, a tinted cell per measurement with
its symbol and words; a cell that was not measured carries a numbered note."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.pdf.page import LIGHTS, Block, escape
from checks.report.matrix import (
    LEGEND,
    NO_SERVERS,
    SYMBOLS,
    build_matrix,
    cell_of,
    cell_words,
    header_titles,
    server_details,
    source_texts,
)

_TINTS = {"ok": "#e8f5e9", "info": "#e1f5fe", "warn": "#fff3e0", "fail": "#ffebee",
          "none": "#f4f5f6"}


_MARK_COLOURS = {"ok": LIGHTS["ok"][1], "info": LIGHTS["info"][1], "warn": LIGHTS["warn"][1],
                 "fail": LIGHTS["fail"][1], "none": LIGHTS["skipped"][1]}


SERVER_WIDTH = 17  # per cent of the page width for the server column


def matrix_blocks(report: dict[str, Any], lang: str, heading: str) -> list[Block]:
    matrix = build_matrix(report)
    blocks = [Block(f"<h2>{escape(heading)}</h2>", keep_with_next=True, space_before=6)]
    for source in source_texts(matrix):
        blocks.append(Block(f'<p class="small">{escape(source.render(lang))}</p>', keep_with_next=True))
    rows = matrix.get("rows") or []
    if not rows:
        return [*blocks, Block(f"<p>{escape(NO_SERVERS.render(lang))}</p>")]
    columns = matrix.get("columns") or []
    widths = _matrix_widths([str(c.get("id")) for c in columns])
    header = _matrix_row_html([(f'<b class="small">{escape(x)}</b>', None)
                               for x in header_titles(matrix, lang)], widths)
    blocks.append(Block(f'<p class="small muted">{escape(LEGEND.render(lang))}</p>', keep_with_next=True))
    blocks.append(Block(header, background="#eceff1", keep_with_next=True, margin=0.2))
    notes: dict[str, int] = {}
    for row in rows:
        cells: list[tuple[str, str | None]] = [(_server_html(row, lang), None)]
        for column in columns:
            cells.append(_matrix_cell(cell_of(row, column.get("id")), lang, notes))
        blocks.append(Block(_matrix_row_html(cells, widths), rule_below=True, margin=0.2,
                            repeat_header=header))
    if notes:
        lines = "<br/>".join(f"{n}. {escape(note)}" for note, n in notes.items())
        blocks.append(Block(f'<p class="small muted">{lines}</p>', space_before=1))
    return blocks


# Relative widths: the answers and the certificate need room, a connect time little.
_COLUMN_WEIGHTS = {"system_dns": 1.3, "trusted_dns": 1.3, "tls": 1.6, "http": 0.95, "latency": 1.0}


_TCP_WEIGHT = 0.95


def _matrix_widths(ids: list[str]) -> list[int]:
    """Per cent of the page for the server column, then for each measurement."""
    weights = [_COLUMN_WEIGHTS.get(i, _TCP_WEIGHT) for i in ids]
    room = 100 - SERVER_WIDTH
    widths = [int(room * w / sum(weights)) for w in weights] if weights else []
    if widths:
        widths[-1] += room - sum(widths)
    return [SERVER_WIDTH, *widths]


def _server_html(row: dict[str, Any], lang: str) -> str:
    details = "".join(f'<br/><span class="muted">{escape(x.render(lang))}</span>'
                      for x in server_details(row))
    return f'<span class="small"><b>{escape(_breakable(str(row.get("host"))))}</b>{details}</span>'


def _matrix_cell(cell: Mapping[str, Any], lang: str, notes: dict[str, int]) -> tuple[str, str | None]:
    state = str(cell.get("state") or "none")
    symbol, colour = SYMBOLS.get(state, SYMBOLS["none"]), _MARK_COLOURS.get(state, "#757575")
    text, number = cell_words(cell, lang, notes)
    # Not measured: the symbol says so, the numbered note says why.
    shown = escape(text) if number is None else f"<sup>{number}</sup>"
    return (f'<span class="small"><b style="color:{colour};">{escape(symbol)}</b>&nbsp;'
            f"{shown}</span>", _TINTS.get(state))


def _matrix_row_html(cells: list[tuple[str, str | None]], widths: list[int]) -> str:
    tds = "".join(
        f'<td width="{w}%"{f" bgcolor={tint!r}" if tint else ""}>{content}</td>'
        for (content, tint), w in zip(cells, widths, strict=True))
    return (f'<table width="100%" cellspacing="1" cellpadding="2" border="0">'
            f"<tr>{tds}</tr></table>")


def _breakable(host: str) -> str:
    """Long server names may wrap after a dot (Qt breaks only at spaces otherwise)."""
    return host.replace(".", ".\u200b")
