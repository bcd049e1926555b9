"""`wxdoctor history`: the runs stored on this computer."""

from __future__ import annotations

import argparse
import json
import sys

from checks.history import History, HistoryError

COMMAND = "history"
HELP = "List the stored runs (newest first)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="how many runs")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    from app.cli import UsageError

    history = History()
    try:
        rows = history.list(args.limit)
    except HistoryError as exc:  # e.g. locked by another program: say so, change nothing
        raise UsageError(str(exc)) from exc
    if args.json:
        json.dump({"path": str(history.path), "runs": [r.to_json() for r in rows]}, sys.stdout,
                  ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print(f"No runs stored yet ({history.path}).")
        return 0
    print(f"{'id':>5}  {'started (UTC)':<25}  {'status':<8}  {'cause':<24}  product")
    for row in rows:
        print(f"{row.id:>5}  {row.started_at:<25}  {row.status:<8}  "
              f"{row.primary_cause or '-':<24}  {row.product or '-'}")
    return 0
