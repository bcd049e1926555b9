"""Plain-text rendering of a report for terminals and chat messages."""

from __future__ import annotations

from typing import Any

from checks.model import Status

LABELS = {
    "en": {"ok": " OK ", "info": "INFO", "warn": "WARN", "fail": "FAIL", "skipped": "SKIP",
           "error": " ?? "},
    "zh": {"ok": "正常", "info": "提示", "warn": "警告", "fail": "故障", "skipped": "跳过",
           "error": "未知"},
}
_COLOURS = {"ok": "32", "info": "36", "warn": "33", "fail": "31", "skipped": "90", "error": "90"}
_WORDS = {
    "en": {"cause": "Most likely cause", "do": "What to do", "because": "based on",
           "also": "Also found", "explains": "which also explains", "took": "Finished in {s:.1f} s", "cancelled": "Cancelled."},
    "zh": {"cause": "最可能的原因", "do": "建议操作", "because": "依据",
           "also": "另外发现", "explains": "它同时导致了", "took": "用时 {s:.1f} 秒", "cancelled": "已取消。"},
}


def localized(item: dict[str, Any], key: str, lang: str) -> str:
    """A saved report carries both languages; fall back to the language it was made in."""
    value = item.get("i18n", {}).get(lang, {}).get(key)
    return value if value is not None else str(item.get(key, ""))


def light(status: str, lang: str, colour: bool) -> str:
    label = f"[{LABELS.get(lang, LABELS['en'])[status]}]"
    return f"\x1b[{_COLOURS[status]}m{label}\x1b[0m" if colour else label


def render_text(report: dict[str, Any], lang: str = "en", colour: bool = False) -> str:
    words = _WORDS.get(lang, _WORDS["en"])
    lines: list[str] = []
    for check in report["checks"]:
        status = check["status"]
        title = localized(check, "title", lang)
        summary = localized(check, "summary", lang)
        lines.append(f"{light(status, lang, colour)} {title}: {summary}")
        advice = localized(check, "advice", lang)
        if advice and Status(status) not in (Status.OK, Status.SKIPPED):
            lines.append(f"       -> {advice}")
    lines.append("")
    causes = report["diagnosis"]["causes"]
    if causes:
        primary = causes[0]
        lines.append(f"{words['cause']}: {localized(primary, 'summary', lang)}")
        advice = localized(primary, "advice", lang)
        if advice:
            lines.append(f"{words['do']}: {advice}")
        if primary["because"]:
            line = f"  {words['because']}: {', '.join(primary['because'])}"
            if primary.get("explains"):
                line += f"; {words['explains']}: {', '.join(primary['explains'])}"
            lines.append(line)
        for evidence in primary.get("evidence", []):
            lines.append(f"    - {evidence}")
        for other in causes[1:]:
            lines.append(f"{words['also']}: {localized(other, 'summary', lang)}")
    if report.get("cancelled"):
        lines.append(words["cancelled"])
    lines.append(words["took"].format(s=report["duration_s"]))
    return "\n".join(lines) + "\n"
