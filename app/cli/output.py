"""Everything the command line prints passes through here.

Reports hold text from networks and files (a captive portal's `Location`, a saved
report someone sent, a cache file's name). On a terminal, control characters in
that text would be commands: set the window title, clear the screen, write the
clipboard (OSC 52). So while a command runs, stdout and stderr are wrapped: every
control character but the line break is shown as a symbol (ESC as `␛`), a line is
cut after LINE_LIMIT characters saying how much was cut, and the only escape
sequences that pass are the colours this program itself uses, and only where it
colours at all. JSON goes out whole, with such characters as JSON escapes.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from checks.shared.safe_text import CONTROL_BUT_NEWLINE, INVISIBLE, symbol

LINE_LIMIT = 4000  # characters of one printed line; a table row is a few hundred
# Our own colours (checks/report/plain_text.py, matrix_text.py): SGR 0, 30-37, 90.
_OWN_COLOUR = r"\x1b\[(?:0|3[0-7]|90)m"
_WITH_COLOUR = re.compile(f"({_OWN_COLOUR})|{CONTROL_BUT_NEWLINE.pattern}")
# What json.dumps leaves raw in a string (it escapes C0 only): escaped here.
_JSON_RAW = re.compile(f"[{INVISIBLE}]")


def use_colour(stream: TextIO | None = None) -> bool:
    """Colour only on a terminal, never with NO_COLOR set or TERM=dumb."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (ValueError, OSError):
        return False


def terminal_text(text: str, colour: bool = False) -> str:
    """`text` with control characters shown as symbols; with `colour`, this program's own
    colour sequences are kept."""
    if colour:
        return _WITH_COLOUR.sub(lambda m: m.group(1) or symbol(m.group(0)), text)
    return CONTROL_BUT_NEWLINE.sub(lambda m: symbol(m.group(0)), text)


def json_text(data: Any) -> str:
    """Indented JSON with every character a terminal could act on escaped (`\\u009b`):
    the same data for a JSON reader."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n"


class SafeStream(io.TextIOBase):
    """A text stream that cleans what is written to it before the real one gets it."""

    def __init__(self, stream: TextIO, colour: bool) -> None:
        super().__init__()
        self.stream = stream
        self.colour = colour
        self._column = 0  # characters written on the current line
        self._cut = 0  # characters cut from it

    def write(self, text: str) -> int:
        self.stream.write(self._capped(terminal_text(text, self.colour)))
        return len(text)

    def write_whole(self, text: str) -> None:
        """Write without cutting long lines (JSON, which must stay parseable)."""
        self.stream.write(terminal_text(text, False))
        self._column = self._cut = 0  # the JSON ends with a line break

    def _capped(self, text: str) -> str:
        out: list[str] = []
        for index, part in enumerate(text.split("\n")):
            if index:
                if self._cut:
                    out.append(f" [{self._cut} characters cut]")
                out.append("\n")
                self._column = self._cut = 0
            room = LINE_LIMIT - self._column
            if len(part) <= room:
                out.append(part)
                self._column += len(part)
                continue
            if not self._cut:
                out.append(part[:room] + "…")
            self._cut += len(part) - room
            self._column = LINE_LIMIT
        return "".join(out)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.stream, "encoding", "utf-8"))

    def writable(self) -> bool:
        return True


def print_json(data: Any, stream: TextIO | None = None) -> None:
    """`data` as indented JSON on stdout (or `stream`), whole."""
    target = stream or sys.stdout
    text = json_text(data)
    if isinstance(target, SafeStream):
        target.write_whole(text)
    else:
        target.write(text)


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """stdout and stderr cleaned while the block runs (see the module doc)."""
    out, err = sys.stdout, sys.stderr
    if isinstance(out, SafeStream):  # already inside (a command calling main again)
        yield
        return
    sys.stdout = SafeStream(out, use_colour(out))
    sys.stderr = SafeStream(err, False)  # nothing colours stderr
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(ValueError, OSError):
                stream.flush()
        sys.stdout, sys.stderr = out, err
