"""Run the checks in a child process and stream their progress back (for the window).

Why a process: a run starts ~150 short-lived probe threads whose Python work all
wants the one interpreter lock. In the window's own process the GUI thread then
waits behind them for every slot, paint and timer tick it runs (the benchmark
measured 100-190 ms event-loop stalls; with the same run in another process the
loop never waits more than ~10 ms). The child is plain Python (no Qt) and is
started ahead of time, so its interpreter start-up and catalog import are not
part of a run.

Protocol, pickles over the child's stdin/stdout (parent and child are the same
program): parent -> child `(config, check ids, lang, decide early)` then optionally
"cancel";
child -> parent `("started", id)`, `("finished", CheckResult)`, then
`("done", RunResult)`. End of the child's stdin (the window went away) cancels.
"""

from __future__ import annotations

import atexit
import pickle
import subprocess
import threading
from collections.abc import Callable, Sequence

from app.child.channel import ChildChannel, ChildProcess, child_command
from checks.engine.check import Check
from checks.engine.config import Config
from checks.engine.results import CheckResult
from checks.engine.runner import RunResult

CHILD_FLAG = "--engine-child"  # the frozen GUI executable's hidden mode
_KILL_AFTER_S = 5.0  # past the deadline (+ the runner's grace) a silent child is killed


def child_argv() -> list[str]:
    return child_command(CHILD_FLAG, "app.child.check_process")


class _Child(ChildProcess):
    def __init__(self) -> None:
        super().__init__(child_argv())

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.proc.kill()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout, self.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass


_spare: _Child | None = None
_spare_lock = threading.Lock()


def prespawn() -> None:
    """Start a child now (idle time) so the next run does not wait for its start-up."""
    global _spare
    with _spare_lock:
        if _spare is None or not _spare.alive():
            _spare = _Child()


def _take() -> _Child:
    global _spare
    with _spare_lock:
        child, _spare = _spare, None
    if child is not None and child.alive():
        return child
    if child is not None:
        child.stop()
    return _Child()


@atexit.register
def discard_spare() -> None:
    global _spare
    with _spare_lock:
        child, _spare = _spare, None
    if child is not None:
        child.stop()


class ProcessRunner:
    """The Runner's interface (run, cancel, progress callbacks), in a child process."""

    def __init__(
        self,
        config: Config,
        checks: Sequence[Check],
        *,
        lang: str = "en",
        on_started: Callable[[str], None] | None = None,
        on_finished: Callable[[CheckResult], None] | None = None,
        decide_early: bool = False,
    ) -> None:
        self.config = config
        self.check_ids = [c.id for c in checks]
        self.lang = lang
        self.decide_early = decide_early
        self.on_started = on_started
        self.on_finished = on_finished
        self._child: _Child | None = None
        self._cancelled = threading.Event()
        self._lock = threading.Lock()

    def cancel(self) -> None:
        self._cancelled.set()
        with self._lock:
            child = self._child
            if child is None or child.proc.stdin is None:
                return
            try:
                pickle.dump("cancel", child.proc.stdin)
                child.proc.stdin.flush()
            except (OSError, ValueError):  # already gone
                pass

    def run(self) -> RunResult:
        child = _take()
        with self._lock:
            self._child = child
        assert child.proc.stdin is not None and child.proc.stdout is not None
        killer = threading.Timer(self.config.deadline_s + _KILL_AFTER_S, child.stop)
        killer.daemon = True
        killer.start()
        try:
            with self._lock:
                pickle.dump((self.config, self.check_ids, self.lang, self.decide_early),
                            child.proc.stdin)
                child.proc.stdin.flush()
            if self._cancelled.is_set():
                self.cancel()
            while True:
                kind, value = pickle.load(child.proc.stdout)
                if kind == "started" and self.on_started:
                    self.on_started(value)
                elif kind == "finished" and self.on_finished:
                    self.on_finished(value)
                elif kind == "done":
                    result: RunResult = value
                    return result
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            try:
                code: int | None = child.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                code = None
            detail = child.error_tail() or f"{type(exc).__name__}: {exc}"
            raise RuntimeError(f"the check process stopped (exit code {code}): {detail}") from None
        finally:
            killer.cancel()
            with self._lock:
                self._child = None
            child.stop()


def child_main() -> int:
    """The child: import the catalog, wait for a job, run it, stream the progress."""
    from checks.engine.check import all_checks
    from checks.engine.runner import Runner

    channel = ChildChannel()
    catalog = {c.id: c for c in all_checks()}
    job = channel.job()
    if job is None:  # the window closed before using this spare
        return 0
    config, check_ids, lang, decide_early = job
    runner = Runner(config, [catalog[i] for i in check_ids if i in catalog], lang=lang,
                    on_started=lambda check_id: channel.send("started", check_id),
                    on_finished=lambda result: channel.send("finished", result),
                    decide_early=decide_early)
    channel.on_stop("cancel", runner.cancel, "engine-cancel")
    channel.send("done", runner.run())
    return 0


if __name__ == "__main__":
    raise SystemExit(child_main())
