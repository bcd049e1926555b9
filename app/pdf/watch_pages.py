"""The A4 PDF of a watch: verdict, the chart (vector, the window's painter code), the
outage table, changes of the route, gaps and the servers' figures.

Fonts, the Qt application, page geometry, lights and the copy-and-paste correction
come from the check report's PDF (app/pdf/check_pages.py, app/pdf/text_map.py). The content is one
QTextDocument laid out at the page size, so Qt splits it between pages (table rows
are never cut, table headers repeat); the chart is an object inside that document,
painted by app/gui/widgets/watch_chart.py with the PDF's own painter.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QRectF, QSizeF
from PySide6.QtGui import (
    QFont,
    QPainter,
    QPyTextObject,
    QTextCharFormat,
    QTextDocument,
    QTextFormat,
)

from app.gui.widgets.watch_chart import AXIS_MS, GAP, WAITING, draw_watch_chart
from app.pdf.check_pages import TEXTS
from app.pdf.page import LIGHTS, RESOLUTION, a4_writer, draw_frame, font_families
from app.pdf.text_map import fix_text_mapping
from checks.engine.results import Status
from checks.shared.i18n import Text, t
from checks.tencent.products import NAMES
from checks.watch.chart import ChartData, chart_data
from checks.watch.summary import GAP_REASONS, PLACES_SHORT, clock_time, duration, event_text
from checks.watch.watch_report import advice_lines, summary_lines

CHART_OBJECT = QTextFormat.ObjectTypes.UserObject + 1
CHART_MARK = "\ufffc"
CHART_HEIGHT_MM = 75.0

WORDS: dict[str, Text] = {
    "title": t("wxdoctor watch report", "wxdoctor 持续监测报告"),
    "time": t("Watched", "监测时间"),
    "length": t("Duration", "时长"),
    "interval": t("Interval", "采样间隔"),
    "samples": t("{n} samples every {i:g} s", "每 {i:g} 秒采样一次，共 {n} 次"),
    "stopped": t("stopped early", "提前结束"),
    "machine": t("Computer", "电脑"),
    "product": t("Watched servers", "监测对象"),
    "verdict": t("Result", "结果"),
    "do": t("What to do", "建议操作"),
    "chart": t("Connect time per server", "各服务器的连接时间"),
    "outages": t("Outages", "断线记录"),
    "start": t("From", "开始"),
    "end": t("To", "结束"),
    "length_col": t("Length", "时长"),
    "where": t("What failed", "故障位置"),
    "none": t("No outage.", "没有断线。"),
    "more": t("… {n} more not listed", "……另有 {n} 次未列出"),
    "events": t("Changes of the connection", "网络连接的变化"),
    "gaps": t("Gaps in the data", "数据空白"),
    "servers": t("Servers", "服务器"),
    "control": t("Other sites", "其他网站"),
    "gateway": t("Gateway", "网关"),
    "lost": t("Lost", "丢失"),
    "median": t("Median", "中位数"),
    "p95": t("95%", "95%"),
    "max": t("Max", "最大"),
    "target": t("Target", "目标"),
    "ongoing": t("(still down at the end)", "（结束时仍未恢复）"),
    "until_gap": t("(until the data stopped)", "（直到数据中断）"),
}


def _e(text: Any) -> str:
    return html.escape(str(text), quote=False)


class _ChartObject(QPyTextObject):
    """Draws the chart where the document holds its object character."""

    def __init__(self, data: ChartData, lang: str, size: QSizeF) -> None:
        super().__init__()
        self.data, self.lang, self.size = data, lang, size

    def intrinsicSize(self, doc: Any, pos: int, fmt: Any) -> QSizeF:  # noqa: N802 (Qt API)
        return self.size

    def drawObject(self, painter: QPainter, rect: QRectF | QRect, doc: Any,  # noqa: N802
                   pos: int, fmt: Any) -> None:
        draw_watch_chart(painter, QRectF(rect), self.data, self.lang)


def _badge(status: str, lang: str) -> str:
    symbol, colour = LIGHTS.get(status, LIGHTS["error"])
    word = Status(status).label.render(lang) if status in {s.value for s in Status} else status
    return (f'<span style="background-color:{colour}; color:#ffffff; font-weight:bold;">'
            f"&nbsp;{_e(symbol)}&nbsp;{_e(word)}&nbsp;</span>")


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _table(head: list[str], rows: list[list[str]], widths: list[int]) -> str:
    """A table of `head` (plain words) over `rows` (markup: each cell escaped already)."""
    cells = "".join(f'<th width="{w}%" align="left">{_e(h)}</th>' for h, w in zip(head, widths,
                                                                            strict=True))
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return ('<table width="100%" cellspacing="0" cellpadding="3" border="0.5" '
            'style="border-color:#cfd8dc; border-collapse:collapse;">'
            f'<thead><tr style="background-color:#eceff1;">{cells}</tr></thead>{body}</table>')


def watch_html(report: dict[str, Any], lang: str) -> str:
    """Everything but the chart, with CHART_MARK where the chart goes."""
    w = {k: v.render(lang) for k, v in WORDS.items()}
    sep = "：" if lang == "zh" else ": "
    data = report.get("watch", {})
    system = report.get("system", {})
    machine = " · ".join(p for p in (system.get("os_version"), system.get("hostname")) if p)
    products = {e.get("product") for e in report.get("endpoints", [])}
    product = NAMES.get(products.pop() if len(products) == 1 else "both", NAMES["both"])
    span = duration(float(data.get("span_s") or 0)).render(lang)
    stopped = f" ({w['stopped']})" if report.get("stopped") == "user" else ""
    meta = [
        (w["time"], f"{clock_time(data.get('first_sample') or '')} · "
                    f"{str(data.get('first_sample') or report.get('started_at', ''))[:10]}"),
        (w["length"], span + stopped),
        (w["interval"], WORDS["samples"].with_params(
            n=data.get("samples", 0), i=float(report.get("interval_s") or 0)).render(lang)),
        (w["machine"], machine),
        (w["product"], f"{product.render(lang)} ({len(report.get('endpoints', []))})"),
    ]
    parts = [f"<h1>{_e(w['title'])}</h1>", '<table width="100%" cellpadding="2">']
    parts += [f'<tr><td width="22%" style="color:#37474f;">{_e(k)}</td><td>{_e(v)}</td></tr>'
              for k, v in meta]
    parts.append("</table>")
    lines = summary_lines(report, lang)
    parts.append(f'<h2 style="margin-top:10px;">{_e(w["verdict"])}&nbsp;&nbsp;'
                 f'{_badge(str(report.get("status", "error")), lang)}</h2>')
    parts += [f"<p>{_e(line)}</p>" for line in lines]
    for text in advice_lines(report, lang):
        parts.append(f"<p><b>{_e(w['do'])}{sep}</b>{_e(text)}</p>")
    parts.append(f'<h2 style="margin-top:10px;">{_e(w["chart"])}</h2><p>{CHART_MARK}</p>')
    parts += _outage_part(data, w, lang)
    events = data.get("events", [])
    if events:
        parts.append(f"<h2>{_e(w['events'])}</h2><ul>")
        parts += [f"<li>{_e(event_text(e).render(lang))}</li>" for e in events]
        parts.append("</ul>")
    gaps = data.get("gaps", [])
    if gaps:
        parts.append(f"<h2>{_e(w['gaps'])}</h2>")
        parts.append(_table([w["start"], w["end"], w["length_col"], ""], [
            [_e(clock_time(g["start"])), _e(clock_time(g["end"])),
             _e(duration(g["duration_s"]).render(lang)),
             _e(GAP_REASONS.get(g["reason"], t(g["reason"], g["reason"])).render(lang))]
            for g in gaps], [18, 18, 18, 46]))
    parts += _figures_part(data, w)
    note = TEXTS["redacted" if (report.get("redaction") or {}).get("applied")
                 else "not_redacted"].render(lang)
    parts.append(f'<p style="color:#555555; font-size:7.5pt;">{_e(note)}</p>')
    return "".join(parts)


def _outage_part(data: dict[str, Any], w: dict[str, str], lang: str) -> list[str]:
    outages = data.get("outages", [])
    parts = [f'<h2 style="margin-top:10px;">{_e(w["outages"])}</h2>']
    if not outages:
        return [*parts, f"<p>{_e(w['none'])}</p>"]
    rows = []
    for o in outages:
        note = w["ongoing"] if o.get("ongoing") else (w["until_gap"] if o.get("until_gap") else "")
        rows.append([_e(clock_time(o["start"])), _e(clock_time(o["end"])),
                     _e(duration(o["duration_s"]).render(lang)),
                     _e(f"{PLACES_SHORT[o['attribution']].render(lang)} {note}".strip())])
    parts.append(_table([w["start"], w["end"], w["length_col"], w["where"]], rows,
                        [13, 13, 12, 62]))
    dropped = int(data.get("outages_dropped", 0))
    if dropped:
        parts.append(f"<p>{_e(WORDS['more'].with_params(n=dropped).render(lang))}</p>")
    return parts


def _figures_part(data: dict[str, Any], w: dict[str, str]) -> list[str]:
    stats = data.get("stats", {})
    rows = []
    for s in stats.get("targets", []):
        kind = w["servers"] if s["kind"] == "server" else w["control"]
        lost = "—" if s["loss_pct"] is None else f"{s['loss_pct']:g}%"
        rows.append([f"{_e(s['label'])}<br/><span style='color:#666666;'>{_e(kind)}</span>",
                     _e(lost), _ms(s["median_ms"]), _ms(s["p95_ms"]), _ms(s["max_ms"])])
    for key, label in (("dns", "DNS"), ("gateway", w["gateway"])):
        s = stats.get(key) or {}
        if s.get("samples"):
            name = f"{label} {s.get('address') or ''}".strip()
            lost = "—" if s["loss_pct"] is None else f"{s['loss_pct']:g}%"
            rows.append([_e(name), _e(lost), _ms(s["median_ms"]), _ms(s["p95_ms"]),
                         _ms(s["max_ms"])])
    if not rows:
        return []
    head = [w["target"], w["lost"], f"{w['median']} ms", f"{w['p95']} ms", f"{w['max']} ms"]
    return [f'<h2 style="margin-top:10px;">{_e(w["servers"])}</h2>',
            _table(head, rows, [44, 14, 14, 14, 14])]


_CSS = "h1 { font-size: 17pt; } h2 { font-size: 12pt; } th { font-weight: bold; }"


def write_watch_pdf(report: dict[str, Any], path: str | os.PathLike[str], lang: str) -> None:
    """Write the watch `report` as an A4 PDF in `lang` to `path`."""
    lang = "zh" if lang == "zh" else "en"
    target = Path(path)
    title = WORDS["title"].render(lang)
    writer = a4_writer(target, title, report)
    mm = RESOLUTION / 25.4
    header_h = footer_h = 8 * mm
    width, body_h = float(writer.width()), float(writer.height()) - header_h - footer_h

    font = QFont()
    font.setFamilies(font_families(lang))
    font.setPointSizeF(9.5)
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(_CSS)
    doc.setPageSize(QSizeF(width, body_h))
    chart = _ChartObject(chart_data(report.get("watch", {})), lang,
                         QSizeF(width - 4 * mm, CHART_HEIGHT_MM * mm))
    doc.documentLayout().registerHandler(CHART_OBJECT, chart)
    doc.setHtml(watch_html(report, lang))
    found = doc.find(CHART_MARK)
    if not found.isNull():
        fmt = QTextCharFormat()
        fmt.setObjectType(CHART_OBJECT)
        found.insertText(CHART_MARK, fmt)
        # Qt relays out only around an edit; blocks after it would keep a zero height.
        doc.markContentsDirty(0, doc.characterCount())

    small = QFont(font)
    small.setPointSizeF(7.5)
    header = f"{title} · {report.get('started_at', '')}"
    pages = doc.pageCount()
    footer = TEXTS["page"]
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write the PDF to {target}")
    try:
        for page in range(pages):
            if page:
                writer.newPage()
            draw_frame(painter, small, width, header_h, body_h, footer_h, mm, header,
                       footer.with_params(n=page + 1, total=pages).render(lang))
            painter.save()
            painter.setClipRect(QRectF(0, header_h, width, body_h))
            painter.translate(0, header_h - page * body_h)
            doc.drawContents(painter, QRectF(0, page * body_h, width, body_h))
            painter.restore()
    finally:
        painter.end()
    drawn = set(doc.toPlainText()) | set(header) | set(footer.render(lang))
    drawn |= set(AXIS_MS.render(lang) + GAP.render(lang) + WAITING.render(lang))
    drawn |= {c for line in chart.data.lines for c in line.label}
    fix_text_mapping(target, drawn, font.families())


