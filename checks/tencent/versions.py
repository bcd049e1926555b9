"""Client version strings ("3.1.12", "4.1.33.6011", "V3.1.8 (Build 12)") compared as numbers."""

from __future__ import annotations

import re

_NUMBERS = re.compile(r"\d+(?:\.\d+)*")


def parse_version(text: str) -> tuple[int, ...] | None:
    """The first dotted number run in `text`, as a tuple; None if there is none."""
    match = _NUMBERS.search(text or "")
    if not match:
        return None
    return tuple(int(p) for p in match.group(0).split("."))


def compare(a: str, b: str) -> int | None:
    """-1, 0 or 1; missing trailing parts count as 0 (3.1 == 3.1.0); None if unparsable."""
    va, vb = parse_version(a), parse_version(b)
    if va is None or vb is None:
        return None
    width = max(len(va), len(vb))
    pa = va + (0,) * (width - len(va))
    pb = vb + (0,) * (width - len(vb))
    return (pa > pb) - (pa < pb)
