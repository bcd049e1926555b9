"""What a check gets to work with: config, deadline, cancellation, shared lookups."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from checks.engine.config import Config
from checks.engine.path_wait import PathTimes, Wait
from checks.shared.concurrency import Deadline

T = TypeVar("T")


@dataclass
class Context:
    config: Config
    deadline: Deadline
    # Set when the run no longer needs what is still running: cancelled by the person,
    # or decided (the runner's early verdict). Waits end at once (path_wait.Wait.stop).
    cancelled: threading.Event = field(default_factory=threading.Event)
    lang: str = "en"
    path: PathTimes = field(default_factory=PathTimes)  # round trips measured so far
    _memo: dict[str, Any] = field(default_factory=dict)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock)
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def timeout(self, preferred: float) -> float:
        return self.deadline.cap(preferred)

    def wait(self, kind: str, configured_s: float) -> Wait:
        """A probe's live wait, scaled to the measured path (engine.path_wait), between
        the kind's floor and `configured_s`, and never past the deadline."""
        return Wait(kind, configured_s, self.path, self.deadline.at, self.cancelled)

    def shared(self, key: str, compute: Callable[[], T]) -> T:
        """Compute once per run, whichever check asks first; others wait for it.

        DNS answers are the main user: dns, tcp and tls all need the same lookups.
        """
        with self._memo_lock:
            slot = self._memo.get(key)
            if slot is None:
                slot = self._memo[key] = _Slot()
                owner = True
            else:
                owner = False
        if owner:
            try:
                slot.value = compute()
            except BaseException as exc:
                slot.error = exc
            finally:
                slot.ready.set()
        elif not slot.ready.wait(self.deadline.remaining()):
            raise TimeoutError(f"shared result {key!r} not ready before the deadline")
        if slot.error is not None:
            raise slot.error
        return slot.value  # type: ignore[no-any-return]

    def peek(self, key: str) -> Any:
        """The shared result if it is ready, else None; never waits."""
        with self._memo_lock:
            slot = self._memo.get(key)
        if slot is None or not slot.ready.is_set() or slot.error is not None:
            return None
        return slot.value

    def on_close(self, closer: Callable[[], None]) -> None:
        """Release something the run holds (pooled sockets) when it ends."""
        with self._memo_lock:
            self._closers.append(closer)

    def close(self) -> None:
        with self._memo_lock:
            closers, self._closers = self._closers, []
        for closer in closers:
            try:
                closer()
            except Exception:  # releasing must never break the report
                pass


class _Slot:
    def __init__(self) -> None:
        self.ready = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


def make_context(config: Config, lang: str = "en") -> Context:
    return Context(config=config, deadline=Deadline(config.deadline_s), lang=lang)
