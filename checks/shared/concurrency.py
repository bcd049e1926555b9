"""Small concurrency helpers built on daemon threads.

Daemon threads matter: a probe stuck in a blocking call (getaddrinfo has no
timeout) must never keep the process alive past the run's deadline.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def serial_mode() -> bool:
    """WXDOCTOR_SERIAL=1 runs every probe one after another: only for the benchmark,
    which measures what the parallel design saves."""
    return os.environ.get("WXDOCTOR_SERIAL") == "1"


@dataclass
class Outcome(Generic[R]):
    done: bool = False
    value: R | None = None
    error: BaseException | None = None


def call_with_timeout(fn: Callable[[], R], timeout: float) -> Outcome[R]:
    """Run fn in a daemon thread; give up waiting after timeout seconds."""
    return parallel_map(lambda _: fn(), [None], timeout)[0]


def parallel_map(fn: Callable[[T], R], items: Iterable[T], timeout: float) -> list[Outcome[R]]:
    """Apply fn to every item at once; an item not done by the timeout stays not done."""
    items = list(items)
    outcomes: list[Outcome[R]] = [Outcome() for _ in items]
    all_done = threading.Event()
    remaining = [len(items)]
    lock = threading.Lock()

    def work(index: int, item: T) -> None:
        outcome = outcomes[index]
        try:
            value = fn(item)
        except BaseException as exc:  # a probe's failure is data, not a crash
            with lock:
                outcome.error = exc
                outcome.done = True
        else:
            with lock:
                outcome.value = value
                outcome.done = True
        with lock:
            remaining[0] -= 1
            if remaining[0] == 0:
                all_done.set()

    if not items:
        return outcomes
    if serial_mode():
        def one_by_one() -> None:
            for index, item in enumerate(items):
                work(index, item)

        threading.Thread(target=one_by_one, daemon=True).start()
    else:
        for index, item in enumerate(items):
            threading.Thread(target=work, args=(index, item), daemon=True).start()
    all_done.wait(max(0.0, timeout))
    with lock:
        # Snapshot, so a late finisher cannot change what the caller already read.
        return [Outcome(o.done, o.value, o.error) for o in outcomes]


def gather(fn: Callable[[T], R], items: Iterable[T], timeout: float,
           unfinished: Callable[[T], R]) -> list[R]:
    """parallel_map's values in order; `unfinished(item)` stands in for an item that
    raised or was not done by the timeout, so a check always has a row per target."""
    items = list(items)
    outcomes = parallel_map(fn, items, timeout)
    return [
        o.value if o.done and o.error is None and o.value is not None else unfinished(item)
        for item, o in zip(items, outcomes, strict=True)
    ]


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.start = time.monotonic()
        self.at = self.start + seconds

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def cap(self, timeout: float) -> float:
        """A per-call timeout that never runs past the deadline."""
        return max(0.05, min(timeout, self.remaining()))
