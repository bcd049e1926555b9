"""The window's Watch tab against a scripted network: live chart, Stop, summary, exports."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from checks.engine.config import Config, Endpoint
from checks.watch.sample import Sample, Target
from tests.unit.test_watch import SERVERS, Net, sample

pytestmark = pytest.mark.gui


class LiveSampler:
    """Made-up results on the real clock, as the watch's own sampler would give them."""

    def __init__(self, script: Callable[[int], Net]) -> None:
        self.script = script
        self.targets: list[Target] = list(SERVERS)

    def prepare(self) -> None:
        pass

    def take(self, index: int) -> Sample:
        return sample(index, time.monotonic(), time.time(), self.script(index))


CONFIG = Config(endpoints=tuple(Endpoint(t.host, (t.port,), "wecom") for t in SERVERS))


def _watch_view(make_window: Any, script: Callable[[int], Net]) -> tuple[Any, list[Any]]:
    window = make_window(config=CONFIG)
    window.modes.setCurrentIndex(1)
    view = window.watch_view
    stored: list[Any] = []
    view.store = stored.append
    view.sampler_factory = lambda config, plan: LiveSampler(script)
    return view, stored


def test_a_watch_shows_its_outage_live_and_the_summary_when_done(qtbot: Any,
                                                                make_window: Any) -> None:
    view, stored = _watch_view(make_window, lambda i: Net(servers=i not in (1, 2),
                                                          gateway=i not in (1, 2)))
    assert not view.light.isVisible() and view.start_button.isVisible()
    with qtbot.waitSignal(view.finished, timeout=15000) as done:
        view.start(seconds=5, interval_s=1)
        assert view.stop_button.isVisible() and not view.start_button.isVisible()
        qtbot.waitUntil(lambda: view._sample is not None and view._sample.index >= 1, timeout=5000)
        qtbot.waitUntil(lambda: "OUTAGE" in view.live.text(), timeout=3000)
        assert view.light.state == "fail"
    report = done.args[0]
    assert report["diagnosis"]["primary"] == "unstable_local_link"
    assert view.light.state == "fail"
    assert view.status.text() == report["summary"]["i18n"]["en"][0]
    assert "the gateway stopped answering too" in view.status.text()
    assert view.summary.isVisible() and "Move closer to the Wi-Fi router" in view.summary.text()
    assert view.chart.data is not None and len(view.chart.data.outages) == 1
    qtbot.waitUntil(lambda: stored == [report], timeout=3000)
    # The outage band is painted: red pixels inside the chart.
    image = view.chart.grab().toImage()
    reds = sum(1 for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
               if (c := image.pixelColor(x, y)).red() > 200 and c.green() < 220 and c.blue() < 220)
    assert reds > 20
    view.window().set_lang("zh")
    assert view.status.text() == report["summary"]["i18n"]["zh"][0]
    assert view.start_button.text() == "开始监测"


def test_stop_ends_the_watch_at_once_with_what_was_measured(qtbot: Any, make_window: Any) -> None:
    view, _ = _watch_view(make_window, lambda i: Net())
    with qtbot.waitSignal(view.finished, timeout=5000) as done:
        view.start(seconds=600, interval_s=1)
        qtbot.waitUntil(lambda: view._sample is not None and view._sample.index >= 1, timeout=5000)
        began = time.monotonic()
        qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    assert time.monotonic() - began < 1.5
    report = done.args[0]
    assert report["stopped"] == "user" and report["status"] == "ok"
    assert 2 <= report["watch"]["samples"] <= 4
    assert view.start_button.isVisible() and view.pdf_button.isEnabled()


def test_saving_the_watch_as_pdf_and_json(qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    view, _ = _watch_view(make_window, lambda i: Net(servers=i != 1))
    with qtbot.waitSignal(view.finished, timeout=10000):
        view.start(seconds=3, interval_s=1)
    assert view.save(tmp_path / "w.pdf") and view.save(tmp_path / "w.json")
    assert (tmp_path / "w.pdf").read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "w.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert "wxdoctor watch report" in text and "Outages" in text
        assert "only Tencent's servers" in text  # the outage's row in the table
        assert "connect time (ms)" in text  # the chart's text is text, not pixels
    assert '"wxdoctor.watch/1"' in (tmp_path / "w.json").read_text(encoding="utf-8")
    assert '"applied": true' in (tmp_path / "w.json").read_text(encoding="utf-8")


def test_a_broken_config_is_said_and_nothing_starts(qtbot: Any, make_window: Any) -> None:
    window = make_window(config=CONFIG)
    view = window.watch_view

    def broken() -> Config:
        raise ValueError("config error: /tmp/x.toml: key 'watch.interval_s' expected a number")

    view.config_loader = broken
    with qtbot.waitSignal(view.failed, timeout=1000):
        view.start()
    assert not view.running and "watch.interval_s" in view.status.text()
