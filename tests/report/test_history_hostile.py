"""The history and the commands that read it on numbers and rows nobody should have
written: ids past SQLite's range and rows another program changed. A clear message
(exit 64) or the listing, never an internal error (exit 70)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from checks.report.history import History
from tests.report.helpers import wxdoctor

HUGE = "99999999999999999999"  # past SQLite's 64-bit integers
THOUSANDS = "1" + "0" * 5000  # past Python's limit for int() on text


def _stored(data: Path, report: dict[str, Any], watch: dict[str, Any] | None = None) -> int:
    history = History(data / "history.db")
    run_id = history.add(report)
    if watch is not None:
        history.add_watch(watch)
    return run_id


def _watch() -> dict[str, Any]:
    return {"schema": "wxdoctor.watch/1", "started_at": "2026-01-01T00:00:00+00:00",
            "duration_s": 60.0, "status": "ok", "diagnosis": {"primary": "healthy"},
            "watch": {"outages": []}, "endpoints": []}


@pytest.mark.parametrize("args", [
    ("report", HUGE), ("report", THOUSANDS), ("report", "9223372036854775808"),
    ("report", "w" + HUGE), ("report", "w" + THOUSANDS),
    ("compare", "1", HUGE), ("compare", HUGE, "1"), ("compare", "1", THOUSANDS),
], ids=["report-20-digits", "report-5001-digits", "report-2**63", "report-w-20-digits",
        "report-w-5001-digits", "compare-after", "compare-before", "compare-5001-digits"])
def test_ids_past_any_stored_one_name_no_run(tmp_path, faulty_report, args) -> None:
    data = tmp_path / "data"
    _stored(data, faulty_report, _watch())
    out = wxdoctor(*args, data_dir=data)
    assert out.returncode == 64, out.stderr[-800:]
    assert "no run with id" in out.stderr or "no watch with id" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr) < 400


def test_a_limit_past_any_count_lists_everything(tmp_path, faulty_report) -> None:
    data = tmp_path / "data"
    _stored(data, faulty_report, _watch())
    _stored(data, faulty_report)
    for limit in (HUGE, "9223372036854775808", "-3"):
        out = wxdoctor("history", "--json", "--limit", limit, data_dir=data)
        assert out.returncode == 0, out.stderr[-800:]
        listed = json.loads(out.stdout)
        expected = (0, 0) if limit == "-3" else (2, 1)
        assert (len(listed["runs"]), len(listed["watches"])) == expected
    out = wxdoctor("history", "--limit", THOUSANDS, data_dir=data)
    assert out.returncode == 64 and "invalid int value" in out.stderr


def _tamper(db: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    with sqlite3.connect(db) as conn:
        for sql, values in statements:
            conn.execute(sql, values)


def test_tampered_rows_are_listed_not_fatal(tmp_path, faulty_report) -> None:
    data = tmp_path / "data"
    run_id = _stored(data, faulty_report, _watch())
    _tamper(data / "history.db",
            # Types SQLite lets any program store in these columns.
            ("INSERT INTO runs (started_at, status, primary_cause, product, report)"
             " VALUES (?, ?, ?, ?, ?)", (b"\x00\xff2026", b"\x07", b"blob", 3.5, "{}")),
            ("UPDATE runs SET started_at = ? WHERE id = ?", (b"\xde\xad", run_id)),
            ("INSERT INTO watches (started_at, duration_s, status, primary_cause, outages,"
             " product, report) VALUES (?, ?, ?, ?, ?, ?, ?)",
             (b"\x01\x02", "ten minutes", b"ok", 5, "many", None, 42)),
            ("INSERT INTO watches (started_at, duration_s, status, primary_cause, outages,"
             " product, report) VALUES (?, ?, ?, ?, ?, ?, ?)",
             ("2026-01-02T00:00:00+00:00", float("inf"), "ok", None, 2**62, None, "[1]")))
    text = wxdoctor("history", data_dir=data)
    assert text.returncode == 0, text.stderr[-800:]
    lines = text.stdout.splitlines()
    assert len(lines) == 1 + 2 + 3  # header, two runs, three watches
    assert any("watch ?:??, ? outage(s)" in line for line in lines), text.stdout
    listed = wxdoctor("history", "--json", data_dir=data)
    assert listed.returncode == 0, listed.stderr[-800:]
    rows = json.loads(listed.stdout)
    assert {r["status"] for r in rows["runs"]} == {"fail", "?"}
    odd = next(w for w in rows["watches"] if w["id"] == "w2")
    assert (odd["started_at"], odd["duration_s"], odd["outages"]) == ("", None, None)
    assert next(w for w in rows["watches"] if w["id"] == "w3")["duration_s"] is None
    # Their reports: refused with the reason, not a crash.
    for ref in ("w2", "w3", "2"):
        out = wxdoctor("report", ref, data_dir=data)
        assert out.returncode == 64, (ref, out.stderr[-800:])
        assert "cannot be read back" in out.stderr, out.stderr
    # The untouched run is still there to read and compare.
    assert wxdoctor("report", str(run_id), "--text", data_dir=data).returncode == 0
