"""Every run's report, kept in a small SQLite database in the user's data folder.

A damaged database must never stop a check: it is set aside as
`history.db.damaged-<timestamp>` and a fresh one is started, with a message.
A database that is merely locked by another program (a second wxdoctor, a
backup tool, a viewer) is not damaged: it is waited for up to `timeout` seconds
and then left alone (HistoryBusy), never moved aside.
The history is local and stores reports in full; exports redact them.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import math
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.platform.parsers.numbers import ascii_int
from checks.report.load import parse_report_text
from checks.report.load_watch import parse_watch_text
from checks.shared.userdata import history_path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    status TEXT NOT NULL,
    primary_cause TEXT,
    product TEXT,
    report TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_started ON runs(started_at);
-- Watches (`wxdoctor watch`) in a table of their own: older versions' readers of `runs`
-- never meet a report of another kind. Shown with ids "w1", "w2"...
CREATE TABLE IF NOT EXISTS watches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    duration_s REAL NOT NULL,
    status TEXT NOT NULL,
    primary_cause TEXT,
    outages INTEGER NOT NULL,
    product TEXT,
    report TEXT NOT NULL
);
"""
WATCH_PREFIX = "w"
_COLUMNS = ["id", "started_at", "status", "primary_cause", "product", "report"]


class HistoryError(Exception):
    """A run that does not exist or a report that cannot be read back."""


class HistoryBusy(HistoryError):
    """Another program holds the database locked for longer than we may wait."""


# SQLITE_BUSY and SQLITE_LOCKED, with any extended code in the high bits.
_BUSY_CODES = (5, 6)


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _BUSY_CODES
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


@dataclass(frozen=True)
class RunRow:
    id: int
    started_at: str
    status: str
    primary_cause: str | None
    product: str | None

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> RunRow:
        """A row as SQLite returns it, whatever types another program stored in it."""
        run_id, started_at, status, cause, product = row
        return cls(int(run_id), _text(started_at, ""), _text(status),
                   _optional_text(cause), _optional_text(product))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "started_at": self.started_at, "status": self.status,
                "primary_cause": self.primary_cause, "product": self.product}



@dataclass(frozen=True)
class WatchRow:
    id: int
    started_at: str
    duration_s: float | None  # None: not a number in the database
    status: str
    primary_cause: str | None
    outages: int | None
    product: str | None

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> WatchRow:
        """A row as SQLite returns it, whatever types another program stored in it."""
        watch, started_at, duration, status, cause, outages, product = row
        count = _number(outages)
        return cls(int(watch), _text(started_at, ""), _number(duration), _text(status),
                   _optional_text(cause), int(count) if count is not None else None,
                   _optional_text(product))

    @property
    def ref(self) -> str:
        """How commands name it: `wxdoctor report w3`."""
        return f"{WATCH_PREFIX}{self.id}"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.ref, "started_at": self.started_at, "duration_s": self.duration_s,
                "status": self.status, "primary_cause": self.primary_cause,
                "outages": self.outages, "product": self.product}


# SQLite's integers are signed 64-bit; a bigger number names nothing stored.
MAX_ROW_ID = 2**63 - 1


def _bounded_limit(limit: int) -> int:
    """LIMIT for SQLite: negative means none wanted, anything past its range means all."""
    return min(max(0, limit), MAX_ROW_ID)


def _text(value: object, unknown: str = "?") -> str:
    """A text column as stored, or `unknown` when another program put something else
    there (a BLOB, a number): the listing shows the row instead of failing on it."""
    return value if isinstance(value, str) else unknown


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def watch_id(ref: str) -> int | None:
    """3 for "w3"; None for anything else."""
    rest = ref[len(WATCH_PREFIX):] if ref.startswith(WATCH_PREFIX) else ""
    return ascii_int(rest)


def product_of(report: dict[str, Any]) -> str | None:
    products = {e.get("product") for e in report.get("endpoints", []) if e.get("product")}
    if not products:
        return None
    return products.pop() if len(products) == 1 else "both"


def _warn(message: str) -> None:
    print(f"wxdoctor: {message}", file=sys.stderr)


class History:
    def __init__(self, path: str | os.PathLike[str] | None = None,
                 warn: Callable[[str], None] = _warn, timeout: float = 5.0) -> None:
        self.path = Path(path) if path is not None else history_path()
        self.warn = warn
        self.timeout = max(0.0, timeout)  # how long to wait for another program's lock
        self.set_aside: Path | None = None  # where a damaged database was moved, if it was

    # -- opening and recovery ------------------------------------------------------------

    def _busy(self) -> HistoryBusy:
        return HistoryBusy(f"the run history {self.path} is in use by another program "
                           f"(still locked after {self.timeout:.1f} s)")

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = self._open_checked()
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                raise self._busy() from exc  # locked is not damaged: leave it as it is
            self._set_aside(exc)
            conn = self._open_checked()
        return conn

    @contextlib.contextmanager
    def _session(self) -> Iterator[sqlite3.Connection]:
        """A checked connection; a lock held past the timeout becomes HistoryBusy."""
        conn = self._connect()
        try:
            yield conn
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):  # e.g. another writer: nothing stored, nothing lost
                raise self._busy() from exc
            raise
        finally:
            conn.close()

    def _open_checked(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.timeout)
        try:
            row = conn.execute("PRAGMA quick_check").fetchone()
            if not row or row[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check: {row[0] if row else 'no answer'}")
            conn.executescript(_SCHEMA)
            columns = [r[1] for r in conn.execute("PRAGMA table_info(runs)")]
            if columns != _COLUMNS:
                raise sqlite3.DatabaseError(f"unexpected table layout: {columns}")
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _set_aside(self, exc: Exception) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
            n += 1
        os.replace(self.path, target)
        for suffix in ("-journal", "-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                os.replace(side, target.with_name(target.name + suffix))
        self.set_aside = target
        self.warn(f"the run history was damaged ({exc}); moved it to {target} and started a new one")

    # -- API -----------------------------------------------------------------------------

    def add(self, report: dict[str, Any]) -> int:
        diagnosis = report.get("diagnosis", {})
        values = (
            str(report.get("started_at", "")),
            str(report.get("status", "")),
            diagnosis.get("primary"),
            product_of(report),
            json.dumps(report, ensure_ascii=False),
        )
        with self._session() as conn, conn:
            cursor = conn.execute(
                "INSERT INTO runs (started_at, status, primary_cause, product, report)"
                " VALUES (?, ?, ?, ?, ?)",
                values,
            )
        return int(cursor.lastrowid or 0)

    def list(self, limit: int = 20) -> builtins.list[RunRow]:
        with self._session() as conn:
            rows = conn.execute(
                "SELECT id, started_at, status, primary_cause, product FROM runs"
                " ORDER BY id DESC LIMIT ?",
                (_bounded_limit(limit),),
            ).fetchall()
        return [RunRow.of(row) for row in rows]

    def latest(self, n: int = 1) -> builtins.list[dict[str, Any]]:
        """The newest `n` reports, newest first."""
        return [self.get(row.id) for row in self.list(n)]

    def get(self, run_id: int) -> dict[str, Any]:
        if not 0 < run_id <= MAX_ROW_ID:
            raise HistoryError(f"no run with id {run_id} in {self.path}")
        with self._session() as conn:
            row = conn.execute("SELECT report FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise HistoryError(f"no run with id {run_id} in {self.path}")
        if not isinstance(row[0], str):
            raise HistoryError(f"run {run_id} cannot be read back: not text")
        try:
            report = parse_report_text(row[0]).to_json()
        except ValueError as exc:  # ReportError: the loader says which field
            raise HistoryError(f"run {run_id} cannot be read back: {exc}") from exc
        report.setdefault("history_id", run_id)
        return report

    # -- watches -------------------------------------------------------------------------

    def add_watch(self, report: dict[str, Any]) -> int:
        watch = report.get("watch", {})
        values = (
            str(report.get("started_at", "")),
            float(report.get("duration_s") or 0),
            str(report.get("status", "")),
            report.get("diagnosis", {}).get("primary"),
            len(watch.get("outages", [])) + int(watch.get("outages_dropped", 0)),
            product_of(report),
            json.dumps(report, ensure_ascii=False),
        )
        with self._session() as conn, conn:
            cursor = conn.execute(
                "INSERT INTO watches (started_at, duration_s, status, primary_cause, outages,"
                " product, report) VALUES (?, ?, ?, ?, ?, ?, ?)", values)
        return int(cursor.lastrowid or 0)

    def list_watches(self, limit: int = 20) -> builtins.list[WatchRow]:
        with self._session() as conn:
            rows = conn.execute(
                "SELECT id, started_at, duration_s, status, primary_cause, outages, product"
                " FROM watches ORDER BY id DESC LIMIT ?", (_bounded_limit(limit),)).fetchall()
        return [WatchRow.of(row) for row in rows]

    def get_watch(self, watch: int) -> dict[str, Any]:
        if not 0 < watch <= MAX_ROW_ID:
            raise HistoryError(f"no watch with id {WATCH_PREFIX}{watch} in {self.path}")
        with self._session() as conn:
            row = conn.execute("SELECT report FROM watches WHERE id = ?", (watch,)).fetchone()
        if row is None:
            raise HistoryError(f"no watch with id {WATCH_PREFIX}{watch} in {self.path}")
        if not isinstance(row[0], str):
            raise HistoryError(f"watch {WATCH_PREFIX}{watch} cannot be read back: not text")
        try:
            report = parse_watch_text(row[0])
        except ValueError as exc:  # ReportError: the loader says which field
            raise HistoryError(f"watch {WATCH_PREFIX}{watch} cannot be read back: {exc}") from exc
        report.setdefault("history_id", f"{WATCH_PREFIX}{watch}")
        return report
