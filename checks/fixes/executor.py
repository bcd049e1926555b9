"""Apply a plan step by step with a journal; roll back on failure; undo later.

Order per step: capture the backup, journal it, execute, journal the outcome.
A step that needs admin rights while the app has none runs alone in an elevated
helper (or, for a plain command on Linux/macOS, that one command is elevated).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checks.config import Config
from checks.fixes.base import Action, FixEnv, FixError, Plan
from checks.fixes.journal import Journal, JournalEntry, now_iso
from checks.i18n import Text, t
from checks.platform import NAME as PLATFORM

if TYPE_CHECKING:
    from checks.fixes.base import Fix

HELPER_TIMEOUT_S = 120.0


def apply_plan(fix: Fix, plan: Plan, journal: Journal) -> JournalEntry:
    if plan.fix_id != fix.id:
        raise ValueError(f"plan for {plan.fix_id} given to fix {fix.id}")
    if plan.blocked is not None:
        raise FixError(plan.blocked)
    env = plan.env if plan.env is not None else FixEnv(config=Config())
    entry = journal.begin(plan)  # the plan is on disk before anything changes
    for index, action in enumerate(plan.actions):
        step = entry.steps[index]
        try:
            step["backup"] = fix.backup(action, env)
            step["state"], step["started"] = "running", now_iso()
            journal.save(entry)
            _run_step(fix, action, step, env, journal, entry, revert=False)
            step["state"], step["finished"] = "done", now_iso()
            journal.save(entry)
        except Exception as exc:
            reason = _reason(exc)
            started = step["state"] == "running"
            step["state"], step["error"] = "failed", reason.both()
            journal.save(entry)
            problems = _rollback(fix, entry, env, journal, upto=index, include_failed=started)
            entry.state = "failed" if problems else "rolled_back"
            journal.save(entry)
            if problems:
                raise FixError(t(
                    "Step {n} failed ({reason}) and putting back the earlier steps also failed: {problems}. Journal: {id}",
                    "第 {n} 步失败（{reason}），恢复前面的步骤时也出错：{problems}。日志编号：{id}",
                    n=index + 1, reason=reason, problems=problems, id=entry.id,
                )) from exc
            raise FixError(t(
                "Step {n} failed ({reason}); everything this fix had changed was put back.",
                "第 {n} 步失败（{reason}）；本次修复已做的改动都已恢复原样。",
                n=index + 1, reason=reason,
            )) from exc
    entry.state = "applied"
    journal.save(entry)
    return entry


def undo_entry(fix: Fix, entry: JournalEntry, env: FixEnv | None = None) -> list[Text]:
    """Revert every completed step, last first. Returns the notes shown to the person."""
    if entry.fix_id != fix.id:
        raise ValueError(f"journal entry of {entry.fix_id} given to fix {fix.id}")
    if entry.state != "applied":
        raise FixError(t(
            "Only an applied fix can be undone; this one is {state}.",
            "只能撤销已完成的修复；这一条的状态是 {state}。", state=entry.state,
        ))
    if not entry.plan.get("reversible", True):
        raise FixError(t(
            "This fix cannot be undone: {why}", "此修复无法撤销：{why}",
            why=_text(entry.plan.get("i18n", {}).get("undo")) or t("", ""),
        ))
    env = env if env is not None else FixEnv(config=Config())
    journal = Journal(entry.root) if entry.root else Journal()
    problems = _rollback(fix, entry, env, journal, upto=len(entry.steps) - 1, include_failed=False)
    if problems:
        entry.state = "failed"
        journal.save(entry)
        raise FixError(t("Undo did not complete: {problems}", "撤销未能完成：{problems}",
                         problems=problems))
    entry.state = "undone"
    journal.save(entry)
    return [_text(s.get("note")) for s in entry.steps if s.get("note")]  # type: ignore[misc]


def _rollback(
    fix: Fix, entry: JournalEntry, env: FixEnv, journal: Journal, upto: int, include_failed: bool
) -> list[str]:
    problems: list[str] = []
    for step in reversed(entry.steps[: upto + 1]):
        if not (step["state"] == "done" or (include_failed and step["state"] == "failed")):
            continue
        action = Action.from_json(step["action"])
        try:
            _run_step(fix, action, step, env, journal, entry, revert=True)
        except Exception as exc:
            step["revert_error"] = _reason(exc).both()
            problems.append(_reason(exc).render("en"))
            journal.save(entry)
            continue
        step["state"] = "rolled_back" if entry.state == "planned" else "undone"
        step["reverted"] = now_iso()
        journal.save(entry)
    return problems


def _run_step(
    fix: Fix, action: Action, step: dict[str, Any], env: FixEnv, journal: Journal,
    entry: JournalEntry, revert: bool,
) -> None:
    if action.needs_admin and env.elevate and (action.kind != "run" or PLATFORM == "windows"):
        _via_helper(fix, step, journal, entry, revert)
        return
    if revert:
        note = fix.revert(action, step, env)
        if note is not None:
            step["note"] = note.both()
    else:
        fix.execute(action, step, env)


def _via_helper(fix: Fix, step: dict[str, Any], journal: Journal, entry: JournalEntry,
                revert: bool) -> None:
    from checks.fixes import elevation

    index = int(step["index"])
    step["helper"] = {"revert": revert, "outcome": None}
    journal.save(entry)
    code = elevation.run_helper(str(journal.path(entry.id)), fix.id, index, revert, HELPER_TIMEOUT_S)
    fresh = journal.load(entry.id).steps[index]
    outcome = (fresh.get("helper") or {}).get("outcome")
    step.update({k: v for k, v in fresh.items() if k not in ("state",)})
    if outcome != "ok":
        error = (fresh.get("helper") or {}).get("error")
        raise FixError(_text(error) or t(
            "The administrator step did not run (declined or failed, code {code}).",
            "需要管理员权限的步骤没有执行（被拒绝或失败，代码 {code}）。", code=code,
        ))


def run_helper_step(fix: Fix, journal: Journal, entry: JournalEntry, index: int,
                    revert: bool) -> int:
    """Inside the elevated helper: execute or revert one journalled step, record the outcome."""
    step = entry.steps[index]
    action = Action.from_json(step["action"])
    env = FixEnv(config=Config())
    helper = step.setdefault("helper", {})
    try:
        if revert:
            note = fix.revert(action, step, env)
            if note is not None:
                step["note"] = note.both()
        else:
            fix.execute(action, step, env)
    except Exception as exc:
        helper.update(outcome="error", error=_reason(exc).both())
        journal.save(entry)
        return 1
    helper["outcome"] = "ok"
    journal.save(entry)
    return 0


def _reason(exc: BaseException) -> Text:
    if isinstance(exc, FixError):
        return exc.text
    if isinstance(exc, OSError):
        detail = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
        return t("{d}", "{d}", d=detail)
    return t("{d}", "{d}", d=f"{type(exc).__name__}: {exc}")


def _text(value: Any) -> Text | None:
    if isinstance(value, dict) and ("en" in value or "zh" in value):
        en = str(value.get("en", value.get("zh", "")))
        return t(en, str(value.get("zh", en)))
    return None
