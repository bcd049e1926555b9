"""The watch loop: a sample every interval until the time is up or it is stopped.

Samples keep to a fixed schedule (start + k x interval), so their spacing does not
drift with the probes' own time; a slot missed because the computer was busy or
asleep is skipped, not made up. Ctrl-C (KeyboardInterrupt; the command line turns
SIGTERM and SIGHUP into it too) and `stop()` both end the loop cleanly: the report
is built from what was measured.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any, Protocol

from checks.engine.config import Config
from checks.watch.analysis import WatchAnalysis
from checks.watch.plan import Plan
from checks.watch.sample import Sample, Target
from checks.watch.sampler import Sampler, probe_timeout
from checks.watch.time_source import Clock, SystemClock
from checks.watch.watch_report import build_watch_report

OnSample = Callable[[Sample, list[Any], WatchAnalysis], None]


class SampleSource(Protocol):
    """What the loop needs of a sampler (tests hand in one with made-up results)."""

    targets: list[Target]

    def prepare(self) -> None: ...
    def take(self, index: int) -> Sample: ...


class Watch:
    def __init__(self, config: Config, plan: Plan, *, lang: str = "en",
                 clock: Clock | None = None, sampler: SampleSource | None = None,
                 on_sample: OnSample | None = None) -> None:
        self.config = config
        self.plan = plan
        self.lang = lang
        self.clock: Clock = clock or SystemClock()
        timeout = probe_timeout(config, plan.interval_s)
        self.sampler: SampleSource = sampler or Sampler(config, plan.interval_s, self.clock)
        self.analysis = WatchAnalysis(self.sampler.targets, plan.interval_s, timeout,
                                      config.watch.dns_slow_ms)
        self.on_sample = on_sample
        self.stopped_by = "time"
        # Set once no more samples will be taken: a stop signal after that (the report
        # is being made) must not interrupt.
        self.done_sampling = False
        self._stop = threading.Event()

    def stop(self) -> None:
        """From any thread: end after the sample in progress."""
        self.stopped_by = "user"
        self._stop.set()

    def run(self) -> dict[str, Any]:
        started_wall = self.clock.wall()
        start = self.clock.monotonic()
        try:
            self.sampler.prepare()
            self._loop(start)
        except KeyboardInterrupt:
            self.stopped_by = "user"
        finally:
            self.done_sampling = True
        return build_watch_report(
            self.analysis, self.config, started_wall=started_wall,
            ended_mono=self.clock.monotonic(), ended_wall=self.clock.wall(),
            plan=self.plan, stopped=self.stopped_by, lang=self.lang)

    def _loop(self, start: float) -> None:
        interval, index = self.plan.interval_s, 0
        while not self._stop.is_set():
            sample = self.sampler.take(index)
            news = self.analysis.add(sample)
            if self.on_sample is not None:
                self.on_sample(sample, news, self.analysis)
            elapsed = self.clock.monotonic() - start
            # The next slot on the schedule; slots already past are skipped.
            index = max(index + 1, math.ceil(elapsed / interval))
            if index * interval >= self.plan.seconds:
                break
            if self.clock.wait(start + index * interval - self.clock.monotonic(), self._stop):
                break
