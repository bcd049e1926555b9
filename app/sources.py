"""Where a saved report comes from: a JSON file, or a run in the history."""

from __future__ import annotations

from pathlib import Path

from checks.history import History, HistoryError
from checks.report.load import ReportError, SavedReport, load_report_file, parse_report


class SourceError(Exception):
    """The reference names no readable report."""


def load_report(ref: str, history: History | None = None) -> tuple[SavedReport, str]:
    """A validated report and a short label for `ref`: a run id, `latest`, `previous`,
    or a file path."""
    if ref in ("latest", "previous") or (ref.isascii() and ref.isdigit()):
        history = history or History()
        try:
            if ref.isdigit():
                return parse_report(history.get(int(ref))), ref
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
