"""Plain-text rendering of a report for terminals and chat messages.

Every text taken from the report is data (a saved report may come from anywhere):
its control characters are shown as symbols, so a line break or an escape sequence
in it can neither start a line that looks like ours nor colour one.
"""

from __future__ import annotations

from typing import Any

from checks.engine.results import Status
from checks.report.rejudge import headline
from checks.shared.i18n import t
from checks.shared.safe_text import printable
from checks.tencent.domain_list import cut_text

# The terminal's lights: four characters wide in English, a word in Chinese.
LIGHTS = {
    Status.OK: t(" OK ", "正常"), Status.INFO: t("INFO", "提示"), Status.WARN: t("WARN", "警告"),
    Status.FAIL: t("FAIL", "故障"), Status.SKIPPED: t("SKIP", "跳过"), Status.ERROR: t(" ?? ", "未知"),
}
_COLOURS = {"ok": "32", "info": "36", "warn": "33", "fail": "31", "skipped": "90", "error": "90"}
CAUSE = t("Most likely cause", "最可能的原因")
WHAT_TO_DO = t("What to do", "建议操作")
MEASURED = t("What was measured", "检测到的情况")
ALSO = t("Also found", "另外发现")
FOR_IT = t("Text for the network administrator: wxdoctor check --for-it "
           "(or wxdoctor report latest --for-it)",
           "给网络管理员的说明：wxdoctor check --for-it（或 wxdoctor report latest --for-it）")
TOOK = t("Finished in {s:.1f} s", "用时 {s:.1f} 秒")
CANCELLED = t("Cancelled.", "已取消。")


def localized(item: dict[str, Any], key: str, lang: str) -> str:
    """A saved report carries both languages; fall back to the language it was made in."""
    value = item.get("i18n", {}).get(lang, {}).get(key)
    return value if value is not None else str(item.get(key, ""))


def _shown(item: dict[str, Any], key: str, lang: str) -> str:
    return printable(localized(item, key, lang))


def light_label(status: str, lang: str) -> str:
    return LIGHTS[Status(status)].render(lang)


def light(status: str, lang: str, colour: bool) -> str:
    label = f"[{light_label(status, lang)}]"
    return f"\x1b[{_COLOURS[status]}m{label}\x1b[0m" if colour else label


def headline_lines(head: dict[str, Any], lang: str) -> list[str]:
    """The headline as a terminal shows it: cause, what to do, what was measured, the rest."""
    sep = "：" if lang == "zh" else ": "
    lines = [f"{CAUSE.render(lang)}{sep}{printable(str(head.get('summary', '')))}"]
    if head.get("advice"):
        lines.append(f"{WHAT_TO_DO.render(lang)}{sep}{printable(str(head['advice']))}")
    if head.get("proof"):
        lines.append(f"{MEASURED.render(lang)}{sep.rstrip()}")
        lines += [f"  • {printable(str(line))}" for line in head["proof"]]
    lines += [f"{ALSO.render(lang)}{sep}{printable(str(other))}" for other in head.get("also") or []]
    if head.get("ask_it"):
        lines.append(FOR_IT.render(lang))
    return lines


def render_text(report: dict[str, Any], lang: str = "en", colour: bool = False) -> str:
    lines: list[str] = []
    for check in report["checks"]:
        status = check["status"]
        title = _shown(check, "title", lang)
        summary = _shown(check, "summary", lang)
        lines.append(f"{light(status, lang, colour)} {title}: {summary}")
        advice = _shown(check, "advice", lang)
        if advice and Status(status) not in (Status.OK, Status.SKIPPED):
            lines.append(f"       -> {advice}")
    cut = cut_text(report.get("domain_list"))
    if cut is not None:  # what of Tencent's list was not tested
        lines.append(cut.render(lang))
    lines.append("")
    lines += headline_lines(headline(report, lang), lang)
    if report.get("cancelled"):
        lines.append(CANCELLED.render(lang))
    lines.append(TOOK.with_params(s=report["duration_s"]).render(lang))
    return "\n".join(lines) + "\n"
