"""Plain-text rendering of a report for terminals and chat messages."""

from __future__ import annotations

from typing import Any

from checks.engine.results import Status
from checks.shared.i18n import t
from checks.tencent.domain_list import cut_text

# The terminal's lights: four characters wide in English, a word in Chinese.
LIGHTS = {
    Status.OK: t(" OK ", "正常"), Status.INFO: t("INFO", "提示"), Status.WARN: t("WARN", "警告"),
    Status.FAIL: t("FAIL", "故障"), Status.SKIPPED: t("SKIP", "跳过"), Status.ERROR: t(" ?? ", "未知"),
}
_COLOURS = {"ok": "32", "info": "36", "warn": "33", "fail": "31", "skipped": "90", "error": "90"}
CAUSE = t("Most likely cause", "最可能的原因")
WHAT_TO_DO = t("What to do", "建议操作")
BASED_ON = t("based on", "依据")
ALSO = t("Also found", "另外发现")
EXPLAINS = t("which also explains", "它同时导致了")
TOOK = t("Finished in {s:.1f} s", "用时 {s:.1f} 秒")
CANCELLED = t("Cancelled.", "已取消。")


def localized(item: dict[str, Any], key: str, lang: str) -> str:
    """A saved report carries both languages; fall back to the language it was made in."""
    value = item.get("i18n", {}).get(lang, {}).get(key)
    return value if value is not None else str(item.get(key, ""))


def light_label(status: str, lang: str) -> str:
    return LIGHTS[Status(status)].render(lang)


def light(status: str, lang: str, colour: bool) -> str:
    label = f"[{light_label(status, lang)}]"
    return f"\x1b[{_COLOURS[status]}m{label}\x1b[0m" if colour else label


def render_text(report: dict[str, Any], lang: str = "en", colour: bool = False) -> str:
    lines: list[str] = []
    for check in report["checks"]:
        status = check["status"]
        title = localized(check, "title", lang)
        summary = localized(check, "summary", lang)
        lines.append(f"{light(status, lang, colour)} {title}: {summary}")
        advice = localized(check, "advice", lang)
        if advice and Status(status) not in (Status.OK, Status.SKIPPED):
            lines.append(f"       -> {advice}")
    cut = cut_text(report.get("domain_list"))
    if cut is not None:  # what of Tencent's list was not tested
        lines.append(cut.render(lang))
    lines.append("")
    causes = report["diagnosis"]["causes"]
    if causes:
        primary = causes[0]
        lines.append(f"{CAUSE.render(lang)}: {localized(primary, 'summary', lang)}")
        advice = localized(primary, "advice", lang)
        if advice:
            lines.append(f"{WHAT_TO_DO.render(lang)}: {advice}")
        if primary["because"]:
            line = f"  {BASED_ON.render(lang)}: {', '.join(primary['because'])}"
            if primary.get("explains"):
                line += f"; {EXPLAINS.render(lang)}: {', '.join(primary['explains'])}"
            lines.append(line)
        for evidence in primary.get("evidence", []):
            lines.append(f"    - {evidence}")
        for other in causes[1:]:
            lines.append(f"{ALSO.render(lang)}: {localized(other, 'summary', lang)}")
    if report.get("cancelled"):
        lines.append(CANCELLED.render(lang))
    lines.append(TOOK.with_params(s=report["duration_s"]).render(lang))
    return "\n".join(lines) + "\n"
