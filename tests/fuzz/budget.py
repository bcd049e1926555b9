"""How much each fuzz test may try: bounded so the whole suite stays a small part of CI.

`WXDOCTOR_FUZZ_EXAMPLES` raises the count for a long local run. In CI the examples
are derived from the test names (derandomize), so a run there never fails on an
input no one can reproduce; locally they are random and failures are replayed
from hypothesis' example database.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
EXAMPLES = int(os.environ.get("WXDOCTOR_FUZZ_EXAMPLES", "200"))

# Pure functions: cheap, many examples.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=_CI,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
# Whole renderings (PDF, the window): each example costs tens of milliseconds or more.
FUZZ_SLOW = settings(FUZZ, max_examples=max(5, EXAMPLES // 10))
