"""Watches in the history and on the command line: stored apart from check runs, listed
with `w` ids, loaded by `report`, bad arguments refused with exit 64."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.cli.sources import SourceError, load_report, load_watch
from checks.report.history import History
from tests.sandbox import run_app
from tests.unit.test_watch import FakeClock, Net, ScriptedSampler, _config


def _watch_report() -> dict:
    from checks.watch.loop import Watch
    from checks.watch.plan import Plan

    clock = FakeClock()
    sampler = ScriptedSampler(clock, lambda i: Net(servers=not 3 <= i < 6, gateway=not 3 <= i < 6))
    return Watch(_config(), Plan(10, 1.0), clock=clock, sampler=sampler).run()


def test_watches_have_their_own_table_and_ids(tmp_path: Path) -> None:
    history = History(tmp_path / "history.db")
    run_id = history.add({"started_at": "2026-01-01T00:00:00+00:00", "status": "ok",
                          "diagnosis": {"primary": "healthy"}, "endpoints": [], "checks": []})
    report = _watch_report()
    watch = history.add_watch(report)
    assert run_id == 1 and watch == 1
    [row] = history.list_watches()
    assert row.ref == "w1" and row.outages == 1 and row.status == "fail"
    assert row.primary_cause == "unstable_local_link" and row.product == "wecom"
    assert [r.id for r in history.list()] == [1]  # check runs do not see watches
    assert history.get_watch(1)["watch"]["outages"] == report["watch"]["outages"]
    loaded = load_watch("w1", history)
    assert loaded is not None and loaded["schema"] == "wxdoctor.watch/1"
    with pytest.raises(SourceError, match="no watch with id w7"):
        load_watch("w7", history)
    # `compare` and the check tools never get a watch by mistake.
    saved = tmp_path / "watch.json"
    saved.write_text(json.dumps(report), encoding="utf-8")
    with pytest.raises(SourceError, match="not a wxdoctor report"):
        load_report(str(saved), history)
    assert load_watch(str(saved), history)["watch"]  # type: ignore[index]


def test_a_history_from_before_watches_gets_the_table_and_keeps_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL,
            status TEXT NOT NULL, primary_cause TEXT, product TEXT, report TEXT NOT NULL);
        INSERT INTO runs (started_at, status, primary_cause, product, report)
            VALUES ('2025-01-01T00:00:00+00:00', 'ok', 'healthy', 'wecom', '{"checks": []}');
    """)
    old.commit()
    old.close()
    history = History(path)
    assert history.add_watch(_watch_report()) == 1
    assert [r.id for r in history.list()] == [1] and history.set_aside is None


def test_watch_cli_arguments_and_the_history_listing(tmp_path: Path) -> None:
    env = {"WXDOCTOR_DATA_DIR": str(tmp_path)}
    out = run_app("watch", "--seconds", "5", "--interval", "0.5", env=env)
    assert out.returncode == 64 and "interval" in out.stderr
    out = run_app("watch", "--seconds", "5", "--minutes", "1", env=env)
    assert out.returncode == 64
    bad = tmp_path / "bad.toml"
    bad.write_text("[watch]\nminutes = 5000\n", encoding="utf-8")
    out = run_app("watch", "--config", str(bad), env=env)
    assert out.returncode == 64 and "watch.minutes" in out.stderr
    History(tmp_path / "history.db").add_watch(_watch_report())
    listed = run_app("history", env=env)
    assert listed.returncode == 0 and "   w1  " in listed.stdout and "1 outage(s)" in listed.stdout
    text = run_app("report", "w1", "--lang", "zh", env=env)
    assert text.returncode == 0 and "断线 1 次" in text.stdout and "断线记录" in text.stdout
