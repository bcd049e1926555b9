"""The fuzz suite: every parser, the config loader and the report loader on hostile input.

Each property says what must hold for any input: a parser returns its documented
shape or None, a loader returns its value or raises its own error with a message;
nothing else escapes. Budgets: tests/fuzz/budget.py.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the window and PDF tests render

from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402


def _widgets_app() -> Any:
    """The QApplication, made while collecting: a PDF test elsewhere would otherwise make a
    QGuiApplication first, and the window tests here need widgets (Qt aborts then)."""
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


_APP = _widgets_app()  # kept referenced for the whole session


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: property tests on hostile input (tests/fuzz)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.fuzz)
