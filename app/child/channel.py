"""Both ends of the window's helper processes (the check run, the watch).

The parent writes one pickled job to the child's stdin, then at most a stop word;
the child streams pickled (kind, value) pairs on its stdout. Raw descriptors 0/1/2
are used because a windowed frozen build may have no sys.stdout object, and fd 1
is pointed at stderr so that anything printed cannot corrupt the pickle stream.
The child's stderr goes to a temporary file, whose last line explains a child
that stopped.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def child_command(flag: str, module: str) -> list[str]:
    """The frozen GUI executable's hidden mode `flag`, or `python -m module`."""
    if getattr(sys, "frozen", False):
        return [sys.executable, flag]
    return [sys.executable, "-m", module]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])  # where the `app` and `checks` packages are
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


class ChildProcess:
    """The parent's end: the child started with pipes on stdin and stdout."""

    def __init__(self, argv: list[str]) -> None:
        self.stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (the owner closes it)
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
            env=_child_env(), creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )

    def error_tail(self) -> str:
        """The last line the child wrote to its stderr ("" when none)."""
        try:
            self.stderr.seek(0)
            lines = self.stderr.read().decode("utf-8", "replace").strip().splitlines()
        except (OSError, ValueError):
            return ""
        return lines[-1] if lines else ""


class ChildChannel:
    """The child's end."""

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
