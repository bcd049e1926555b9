"""GUI tests run offscreen; Qt must see the platform before it loads."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WXDOCTOR_LANG", "en")

from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from checks.engine.check import Check  # noqa: E402
from checks.engine.config import Config  # noqa: E402


def _widgets_app() -> Any:
    """Create the QApplication while collecting: tests that only paint (the PDF writer)
    would otherwise create a QGuiApplication first, and widgets need a QApplication."""
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


_APP = _widgets_app()  # kept referenced for the whole session


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def settings(tmp_path: Path) -> Any:
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot: Any, settings: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    from app.gui.window import MainWindow

    windows: list[Any] = []

    def make(checks: Sequence[Check] | Callable[[], Sequence[Check]] = (), *,
             config: Config | None = None, wait_ready: bool = True, **kwargs: Any) -> Any:
        factory = checks if callable(checks) else (lambda: list(checks))
        kwargs.setdefault("settings", settings)
        kwargs.setdefault("lang", "en")
        kwargs.setdefault("log_dir", tmp_path / "logs")
        window = MainWindow(checks_factory=factory, config_loader=lambda: config or Config(deadline_s=10),
                            **kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        if wait_ready:
            qtbot.waitUntil(lambda: window.ready, timeout=10000)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.cancel()
