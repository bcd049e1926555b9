"""Shared fixtures: the network-namespace lab (see tests/lab/README.md)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from tests.lab import Lab, lab_unavailable

LAB_FIXTURES = {"lab", "lab_factory"}


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _require_lab() -> None:
    reason = lab_unavailable()
    if reason is None:
        return
    if _in_ci():
        # CI machines have everything the lab needs: a skip there hides breakage.
        pytest.fail(f"lab unavailable in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Anything using the lab is a lab test, so `-m "not lab"` deselects it.
    for item in items:
        if LAB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.lab)


_LABS = pytest.StashKey[list[Lab]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Iterator[None]:
    report = yield
    # Attach routes, firewall rules and server logs to failed lab tests.
    if report.when == "call" and report.failed:
        for lab in item.stash.get(_LABS, []):
            report.sections.append((f"lab {lab.tag} state", lab.debug_dump()))
    return report


@pytest.fixture
def lab_factory(request: pytest.FixtureRequest) -> Iterator[Callable[[], Lab]]:
    """Callable creating extra independent labs; all closed after the test."""
    _require_lab()
    labs: list[Lab] = []
    request.node.stash[_LABS] = labs

    def make() -> Lab:
        lab = Lab()
        labs.append(lab)
        return lab

    yield make
    for lab in labs:
        lab.close()


@pytest.fixture
def lab(lab_factory: Callable[[], Lab]) -> Lab:
    """A fresh client/router/server lab for this test."""
    return lab_factory()
