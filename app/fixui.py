"""Text rendering shared by the fix, undo, journal and quarantine commands."""

from __future__ import annotations

from typing import Any

from checks.fixes.base import Fix, Plan
from checks.fixes.journal import Journal, JournalEntry
from checks.i18n import t

L = {
    "fix": t("Fix", "修复"), "steps": t("What will be done", "将执行的操作"),
    "command": t("command", "命令"), "files": t("files", "文件"),
    "admin": t("needs administrator rights", "需要管理员权限"),
    "undo": t("Undo", "撤销"), "blocked": t("Cannot run now", "现在无法执行"),
    "warning": t("Note", "注意"), "irreversible": t("THIS CANNOT BE UNDONE.", "此操作无法撤销。"),
}


def render_plan(fix: Fix, plan: Plan, lang: str) -> str:
    out = [f"{L['fix'].render(lang)}: {fix.title.render(lang)} ({fix.id})",
           f"  {plan.summary.render(lang)}"]
    if plan.actions:
        out.append(f"{L['steps'].render(lang)}:")
    for n, action in enumerate(plan.actions, start=1):
        admin = f"  [{L['admin'].render(lang)}]" if action.needs_admin else ""
        out.append(f"  {n}. {action.description.render(lang)}{admin}")
        if action.argv:
            out.append(f"       {L['command'].render(lang)}: {_quote(action.argv)}")
        if action.paths:
            out.append(f"       {L['files'].render(lang)}: {', '.join(action.paths)}")
    for warning in plan.warnings:
        out.append(f"  ! {L['warning'].render(lang)}: {warning.render(lang)}")
    if not plan.reversible:
        out.append(f"  !! {L['irreversible'].render(lang)}")
    if plan.undo:
        out.append(f"  ~ {plan.undo.render(lang)}")
    if plan.blocked:
        out.append(f"{L['blocked'].render(lang)}: {plan.blocked.render(lang)}")
    return "\n".join(out) + "\n"


def _quote(argv: list[str]) -> str:
    return " ".join(f'"{a}"' if (" " in a or not a) else a for a in argv)


def note_text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or "")
    return str(value or "")


def load_entry(journal: Journal, journal_id: str) -> JournalEntry:
    """The named journal entry, or a usage error that says where to look."""
    from app.cli import UsageError

    try:
        return journal.load(journal_id)
    except (KeyError, ValueError):
        raise UsageError(f"no journal entry {journal_id!r} (see `wxdoctor journal`)") from None
