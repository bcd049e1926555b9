"""`wxdoctor history`: the runs stored on this computer."""

from __future__ import annotations

import argparse

from app.cli.output import print_json
from app.cli.usage import UsageError
from checks.report.history import History, HistoryError

COMMAND = "history"
HELP = "List the stored runs (newest first)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="how many runs")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    history = History()
    try:
        rows = history.list(args.limit)
        watches = history.list_watches(args.limit)
    except HistoryError as exc:  # e.g. locked by another program: say so, change nothing
        raise UsageError(str(exc)) from exc
    if args.json:
        print_json({"path": str(history.path), "runs": [r.to_json() for r in rows],
                    "watches": [w.to_json() for w in watches]})
        return 0
    if not rows and not watches:
        print(f"No runs stored yet ({history.path}).")
        return 0
    print(f"{'id':>5}  {'started (UTC)':<25}  {'status':<8}  {'cause':<24}  product")
    lines = [(row.started_at, f"{row.id:>5}  {row.started_at:<25}  {row.status:<8}  "
                              f"{row.primary_cause or '-':<24}  {row.product or '-'}")
             for row in rows]
    lines += [(w.started_at, f"{w.ref:>5}  {w.started_at:<25}  {w.status:<8}  "
                             f"{w.primary_cause or '-':<24}  {w.product or '-'}  "
                             f"watch {_minutes(w.duration_s)}, "
                             f"{'?' if w.outages is None else w.outages} outage(s)")
              for w in watches]
    # Newest first, runs and watches together (both stamped in UTC, ISO form).
    for _, line in sorted(lines, key=lambda item: item[0], reverse=True)[:max(0, args.limit)]:
        print(line)
    return 0


def _minutes(seconds: float | None) -> str:
    if seconds is None:  # not a number in the database
        return "?:??"
    minutes, s = divmod(round(seconds), 60)
    return f"{minutes}:{s:02d}"
