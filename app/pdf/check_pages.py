"""The A4 PDF report for tickets, rendered with Qt from the JSON report: the run, the
verdict and its evidence chain, the servers, every check, the details of each finding
and the fixes applied.

Layout is a simple flow of blocks (app.pdf.page): each block is a small QTextDocument
laid out at the page width; blocks are placed top to bottom and never cut across pages
(a block taller than a page is the only exception). Knowing every page before drawing
gives "page 2 of 5" footers. Fonts are embedded by Qt's PDF engine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtGui import (
    QFont,
    QPainter,
)

from app.pdf.matrix_section import matrix_blocks
from app.pdf.page import (
    LIGHTS,
    Block,
    Layout,
    a4_writer,
    draw_block,
    draw_page_frame,
    escape,
    font_families,
    no_ligatures,
)
from app.pdf.text_map import fix_text_mapping
from checks.engine import codes
from checks.engine.results import Status
from checks.report import readable
from checks.report import words as w
from checks.report.plain_text import localized
from checks.report.rejudge import headline
from checks.shared.i18n import Text, t
from checks.tencent.products import NAMES

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
    'measured': t('What was measured', '检测到的情况'),
    'for_it': t('For your network administrator', '给网络管理员的说明'),
    'for_it_note': t('The same text is copied by "Copy for IT" in the window.',
                     '窗口中的“复制给网管”按钮复制的就是这段文字。'),
    'appendix': t('For technicians: the codes behind this report', '供技术人员参考：本报告使用的代码'),
    'codes': t('Codes', '代码'),
    'cause_code': t('Cause code: {code}', '原因代码：{code}'),
}


def _words(lang: str) -> dict[str, Any]:
    words: dict[str, Any] = {key: text.render(lang) for key, text in TEXTS.items()}
    words["products"] = {key: name.render(lang) for key, name in NAMES.items()}
    return words


_STATUSES = {s.value for s in Status}
MAX_LIST_ITEMS = 8


# -- blocks and pagination --------------------------------------------------------------


def _badge(status: str, lang: str, big: bool = False) -> str:
    symbol, colour = LIGHTS.get(status, LIGHTS["error"])
    word = Status(status).label.render(lang) if status in _STATUSES else status
    size = "12pt" if big else "8.5pt"
    return (
        f'<span style="background-color:{colour}; color:#ffffff; font-weight:bold; '
        f'font-size:{size};">&nbsp;{escape(symbol)}&nbsp;{escape(word)}&nbsp;</span>'
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
        (words["time"], w.local_time(str(report.get("started_at", "")))),
        (words["tool"], f"wxdoctor {report.get('tool', {}).get('version', '?')}"),
        (words["duration"], words["seconds"].format(s=float(report.get("duration_s") or 0))),
        (words["machine"], _machine(report)),
        (words["product"], _product(report, words)),
    ]
    rows = "".join(
        f'<tr><td width="22%" class="key">{escape(k)}</td><td width="78%">{escape(v)}</td></tr>'
        for k, v in meta
    )
    blocks.append(Block(
        f"<h1>{escape(words['title'])}</h1>"
        f'<table width="100%" cellspacing="0" cellpadding="2">{rows}</table>'
    ))

    # The verdict as the core built it, and the checks it rests on.
    head = headline(report, lang)
    status = report.get("status", "error")
    sep = "：" if lang == "zh" else ": "
    parts = [f"<h2>{escape(words['verdict'])}&nbsp;&nbsp;{_badge(status, lang, big=True)}</h2>",
             f'<p style="font-size:12pt;"><b>{escape(words["cause"])}{sep}</b>'
             f"{escape(head.get('summary', ''))}</p>"]
    if head.get("advice"):
        parts.append(f"<p><b>{escape(words['do'])}{sep}</b>{escape(head['advice'])}</p>")
    if head.get("proof"):
        items = "".join(f"<br/>• {escape(line)}" for line in head["proof"])
        parts.append(f'<p class="small"><b>{escape(words["measured"])}{sep}</b>{items}</p>')
    if report.get("cancelled"):
        parts.append(f"<p><i>{escape(words['cancelled'])}</i></p>")
    blocks.append(Block("".join(parts), background="#f5f7f8", space_before=4))
    causes = report.get("diagnosis", {}).get("causes", [])
    if causes and causes[0].get("because"):
        blocks.append(Block(f"<h3>{escape(words['because'])}</h3>", keep_with_next=True,
                            space_before=2))
        for check_id in causes[0]["because"]:
            blocks.append(_chain_row(checks_by_id.get(check_id), check_id, lang))
    for other in head.get("also") or []:
        blocks.append(Block(f"<p><b>{escape(words['also'])}{sep}</b>{escape(other)}</p>",
                            space_before=1))

    # The servers and what was measured on each: the table a ticket reader wants.
    blocks += matrix_blocks(report, lang, _words(lang)['servers'])

    # What to send to the network administrator, as "Copy for IT" copies it.
    if head.get("for_it"):
        text = "<br/>".join(escape(line) for line in str(head["for_it"]).splitlines())
        blocks.append(Block(f"<h2>{escape(words['for_it'])}</h2>", keep_with_next=True,
                            space_before=6))
        blocks.append(Block(f'<p class="small">{text}</p><p class="small muted">'
                            f"{escape(words['for_it_note'])}</p>", background="#f5f7f8"))

    # Every check, one row each.
    header = _row_table([
        (f"<b>{escape(words['light'])}</b>", 20), (f"<b>{escape(words['check'])}</b>", 25),
        (f"<b>{escape(words['summary'])}</b>", 55),
    ])
    blocks.append(Block(f"<h2>{escape(words['checks'])}</h2>", keep_with_next=True, space_before=6))
    blocks.append(Block(header, background="#eceff1", keep_with_next=True))
    for index, check in enumerate(report.get("checks", [])):
        cells = [
            (_badge(check["status"], lang), 20),
            (escape(localized(check, 'title', lang)), 25),
            (escape(localized(check, "summary", lang)), 55),
        ]
        blocks.append(Block(
            _row_table(cells), rule_below=True, repeat_header=header,
            background="#fafafa" if index % 2 else None,
        ))

    # Details for every check that is not ok.
    bad = [c for c in report.get("checks", [])
           if c["status"] not in (Status.OK.value, Status.SKIPPED.value)]
    blocks.append(Block(f"<h2>{escape(words['details'])}</h2>", keep_with_next=True, space_before=6))
    if not bad:
        blocks.append(Block(f"<p>{escape(words['all_ok'])}</p>"))
    for check in bad:
        blocks += _detail_blocks(check, lang)

    fixes = report.get("fixes_applied") or []
    if fixes:
        blocks.append(Block(f"<h2>{escape(words['fixes'])}</h2>", keep_with_next=True, space_before=6))
        for fix in fixes:
            blocks.append(_fix_block(fix, checks_by_id, lang))

    blocks += _appendix(report, lang)

    redaction = report.get("redaction") or {}
    note = words["redacted"] if redaction.get("applied") else words["not_redacted"]
    blocks.append(Block(f'<p class="muted small">{escape(note)}</p>', space_before=6))
    return blocks


def _chain_row(check: dict[str, Any] | None, check_id: str, lang: str) -> Block:
    if check is None:
        return Block(_row_table([("", 20), (escape(check_id), 80)]))
    return Block(_row_table([
        (_badge(check["status"], lang), 20),
        (f"<b>{escape(localized(check, 'title', lang))}</b><br/>"
         f"{escape(localized(check, 'summary', lang))}", 80),
    ]))


def _detail_blocks(check: dict[str, Any], lang: str) -> list[Block]:
    words = _words(lang)
    sep = "：" if lang == "zh" else ": "
    head = (
        f"<h3>{_badge(check['status'], lang)}&nbsp; {escape(localized(check, 'title', lang))}</h3>"
        f"<p>{escape(localized(check, 'summary', lang))}</p>"
    )
    advice = localized(check, "advice", lang)
    if advice:
        head += f"<p><b>{escape(words['advice'])}{sep}</b>{escape(advice)}</p>"
    problems = check.get("problems") or []
    if problems:
        shown = [_problem_words(problem, lang) for problem in problems[:MAX_LIST_ITEMS]]
        if len(problems) > MAX_LIST_ITEMS:
            shown.append(words["more_items"].format(n=len(problems) - MAX_LIST_ITEMS))
        head += f"<p><b>{escape(words['problems'])}{sep}</b>{escape('; '.join(shown))}</p>"
    blocks = [Block(head, keep_with_next=True, space_before=4, background="#f5f7f8")]
    shown_evidence = readable.render(check, lang)
    if not shown_evidence.order:
        return blocks
    blocks.append(Block(f'<p class="small"><b>{escape(words["evidence"])}</b></p>', keep_with_next=True))
    for kind, index in shown_evidence.order:
        if kind == "line":
            label, value = shown_evidence.lines[index]
            blocks.append(Block(_row_table([
                (f'<span class="key small">{escape(label)}</span>', 28),
                (f'<span class="small">{escape(value)}</span>', 72),
            ], padding=1), rule_below=True, margin=0.2))
        else:
            blocks.append(_evidence_table(*shown_evidence.tables[index]))
    return blocks


def _fix_title(fix_id: str, lang: str) -> str:
    from checks.fixes import get_fix

    try:
        return get_fix(fix_id).title.render(lang)
    except KeyError:
        return fix_id


def _appendix(report: dict[str, Any], lang: str) -> list[Block]:
    """The codes behind the words (check ids, failure and cause codes), for technicians:
    the one place in the PDF they appear."""
    words = _words(lang)
    rows = []
    for check in report.get("checks", []):
        failures = sorted({str(p.get("code")) for p in check.get("problems") or []
                           if isinstance(p, dict) and p.get("code")})
        rows.append([str(check.get("id")), str(check.get("status")), ", ".join(failures) or "—"])
    causes = report.get("diagnosis", {}).get("causes", [])
    blocks = [Block(f"<h2>{escape(words['appendix'])}</h2>", keep_with_next=True, space_before=6)]
    if causes:
        blocks.append(Block(f'<p class="small">{escape(words["cause_code"].format(code=", ".join(str(c.get("code")) for c in causes)))}</p>',
                            keep_with_next=True))
    blocks.append(_evidence_table(words["codes"], [words["check"], words["light"], words["problems"]],
                                  rows))
    fixes = [f"{f.get('fix_id')} ({f.get('journal_id')})" for f in report.get("fixes_applied") or []
             if isinstance(f, dict)]
    if fixes:
        blocks.append(Block(f'<p class="small">{escape(words["fix"])}: {escape(", ".join(fixes))}</p>'))
    return blocks


def _problem_words(problem: dict[str, Any], lang: str) -> str:
    """`qyapi.weixin.qq.com:443 refused`: where, then what went wrong, in words."""
    where = problem.get("host") or problem.get("address") or ""
    if problem.get("port"):
        where = f"{where}:{problem['port']}"
    meaning = codes.meaning(str(problem.get("code") or "")).render(lang)
    return f"{where} {meaning}".strip()


def _evidence_table(title: str, headers: list[str], rows: list[list[str]]) -> Block:
    head = "".join(f'<td bgcolor="#eceff1"><b class="small">{escape(h)}</b></td>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td><span class="small">{escape(c)}</span></td>' for c in row) + "</tr>"
        for row in rows)
    return Block(
        f'<p class="small"><b>{escape(title)}</b></p>'
        f'<table width="100%" cellspacing="0" cellpadding="1" border="0.5" '
        f'style="border-color:#cfd8dc; border-style:solid;"><tr>{head}</tr>{body}</table>',
        margin=0.4, space_before=1)


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
        rows += (f'<tr><td width="40%">{escape(title)}</td>'
                 f'<td width="30%">{old}</td><td width="30%">{new}</td></tr>')
    return Block(
        f"<p><b>{escape(words['fix'])}{'：' if lang == 'zh' else ': '}"
        f"{escape(_fix_title(str(fix.get('fix_id', '?')), lang))}</b>"
        f"{(' ' + escape(words['undone'])) if fix.get('undone') else ''}"
        f' <span class="muted small">{escape(words["journal"])} {escape(fix.get("journal_id", ""))}'
        "</span></p>"
        f'<table width="100%" cellspacing="0" cellpadding="3">'
        f'<tr><td width="40%"><b>{escape(words["check"])}</b></td>'
        f'<td width="30%"><b>{escape(words["before"])}</b></td>'
        f'<td width="30%"><b>{escape(words["after"])}</b></td></tr>{rows}</table>',
        rule_below=True, space_before=2,
    )


# -- drawing ------------------------------------------------------------------------------


def write_pdf(report: dict[str, Any], path: str | os.PathLike[str], lang: str) -> None:
    """Write `report` as an A4 PDF in `lang` ("zh" or "en") to `path`."""
    lang = "zh" if lang == "zh" else "en"
    _write_pdf(report, path, lang)


def _write_pdf(report: dict[str, Any], path: str | os.PathLike[str], lang: str) -> None:
    target = Path(path)
    writer = a4_writer(target, TEXTS["title"].render(lang), report)

    font = QFont()
    font.setFamilies(font_families(lang))
    font.setPointSizeF(9.5)
    no_ligatures(font)
    layout = Layout(writer, font)
    pages = layout.paginate(build_blocks(report, lang))

    small = QFont(font)
    small.setPointSizeF(7.5)
    words = _words(lang)
    header_text = f"{words['title']} · {w.local_time(str(report.get('started_at', '')))}"
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write the PDF to {target}")
    try:
        for number, page in enumerate(pages, start=1):
            if number > 1:
                writer.newPage()
            draw_page_frame(painter, layout, small, header_text,
                        words["page"].format(n=number, total=len(pages)))
            for block, y in page:
                draw_block(painter, layout, block, y)
    finally:
        painter.end()
    drawn = set(header_text) | set(words["page"])
    for page in pages:
        for block, _y in page:
            assert block.doc is not None
            drawn |= set(block.doc.toPlainText())
    fix_text_mapping(target, drawn, font.families())


