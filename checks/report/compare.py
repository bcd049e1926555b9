"""What changed between two runs: checks whose light changed, added or removed checks,
and a change of the most likely cause."""

from __future__ import annotations

from typing import Any

from checks.engine.results import Status
from checks.report.load import CheckRecord, SavedReport, as_saved
from checks.report.plain_text import CAUSE, light_label
from checks.shared.i18n import LANGS, t

SAME = t("No change between the two runs.", "两次检测结果相同。")
ADDED = t("new check", "新增检测")
REMOVED = t("no longer checked", "不再检测")
HEADER = t("Run {a} ({ta}) -> run {b} ({tb})", "第 {a} 次（{ta}）-> 第 {b} 次（{tb}）")


def compare(a: SavedReport | dict[str, Any], b: SavedReport | dict[str, Any]
            ) -> list[dict[str, Any]]:
    """Changes from report `a` (before) to report `b` (after), in `b`'s check order.

    Each change is {"kind": "changed"|"added"|"removed"|"primary_cause", "check_id",
    "title": {"zh", "en"}, "before", "after"}; for "primary_cause" check_id is None
    and before/after are cause codes. Dicts are validated by the report loader first.
    """
    old, new = as_saved(a), as_saved(b)
    before = {c.id: c for c in old.checks}
    after = {c.id: c for c in new.checks}
    changes: list[dict[str, Any]] = []
    if old.diagnosis.primary != new.diagnosis.primary:
        changes.append({"kind": "primary_cause", "check_id": None, "title": None,
                        "before": old.diagnosis.primary, "after": new.diagnosis.primary})
    for check_id, check in after.items():
        was = before.get(check_id)
        if was is None:
            changes.append(_change("added", check, None, check.status))
        elif was.status is not check.status:
            changes.append(_change("changed", check, was.status, check.status))
    for check_id, check in before.items():
        if check_id not in after:
            changes.append(_change("removed", check, check.status, None))
    return changes


def _change(kind: str, check: CheckRecord, before: Status | None, after: Status | None
            ) -> dict[str, Any]:
    return {"kind": kind, "check_id": check.id,
            "title": {lang: check.text("title", lang) for lang in LANGS},
            "before": before.value if before else None, "after": after.value if after else None}


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
    def label(status: str) -> str:
        return light_label(status, lang).strip()

    lines: list[str] = []
    if names:
        ta, tb = times or ("", "")
        lines.append(HEADER.with_params(a=names[0], b=names[1], ta=ta, tb=tb).render(lang))
    if not changes:
        lines.append(SAME.render(lang))
    for change in changes:
        if change["kind"] == "primary_cause":
            lines.append(f"{CAUSE.render(lang)}: {change['before']} -> {change['after']}")
            continue
        title = change["title"].get(lang) or change["check_id"]
        head = f"{change['check_id']} ({title})"
        if change["kind"] == "added":
            lines.append(f"+ {head}: {ADDED.render(lang)}, [{label(change['after'])}]")
        elif change["kind"] == "removed":
            lines.append(f"- {head}: {REMOVED.render(lang)}")
        else:
            mark = {True: "↑", False: "↓", None: "~"}[better(change)]
            lines.append(f"{mark} {head}: [{label(change['before'])}] -> [{label(change['after'])}]")
    return "\n".join(lines) + "\n"
