"""Apply a plan step by step with a journal; roll back on failure; undo later.

Order per step: capture the backup, journal it, mark the step running, act,
journal the outcome. A step that needs admin rights while the app has none runs
alone in an elevated helper (or, for a plain command on Linux/macOS, that one
command is elevated). This is the only module that joins fixes, the journal and
elevation.
"""

from __future__ import annotations

from checks.config import Config
from checks.fixes import elevation
from checks.fixes.base import Fix
from checks.fixes.env import FixEnv
from checks.fixes.journal import Journal, JournalEntry, now_iso
from checks.fixes.model import FixError, HelperRun, Plan, Step, reason_of
from checks.i18n import Text, t
from checks.platform import NAME as PLATFORM

HELPER_TIMEOUT_S = 120.0


def apply_plan(fix: Fix, plan: Plan, journal: Journal) -> JournalEntry:
    if plan.fix_id != fix.id:
        raise ValueError(f"plan for {plan.fix_id} given to fix {fix.id}")
    if plan.blocked is not None:
        raise FixError(plan.blocked)
    env = plan.env if isinstance(plan.env, FixEnv) else FixEnv(config=Config())
    entry = journal.begin(plan)  # the plan is on disk before anything changes
    for step in entry.steps:
        try:
            step.backup = fix.backup(step.action, env)
            step.state, step.started = "running", now_iso()
            journal.save(entry)
            _perform(fix, step, env, journal, entry, revert=False)
            step.state, step.finished = "done", now_iso()
            journal.save(entry)
        except Exception as exc:
            reason = reason_of(exc)
            started = step.state == "running"
            step.state, step.error = "failed", reason
            journal.save(entry)
            problems = _rollback(fix, entry, env, journal, upto=step.index, include_failed=started)
            entry.state = "failed" if problems else "rolled_back"
            journal.save(entry)
            if problems:
                raise FixError(t(
                    "Step {n} failed ({reason}) and putting back the earlier steps also failed: {problems}. Journal: {id}",
                    "第 {n} 步失败（{reason}），恢复前面的步骤时也出错：{problems}。日志编号：{id}",
                    n=step.index + 1, reason=reason, problems=problems, id=entry.id,
                )) from exc
            raise FixError(t(
                "Step {n} failed ({reason}); everything this fix had changed was put back.",
                "第 {n} 步失败（{reason}）；本次修复已做的改动都已恢复原样。",
                n=step.index + 1, reason=reason,
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
        undo = (entry.plan.get("i18n") or {}).get("undo")
        raise FixError(t("This fix cannot be undone: {why}", "此修复无法撤销：{why}",
                         why=Text.from_json(undo) if undo else t("", "")))
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
    return [s.note for s in entry.steps if s.note is not None]


def _rollback(
    fix: Fix, entry: JournalEntry, env: FixEnv, journal: Journal, upto: int, include_failed: bool
) -> list[str]:
    problems: list[str] = []
    for step in reversed(entry.steps[: upto + 1]):
        if not (step.state == "done" or (include_failed and step.state == "failed")):
            continue
        try:
            _perform(fix, step, env, journal, entry, revert=True)
        except Exception as exc:
            step.revert_error = reason_of(exc)
            problems.append(step.revert_error.render("en"))
            journal.save(entry)
            continue
        step.state = "rolled_back" if entry.state == "planned" else "undone"
        step.reverted = now_iso()
        journal.save(entry)
    return problems


def _perform(fix: Fix, step: Step, env: FixEnv, journal: Journal, entry: JournalEntry,
             revert: bool) -> None:
    """Execute or revert one step: here, or in the elevated helper when it must be."""
    action = step.action
    if action.needs_admin and env.elevate and (action.kind != "run" or PLATFORM == "windows"):
        _via_helper(fix, step, journal, entry, revert)
    else:
        act(fix, step, env, revert)


def act(fix: Fix, step: Step, env: FixEnv, revert: bool) -> None:
    """The one place a fix's own code changes something (also inside the helper)."""
    if revert:
        note = fix.revert(step.action, step, env)
        if note is not None:
            step.note = note
    else:
        fix.execute(step.action, step, env)


def _via_helper(fix: Fix, step: Step, journal: Journal, entry: JournalEntry,
                revert: bool) -> None:
    step.helper = HelperRun(revert)
    journal.save(entry)
    code = elevation.run_helper(str(journal.path(entry.id)), fix.id, step.index, revert,
                                HELPER_TIMEOUT_S)
    fresh = journal.load(entry.id).steps[step.index]
    # The helper wrote its outputs, facts and notes into the journal; take them over.
    step.outputs, step.facts, step.note = fresh.outputs, fresh.facts, fresh.note
    step.restart_needed, step.helper = fresh.restart_needed, fresh.helper
    if step.helper is None or step.helper.outcome != "ok":
        error = step.helper.error if step.helper is not None else None
        raise FixError(error or t(
            "The administrator step did not run (declined or failed, code {code}).",
            "需要管理员权限的步骤没有执行（被拒绝或失败，代码 {code}）。", code=code,
        ))


def run_helper_step(fix: Fix, journal: Journal, entry: JournalEntry, index: int,
                    revert: bool) -> int:
    """Inside the elevated helper: execute or revert one journalled step, record the outcome."""
    step = entry.steps[index]
    if step.helper is None:
        step.helper = HelperRun(revert)
    try:
        act(fix, step, FixEnv(config=Config()), revert)
    except Exception as exc:
        step.helper.outcome, step.helper.error = "error", reason_of(exc)
        journal.save(entry)
        return 1
    step.helper.outcome = "ok"
    journal.save(entry)
    return 0
