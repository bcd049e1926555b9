"""Servers the client can do without: their failures warn, they never fail the run.

Tencent's domain list marks each server necessary or not (`is_necessary`), and a
configured endpoint can say `necessary = false`. A check's verdict is graded here,
once for every check, so no check needs to know: a failure whose every problem
concerns such a server becomes a warning that says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from checks.engine.config import Endpoint
from checks.engine.results import Status, Verdict
from checks.shared.i18n import Text, t

ONLY_OPTIONAL = t("(only servers marked as not necessary)", "（仅涉及标为非必要的服务器）")


def soften(verdict: Verdict, endpoints: Sequence[Endpoint]) -> Verdict:
    if verdict.status is not Status.FAIL or not verdict.problems:
        return verdict
    optional = {e.host.lower() for e in endpoints if not e.necessary}
    if not optional:
        return verdict
    for problem in verdict.problems:
        target = problem.host or problem.address
        if target is None or target.lower() not in optional:
            return verdict
    summary = Text("{summary} {note}", "{summary}{note}",
                   {"summary": verdict.summary, "note": ONLY_OPTIONAL})
    return dataclasses.replace(verdict, status=Status.WARN, summary=summary)
