"""A value from a file, quoted in an error message: never the whole of a huge one.

A config or list someone else wrote may hold a string of a megabyte, a list of a
hundred thousand items or a number of four thousand digits where a port belongs.
The message names what was found and how big it was, not all of it.
"""

from __future__ import annotations

from typing import Any

MAX_SHOWN = 80  # characters of a value quoted in a message


def clipped(text: str, limit: int = MAX_SHOWN) -> str:
    """`text`, or its start and how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def quoted(value: Any, limit: int = MAX_SHOWN) -> str:
    """repr(value) for a message: a long string cut, a huge number and a long list or
    object by their size."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"a number with {len(str(value))} digits"
    if isinstance(value, (list, dict)) and len(value) > 20:
        return f"{'a list' if isinstance(value, list) else 'an object'} of {len(value)} items"
    return clipped(repr(value), limit)


def described(value: Any, limit: int = MAX_SHOWN) -> str:
    """The same with its type first: `int 5`, `str 'x'`, `int with 401 digits`."""
    kind = type(value).__name__
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"{kind} with {len(str(value))} digits"
    if isinstance(value, (list, dict)) and len(value) > 20:
        return f"{kind} of {len(value)} items"
    return f"{kind} {clipped(repr(value), limit)}"
