"""The most likely cause before every check has finished, once nothing still running
could change it.

The window shows it as soon as the results that decide it are in (and says the rest
is still running). A cause is settled when it is a failure and no pending check can
produce a cause that ranks above it or stands in for one that does: a red DNS light
is not the answer while `dns_pollution` may still find that nothing answers at all.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from checks.diagnosis.correlate import Diagnosis, diagnose
from checks.diagnosis.impact import IMPACT_ORDER, impact_rank
from checks.engine import codes
from checks.engine.check import check_class
from checks.engine.results import CheckResult


def _strongest(check_id: str) -> int:
    """The best rank a pending check's finding could take: the strongest of the causes it
    can name or stand in for. A check this version does not know could change anything."""
    cls = check_class(check_id)
    if cls is None:
        return -1
    codes_ = [*cls.causes, *([cls.stands_in_for] if cls.stands_in_for else [])]
    return min((impact_rank(c) for c in codes_), default=len(IMPACT_ORDER))


def early_diagnosis(finished: Sequence[CheckResult], pending: Collection[str]) -> Diagnosis | None:
    """The diagnosis of the finished results if no pending check can change its primary
    cause, else None."""
    diagnosis = diagnose(finished)
    primary = diagnosis.causes[0]
    if primary.code == codes.HEALTHY or primary.status != "fail":
        return None  # a warning can still be outranked by any failure to come
    rank = impact_rank(primary.code)
    if any(_strongest(check_id) <= rank for check_id in pending):
        return None
    return diagnosis
