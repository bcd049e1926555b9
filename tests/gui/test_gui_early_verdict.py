"""The window's run through its check process ends as soon as the verdict is certain.

Real checks in the real child process (app/child/check_process.py), on loopback only:
a proxy that refuses every connection is a certain cause; a time server that never
answers could not change it, so the window shows the cause at once and the clock's
row says it was not needed (grey), never a failure.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from app.child import check_process
from app.gui.worker import process_runner_factory
from checks.engine.check import all_checks
from checks.engine.config import load_config_text


@pytest.fixture
def silent_ntp() -> Iterator[int]:
    """A UDP port on loopback that takes every question and answers none."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def test_the_child_process_run_ends_once_the_cause_is_certain(
        qtbot: Any, make_window: Any, silent_ntp: int, monkeypatch: pytest.MonkeyPatch) -> None:
    dead = _closed_port()
    monkeypatch.setenv("https_proxy", f"http://127.0.0.1:{dead}")
    check_process.discard_spare()  # the child must start with this environment
    config = load_config_text(
        "deadline_s = 20.0\n"
        f'[ntp]\nservers = ["127.0.0.1:{silent_ntp}"]\ntimeout_s = 8.0\n'
        f'[[endpoints]]\nhost = "127.0.0.1"\nports = [{dead}]\nproduct = "wecom"\n')
    checks = [c for c in all_checks() if c.id in ("proxy", "clock")]
    window = make_window(checks, config=config, runner_factory=process_runner_factory)
    from PySide6.QtCore import Qt

    with qtbot.waitSignal(window.run_finished, timeout=15000) as blocker:
        qtbot.mouseClick(window.card.start_button, Qt.MouseButton.LeftButton)
    report: dict[str, Any] = blocker.args[0]
    assert report["decided_early"]["cause"] == "proxy_broken", report.get("decided_early")
    assert report["decided_early"]["not_needed"] == ["clock"]
    assert not window.running
    assert window.card.light.state == "fail"
    assert report["headline"]["cause"] == "proxy_broken"
    assert window.card.headline.text() == report["headline"]["i18n"]["en"]["summary"]
    clock = window.rows["clock"]
    assert clock.light.state == "skipped"
    assert clock.summary.text().startswith("Not needed: the most likely cause was already certain")
    window.set_lang("zh")
    assert clock.summary.text().startswith("无需检测")
