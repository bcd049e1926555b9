"""The preview of a planned fix as lines a person reads: what will run, which step
needs administrator rights, what undo will do. One renderer for the command line
(plain text) and the window (one label per line, styled by its kind)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checks.shared.i18n import t

if TYPE_CHECKING:
    from checks.fixes.session import PlannedFix

WILL = t("What will happen:", "将要执行的操作：")
NOTHING = t("Nothing needs to change.", "无需任何更改。")
NEEDS_ADMIN = t("needs administrator", "需要管理员权限")
COMMAND = t("Command: {argv}", "命令：{argv}")
FILES = t("Files: {paths}", "涉及文件：{paths}")
WARNING = t("Note: {text}", "注意：{text}")
IRREVERSIBLE = t("This fix cannot be undone.", "此修复无法撤销。")
UNDO_PLAN = t("Undo: {text}", "撤销方式：{text}")
BLOCKED = t("Cannot fix automatically: {reason}", "无法自动修复：{reason}")
CHOSEN = t("Chosen: {label} (--choice {id})", "已选择：{label}（--choice {id}）")
OTHER_CHOICE = t("Or: {label} (--choice {id})", "也可选：{label}（--choice {id}）")

# Kinds of line: title, summary, caption, action, admin (an action that needs admin
# rights), code (its command or files), warning, muted (what undo does), blocked, problem.
Line = tuple[str, str]


def preview_lines(planned: PlannedFix, lang: str) -> list[Line]:
    lines: list[Line] = [("title", planned.title.render(lang))]
    if planned.problem is not None or planned.plan is None:
        lines.append(("problem", (planned.problem or t("", "")).render(lang)))
        return lines
    plan = planned.plan
    lines.append(("summary", plan.summary.render(lang)))
    lines.append(("caption", (WILL if plan.actions else NOTHING).render(lang)))
    for number, action in enumerate(plan.actions, 1):
        text = f"{number}. {action.description.render(lang)}"
        if action.needs_admin:
            lines.append(("admin", f"{text}  [{NEEDS_ADMIN.render(lang)}]"))
        else:
            lines.append(("action", text))
        for argv in action.commands():  # a step of several commands shows each of them
            lines.append(("code", COMMAND.with_params(argv=_quote(argv)).render(lang)))
        if action.paths:
            lines.append(("code", FILES.with_params(paths=", ".join(action.paths)).render(lang)))
    for warning in plan.warnings:
        lines.append(("warning", WARNING.with_params(text=warning).render(lang)))
    if not plan.reversible:
        lines.append(("warning", IRREVERSIBLE.render(lang)))
    elif plan.undo is not None:
        lines.append(("muted", UNDO_PLAN.with_params(text=plan.undo).render(lang)))
    if plan.blocked is not None:
        lines.append(("blocked", BLOCKED.with_params(reason=plan.blocked).render(lang)))
    return lines


def choice_lines(planned: PlannedFix, lang: str) -> list[Line]:
    """The choices of a fix that has some, for a terminal (the window has a choice box):
    the one planned, then the others with the option that picks them."""
    lines: list[Line] = []
    for choice in planned.choices:
        what = CHOSEN if choice.id == planned.choice else OTHER_CHOICE
        lines.append(("choice", what.with_params(label=choice.label, id=choice.id).render(lang)))
    return lines


_INDENT = {"title": "", "summary": "  ", "caption": "", "action": "  ", "admin": "  ",
           "code": "       ", "warning": "  ! ", "muted": "  ~ ", "blocked": "", "problem": "  ",
           "choice": "  > "}


def preview_text(planned: PlannedFix, lang: str) -> str:
    """The preview for a terminal."""
    lines = preview_lines(planned, lang)
    title = f"{lines[0][1]} ({planned.fix_id})"
    lines[2:2] = choice_lines(planned, lang)  # after the summary (or the problem)
    return "\n".join([title] + [_INDENT[kind] + text for kind, text in lines[1:]]) + "\n"


def _quote(argv: list[str]) -> str:
    return " ".join(f'"{a}"' if (" " in a or not a) else a for a in argv)
