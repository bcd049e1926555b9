"""What changed between two runs: checks whose light changed, added or removed checks,
and a change of the most likely cause."""

from __future__ import annotations

from typing import Any

from checks.model import Status
from checks.report.text import LABELS, localized

_WORDS = {
    "en": {"same": "No change between the two runs.", "added": "new check",
           "removed": "no longer checked", "cause": "Most likely cause",
           "header": "Run {a} ({ta}) -> run {b} ({tb})"},
    "zh": {"same": "两次检测结果相同。", "added": "新增检测", "removed": "不再检测",
           "cause": "最可能的原因", "header": "第 {a} 次（{ta}）-> 第 {b} 次（{tb}）"},
}


def _checks(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in report.get("checks", [])}


def _primary(report: dict[str, Any]) -> str | None:
    primary: str | None = report.get("diagnosis", {}).get("primary")
    return primary


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Changes from report `a` (before) to report `b` (after), in `b`'s check order.

    Each change is {"kind": "changed"|"added"|"removed"|"primary_cause", "check_id",
    "title": {"zh", "en"}, "before", "after"}; for "primary_cause" check_id is None
    and before/after are cause codes.
    """
    before, after = _checks(a), _checks(b)
    changes: list[dict[str, Any]] = []
    if _primary(a) != _primary(b):
        changes.append({"kind": "primary_cause", "check_id": None, "title": None,
                        "before": _primary(a), "after": _primary(b)})
    for check_id, check in after.items():
        old = before.get(check_id)
        if old is None:
            changes.append(_change("added", check, None, check["status"]))
        elif old.get("status") != check.get("status"):
            changes.append(_change("changed", check, old.get("status"), check.get("status")))
    for check_id, check in before.items():
        if check_id not in after:
            changes.append(_change("removed", check, check.get("status"), None))
    return changes


def _change(kind: str, check: dict[str, Any], before: str | None, after: str | None) -> dict[str, Any]:
    title = {lang: localized(check, "title", lang) for lang in ("zh", "en")}
    return {"kind": kind, "check_id": check["id"], "title": title, "before": before, "after": after}


def better(change: dict[str, Any]) -> bool | None:
    """True when a light got better, False when worse, None when neither applies."""
    if change["kind"] != "changed":
        return None
    old, new = Status(change["before"]), Status(change["after"])
    if old.severity == new.severity:
        return None
    return new.severity < old.severity


def render_changes(changes: list[dict[str, Any]], lang: str = "en",
                   names: tuple[str, str] | None = None,
                   times: tuple[str, str] | None = None) -> str:
    words = _WORDS.get(lang, _WORDS["en"])
    labels = LABELS.get(lang, LABELS["en"])
    lines: list[str] = []
    if names:
        ta, tb = times or ("", "")
        lines.append(words["header"].format(a=names[0], b=names[1], ta=ta, tb=tb))
    if not changes:
        lines.append(words["same"])
    for change in changes:
        if change["kind"] == "primary_cause":
            lines.append(f"{words['cause']}: {change['before']} -> {change['after']}")
            continue
        title = change["title"].get(lang) or change["check_id"]
        head = f"{change['check_id']} ({title})"
        if change["kind"] == "added":
            lines.append(f"+ {head}: {words['added']}, [{labels[change['after']].strip()}]")
        elif change["kind"] == "removed":
            lines.append(f"- {head}: {words['removed']}")
        else:
            mark = {True: "↑", False: "↓", None: "~"}[better(change)]
            lines.append(
                f"{mark} {head}: [{labels[change['before']].strip()}] -> [{labels[change['after']].strip()}]"
            )
    return "\n".join(lines) + "\n"
