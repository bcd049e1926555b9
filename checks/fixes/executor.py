"""Apply a plan step by step with a journal; roll back on failure; undo later.

Order per step: capture the backup, journal it with the step marked running (so a
run killed from here on leaves an entry whose started steps are known), act,
journal the outcome. A step that needs admin rights while the app has none is
elevated alone: one command through one prompt (Linux, macOS), or the elevated
helper for one journalled step (always on Windows; elsewhere for file edits and
for several commands under one prompt). Every command run with admin rights must
be on the fix's own list (`Fix.admin_commands`). Entries a killed run left behind
are rolled back from their backups by `recover_interrupted`. This is the only
module that joins fixes, the journal and elevation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from checks.engine.config import Config
from checks.fixes import elevation, helper_files
from checks.fixes.actions import (
    Action,
    FixError,
    HelperRun,
    NotCarriedOut,
    Plan,
    Step,
    StillRunning,
    reason_of,
)
from checks.fixes.env import FixEnv
from checks.fixes.fix import Fix
from checks.fixes.journal import Journal, JournalEntry, now_iso, owner_alive, process_of
from checks.platform import NAME as PLATFORM
from checks.shared.i18n import Text, t

HELPER_TIMEOUT_S = 120.0
# Steps to put back: what had finished, what was carried out when it failed or was cut
# short. A pending step never started.
_STARTED = ("done", "running", "failed")

INTERRUPTED_NOTE = t(
    "This fix was interrupted (the program was closed or the computer stopped) before it finished; what it had changed was put back.",
    "此修复在完成前被中断（程序被关闭或电脑停止运行）；它已做的改动都已恢复原样。")
INTERRUPTED_EARLY = t(
    "This fix was interrupted before it changed anything.",
    "此修复在做出任何改动之前就被中断了。")


def apply_plan(fix: Fix, plan: Plan, journal: Journal) -> JournalEntry:
    if plan.fix_id != fix.id:
        raise ValueError(f"plan for {plan.fix_id} given to fix {fix.id}")
    if plan.blocked is not None:
        raise FixError(plan.blocked)
    env = _guarded(fix, plan.env if isinstance(plan.env, FixEnv) else FixEnv(config=Config()))
    entry = journal.begin(plan)  # the plan is on disk before anything changes
    for step in entry.steps:
        try:
            step.backup = fix.backup(step.action, env)
            step.state, step.started = "running", now_iso()
            journal.save(entry)  # recorded as started before it acts
            _perform(fix, step, env, journal, entry, revert=False)
            step.state, step.finished = "done", now_iso()
            journal.save(entry)
        except StillRunning as exc:
            # It may still be acting: neither done nor to be put back while it runs. The
            # entry stays `planned`, for recovery once the helper (and this app) have ended.
            step.error = exc.text
            journal.save(entry)
            raise
        except Exception as exc:
            reason = reason_of(exc)
            if isinstance(exc, NotCarriedOut):
                step.started = ""  # it never began acting: nothing of it to put back
            step.state, step.error = "failed", reason
            journal.save(entry)
            problems = _rollback(fix, entry, env, journal, upto=step.index,
                                 states=_STARTED).problems
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
    if entry.state not in ("applied", "failed"):
        raise FixError(t(
            "Only an applied fix (or one that failed halfway) can be undone; this one is {state}.",
            "只能撤销已完成（或中途失败）的修复；这一条的状态是 {state}。", state=entry.state,
        ))
    if not entry.plan.get("reversible", True):
        undo = (entry.plan.get("i18n") or {}).get("undo")
        raise FixError(t("This fix cannot be undone: {why}", "此修复无法撤销：{why}",
                         why=Text.from_json(undo) if undo else t("", "")))
    env = _guarded(fix, env if env is not None else FixEnv(config=Config()))
    journal = Journal(entry.root) if entry.root else Journal()
    states = ("done",) if entry.state == "applied" else _STARTED
    outcome = _rollback(fix, entry, env, journal, upto=len(entry.steps) - 1, states=states)
    if outcome.problems:
        if not outcome.only_declined:  # a declined prompt changes nothing: try again later
            entry.state = "failed"
        journal.save(entry)
        raise FixError(t("Undo did not complete: {problems}", "撤销未能完成：{problems}",
                         problems=outcome.problems))
    entry.state = "undone"
    journal.save(entry)
    return [s.note for s in entry.steps if s.note is not None]


@dataclass
class Recovered:
    """An entry a killed run left half done, and what rolling it back came to."""

    entry: JournalEntry
    notes: list[Text]
    problem: Text | None = None


def recover_interrupted(journal: Journal, registry: Callable[[str], Fix],
                        env: FixEnv | None = None,
                        entries: list[JournalEntry] | None = None) -> list[Recovered]:
    """Roll back, from their backups, the started steps of every entry a run that is no
    longer alive left `planned` (or just `entries`). Each entry ends `rolled_back`, or
    `failed` with the reason when something could not be put back."""
    recovered = []
    for entry in entries if entries is not None else journal.interrupted():
        if any(s.helper is not None and s.helper.running and owner_alive(s.helper.running)
               for s in entry.steps):
            continue  # an administrator step of it is still running: not yet
        try:
            fix = registry(entry.fix_id)
        except KeyError:
            continue
        run_env = _guarded(fix, env if env is not None else FixEnv(config=Config()))
        started = any(s.state in _STARTED and s.started for s in entry.steps)
        problems = _rollback(fix, entry, run_env, journal, upto=len(entry.steps) - 1,
                             states=_STARTED).problems
        note = INTERRUPTED_NOTE if started else INTERRUPTED_EARLY
        entry.notes.append(note.both())
        entry.state = "failed" if problems else "rolled_back"
        journal.save(entry)
        problem = t("Putting it back failed: {p}", "恢复时出错：{p}", p=problems) if problems else None
        recovered.append(Recovered(entry, [note, *(s.note for s in entry.steps if s.note)],
                                   problem))
    return recovered


def _guarded(fix: Fix, env: FixEnv) -> FixEnv:
    """The environment with the fix's own list of administrator commands as its gate."""
    return dataclasses.replace(env, allows=fix.allows)


@dataclass
class Rollback:
    problems: list[str]
    declined: int = 0  # how many of them were an administrator prompt the person declined

    @property
    def only_declined(self) -> bool:
        return bool(self.problems) and self.declined == len(self.problems)


def _rollback(fix: Fix, entry: JournalEntry, env: FixEnv, journal: Journal, upto: int,
              states: tuple[str, ...]) -> Rollback:
    """Revert, last first, the steps in `states` that began acting (`started` is set)."""
    outcome = Rollback([])
    for step in reversed(entry.steps[: upto + 1]):
        if step.state not in states or not step.started:
            continue
        try:
            _perform(fix, step, env, journal, entry, revert=True)
        except Exception as exc:
            step.revert_error = reason_of(exc)
            outcome.problems.append(step.revert_error.render("en"))
            outcome.declined += isinstance(exc, NotCarriedOut)
            journal.save(entry)
            if isinstance(exc, StillRunning):
                break  # the steps before it stay as they are until it has ended
            continue
        step.state = "rolled_back" if entry.state == "planned" else "undone"
        step.reverted = now_iso()
        journal.save(entry)
    return outcome


def needs_helper(action: Action, env: FixEnv) -> bool:
    """Whether this action goes to the elevated helper rather than one prompted command."""
    if not (action.needs_admin and env.elevate):
        return False
    return PLATFORM == "windows" or action.kind != "run" or len(action.commands()) > 1


def _perform(fix: Fix, step: Step, env: FixEnv, journal: Journal, entry: JournalEntry,
             revert: bool) -> None:
    """Execute or revert one step: here, or in the elevated helper when it must be."""
    if needs_helper(step.action, env):
        _via_helper(fix, step, journal, entry, revert, env.window)
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
                revert: bool, window: int | None = None) -> None:
    step.helper = HelperRun(revert)
    journal.save(entry)
    path = journal.path(entry.id)
    helper_files.discard_result(path, step.index)
    try:
        code = elevation.run_helper(str(path), fix.id, step.index, revert, HELPER_TIMEOUT_S,
                                    window)
    except StillRunning as exc:
        step.helper.running = process_of(exc.pid)  # its result file is not read yet
        journal.save(entry)
        raise
    began = helper_files.take_result(path, step, revert)
    journal.save(entry)
    if not began:  # take_result left step.helper as set above: asked, never begun
        raise NotCarriedOut(t(
            "The administrator step did not run (declined or refused, code {code}); nothing was changed.",
            "需要管理员权限的步骤没有执行（被拒绝，代码 {code}）；没有做任何改动。", code=code))
    if step.helper is None or step.helper.outcome != "ok":
        error = step.helper.error if step.helper is not None else None
        raise FixError(error or t(
            "The administrator step stopped before it finished (code {code}).",
            "需要管理员权限的步骤未执行完就停止了（代码 {code}）。", code=code,
        ))


def run_helper_step(fix: Fix, entry: JournalEntry, index: int, revert: bool,
                    config: Config) -> tuple[Step, Text | None]:
    """Inside the elevated helper: execute or revert one journalled step. Every command
    is checked against the fix's list; nothing is taken from the journal but the
    parameters the fix's code validates. Returns the step and what went wrong, if."""
    step = entry.steps[index]
    step.outputs, step.note = [], None
    env = FixEnv(config=config, allows=fix.allows, in_helper=True)
    try:
        act(fix, step, env, revert)
    except Exception as exc:
        return step, reason_of(exc)
    return step, None
