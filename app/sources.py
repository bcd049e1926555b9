"""Where a saved report comes from: a JSON file, or a run in the history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from checks.history import History, HistoryError, watch_id


class SourceError(Exception):
    """The reference names no readable report."""


def load_report(ref: str, history: History | None = None, watches: bool = False
                ) -> tuple[dict[str, Any], str]:
    """A report and a short label for `ref`: a run id, `latest`, `previous`, or a file path.

    With `watches`, also a stored watch (`w3`) or a watch report file."""
    if watches and watch_id(ref) is not None:
        try:
            return (history or History()).get_watch(int(ref[1:])), ref
        except HistoryError as exc:
            raise SourceError(str(exc)) from exc
    if ref in ("latest", "previous") or ref.isdigit():
        history = history or History()
        try:
            if ref.isdigit():
                return history.get(int(ref)), ref
            rows = history.list(2)
            index = 0 if ref == "latest" else 1
            if len(rows) <= index:
                raise SourceError(f"the history has no {ref} run (runs stored: {len(rows)})")
            return history.get(rows[index].id), str(rows[index].id)
        except HistoryError as exc:
            raise SourceError(str(exc)) from exc
    path = Path(ref)
    try:
        report = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise SourceError(f"{path} is not JSON: {exc}") from exc
    if watches and isinstance(report, dict) and str(report.get("schema", "")).startswith(
            "wxdoctor.watch/"):
        return report, path.name
    if not isinstance(report, dict) or not str(report.get("schema", "")).startswith(
        "wxdoctor.report/"
    ):
        raise SourceError(f"{path} is not a wxdoctor report (no 'schema': 'wxdoctor.report/1')")
    if not isinstance(report.get("checks"), list):
        raise SourceError(f"{path}: the report has no list of checks")
    return report, path.name
