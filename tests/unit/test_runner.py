"""The runner's contract: parallel, bounded by the deadline, never crashing."""

from __future__ import annotations

import threading
import time
from typing import Any

from checks.engine.check import Check
from checks.engine.config import load_config
from checks.engine.context import Context
from checks.engine.results import Evidence, Status, Verdict
from checks.engine.runner import Runner
from checks.shared.i18n import t


class _Fake(Check):
    group = "network"

    def __init__(self, check_id: str, sleep: float = 0.0, raises: bool = False,
                 status: Status = Status.OK, gate: threading.Event | None = None) -> None:
        self.id = check_id  # type: ignore[misc]
        self.title = t(check_id, check_id)  # type: ignore[misc]
        self.sleep = sleep
        self.raises = raises
        self.status = status
        self.gate = gate

    def collect(self, ctx: Context) -> dict[str, Any]:
        if self.gate is not None:
            self.gate.wait(5)
        time.sleep(self.sleep)
        if self.raises:
            raise RuntimeError("boom")
        return {"slept": self.sleep}

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return Verdict(self.status, t("done", "完成"))


def _config(deadline: float = 5.0):
    return load_config().with_deadline(deadline)


def test_checks_run_in_parallel() -> None:
    # Three checks that each wait for the other two to have started can only
    # finish if they run at the same time.
    barrier = threading.Barrier(3, timeout=3)

    class Waiting(_Fake):
        def collect(self, ctx: Context) -> dict[str, Any]:
            barrier.wait()
            return {}

    result = Runner(_config(), [Waiting("a"), Waiting("b"), Waiting("c")]).run()
    assert [r.status for r in result.results] == [Status.OK] * 3


def test_prepare_runs_on_the_runners_thread_before_the_local_checks_start() -> None:
    """`prepare` runs on the runner's thread, once the checks that wait on the network
    have started and before the checks of this computer alone (`local`) do; a `prepare`
    that fails leaves the check to report the failure from its own collect."""
    seen: list[tuple[str, str]] = []

    class Preparing(_Fake):
        def prepare(self) -> None:
            seen.append(("prepare " + self.id, threading.current_thread().name))
            if self.id == "broken":
                raise ImportError("no such package")

        def collect(self, ctx: Context) -> dict[str, Any]:
            seen.append(("collect " + self.id, threading.current_thread().name))
            if self.id == "broken":
                raise ImportError("no such package")
            return {}

    class Local(Preparing):
        local = True

    result = Runner(_config(), [Local("here"), Preparing("net"), Preparing("broken")]).run()
    caller = threading.current_thread().name
    steps = [step for step, _ in seen]
    assert {thread for step, thread in seen if step.startswith("prepare")} == {caller}
    assert {thread for step, thread in seen if step.startswith("collect")} & {caller} == set()
    assert steps.index("collect here") > max(steps.index(f"prepare {c}")
                                             for c in ("here", "net", "broken"))
    by_id = {r.id: r for r in result.results}
    assert by_id["net"].status is Status.OK and by_id["here"].status is Status.OK
    assert by_id["broken"].status is Status.ERROR
    assert "no such package" in by_id["broken"].summary.render("en")


def test_exception_becomes_grey_result_with_reason() -> None:
    result = Runner(_config(), [_Fake("ok"), _Fake("bad", raises=True)]).run()
    by_id = {r.id: r for r in result.results}
    assert by_id["ok"].status is Status.OK
    assert by_id["bad"].status is Status.ERROR
    assert by_id["bad"].evidence["failure"] == "internal_error"
    assert "boom" in by_id["bad"].summary.render("en")


def test_overrun_becomes_deadline_error_and_run_ends_near_deadline() -> None:
    hang = threading.Event()  # never set: the check blocks until the test process ends
    result = Runner(_config(0.5), [_Fake("fast"), _Fake("stuck", gate=hang, sleep=30)]).run()
    by_id = {r.id: r for r in result.results}
    assert by_id["fast"].status is Status.OK
    assert by_id["stuck"].status is Status.ERROR
    assert by_id["stuck"].evidence["failure"] == "deadline"
    assert result.duration_s < 5  # bounded by the deadline, not by the stuck check


def test_cancel_marks_unfinished_checks_cancelled() -> None:
    gate = threading.Event()
    runner = Runner(_config(), [_Fake("waiting", gate=gate)])
    threading.Timer(0.2, runner.cancel).start()
    result = runner.run()
    gate.set()
    assert result.cancelled
    assert result.results[0].status is Status.ERROR
    assert result.results[0].evidence["failure"] == "cancelled"


def test_progress_callbacks_fire_for_every_check() -> None:
    started: list[str] = []
    finished: list[str] = []
    Runner(
        _config(),
        [_Fake("a"), _Fake("b", raises=True)],
        on_started=started.append,
        on_finished=lambda r: finished.append(r.id),
    ).run()
    assert sorted(started) == ["a", "b"]
    assert sorted(finished) == ["a", "b"]


def test_broken_observer_does_not_break_the_run() -> None:
    def explode(_: object) -> None:
        raise ValueError("observer bug")

    result = Runner(_config(), [_Fake("a")], on_started=explode, on_finished=explode).run()
    assert result.results[0].status is Status.OK


def test_serial_mode_runs_one_check_at_a_time(monkeypatch) -> None:
    monkeypatch.setenv("WXDOCTOR_SERIAL", "1")
    running = 0
    most = 0
    lock = threading.Lock()

    class Counting(_Fake):
        def collect(self, ctx: Context) -> dict[str, Any]:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.02)
            with lock:
                running -= 1
            return {}

    result = Runner(_config(), [Counting("a"), Counting("b"), Counting("c")]).run()
    assert [r.status for r in result.results] == [Status.OK] * 3
    assert most == 1


def test_gather_keeps_order_and_stands_in_for_late_or_failed_items() -> None:
    from checks.shared.concurrency import gather

    def work(n: int) -> int:
        if n == 2:
            raise ValueError("broken probe")
        if n == 3:
            threading.Event().wait(5)  # still running at the timeout
        return n * 10

    assert gather(work, [1, 2, 3, 4], 0.5, lambda n: -n) == [10, -2, -3, 40]


class _Finding(_Fake):
    """A check with a real id whose verdict names a cause."""

    def __init__(self, check_id: str, group: str, status: Status, cause: str | None,
                 sleep: float = 0.0) -> None:
        super().__init__(check_id, sleep=sleep, status=status)
        self.group = group  # type: ignore[misc]
        self.cause = cause

    def collect(self, ctx: Context) -> dict[str, Any]:
        end = time.monotonic() + self.sleep
        while time.monotonic() < end and not ctx.cancelled.is_set():
            time.sleep(0.01)
        return {"slept": self.sleep}

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return Verdict(self.status, t("done", "完成"), cause=self.cause)


def test_a_certain_verdict_ends_the_run_and_the_rest_is_not_needed() -> None:
    """A blocked port is settled at once; the disk check (a weaker cause) cannot change
    it, so the run ends instead of waiting for it: grey "not needed", never a finding."""
    checks = [_Finding("tcp", "network", Status.FAIL, "tcp_blocked"),
              _Finding("disk", "computer", Status.OK, None, sleep=20)]
    started = time.monotonic()
    run = Runner(_config(30), checks, decide_early=True).run()
    assert time.monotonic() - started < 5
    by_id = {r.id: r for r in run.results}
    assert by_id["tcp"].status is Status.FAIL
    disk = by_id["disk"]
    assert disk.status is Status.SKIPPED and not disk.problems and disk.cause is None
    assert disk.evidence["not_needed"]["cause"] == "tcp_blocked"
    assert disk.summary.render("en").startswith("Not needed")
    assert "无需检测" in disk.summary.render("zh")
    assert run.decided_early is not None
    assert run.decided_early["cause"] == "tcp_blocked"
    assert run.decided_early["not_needed"] == ["disk"]
    assert not run.cancelled


def test_the_run_goes_on_while_a_pending_check_could_change_the_verdict() -> None:
    # The captive-portal check could explain the blocked port: it is waited for.
    checks = [_Finding("tcp", "network", Status.FAIL, "tcp_blocked"),
              _Finding("captive", "network", Status.OK, None, sleep=0.5)]
    run = Runner(_config(), checks, decide_early=True).run()
    assert run.decided_early is None
    assert [r.status for r in run.results] == [Status.FAIL, Status.OK]


def test_without_decide_early_every_check_finishes() -> None:
    """A fix's re-check must see every check it ran: the default waits for all."""
    checks = [_Finding("tcp", "network", Status.FAIL, "tcp_blocked"),
              _Finding("disk", "computer", Status.OK, None, sleep=0.3)]
    run = Runner(_config(), checks).run()
    assert run.decided_early is None
    assert [r.status for r in run.results] == [Status.FAIL, Status.OK]
