"""Running a helper program: an argument list (never a shell string), a timeout, no window.

The one way wxdoctor starts other programs, for checks and fixes alike. A program
that is missing, hangs or cannot start is a result with a reason, never an exception.
Depends on nothing else in wxdoctor.
"""

from __future__ import annotations

import codecs
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# Exit codes of a command that did not run, as POSIX shells report them.
NOT_FOUND, TIMED_OUT, CANNOT_RUN = 127, 124, 126
# Windows: a command started from the window must not flash a console window.
_NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0)


@dataclass
class CommandResult:
    argv: list[str]
    returncode: int
    stdout: str = ""
    stderr: str = ""
    raw_stdout: bytes = b""  # for parsers that look at bytes whatever the console's encoding
    error: str | None = None  # why it did not run: not_found, timeout, os_error_N

    @property
    def ran(self) -> bool:
        return self.error is None

    @property
    def ok(self) -> bool:
        return self.error is None and self.returncode == 0

    def last_line(self) -> str:
        lines = (self.stderr or self.stdout).strip().splitlines()
        return lines[-1] if lines else ""

    def to_json(self) -> dict[str, Any]:
        return {"argv": self.argv, "returncode": self.returncode,
                "stdout": self.stdout[-2000:], "stderr": self.stderr[-2000:]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CommandResult:
        return cls([str(a) for a in data.get("argv") or []], int(data.get("returncode", 0)),
                   str(data.get("stdout") or ""), str(data.get("stderr") or ""))


# argv, timeout -> result. Tests pass one that runs the command inside a namespace.
CommandRunner = Callable[[Sequence[str], float], CommandResult]


def run_command(argv: Sequence[str], timeout: float = 30.0) -> CommandResult:
    argv = list(argv)
    try:
        proc = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False,
            creationflags=_NO_WINDOW,
        )
    except FileNotFoundError:
        return CommandResult(argv, NOT_FOUND, "", f"{argv[0]}: not found", error="not_found")
    except subprocess.TimeoutExpired:
        return CommandResult(argv, TIMED_OUT, "", f"timed out after {timeout:g} s",
                             error="timeout")
    except OSError as exc:
        return CommandResult(argv, CANNOT_RUN, "", str(exc), error=f"os_error_{exc.errno}")
    return CommandResult(argv, proc.returncode, decode_console(proc.stdout),
                         decode_console(proc.stderr), raw_stdout=proc.stdout)


def console_codepage() -> int | None:
    """The code page Windows console programs write in: the OEM code page (936 on
    Simplified Chinese, 950 Traditional Chinese, 932 Japanese, 949 Korean, 437/850 in
    the West, 65001 with "Use Unicode UTF-8"). A program started without a console
    window gets a hidden console with this code page. None elsewhere: UTF-8."""
    if sys.platform != "win32":
        return None
    import ctypes

    try:
        return int(ctypes.windll.kernel32.GetOEMCP())
    except (AttributeError, OSError):
        return None


def decode_console(raw: bytes, codepage: int | None = None) -> str:
    """Command output in the console's code page (`codepage`, else this computer's).
    Guessing instead (UTF-8, then GBK) turns Big5, Shift-JIS or Korean text into
    GBK garbage that decodes without an error."""
    if codepage is None:
        codepage = console_codepage()
    encoding = "utf-8" if codepage in (None, 65001) else f"cp{codepage}"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    return raw.decode(encoding, errors="replace")


def decode_utf8_or_gbk(raw: bytes) -> str:
    """A file a Chinese Windows program wrote: UTF-8, else the ANSI code page GBK."""
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")
