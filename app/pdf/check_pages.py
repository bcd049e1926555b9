"""The A4 PDF report for tickets, rendered with Qt from the JSON report.

Layout is a simple flow of blocks: each block is a small QTextDocument laid out
at the page width; blocks are placed top to bottom and never cut across pages
(a block taller than a page is the only exception). Knowing every page before
drawing gives "page 2 of 5" footers. Fonts are embedded by Qt's PDF engine.
"""

from __future__ import annotations

import html
import os
import sys
from collections.abc import Mapping
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

from app.pdf.text_map import fix_text_mapping
from checks.engine import codes
from checks.engine.results import Status
from checks.report import readable
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
from checks.report.plain_text import localized
from checks.shared.i18n import Text, t
from checks.shared.resources import resource_path
from checks.tencent.products import NAMES

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

# Every sentence of the PDF, in both languages (rendered once per report).
TEXTS: dict[str, Text] = {
    'title': t('wxdoctor network report', 'wxdoctor 网络检测报告'),
    'time': t('Time', '检测时间'),
    'tool': t('Tool', '工具版本'),
    'duration': t('Duration', '用时'),
    'machine': t('Computer', '电脑'),
    'product': t('Tested', '检测对象'),
    'lang': t('Language', '语言'),
    'verdict': t('Overall result', '总体结果'),
    'cause': t('Most likely cause', '最可能的原因'),
    'do': t('What to do', '建议操作'),
    'because': t('Based on these checks', '判断依据'),
    'also': t('Also found', '另外发现'),
    'checks': t('All checks', '全部检测项'),
    'light': t('Result', '结果'),
    'check': t('Check', '检测项'),
    'summary': t('Finding', '发现'),
    'details': t('Details of the findings', '异常项详情'),
    'evidence': t('Evidence', '检测数据'),
    'advice': t('What to do', '建议操作'),
    'problems': t('Failures', '失败项'),
    'fixes': t('Fixes applied', '已执行的修复'),
    'fix': t('Fix', '修复'),
    'undone': t('(undone later)', '（之后已撤销）'),
    'journal': t('Journal', '日志编号'),
    'before': t('Before', '修复前'),
    'after': t('After', '修复后'),
    'page': t('page {n} of {total}', '第 {n} 页，共 {total} 页'),
    'more_items': t('… {n} more', '……另有 {n} 项'),
    'redacted': t('User name, computer name and public IP addresses are hidden in this report.', '本报告已隐藏用户名、计算机名和公网 IP 地址。'),
    'not_redacted': t('This report is not redacted: it contains the user name, computer name and IP addresses.', '本报告未做隐藏处理，包含用户名、计算机名和 IP 地址。'),
    'cancelled': t('The run was cancelled before every check finished.', '检测在全部完成前被取消。'),
    'seconds': t('{s:.1f} s', '{s:.1f} 秒'),
    'all_ok': t('Every check passed; no details to show.', '所有检测项均正常，没有需要说明的详情。'),
    'servers': t('Servers', '服务器'),
}


def _words(lang: str) -> dict[str, Any]:
    words: dict[str, Any] = {key: text.render(lang) for key, text in TEXTS.items()}
    words["products"] = {key: name.render(lang) for key, name in NAMES.items()}
    return words


_STATUSES = {s.value for s in Status}
MAX_LIST_ITEMS = 8

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


def _e(text: Any) -> str:
    return html.escape(str(text), quote=False)


# -- blocks and pagination --------------------------------------------------------------


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


class _Layout:
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
        doc.setDefaultStyleSheet(_CSS)
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


_CSS = """
h1 { font-size: 17pt; margin: 0; }
h2 { font-size: 12.5pt; margin: 0; }
h3 { font-size: 10.5pt; margin: 0; }
td { vertical-align: top; }
.muted { color: #555555; }
.small { font-size: 7.5pt; }
.key { color: #37474f; }
"""


def _badge(status: str, lang: str, big: bool = False) -> str:
    symbol, colour = LIGHTS.get(status, LIGHTS["error"])
    word = Status(status).label.render(lang) if status in _STATUSES else status
    size = "12pt" if big else "8.5pt"
    return (
        f'<span style="background-color:{colour}; color:#ffffff; font-weight:bold; '
        f'font-size:{size};">&nbsp;{_e(symbol)}&nbsp;{_e(word)}&nbsp;</span>'
    )


def _row_table(cells: list[tuple[str, int]], padding: int = 3) -> str:
    tds = "".join(f'<td width="{w}%">{content}</td>' for content, w in cells)
    return (
        f'<table width="100%" cellspacing="0" cellpadding="{padding}" border="0">'
        f"<tr>{tds}</tr></table>"
    )


def _machine(report: dict[str, Any]) -> str:
    system = report.get("system", {})
    parts = [system.get("os_version") or system.get("os", ""), system.get("machine", "")]
    host = system.get("hostname")
    if host:
        parts.append(host)
    return " · ".join(p for p in parts if p)


def _product(report: dict[str, Any], words: dict[str, Any]) -> str:
    products = {e.get("product") for e in report.get("endpoints", []) if e.get("product")}
    key = products.pop() if len(products) == 1 else ("both" if products else "")
    count = len(report.get("endpoints", []))
    name = words["products"].get(key, key)
    return f"{name} ({count})" if name else str(count)


def build_blocks(report: dict[str, Any], lang: str) -> list[Block]:
    words = _words(lang)
    checks_by_id = {c["id"]: c for c in report.get("checks", [])}
    blocks: list[Block] = []

    # Title and facts about the run.
    meta = [
        (words["time"], report.get("started_at", "")),
        (words["tool"], f"wxdoctor {report.get('tool', {}).get('version', '?')}"),
        (words["duration"], words["seconds"].format(s=float(report.get("duration_s") or 0))),
        (words["machine"], _machine(report)),
        (words["product"], _product(report, words)),
    ]
    rows = "".join(
        f'<tr><td width="22%" class="key">{_e(k)}</td><td width="78%">{_e(v)}</td></tr>'
        for k, v in meta
    )
    blocks.append(Block(
        f"<h1>{_e(words['title'])}</h1>"
        f'<table width="100%" cellspacing="0" cellpadding="2">{rows}</table>'
    ))

    # The verdict, the primary cause and its evidence chain.
    status = report.get("status", "error")
    causes = report.get("diagnosis", {}).get("causes", [])
    parts = [f"<h2>{_e(words['verdict'])}&nbsp;&nbsp;{_badge(status, lang, big=True)}</h2>"]
    if causes:
        primary = causes[0]
        parts.append(
            f'<p style="font-size:12pt;"><b>{_e(words["cause"])}：</b>'
            if lang == "zh" else f'<p style="font-size:12pt;"><b>{_e(words["cause"])}:</b> '
        )
        parts[-1] += f"{_e(localized(primary, 'summary', lang))}</p>"
        advice = localized(primary, "advice", lang)
        if advice:
            sep = "：" if lang == "zh" else ": "
            parts.append(f"<p><b>{_e(words['do'])}{sep}</b>{_e(advice)}</p>")
    if report.get("cancelled"):
        parts.append(f"<p><i>{_e(words['cancelled'])}</i></p>")
    blocks.append(Block("".join(parts), background="#f5f7f8", space_before=4))
    if causes and causes[0].get("because"):
        blocks.append(Block(f"<h3>{_e(words['because'])}</h3>", keep_with_next=True,
                            space_before=2))
        for check_id in causes[0]["because"]:
            blocks.append(_chain_row(checks_by_id.get(check_id), check_id, lang))
    for other in causes[1:]:
        because = ", ".join(other.get("because", []))
        sep = "：" if lang == "zh" else ": "
        blocks.append(Block(
            f"<p><b>{_e(words['also'])}{sep}</b>{_e(localized(other, 'summary', lang))}"
            f' <span class="muted small">({_e(because)})</span></p>',
            space_before=1,
        ))

    # The servers and what was measured on each: the table a ticket reader wants.
    blocks += _matrix_blocks(report, lang)

    # Every check, one row each.
    header = _row_table([
        (f"<b>{_e(words['light'])}</b>", 20), (f"<b>{_e(words['check'])}</b>", 25),
        (f"<b>{_e(words['summary'])}</b>", 55),
    ])
    blocks.append(Block(f"<h2>{_e(words['checks'])}</h2>", keep_with_next=True, space_before=6))
    blocks.append(Block(header, background="#eceff1", keep_with_next=True))
    for index, check in enumerate(report.get("checks", [])):
        cells = [
            (_badge(check["status"], lang), 20),
            (f"{_e(localized(check, 'title', lang))}<br/>"
             f'<span class="muted small">{_e(check["id"])}</span>', 25),
            (_e(localized(check, "summary", lang)), 55),
        ]
        blocks.append(Block(
            _row_table(cells), rule_below=True, repeat_header=header,
            background="#fafafa" if index % 2 else None,
        ))

    # Details for every check that is not ok.
    bad = [c for c in report.get("checks", [])
           if c["status"] not in (Status.OK.value, Status.SKIPPED.value)]
    blocks.append(Block(f"<h2>{_e(words['details'])}</h2>", keep_with_next=True, space_before=6))
    if not bad:
        blocks.append(Block(f"<p>{_e(words['all_ok'])}</p>"))
    for check in bad:
        blocks += _detail_blocks(check, lang)

    fixes = report.get("fixes_applied") or []
    if fixes:
        blocks.append(Block(f"<h2>{_e(words['fixes'])}</h2>", keep_with_next=True, space_before=6))
        for fix in fixes:
            blocks.append(_fix_block(fix, checks_by_id, lang))

    redaction = report.get("redaction") or {}
    note = words["redacted"] if redaction.get("applied") else words["not_redacted"]
    blocks.append(Block(f'<p class="muted small">{_e(note)}</p>', space_before=6))
    return blocks


def _chain_row(check: dict[str, Any] | None, check_id: str, lang: str) -> Block:
    if check is None:
        return Block(_row_table([("", 20), (_e(check_id), 80)]))
    return Block(_row_table([
        (_badge(check["status"], lang), 20),
        (f"<b>{_e(localized(check, 'title', lang))}</b> "
         f'<span class="muted small">({_e(check_id)})</span><br/>'
         f"{_e(localized(check, 'summary', lang))}", 80),
    ]))


def _detail_blocks(check: dict[str, Any], lang: str) -> list[Block]:
    words = _words(lang)
    sep = "：" if lang == "zh" else ": "
    head = (
        f"<h3>{_badge(check['status'], lang)}&nbsp; {_e(localized(check, 'title', lang))} "
        f'<span class="muted small">({_e(check["id"])})</span></h3>'
        f"<p>{_e(localized(check, 'summary', lang))}</p>"
    )
    advice = localized(check, "advice", lang)
    if advice:
        head += f"<p><b>{_e(words['advice'])}{sep}</b>{_e(advice)}</p>"
    problems = check.get("problems") or []
    if problems:
        shown = [_problem_words(problem, lang) for problem in problems[:MAX_LIST_ITEMS]]
        if len(problems) > MAX_LIST_ITEMS:
            shown.append(words["more_items"].format(n=len(problems) - MAX_LIST_ITEMS))
        head += f"<p><b>{_e(words['problems'])}{sep}</b>{_e('; '.join(shown))}</p>"
    blocks = [Block(head, keep_with_next=True, space_before=4, background="#f5f7f8")]
    shown_evidence = readable.render(check, lang)
    if not shown_evidence.order:
        return blocks
    blocks.append(Block(f'<p class="small"><b>{_e(words["evidence"])}</b></p>', keep_with_next=True))
    for kind, index in shown_evidence.order:
        if kind == "line":
            label, value = shown_evidence.lines[index]
            blocks.append(Block(_row_table([
                (f'<span class="key small">{_e(label)}</span>', 28),
                (f'<span class="small">{_e(value)}</span>', 72),
            ], padding=1), rule_below=True, margin=0.2))
        else:
            blocks.append(_evidence_table(*shown_evidence.tables[index]))
    return blocks


def _problem_words(problem: dict[str, Any], lang: str) -> str:
    """`qyapi.weixin.qq.com:443 refused`: where, then what went wrong, in words."""
    where = problem.get("host") or problem.get("address") or ""
    if problem.get("port"):
        where = f"{where}:{problem['port']}"
    meaning = codes.meaning(str(problem.get("code") or "")).render(lang)
    return f"{where} {meaning}".strip()


def _evidence_table(title: str, headers: list[str], rows: list[list[str]]) -> Block:
    head = "".join(f'<td bgcolor="#eceff1"><b class="small">{_e(h)}</b></td>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td><span class="small">{_e(c)}</span></td>' for c in row) + "</tr>"
        for row in rows)
    return Block(
        f'<p class="small"><b>{_e(title)}</b></p>'
        f'<table width="100%" cellspacing="0" cellpadding="1" border="0.5" '
        f'style="border-color:#cfd8dc; border-style:solid;"><tr>{head}</tr>{body}</table>',
        margin=0.4, space_before=1)


# -- the endpoint matrix -----------------------------------------------------------------

_TINTS = {"ok": "#e8f5e9", "info": "#e1f5fe", "warn": "#fff3e0", "fail": "#ffebee",
          "none": "#f4f5f6"}
_MARK_COLOURS = {"ok": LIGHTS["ok"][1], "info": LIGHTS["info"][1], "warn": LIGHTS["warn"][1],
                 "fail": LIGHTS["fail"][1], "none": LIGHTS["skipped"][1]}
SERVER_WIDTH = 17  # per cent of the page width for the server column


def _matrix_blocks(report: dict[str, Any], lang: str) -> list[Block]:
    words = _words(lang)
    matrix = build_matrix(report)
    blocks = [Block(f"<h2>{_e(words['servers'])}</h2>", keep_with_next=True, space_before=6)]
    for source in source_texts(matrix):
        blocks.append(Block(f'<p class="small">{_e(source.render(lang))}</p>', keep_with_next=True))
    rows = matrix.get("rows") or []
    if not rows:
        return [*blocks, Block(f"<p>{_e(NO_SERVERS.render(lang))}</p>")]
    columns = matrix.get("columns") or []
    widths = _matrix_widths([str(c.get("id")) for c in columns])
    header = _matrix_row_html([(f'<b class="small">{_e(x)}</b>', None)
                               for x in header_titles(matrix, lang)], widths)
    blocks.append(Block(f'<p class="small muted">{_e(LEGEND.render(lang))}</p>', keep_with_next=True))
    blocks.append(Block(header, background="#eceff1", keep_with_next=True, margin=0.2))
    notes: dict[str, int] = {}
    for row in rows:
        cells: list[tuple[str, str | None]] = [(_server_html(row, lang), None)]
        for column in columns:
            cells.append(_matrix_cell(cell_of(row, column.get("id")), lang, notes))
        blocks.append(Block(_matrix_row_html(cells, widths), rule_below=True, margin=0.2,
                            repeat_header=header))
    if notes:
        lines = "<br/>".join(f"{n}. {_e(note)}" for note, n in notes.items())
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
    details = "".join(f'<br/><span class="muted">{_e(x.render(lang))}</span>'
                      for x in server_details(row))
    return f'<span class="small"><b>{_e(_breakable(str(row.get("host"))))}</b>{details}</span>'


def _matrix_cell(cell: Mapping[str, Any], lang: str, notes: dict[str, int]) -> tuple[str, str | None]:
    state = str(cell.get("state") or "none")
    symbol, colour = SYMBOLS.get(state, SYMBOLS["none"]), _MARK_COLOURS.get(state, "#757575")
    text, number = cell_words(cell, lang, notes)
    # Not measured: the symbol says so, the numbered note says why.
    shown = _e(text) if number is None else f"<sup>{number}</sup>"
    return (f'<span class="small"><b style="color:{colour};">{_e(symbol)}</b>&nbsp;'
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


def _fix_block(fix: dict[str, Any], checks_by_id: dict[str, Any], lang: str) -> Block:
    words = _words(lang)
    before = fix.get("before") or {}
    after = fix.get("after") or {}
    rows = ""
    for check_id in dict.fromkeys([*before, *after]):
        check = checks_by_id.get(check_id)
        title = localized(check, "title", lang) if check else check_id
        old = _badge(before[check_id], lang) if check_id in before else "—"
        new = _badge(after[check_id], lang) if check_id in after else "—"
        rows += (f'<tr><td width="40%">{_e(title)} <span class="muted small">({_e(check_id)})'
                 f'</span></td><td width="30%">{old}</td><td width="30%">{new}</td></tr>')
    return Block(
        f"<p><b>{_e(words['fix'])}{'：' if lang == 'zh' else ': '}{_e(fix.get('fix_id', '?'))}</b>"
        f"{(' ' + _e(words['undone'])) if fix.get('undone') else ''}"
        f' <span class="muted small">{_e(words["journal"])} {_e(fix.get("journal_id", ""))}'
        "</span></p>"
        f'<table width="100%" cellspacing="0" cellpadding="3">'
        f'<tr><td width="40%"><b>{_e(words["check"])}</b></td>'
        f'<td width="30%"><b>{_e(words["before"])}</b></td>'
        f'<td width="30%"><b>{_e(words["after"])}</b></td></tr>{rows}</table>',
        rule_below=True, space_before=2,
    )


# -- drawing ------------------------------------------------------------------------------


def write_pdf(report: dict[str, Any], path: str | os.PathLike[str], lang: str) -> None:
    """Write `report` as an A4 PDF in `lang` ("zh" or "en") to `path`."""
    lang = "zh" if lang == "zh" else "en"
    _write_pdf(report, path, lang)


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


def _write_pdf(report: dict[str, Any], path: str | os.PathLike[str], lang: str) -> None:
    target = Path(path)
    writer = a4_writer(target, TEXTS["title"].render(lang), report)

    font = QFont()
    font.setFamilies(font_families(lang))
    font.setPointSizeF(9.5)
    _no_ligatures(font)
    layout = _Layout(writer, font)
    pages = layout.paginate(build_blocks(report, lang))

    small = QFont(font)
    small.setPointSizeF(7.5)
    words = _words(lang)
    header_text = f"{words['title']} · {report.get('started_at', '')}"
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write the PDF to {target}")
    try:
        for number, page in enumerate(pages, start=1):
            if number > 1:
                writer.newPage()
            _draw_frame(painter, layout, small, header_text,
                        words["page"].format(n=number, total=len(pages)))
            for block, y in page:
                _draw_block(painter, layout, block, y)
    finally:
        painter.end()
    drawn = set(header_text) | set(words["page"])
    for page in pages:
        for block, _y in page:
            assert block.doc is not None
            drawn |= set(block.doc.toPlainText())
    fix_text_mapping(target, drawn, font.families())


def _no_ligatures(font: QFont) -> None:
    """"fl" drawn as one ligature glyph would be copied out of the PDF as "ﬂ"."""
    tag = getattr(QFont, "Tag", None)
    if tag is not None and hasattr(font, "setFeature"):  # Qt 6.7 and later
        for feature in ("liga", "clig", "dlig"):
            font.setFeature(tag(feature), 0)


def _draw_frame(painter: QPainter, layout: _Layout, font: QFont, header: str, footer: str) -> None:
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


def _draw_block(painter: QPainter, layout: _Layout, block: Block, y: float) -> None:
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
