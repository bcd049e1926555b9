"""The sentence a technician would say about each cause, built from what was measured.

One module per family of causes registers its sayings (`@says`); `say` picks the one
for a cause. A saying that finds its evidence missing or of another shape gives None,
and the cause keeps its general sentence.
"""

from __future__ import annotations

from checks.diagnosis.facts import Facts
from checks.diagnosis.sayings import (  # noqa: F401
    certificates,
    connections,
    dns,
    offline,
    places,
    proxies,
)
from checks.diagnosis.sayings.base import SAYINGS, Finding, Said

__all__ = ["Finding", "Said", "has_saying", "say"]


def has_saying(code: str) -> bool:
    return code in SAYINGS


def say(finding: Finding, facts: Facts) -> Said | None:
    saying = SAYINGS.get(finding.code)
    if saying is None:
        return None
    try:
        return saying(finding, facts)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None  # evidence of another shape (an older or newer report): the general words
