"""Numbers written in text by other programs and people: ASCII digits only.

`str.isdigit()` is True for "²" and "١", and `int()` then raises on the first or
quietly reads the second as 1; it also takes " 12 ", "+12" and "1_000". A port in
a proxy URL, in `scutil` output or after an NTP server's name is none of those.
"""

from __future__ import annotations

_MAX_DIGITS = 18  # more is no count, port or type any parser here expects


def ascii_int(text: str, low: int | None = None, high: int | None = None) -> int | None:
    """The value of `text` if it is only ASCII digits (and within low..high), else None."""
    if not text or len(text) > _MAX_DIGITS or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return value


def parse_port(text: str) -> int | None:
    """A TCP/UDP port 1-65535 written in ASCII digits, else None."""
    return ascii_int(text, 1, 65535)
