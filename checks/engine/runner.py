"""Run checks in parallel with a deadline, cancellation and progress callbacks.

A check never escapes the runner: an exception, an overrun or a cancellation
becomes a grey result with a stable code and a reason.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from checks.engine import codes
from checks.engine.check import Check, all_checks, load_errors
from checks.engine.config import Config
from checks.engine.context import Context
from checks.engine.results import CheckResult, Status, error_result
from checks.shared.concurrency import serial_mode
from checks.shared.i18n import t
from checks.tencent import necessity

StartedCallback = Callable[[str], None]
FinishedCallback = Callable[[CheckResult], None]

# Time the runner keeps for itself after the deadline to assemble the report.
_GRACE_S = 0.2


@dataclass
class RunResult:
    results: list[CheckResult]
    started_at: datetime
    duration_s: float
    cancelled: bool = False
    load_errors: dict[str, str] = field(default_factory=dict)
    # When the verdict was certain before every check finished: the cause, when, and the
    # checks that were still running and were not needed (see `Runner.decide_early`).
    decided_early: dict[str, Any] | None = None


class Runner:
    def __init__(
        self,
        config: Config,
        checks: Sequence[Check] | None = None,
        *,
        lang: str = "en",
        on_started: StartedCallback | None = None,
        on_finished: FinishedCallback | None = None,
        decide_early: bool = False,
    ) -> None:
        self.config = config
        self.checks = list(checks) if checks is not None else all_checks()
        self.lang = lang
        self.on_started = on_started
        self.on_finished = on_finished
        # End the run as soon as its primary cause is certain (diagnosis.early_verdict):
        # the checks still running are then "not needed". For a person's full check, not
        # for the re-check after a fix, which must see every check it ran.
        self.decide_early = decide_early
        self._cancel = threading.Event()
        self._stop = threading.Event()  # the probes' "no longer needed" (Context.cancelled)

    def cancel(self) -> None:
        """Safe from any thread; run() returns promptly with the rest marked cancelled."""
        self._cancel.set()
        self._stop.set()

    def run(self) -> RunResult:
        from checks.engine.context import make_context

        started_at = datetime.now(timezone.utc)
        ctx = make_context(self.config, self.lang)
        ctx.cancelled = self._stop
        if self._cancel.is_set():
            self._stop.set()
        done: queue.Queue[CheckResult] = queue.Queue()
        pending = {check.id: check for check in self.checks}
        if serial_mode():
            self._prepare()

            def one_by_one() -> None:
                for check in self.checks:
                    self._run_one(check, ctx, done)

            threading.Thread(target=one_by_one, name="checks-serial", daemon=True).start()
        else:
            # The checks that wait on the network start first: their waits run while the
            # runner loads what they need (prepare). The checks of this computer alone
            # (`local`), busy with its CPU, start after it so as not to slow that load.
            # (On the lab: loaded before any check started, every wait on silence was
            # ~80 ms longer; loaded by the probes themselves, a healthy run ~25 ms.)
            self._start([c for c in self.checks if not c.local], ctx, done)
            self._prepare()
            self._start([c for c in self.checks if c.local], ctx, done)

        results: dict[str, CheckResult] = {}
        decided: dict[str, Any] | None = None
        give_up_at = ctx.deadline.at + _GRACE_S
        while pending and not self._cancel.is_set():
            wait = give_up_at - time.monotonic()
            if wait <= 0:
                break
            try:
                # Short waits keep cancellation prompt.
                result = done.get(timeout=min(wait, 0.05))
            except queue.Empty:
                continue
            if result.id in pending:
                pending.pop(result.id)
                results[result.id] = result
                self._notify_finished(result)
                if self.decide_early and pending:
                    decided = _decided(list(results.values()), pending, ctx)
                    if decided is not None:
                        self._stop.set()  # what still waits on the network ends now
                        break

        for check in pending.values():
            if decided is not None:
                result = _not_needed(check, decided)
            else:
                result = self._unfinished(check, cancelled=self._cancel.is_set())
            results[check.id] = result
            self._notify_finished(result)

        # Checks still running keep their own copies; pooled connections go now.
        ctx.close()
        ordered = [results[c.id] for c in self.checks]
        ordered += [_load_error_result(name, tb) for name, tb in load_errors().items()]
        return RunResult(
            results=ordered,
            started_at=started_at,
            duration_s=time.monotonic() - ctx.deadline.start,
            cancelled=self._cancel.is_set(),
            load_errors=load_errors(),
            decided_early=decided,
        )

    def _start(self, checks: list[Check], ctx: Context, done: queue.Queue[CheckResult]
               ) -> None:
        for check in checks:
            threading.Thread(target=self._run_one, args=(check, ctx, done),
                             name=f"check-{check.id}", daemon=True).start()

    def _prepare(self) -> None:
        """Each check's `prepare`, on this thread."""
        for check in self.checks:
            try:
                check.prepare()
            except Exception:  # its collect meets the same error and reports it
                continue

    def _run_one(self, check: Check, ctx: Context, done: queue.Queue[CheckResult]) -> None:
        start = time.monotonic()
        if self.on_started:
            try:
                self.on_started(check.id)
            except Exception:  # a broken observer must not break the check
                pass
        done.put(run_check(check, ctx, start))

    def _notify_finished(self, result: CheckResult) -> None:
        if self.on_finished:
            try:
                self.on_finished(result)
            except Exception:
                pass

    def _unfinished(self, check: Check, cancelled: bool) -> CheckResult:
        if cancelled:
            return error_result(
                check.id, check.title, check.group, codes.CANCELLED,
                t("Cancelled before it finished.", "检测在完成前被取消。"),
            )
        return error_result(
            check.id, check.title, check.group, codes.DEADLINE,
            t(
                "Did not finish within the run's time limit ({s:g} s).",
                "未能在本次检测的时限（{s:g} 秒）内完成。",
                s=self.config.deadline_s,
            ),
            duration_s=self.config.deadline_s,
        )


def _decided(finished: list[CheckResult], pending: dict[str, Check], ctx: Context
             ) -> dict[str, Any] | None:
    """The early verdict, once nothing still running can change the primary cause."""
    from checks.diagnosis.early_verdict import early_diagnosis

    diagnosis = early_diagnosis(finished, list(pending))
    if diagnosis is None:
        return None
    return {"cause": diagnosis.primary,
            "after_s": round(time.monotonic() - ctx.deadline.start, 3),
            "not_needed": list(pending)}


NOT_NEEDED = t("Not needed: the most likely cause was already certain, and nothing this check "
               "could find would change it.",
               "无需检测：最可能的原因已经确定，本项检测的任何结果都不会改变它。")


def _not_needed(check: Check, decided: dict[str, Any]) -> CheckResult:
    """A check still running when the verdict was certain: grey, never a finding."""
    return CheckResult(
        id=check.id, title=check.title, group=check.group, status=Status.SKIPPED,
        summary=NOT_NEEDED,
        evidence={"not_needed": {"cause": decided["cause"], "after_s": decided["after_s"]}},
        duration_s=float(decided["after_s"]))


def run_check(check: Check, ctx: Context, start: float | None = None) -> CheckResult:
    """Collect then assess one check, turning anything unexpected into a grey result."""
    start = time.monotonic() if start is None else start
    try:
        reason = check.not_applicable(ctx)
        if reason is not None:
            return CheckResult(
                id=check.id, title=check.title, group=check.group, status=Status.SKIPPED,
                summary=reason, duration_s=time.monotonic() - start,
            )
        evidence = check.collect(ctx)
        verdict = necessity.soften(check.assess(evidence, ctx), ctx.config.endpoints)
    except Exception as exc:
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        result = error_result(
            check.id, check.title, check.group, codes.INTERNAL_ERROR,
            t("This check failed unexpectedly: {detail}", "该项检测意外出错：{detail}",
              detail=detail),
            duration_s=time.monotonic() - start,
        )
        return result
    return CheckResult(
        id=check.id,
        title=check.title,
        group=check.group,
        status=verdict.status,
        summary=verdict.summary,
        advice=verdict.advice,
        evidence=evidence,
        problems=verdict.problems,
        cause=verdict.cause,
        fixes=verdict.fixes,
        duration_s=time.monotonic() - start,
    )


def _load_error_result(module: str, tb: str) -> CheckResult:
    last = tb.strip().splitlines()[-1] if tb.strip() else "unknown error"
    return error_result(
        f"load:{module}", t("Check module {m}", "检测模块 {m}", m=module), "computer",
        codes.CHECK_LOAD_ERROR,
        t("This check could not be loaded: {e}", "该项检测无法加载：{e}", e=last),
    )
