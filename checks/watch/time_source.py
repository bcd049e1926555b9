"""The two clocks a watch reads, behind one small interface so tests can inject time.

Monotonic time measures durations; wall time says when something happened. While a
laptop sleeps, monotonic time stands still on Linux and macOS and wall time goes
on: the analysis reads that jump as a gap in the data, never as an outage.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...
    def wall(self) -> float: ...
    def wait(self, seconds: float, stop: threading.Event) -> bool:
        """Sleep up to `seconds`; True when `stop` was set meanwhile."""
        ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        return stop.wait(max(0.0, seconds))
