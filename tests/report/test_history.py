"""Run history: every check run is stored; damage is set aside; compare shows changes."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from checks.report.compare import compare, render_changes
from checks.report.history import History, HistoryBusy, HistoryError
from tests.report.helpers import closed_port, loopback_config, wxdoctor


def test_add_list_get_latest(faulty_report: dict[str, Any], tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    first = history.add(faulty_report)
    second = history.add(dict(faulty_report, status="ok"))
    rows = history.list(10)
    assert [r.id for r in rows] == [second, first]
    assert rows[1].status == "fail" and rows[1].primary_cause == "tcp_blocked"
    assert rows[1].product == "both"
    assert history.get(first)["checks"] == faulty_report["checks"]
    assert [r["status"] for r in history.latest(2)] == ["ok", "fail"]
    with pytest.raises(HistoryError):
        history.get(999)


@pytest.mark.parametrize("damage", [b"\x00garbage\xff" * 300, b"SQLite format 3\x00" + b"\xee" * 5000])
def test_damaged_database_is_set_aside(faulty_report: dict[str, Any], tmp_path: Path,
                                       damage: bytes) -> None:
    path = tmp_path / "history.db"
    path.write_bytes(damage)
    messages: list[str] = []
    history = History(path, warn=messages.append)
    run_id = history.add(faulty_report)
    assert history.get(run_id)["status"] == "fail"
    damaged = list(tmp_path.glob("history.db.damaged-*"))
    assert len(damaged) == 1 and damaged[0].read_bytes() == damage
    assert messages and "damaged" in messages[0]


def test_wrong_table_layout_is_set_aside(faulty_report: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE runs (x TEXT)")
    history = History(path, warn=lambda _m: None)
    assert history.add(faulty_report) == 1
    assert list(tmp_path.glob("history.db.damaged-*"))


def test_check_recovers_a_corrupt_history_and_stores_the_run(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "history.db").write_bytes(b"this is not a database" * 100)
    config = loopback_config(tmp_path / "c.toml", closed_port())
    result = wxdoctor("check", "--config", str(config), "--lang", "en", data_dir=data)
    assert result.returncode == 2, result.stderr
    assert "[FAIL]" in result.stdout
    assert "damaged" in result.stderr
    assert list(data.glob("history.db.damaged-*"))
    listed = wxdoctor("history", "--json", data_dir=data)
    runs = json.loads(listed.stdout)["runs"]
    assert len(runs) == 1 and runs[0]["status"] == "fail"

    skipped = wxdoctor("check", "--config", str(config), "--no-history", data_dir=data)
    assert skipped.returncode == 2
    assert len(json.loads(wxdoctor("history", "--json", data_dir=data).stdout)["runs"]) == 1


def test_compare_two_real_runs(tmp_path: Path) -> None:
    """The same endpoint closed, then open: tcp goes from fail to ok and the cause changes."""
    data = tmp_path / "data"
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        port = int(server.getsockname()[1])
        config = loopback_config(tmp_path / "c.toml", port)
        closed = wxdoctor("check", "--config", str(config), data_dir=data,  # bound, not listening
                          isolated=False)
        assert closed.returncode == 2, closed.stderr
        server.listen(16)
        opened = wxdoctor("check", "--config", str(config), data_dir=data, isolated=False)
    assert opened.returncode in (0, 1), opened.stdout + opened.stderr

    result = wxdoctor("compare", "previous", "latest", "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)["changes"]
    by_kind = {(c["kind"], c["check_id"]): c for c in changes}
    assert by_kind[("changed", "tcp")]["before"] == "fail"
    assert by_kind[("changed", "tcp")]["after"] == "ok"
    assert by_kind[("primary_cause", None)]["before"] == "tcp_blocked"
    text = wxdoctor("compare", "--lang", "en", data_dir=data).stdout  # previous -> latest
    assert "tcp" in text and "[FAIL] -> [OK]" in text


def test_compare_report_files_added_and_removed(faulty_report: dict[str, Any],
                                                tmp_path: Path) -> None:
    after = json.loads(json.dumps(faulty_report))
    removed = after["checks"].pop(0)
    extra = dict(after["checks"][0], id="new_check")
    after["checks"].append(extra)
    changes = compare(faulty_report, after)
    kinds = {(c["kind"], c["check_id"]) for c in changes}
    assert kinds == {("added", "new_check"), ("removed", removed["id"])}
    assert "新增检测" in render_changes(changes, "zh")

    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(faulty_report), encoding="utf-8")
    b.write_text(json.dumps(after), encoding="utf-8")
    result = wxdoctor("compare", str(a), str(b), "--lang", "en", data_dir=tmp_path / "d")
    assert result.returncode == 0
    assert "new_check" in result.stdout and removed["id"] in result.stdout
    assert compare(faulty_report, faulty_report) == []


def test_compare_without_history_is_a_usage_error(tmp_path: Path) -> None:
    result = wxdoctor("compare", data_dir=tmp_path / "empty")
    assert result.returncode == 64
    assert "no previous run" in result.stderr


# ---- a database locked by another program is busy, not damaged -------------------------

_LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN " + sys.argv[2])
if sys.argv[2] == "IMMEDIATE":
    conn.execute("INSERT INTO runs (started_at, status, report) VALUES ('x', 'ok', '{}')")
print("locked", flush=True)
sys.stdin.read()  # hold the lock until the test closes stdin
conn.execute("ROLLBACK")
"""


class _Locked:
    """Another process holding the history database locked (EXCLUSIVE or IMMEDIATE)."""

    def __init__(self, path: Path, mode: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", _LOCKER, str(path), mode],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline() == "locked\n"

    def __enter__(self) -> _Locked:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.mark.parametrize("mode", ["EXCLUSIVE", "IMMEDIATE"])
def test_locked_history_is_busy_not_damaged(faulty_report: dict[str, Any], tmp_path: Path,
                                            mode: str) -> None:
    path = tmp_path / "history.db"
    messages: list[str] = []
    history = History(path, warn=messages.append, timeout=0.2)
    first = history.add(faulty_report)
    before = path.read_bytes()
    with _Locked(path, mode):
        with pytest.raises(HistoryBusy, match="in use by another program"):
            history.add(faulty_report)
        if mode == "EXCLUSIVE":  # nobody may even read
            with pytest.raises(HistoryBusy):
                history.list()
        else:  # a pending write: reading still works
            assert [r.id for r in history.list()] == [first]
    assert messages == [] and not list(tmp_path.glob("history.db.damaged-*"))
    assert path.read_bytes() == before
    assert [r.id for r in history.list()] == [first]  # the history is all still there
    assert history.add(faulty_report) == first + 1


def test_check_skips_a_locked_history_within_its_deadline(tmp_path: Path) -> None:
    data = tmp_path / "data"
    config = loopback_config(tmp_path / "c.toml", closed_port())
    assert wxdoctor("check", "--config", str(config), data_dir=data).returncode == 2
    with _Locked(data / "history.db", "EXCLUSIVE"):
        result = wxdoctor("check", "--config", str(config), "--deadline", "3", data_dir=data)
        listed = wxdoctor("history", data_dir=data)
    assert result.returncode == 2, result.stderr  # the check ran and reported as usual
    match = re.search(r"not stored in the history: .* in use by another program "
                      r"\(still locked after ([0-9.]+) s\)", result.stderr)
    assert match, result.stderr
    assert 0 < float(match.group(1)) <= 3.0  # the wait came out of the run's deadline
    assert listed.returncode == 64 and "in use by another program" in listed.stderr
    assert not list(data.glob("history.db.damaged-*"))
    runs = json.loads(wxdoctor("history", "--json", data_dir=data).stdout)["runs"]
    assert len(runs) == 1  # the earlier run is kept; the locked-out one was skipped


def test_a_watch_with_the_history_locked_still_gives_its_report(tmp_path: Path) -> None:
    data = tmp_path / "data"
    config = loopback_config(tmp_path / "c.toml", closed_port())
    assert wxdoctor("check", "--config", str(config), data_dir=data).returncode == 2
    with _Locked(data / "history.db", "EXCLUSIVE"):
        result = wxdoctor("watch", "--seconds", "1", "--interval", "1", "--json",
                          "--config", str(config), data_dir=data)
    assert "Traceback" not in result.stderr, result.stderr
    assert "this watch was not stored in the history" in result.stderr
    assert "in use by another program" in result.stderr
    report = json.loads(result.stdout)  # the watch itself is all there
    assert report["watch"]["samples"] >= 1
    assert json.loads(wxdoctor("history", "--json", data_dir=data).stdout)["watches"] == []
