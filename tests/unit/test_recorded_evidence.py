"""The recordings still fit: assess() on every recorded evidence gives the verdict
recorded beside it (tests/lab/record_evidence.py re-records them)."""

from __future__ import annotations

import pytest

from checks.engine.check import all_checks
from tests.fixtures.evidence import recorded

CHECKS = {c.id: c for c in all_checks()}
RECORDINGS = recorded.recordings()


def test_there_are_recordings_of_the_main_scenarios() -> None:
    assert {"healthy", "loss_25", "hosts_loopback", "service_502", "port_8080_dropped",
            "proxy_auth_required"} <= set(recorded.scenarios())
    assert len(RECORDINGS) >= 200


@pytest.mark.parametrize(("scenario", "check"), RECORDINGS,
                         ids=[f"{s}/{c}" for s, c in RECORDINGS])
def test_assess_on_the_recording_gives_the_recorded_verdict(scenario: str, check: str) -> None:
    data = recorded.recording(scenario, check)
    verdict = CHECKS[check].assess(data["evidence"], recorded.context(scenario))
    assert (verdict.status.value, verdict.cause) == (data["status"], data["cause"])
    assert [p.to_json() for p in verdict.problems] == data["problems"]
