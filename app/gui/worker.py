"""Run the engine off the GUI thread and bring its progress back as Qt signals.

The runner's callbacks fire on its own threads; they post to the bridge, which
emits the worker's signals on the GUI thread (and drops them once the worker is
gone), so every slot that touches a widget runs on the GUI thread. Each signal
carries the run id so a late signal of a cancelled run can be told apart from the
current one.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

from app.gui import bridge

if TYPE_CHECKING:  # the engine loads when a run starts, not with the window
    from checks.engine.check import Check
    from checks.engine.config import Config
    from checks.engine.results import CheckResult
    from checks.engine.runner import RunResult

log = logging.getLogger("wxdoctor.gui")


class RunnerLike(Protocol):
    def run(self) -> RunResult: ...
    def cancel(self) -> None: ...


RunnerFactory = Callable[..., RunnerLike]
ChecksFactory = Callable[[], Sequence["Check"]]


def default_runner_factory(
    config: Config,
    checks: Sequence[Check],
    lang: str,
    on_started: Callable[[str], None],
    on_finished: Callable[[CheckResult], None],
) -> RunnerLike:
    from checks.engine.runner import Runner

    # The window's run ends as soon as its verdict is certain (the rest: not needed).
    return Runner(config, checks, lang=lang, on_started=on_started, on_finished=on_finished,
                  decide_early=True)


def process_runner_factory(
    config: Config,
    checks: Sequence[Check],
    lang: str,
    on_started: Callable[[str], None],
    on_finished: Callable[[CheckResult], None],
) -> RunnerLike:
    """The catalog's checks in a child process, off this interpreter's lock (see
    app/child/check_process.py); only for checks the child can find by id."""
    from app.child.check_process import ProcessRunner

    return ProcessRunner(config, checks, lang=lang, on_started=on_started, on_finished=on_finished,
                         decide_early=True)


class RunWorker(QObject):
    check_started = Signal(int, str)  # run id, check id
    check_finished = Signal(int, object)  # run id, CheckResult
    run_finished = Signal(int, object)  # run id, report dict
    run_failed = Signal(int, str)  # run id, reason

    def __init__(
        self,
        run_id: int,
        config: Config,
        checks: Sequence[Check],
        lang: str,
        runner_factory: RunnerFactory = default_runner_factory,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.run_id = run_id
        self.config = config
        self.lang = lang
        self.runner = runner_factory(
            config, list(checks), lang, self._started, self._finished
        )
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"gui-run-{self.run_id}", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self.runner.cancel()

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ---- on worker threads: post only ----------------------------------------------------
    def _emit(self, signal: Any, *args: Any) -> None:
        bridge.deliver(self, lambda: signal.emit(*args))

    def _started(self, check_id: str) -> None:
        self._emit(self.check_started, self.run_id, check_id)

    def _finished(self, result: CheckResult) -> None:
        self._emit(self.check_finished, self.run_id, result)

    def _run(self) -> None:
        try:
            # Import the report builder and the check catalog (the runner lists load
            # errors at the end) now, so a cancel is not slowed down by first imports.
            from checks.engine.check import load_errors
            from checks.report.build import build_report

            load_errors()
            run = self.runner.run()
            report: dict[str, Any] = build_report(run, self.config, self.lang)
        except Exception as exc:  # the window must survive anything the engine does
            log.error("run %s failed:\n%s", self.run_id, traceback.format_exc())
            self._emit(self.run_failed, self.run_id, f"{type(exc).__name__}: {exc}")
            return
        log.info("run %s finished: status=%s cancelled=%s", self.run_id, report["status"],
                 report["cancelled"])
        self._emit(self.run_finished, self.run_id, report)


def prespawn_engine() -> None:
    """Start the check process for the next run (its catalog imported) while idle."""
    from app.child import check_process

    try:
        check_process.prespawn()
    except OSError:  # the run will try again, and report the error then
        log.exception("could not start the check process")


def warm_up() -> None:
    """Import what a run needs while the user reads the window (off the GUI thread),
    so neither pressing Start nor cancelling waits for first imports, and what the GUI
    thread loads on first use during and after a run (the early verdict, the headline,
    the server table), so no slot stalls the window for an import."""
    from checks.diagnosis import early_verdict  # noqa: F401
    from checks.engine.check import load_errors
    from checks.report import build, matrix, rejudge  # noqa: F401

    load_errors()
