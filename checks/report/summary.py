"""A short plain-text summary that fits a chat message to support (the clipboard text)."""

from __future__ import annotations

from typing import Any

from checks.model import Status
from checks.report.redact import redact
from checks.report.text import LABELS, localized

_WORDS = {
    "en": {"title": "wxdoctor report", "verdict": "Result", "cause": "Most likely cause",
           "do": "What to do", "found": "Not OK", "none": "All checks passed.",
           "more": "… and {n} more", "redacted": "user name, host name and public addresses hidden"},
    "zh": {"title": "wxdoctor 检测报告", "verdict": "结果", "cause": "最可能的原因",
           "do": "建议操作", "found": "异常项", "none": "所有检测均正常。",
           "more": "……另有 {n} 项", "redacted": "已隐藏用户名、计算机名和公网地址"},
}
VERDICT = {
    "en": {"ok": "no problem found", "info": "no problem found (see notes)",
           "warn": "warning", "fail": "problem found", "skipped": "nothing checked",
           "error": "some checks could not run"},
    "zh": {"ok": "未发现问题", "info": "未发现问题（有提示）", "warn": "有警告",
           "fail": "发现故障", "skipped": "未检测", "error": "部分项目无法检测"},
}
MAX_LINES = 8
MAX_CHARS = 160


def _clip(text: str, limit: int = MAX_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary_text(report: dict[str, Any], lang: str = "zh", redacted: bool = True) -> str:
    """Verdict, primary cause and advice, the non-ok checks one line each, version and time."""
    if redacted:
        report = redact(report)
    lang = lang if lang in _WORDS else "en"
    words = _WORDS[lang]
    labels = LABELS[lang]
    status = report.get("status", "error")
    sep = "：" if lang == "zh" else ": "
    lines = [f"{words['title']} — {words['verdict']}{sep}{VERDICT[lang].get(status, status)}"]
    causes = report.get("diagnosis", {}).get("causes", [])
    if causes:
        primary = causes[0]
        lines.append(f"{words['cause']}{sep}{_clip(localized(primary, 'summary', lang))}")
        advice = localized(primary, "advice", lang)
        if advice:
            lines.append(f"{words['do']}{sep}{_clip(advice)}")
    bad = [
        c for c in report.get("checks", [])
        if c.get("status") not in (Status.OK.value, Status.SKIPPED.value)
    ]
    if bad:
        lines.append(f"{words['found']}{sep.strip()}")
        for check in bad[:MAX_LINES]:
            label = labels.get(check["status"], check["status"]).strip()
            title = localized(check, "title", lang)
            lines.append(f"[{label}] {title} ({check['id']}){sep}{_clip(localized(check, 'summary', lang), 120)}")
        if len(bad) > MAX_LINES:
            lines.append(words["more"].format(n=len(bad) - MAX_LINES))
    else:
        lines.append(words["none"])
    tool = report.get("tool", {})
    lines.append(f"wxdoctor {tool.get('version', '?')} · {report.get('started_at', '')}")
    if report.get("redaction", {}).get("applied"):
        lines.append(f"({words['redacted']})")
    return "\n".join(lines) + "\n"
