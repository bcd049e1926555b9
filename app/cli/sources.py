"""Where a saved report comes from: a JSON file, or a run in the history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checks.platform.parsers.numbers import ascii_int
from checks.report.history import WATCH_PREFIX, History, HistoryError, watch_id
from checks.report.load import ReportError, SavedReport, load_report_file, parse_report
from checks.report.load_watch import is_watch_data, parse_watch
from checks.report.reader import read_json_file


class SourceError(Exception):
    """The reference names no readable report."""


def load_report(ref: str, history: History | None = None) -> tuple[SavedReport, str]:
    """A validated report and a short label for `ref`: a run id, `latest`, `previous`,
    or a file path."""
    if ref in ("latest", "previous") or (ref.isascii() and ref.isdigit()):
        history = history or History()
        try:
            if ref.isdigit():
                run_id = ascii_int(ref)  # None: more digits than any stored id has
                if run_id is None:
                    shown = ref if len(ref) <= 24 else f"{ref[:20]}… ({len(ref)} digits)"
                    raise SourceError(f"no run with id {shown} in {history.path}")
                return parse_report(history.get(run_id)), ref
            rows = history.list(2)
            index = 0 if ref == "latest" else 1
            if len(rows) <= index:
                raise SourceError(f"the history has no {ref} run (runs stored: {len(rows)})")
            return parse_report(history.get(rows[index].id)), str(rows[index].id)
        except (HistoryError, ReportError) as exc:
            raise SourceError(str(exc)) from exc
    path = Path(ref)
    try:
        return load_report_file(path), path.name
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except ReportError as exc:
        raise SourceError(f"{path}: {exc}") from exc


def load_watch(ref: str, history: History | None = None) -> dict[str, Any] | None:
    """A stored watch (`w3`) or a watch file (`watch --json`), checked by the loader
    (SourceError names a bad field); None when `ref` names something else (a check
    report, which `load_report` reads)."""
    watch = watch_id(ref)
    digits = ref[len(WATCH_PREFIX):] if ref.startswith(WATCH_PREFIX) else ""
    if watch is None and digits.isascii() and digits.isdigit():
        # More digits than any stored id has: a watch id all the same, not a file name.
        shown = ref if len(ref) <= 24 else f"{ref[:20]}… ({len(digits)} digits)"
        raise SourceError(f"no watch with id {shown} in {(history or History()).path}")
    if watch is not None:
        try:
            return (history or History()).get_watch(watch)
        except HistoryError as exc:
            raise SourceError(str(exc)) from exc
    path = Path(ref)
    try:
        data = read_json_file(path)
    except (OSError, ReportError):
        return None  # not a watch: load_report says what is wrong with it
    if not is_watch_data(data):
        return None
    try:
        return parse_watch(data)
    except ReportError as exc:
        raise SourceError(f"{path}: {exc}") from exc
