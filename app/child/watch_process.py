"""The window's watch in a child process, its samples streamed back (like check_process).

Why a process: every sample starts a dozen probe threads, and the watch prepares the
chart's model after each one. In the window's process those threads want the one
interpreter lock while the GUI thread paints; on a busy two-core machine the lock's
holder is preempted and the event loop waited 50-60 ms (tests/bench/watch_bench.py).
In a child the GUI process only unpickles one small message per sample.

Protocol, pickles over the child's stdin/stdout: parent -> child `(config, plan,
lang)`, then optionally "stop"; child -> parent `("sample", Progress)` per sample,
then `("done", report)`. End of the child's stdin (the window went away) stops it.
"""

from __future__ import annotations

import pickle
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.child.channel import ChildChannel, ChildProcess, child_command
from checks.engine.config import Config
from checks.watch.chart import ChartData, chart_data
from checks.watch.plan import Plan
from checks.watch.sample import Sample

CHILD_FLAG = "--watch-child"  # the frozen GUI executable's hidden mode


@dataclass(frozen=True)
class Progress:
    """What the window shows after a sample."""

    sample: Sample
    down: bool
    outages: int
    chart: ChartData


def progress(sample: Sample, news: list[Any], analysis: Any) -> Progress:
    data = analysis.to_json()
    return Progress(sample, analysis.down, len(data["outages"]), chart_data(data))


def child_argv() -> list[str]:
    return child_command(CHILD_FLAG, "app.child.watch_process")


class ProcessWatch:
    """`run()` blocks (on a worker thread) until the child's report arrives."""

    def __init__(self, config: Config, plan: Plan, *, lang: str,
                 on_progress: Callable[[Progress], None]) -> None:
        self.config, self.plan, self.lang = config, plan, lang
        self.on_progress = on_progress
        self._child = ChildProcess(child_argv())  # its stderr is closed in run
        self._proc = self._child.proc
        self._lock = threading.Lock()

    def stop(self) -> None:
        with self._lock:
            try:
                assert self._proc.stdin is not None
                pickle.dump("stop", self._proc.stdin)
                self._proc.stdin.flush()
            except (OSError, ValueError):  # already gone
                pass

    def run(self) -> dict[str, Any]:
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None
        try:
            with self._lock:
                pickle.dump((self.config, self.plan, self.lang), proc.stdin)
                proc.stdin.flush()
            while True:
                kind, value = pickle.load(proc.stdout)
                if kind == "sample":
                    self.on_progress(value)
                elif kind == "done":
                    report: dict[str, Any] = value
                    return report
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            raise RuntimeError(
                f"the watch process stopped: {self._child.error_tail() or exc}") from None
        finally:
            self._close()

    def _close(self) -> None:
        with self._lock:
            for stream in (self._proc.stdin, self._proc.stdout):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
        self._child.stderr.close()


def child_main() -> int:
    from checks.watch.loop import Watch

    channel = ChildChannel()
    job = channel.job()
    if job is None:
        return 0
    config, plan, lang = job
    watch = Watch(config, plan, lang=lang,
                  on_sample=lambda s, news, a: channel.send("sample", progress(s, news, a)))
    channel.on_stop("stop", watch.stop, "watch-stop")
    channel.send("done", watch.run())
    return 0


if __name__ == "__main__":
    # Run the imported module's copy: what it pickles (Progress) must name
    # app.child.watch_process, not __main__, for the parent to load it.
    from app.child.watch_process import child_main as imported_main

    raise SystemExit(imported_main())
