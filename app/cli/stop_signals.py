"""SIGTERM and SIGHUP end a long command the way Ctrl-C does, once.

A service manager or `kill` stops a program with SIGTERM; closing its terminal sends
SIGHUP. By default either kills the process on the spot, and a watch that ran for an
hour ends with no report and nothing stored. Here the first of SIGINT, SIGTERM, SIGHUP
(and Windows' Ctrl-Break) raises KeyboardInterrupt, as Ctrl-C does, while the command
still measures; from then on, and once it has stopped measuring, further signals are
ignored until it returns, so the report is built, stored and printed whole. A signal
the process was started to ignore (`nohup`, a background job) stays ignored.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

_NAMES = ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK")


class StopLikeCtrlC:
    """`with StopLikeCtrlC() as stop:`; `stop.measuring` says whether a signal should
    still interrupt (set it to the command's own test once that exists)."""

    def __init__(self) -> None:
        self.received: int | None = None  # the signal that stopped the command
        self.measuring: Callable[[], bool] = lambda: True
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.received is not None:
            return  # already stopping: the report is being made
        self.received = signum
        if self.measuring():
            raise KeyboardInterrupt

    def __enter__(self) -> StopLikeCtrlC:
        for name in _NAMES:
            number = getattr(signal, name, None)
            if number is None or signal.getsignal(number) is signal.SIG_IGN:
                continue
            try:
                self._previous[number] = signal.signal(number, self._handle)
            except (ValueError, OSError):  # not the main thread, or not settable here
                continue
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous)

    @property
    def name(self) -> str | None:
        """"SIGTERM" and so on, for the message; None when no signal came."""
        if self.received is None:
            return None
        try:
            return signal.Signals(self.received).name
        except ValueError:
            return str(self.received)
