from __future__ import annotations

import pytest

from checks.engine.grading import grade
from checks.engine.results import Status


@pytest.mark.parametrize(("value", "status"), [
    (0.0, Status.OK), (29.9, Status.OK), (30.0, Status.WARN), (179.9, Status.WARN),
    (180.0, Status.FAIL), (1e9, Status.FAIL)])
def test_higher_is_worse(value: float, status: Status) -> None:
    assert grade(value, 30.0, 180.0) is status


@pytest.mark.parametrize(("free", "status"), [
    (10.0, Status.OK), (5.0, Status.OK), (4.9, Status.WARN), (1.0, Status.WARN),
    (0.99, Status.FAIL), (0.0, Status.FAIL)])
def test_lower_is_worse(free: float, status: Status) -> None:
    assert grade(free, 5.0, 1.0, higher_is_worse=False) is status


def test_warn_only() -> None:
    assert grade(300.0, 300.0) is Status.WARN and grade(299.0, 300.0) is Status.OK
