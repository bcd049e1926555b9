"""What `wxdoctor check` does once the run is over: build the report, keep it in the
history, print it and write the PDF. `check` loads it while the checks run, so that the
~50 ms its modules take to import overlap the network waits."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time

from app.cli.output import print_json, use_colour
from checks.engine.config import Config
from checks.engine.runner import RunResult
from checks.report.build import build_report, exit_code
from checks.report.history import History, HistoryError
from checks.report.matrix_text import render_matrix, terminal_width
from checks.report.plain_text import render_text
from checks.report.redact import redact, unredacted
from checks.report.rejudge import for_it_text


def finish(result: RunResult, config: Config, args: argparse.Namespace, lang: str,
           started: float) -> int:
    """Report, store, print and (with --pdf) write the run; the exit code."""
    report = build_report(result, config, lang)
    if not args.no_history:
        # A history locked by another program is waited for only within the deadline.
        store_run(report, wait_s=config.deadline_s - (time.monotonic() - started))
    printed = redact(report) if args.redact else report
    if args.json:
        print_json(printed)
    elif args.for_it:
        sys.stdout.write(for_it_text(printed, lang))
    else:
        sys.stdout.write(render_text(printed, lang, colour=_use_colour()))
        if args.matrix:
            sys.stdout.write("\n" + render_matrix(printed["matrix"], lang, terminal_width(),
                                                  colour=_use_colour()))
    sys.stdout.flush()
    if args.pdf:
        from app.pdf.check_pages import write_pdf

        write_pdf(unredacted(report) if args.no_redact else redact(report), args.pdf, lang)
    return exit_code(report)


def store_run(report: dict[str, object], wait_s: float = 5.0) -> int | None:
    """Keep the run in the history; a history problem never stops the check."""
    try:
        return History(timeout=max(0.05, wait_s)).add(report)
    except (sqlite3.Error, OSError, HistoryError) as exc:
        print(f"wxdoctor: this run was not stored in the history: {exc}", file=sys.stderr)
        return None


def _use_colour() -> bool:
    return use_colour(sys.stdout)
