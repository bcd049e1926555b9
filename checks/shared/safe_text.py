"""Text that came from a network or a file, made safe to keep and to show.

A captive portal's `Location` header, a certificate's name, a string in a saved
report: any of them may carry control characters (a terminal obeys ESC sequences
that set its title, clear the screen or, with OSC 52, write the clipboard),
bidirectional overrides that reorder what a person reads, or megabytes. Such text
is data: control characters become visible symbols (ESC is shown as `␛`), in a URL
percent-escapes, and the length is capped saying how much was cut.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the invisible characters that reorder or break lines
# (bidi embeddings, overrides and isolates; line and paragraph separators).
INVISIBLE = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
CONTROL = re.compile(f"[\x00-\x1f{INVISIBLE}]")
CONTROL_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f{INVISIBLE}]")
_URL_UNSAFE = re.compile(f"[\x00-\x20{INVISIBLE}]")
REPLACEMENT = "\ufffd"


def symbol(char: str) -> str:
    """The visible stand-in of one control character: ␛ for ESC, ␀ … ␟, ␡, else �."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return REPLACEMENT


def cut(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, saying how many were cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} characters cut]"


def printable(text: str, limit: int | None = None, *, newlines: bool = False) -> str:
    """`text` with every control character shown as a symbol (line breaks kept with
    `newlines`), cut to `limit` characters."""
    if limit is not None and len(text) > limit:
        text = cut(text, limit)
    pattern = CONTROL_BUT_NEWLINE if newlines else CONTROL
    return pattern.sub(lambda m: symbol(m.group(0)), text)


def has_control(text: str) -> bool:
    return CONTROL.search(text) is not None


def clean_url(url: str, limit: int) -> tuple[str, bool]:
    """A URL as received, with control characters and spaces percent-escaped (what a
    browser sends for them too), and whether it had to be cut to `limit` characters."""
    escaped = _URL_UNSAFE.sub(
        lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), url)
    if len(escaped) > limit:
        return escaped[:limit], True
    return escaped, False
