"""Reading the real captures in tests/fixtures/platform/ (sources in its SOURCES.md).

The publishers converted their console text to UTF-8; `console_bytes` turns a capture back
into what the console wrote (code page 936 for Simplified Chinese, 950 for Traditional),
so tests decode the bytes the way wxdoctor does on Windows.
"""

from __future__ import annotations

import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "platform"


def windows(name: str) -> str:
    return (FIXTURES / "windows" / name).read_text(encoding="utf-8")


def macos(name: str) -> str:
    return (FIXTURES / "macos" / name).read_text(encoding="utf-8")


def console_bytes(text: str, codepage: int) -> bytes:
    return text.replace("\n", "\r\n").encode(f"cp{codepage}")


def commands(session: str, prompt: str) -> dict[str, str]:
    """A pasted terminal session -> {command line: its output}; `prompt` is the pattern
    of what precedes each command (e.g. r"% ", r"\\$ ")."""
    found: dict[str, str] = {}
    command = None
    for line in session.splitlines(keepends=True):
        match = re.match(rf"^{prompt}(.+?)\s*$", line)
        if match:
            command = match.group(1).split(" #")[0].strip()
            found[command] = ""
        elif command is not None:
            found[command] += line
    return found
