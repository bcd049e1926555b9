"""Thresholds graded one way for every check (Glances' careful / warning / critical).

A measured value becomes a status against the thresholds in the config: below
`warn` is ok, from `warn` on a warning, from `fail` on a problem. For values
where less is worse (free disk space), the comparison turns around.
"""

from __future__ import annotations

from checks.engine.results import Status


def grade(value: float, warn: float, fail: float | None = None, *,
          higher_is_worse: bool = True) -> Status:
    def reached(limit: float) -> bool:
        return value >= limit if higher_is_worse else value < limit

    if fail is not None and reached(fail):
        return Status.FAIL
    if reached(warn):
        return Status.WARN
    return Status.OK
