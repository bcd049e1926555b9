"""A short plain-text summary that fits a chat message to support (the clipboard text)."""

from __future__ import annotations

from typing import Any

from checks.engine.results import Status
from checks.report import words as w
from checks.report.plain_text import CAUSE, WHAT_TO_DO, light_label, localized
from checks.report.redact import redact
from checks.report.rejudge import headline
from checks.shared.i18n import LANGS, t

TITLE = t("wxdoctor report", "wxdoctor 检测报告")
RESULT = t("Result", "结果")
NOT_OK = t("Not OK", "异常项")
NONE = t("All checks passed.", "所有检测均正常。")
MORE = t("… and {n} more", "……另有 {n} 项")
REDACTED = t("user name, host name and public addresses hidden", "已隐藏用户名、计算机名和公网地址")
VERDICT = {
    "ok": t("no problem found", "未发现问题"),
    "info": t("no problem found (see notes)", "未发现问题（有提示）"),
    "warn": t("warning", "有警告"),
    "fail": t("problem found", "发现故障"),
    "skipped": t("nothing checked", "未检测"),
    "error": t("some checks could not run", "部分项目无法检测"),
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
    lang = lang if lang in LANGS else "en"
    status = report.get("status", "error")
    sep = "：" if lang == "zh" else ": "
    verdict = VERDICT[status].render(lang) if status in VERDICT else str(status)
    lines = [f"{TITLE.render(lang)} — {RESULT.render(lang)}{sep}{verdict}"]
    head = headline(report, lang)
    lines.append(f"{CAUSE.render(lang)}{sep}{_clip(str(head.get('summary', '')), 400)}")
    if head.get("advice"):
        lines.append(f"{WHAT_TO_DO.render(lang)}{sep}{_clip(str(head['advice']), 300)}")
    bad = [
        c for c in report.get("checks", [])
        if c.get("status") not in (Status.OK.value, Status.SKIPPED.value)
    ]
    if bad:
        lines.append(f"{NOT_OK.render(lang)}{sep.strip()}")
        for check in bad[:MAX_LINES]:
            label = light_label(check["status"], lang).strip()
            title = localized(check, "title", lang)
            lines.append(f"[{label}] {title}{sep}{_clip(localized(check, 'summary', lang), 120)}")
        if len(bad) > MAX_LINES:
            lines.append(MORE.with_params(n=len(bad) - MAX_LINES).render(lang))
    else:
        lines.append(NONE.render(lang))
    tool = report.get("tool", {})
    lines.append(f"wxdoctor {tool.get('version', '?')} · {w.local_time(str(report.get('started_at', '')))}")
    if report.get("redaction", {}).get("applied"):
        lines.append(f"({REDACTED.render(lang)})")
    return "\n".join(lines) + "\n"
