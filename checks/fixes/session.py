"""A fix session: plan -> apply -> re-check -> before/after -> undo.

The command line and the window are thin views over this: they show the preview
lines, ask the person, and print or display what the session returns. The session
keeps the report it planned from up to date with the re-checked results (and, for
a whole run, its verdict judged again from them: checks.report.rejudge), and
records each applied fix the way the report carries it (`fixes_applied`). Before
it applies anything it rolls back what an interrupted earlier run left half done
(`recover_interrupted`), so no fix starts from a half-changed system.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from checks.engine.check import Check, all_checks
from checks.engine.config import Config
from checks.engine.runner import Runner, RunResult
from checks.fixes import get_fix
from checks.fixes.actions import FixError, Plan
from checks.fixes.env import FixEnv
from checks.fixes.executor import Recovered, apply_plan, recover_interrupted, undo_entry
from checks.fixes.fix import Choice, Fix
from checks.fixes.journal import Journal, JournalEntry
from checks.report.rejudge import rejudged
from checks.shared.i18n import Text, t

UNKNOWN = t("Unknown fix “{id}”.", "未知的修复项“{id}”。")
NOT_HERE = t("Not available on this computer: {reason}", "不适用于这台电脑：{reason}")
PLAN_FAILED = t("Could not prepare this fix: {reason}", "无法准备此修复：{reason}")
NOT_A_CHOICE = t("“{choice}” is not one of this fix's choices here ({valid}).",
                 "“{choice}”不是此修复在这里可选的一项（可选：{valid}）。")

Registry = Callable[[str], Fix]  # fix id -> fix; KeyError for an unknown id


class Runs(Protocol):
    def run(self) -> RunResult: ...


# How a re-check runs its checks: (config, checks, lang) -> a runner. The window hands
# in its own, so a re-check runs where every other run of the window does.
RecheckRunner = Callable[[Config, Sequence[Check], str], Runs]


def in_process(config: Config, checks: Sequence[Check], lang: str) -> Runs:
    return Runner(config, checks, lang=lang)


@dataclass
class PlannedFix:
    """One fix id resolved to its fix and plan, or to why it cannot be shown."""

    fix_id: str
    title: Text
    fix: Fix | None = None
    plan: Plan | None = None
    problem: Text | None = None
    # What the person can pick between (Fix.choices), the recommended first, and the
    # id the plan was made for.
    choices: list[Choice] = field(default_factory=list)
    choice: str | None = None

    @property
    def runnable(self) -> bool:
        return self.plan is not None and self.plan.blocked is None


@dataclass
class AppliedFix:
    """A fix applied in this session, as the report records it."""

    fix: Fix
    entry: JournalEntry
    before: dict[str, str]
    after: dict[str, str] = field(default_factory=dict)
    undone: bool = False

    @property
    def restart_needed(self) -> bool:
        return any(step.restart_needed for step in self.entry.steps)

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"fix_id": self.fix.id, "journal_id": self.entry.id,
                                  "before": self.before, "after": self.after}
        if self.undone:
            record["undone"] = True
        return record


class FixSession:
    def __init__(
        self,
        config: Config,
        report: dict[str, Any] | None = None,
        *,
        lang: str = "en",
        checks: Callable[[], Sequence[Check]] = all_checks,
        registry: Registry = get_fix,
        journal: Journal | None = None,
        runner: RecheckRunner = in_process,
    ) -> None:
        self.config = config
        self.runner = runner
        self.report = report
        self.lang = lang
        self.checks = checks
        self.registry = registry
        self.journal = journal or Journal()
        self.applied: list[AppliedFix] = []
        self.recovered: list[Recovered] | None = None
        # The window administrator prompts belong to (set by the window, Windows: HWND).
        self.window: int | None = None

    # ---- looking -------------------------------------------------------------------------

    def gather_evidence(self, fix_ids: Sequence[str]) -> None:
        """Without a report, run the checks these fixes plan from and affect, once: the plan
        reads fresh evidence and the run is the "before" of the comparison."""
        if self.report is not None:
            return
        ids: list[str] = []
        for fix_id in fix_ids:
            try:
                fix = self.registry(fix_id)
            except KeyError:
                continue
            ids += [*fix.needs_checks, *fix.affects]
        self.report = {"checks": self.recheck(list(dict.fromkeys(ids)))}

    def plan(self, fix_ids: Sequence[str],
             choices: Mapping[str, str] | None = None) -> list[PlannedFix]:
        """Planning only reads the system; it never changes anything. `choices`: fix id ->
        the id of the choice the person picked (default: the recommended one)."""
        picked = choices or {}
        return [self._plan_one(fix_id, picked.get(fix_id)) for fix_id in dict.fromkeys(fix_ids)]

    def replan(self, planned: PlannedFix, choice: str) -> PlannedFix:
        """The same fix planned again for another of its choices (the window's choice box)."""
        return self._plan_one(planned.fix_id, choice)

    def _plan_one(self, fix_id: str, choice: str | None = None) -> PlannedFix:
        try:
            fix = self.registry(fix_id)
        except KeyError:
            return PlannedFix(fix_id, t(fix_id, fix_id), problem=UNKNOWN.with_params(id=fix_id))
        reason = fix.applicable()
        if reason is not None:
            return PlannedFix(fix_id, fix.title, fix, problem=NOT_HERE.with_params(reason=reason))
        env = self._env()
        try:
            offered = fix.choices(env)
            ids = [c.id for c in offered]
            if choice is not None and choice not in ids:
                return PlannedFix(fix_id, fix.title, fix, choices=offered, problem=NOT_A_CHOICE
                                  .with_params(choice=choice, valid=", ".join(ids) or "-"))
            env.choice = choice if choice is not None else (ids[0] if ids else None)
            plan = fix.plan(env)
        except Exception as exc:  # a broken fix must not take the caller down
            reason_text = f"{type(exc).__name__}: {exc}"
            return PlannedFix(fix_id, fix.title, fix,
                              problem=PLAN_FAILED.with_params(reason=reason_text))
        return PlannedFix(fix_id, fix.title, fix, plan, choices=offered, choice=env.choice)

    # ---- changing ------------------------------------------------------------------------

    def recover_interrupted(self) -> list[Recovered]:
        """Roll back, once per session, the started steps of fixes whose run was killed
        before it finished (see checks.fixes.executor.recover_interrupted)."""
        if self.recovered is None:
            self.recovered = recover_interrupted(
                self.journal, self.registry, self._env())
        return self.recovered

    def apply(self, planned: Sequence[PlannedFix]) -> list[dict[str, Any]]:
        """Apply every runnable fix, then re-check what they affect. Returns the re-checked
        results (check JSON). A failing fix raises FixError after the earlier ones are
        recorded (each fix's own steps are rolled back by the executor)."""
        self.recover_interrupted()
        before = self.statuses()
        error: FixError | None = None
        done: list[AppliedFix] = []
        for item in planned:
            if not item.runnable or item.fix is None or item.plan is None:
                continue
            if isinstance(item.plan.env, FixEnv):
                item.plan.env = dataclasses.replace(item.plan.env, window=self.window)
            try:
                entry = apply_plan(item.fix, item.plan, self.journal)
            except FixError as exc:
                error = exc
                break
            done.append(AppliedFix(item.fix, entry, before={}))
        self.applied += done
        after = self.recheck(self._affected(a.fix for a in done))
        statuses = {item["id"]: str(item["status"]) for item in after}
        for applied in done:
            applied.after = {cid: statuses[cid] for cid in applied.fix.affects if cid in statuses}
            applied.before = {cid: before[cid] for cid in applied.after if cid in before}
        if error is not None:
            raise error
        return after

    def undo(self, applied: Sequence[AppliedFix] | None = None, *,
             recheck: bool = True) -> tuple[list[Text], list[dict[str, Any]]]:
        """Undo fixes applied in this session (default: all of them, last first).
        Returns undo's notes and the re-checked results."""
        targets = list(applied if applied is not None else self.applied)
        notes: list[Text] = []
        for item in reversed(targets):
            if item.undone:
                continue
            notes += undo_entry(item.fix, item.entry,
                                self._env())
            item.undone = True
        after = self.recheck(self._affected(a.fix for a in targets)) if recheck else []
        return notes, after

    def undo_entry(self, entry: JournalEntry) -> list[Text]:
        """Undo a fix applied earlier (a journal entry), without re-checking."""
        return undo_entry(self.registry(entry.fix_id), entry,
                          self._env())

    def _env(self) -> FixEnv:
        return FixEnv(config=self.config, report=self.report, window=self.window)

    # ---- checking again ------------------------------------------------------------------

    def recheck(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Run these checks again with the same engine; the report keeps the fresh results."""
        selected = [c for c in self.checks() if c.id in ids]
        if not selected:
            return []
        results = [r.to_json(self.lang)
                   for r in self.runner(self.config, selected, self.lang).run().results
                   if r.id in ids]
        if self.report is not None:
            fresh = {item["id"]: item for item in results}
            known = {c.get("id") for c in self.report.get("checks", [])}
            self.report["checks"] = [fresh.get(c.get("id"), c)
                                     for c in self.report.get("checks", [])]
            self.report["checks"] += [item for item in results if item["id"] not in known]
            if "diagnosis" in self.report:  # a whole run: its verdict follows the fresh rows
                self.report.update(rejudged(self.report, self.report.get("lang", self.lang)))
        return results

    def statuses(self) -> dict[str, str]:
        return {str(c["id"]): str(c.get("status")) for c in (self.report or {}).get("checks", [])
                if isinstance(c, dict) and "id" in c}

    def fixes_applied(self) -> list[dict[str, Any]]:
        return [a.to_json() for a in self.applied]

    @staticmethod
    def _affected(fixes: Any) -> list[str]:
        return list(dict.fromkeys(cid for fix in fixes for cid in fix.affects))
