"""The child side of the window's helper processes (the check run, the watch).

The parent writes one pickled job to the child's stdin, then at most a stop word;
the child streams pickled (kind, value) pairs on its stdout. Raw descriptors 0/1/2
are used because a windowed frozen build may have no sys.stdout object, and fd 1
is pointed at stderr so that anything printed cannot corrupt the pickle stream.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from typing import Any


class ChildChannel:
    def __init__(self) -> None:
        self._out = os.fdopen(os.dup(1), "wb")
        try:
            os.dup2(2, 1)
        except OSError:
            pass
        self._inp = os.fdopen(0, "rb", closefd=False)
        self._lock = threading.Lock()

    def job(self) -> Any | None:
        """The parent's job, or None when it closed the pipe first (an unused spare)."""
        try:
            return pickle.load(self._inp)
        except EOFError:
            return None

    def send(self, kind: str, value: Any) -> None:
        with self._lock:
            pickle.dump((kind, value), self._out)
            self._out.flush()

    def on_stop(self, word: str, stop: Callable[[], None], name: str) -> None:
        """Call `stop` when the parent sends `word` or goes away (end of input)."""

        def listen() -> None:
            try:
                while pickle.load(self._inp) != word:
                    pass
            except Exception:  # end of input: the window is gone
                pass
            stop()

        threading.Thread(target=listen, name=name, daemon=True).start()
