"""Fast, controllable checks for GUI tests and the sample reports.

Each fake sleeps in small steps (so a cancelled run's threads end quickly), then
returns the evidence and verdict it was given, or raises if told to.
"""

from __future__ import annotations

import time
from typing import Any

from checks.engine.check import Check
from checks.engine.context import Context
from checks.engine.results import Evidence, Status, Verdict
from checks.shared.i18n import Text, t


class FakeCheck(Check):
    def __init__(
        self,
        check_id: str,
        group: str = "network",
        status: Status = Status.OK,
        *,
        title: Text | None = None,
        summary: Text | None = None,
        advice: Text | None = None,
        evidence: dict[str, Any] | None = None,
        cause: str | None = None,
        fixes: tuple[str, ...] = (),
        sleep: float = 0.0,
        raises: BaseException | None = None,
        order: int = 100,
    ) -> None:
        self.id = check_id  # type: ignore[misc]
        self.group = group  # type: ignore[misc]
        self.order = order  # type: ignore[misc]
        self.title = title or t(f"Check {check_id}", f"检测 {check_id}")  # type: ignore[misc]
        self.status = status
        self.summary = summary or t(f"{check_id} is {status.value}", f"{check_id} 的结果：{status.value}")
        self.advice = advice
        self.evidence = evidence if evidence is not None else {"target": check_id, "ms": 12.5}
        self.cause = cause
        self.fixes = fixes
        self.sleep = sleep
        self.raises = raises

    def collect(self, ctx: Context) -> dict[str, Any]:
        end = time.monotonic() + self.sleep
        while time.monotonic() < end and not ctx.cancelled.is_set():
            time.sleep(min(0.01, max(0.0, end - time.monotonic())))
        if ctx.cancelled.is_set() and time.monotonic() < end:
            # Like a real probe stuck in a system call: it ends a while after the
            # cancel, so the runner must report it as cancelled, not wait for it.
            time.sleep(min(1.0, end - time.monotonic()))
        if self.raises is not None:
            raise self.raises
        return dict(self.evidence)

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return Verdict(self.status, self.summary, self.advice, cause=self.cause, fixes=self.fixes)
