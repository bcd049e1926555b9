"""`wxdoctor report`: render a saved run as PDF, chat text or (redacted) JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli.output import print_json
from app.cli.sources import SourceError, load_report, load_watch
from app.cli.usage import UsageError, add_lang
from checks.report.chat_summary import summary_text
from checks.report.matrix import build_matrix
from checks.report.matrix_text import render_matrix, terminal_width
from checks.report.plain_text import render_text
from checks.report.redact import redact, unredacted
from checks.report.rejudge import for_it_text
from checks.shared.i18n import detect_lang
from checks.watch.terminal import render_watch_text

COMMAND = "report"
HELP = "Render a saved report (JSON file or history run) as PDF, text or JSON."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source", metavar="FILE.json|ID|latest|previous",
        help="a report saved with `check --json` or `watch --json`, or a run or watch "
             "(w1, w2...) from `wxdoctor history`",
    )
    parser.add_argument("--pdf", metavar="OUT", help="write an A4 PDF report")
    parser.add_argument("--json", metavar="OUT", help="write the report as JSON ('-': stdout)")
    parser.add_argument("--text", action="store_true",
                        help="print the short summary to paste into a chat with support")
    parser.add_argument("--matrix", action="store_true",
                        help="print the table of servers and what was measured on each")
    parser.add_argument("--for-it", action="store_true",
                        help="print the text for the network administrator (what failed, how, "
                             "what to allow)")
    add_lang(parser)
    parser.add_argument("--no-redact", action="store_true",
                        help="keep user name, host name and public addresses (for IT)")


def run(args: argparse.Namespace) -> int:

    try:
        watch = load_watch(args.source)
        saved = None if watch is not None else load_report(args.source)[0]
    except SourceError as exc:
        raise UsageError(str(exc)) from exc
    if watch is not None:
        return _watch(watch, args)
    assert saved is not None
    report = saved.to_json()
    lang = args.lang or saved.lang or detect_lang()
    export = unredacted(report) if args.no_redact else redact(report)
    if "matrix" not in export:  # saved before reports carried it: rebuilt from the evidence
        export["matrix"] = build_matrix(export)
    if args.pdf:
        from app.pdf.check_pages import write_pdf

        write_pdf(export, args.pdf, lang)
    _write_json(export, args.json)
    if args.text:
        sys.stdout.write(summary_text(export, lang, redacted=False))
    if args.for_it:
        sys.stdout.write(for_it_text(export, lang))
    if args.matrix:
        sys.stdout.write(render_matrix(export["matrix"], lang, terminal_width()))
    elif not args.text and not args.pdf and not args.json and not args.for_it:
        sys.stdout.write(render_text(export, lang))
    return 0


def _watch(report: dict[str, Any], args: argparse.Namespace) -> int:
    """A watch has its own PDF and text."""
    lang = args.lang or report.get("lang") or detect_lang()
    lang = lang if lang in ("zh", "en") else "en"
    export = unredacted(report) if args.no_redact else redact(report)
    if args.pdf:
        from app.pdf.watch_pages import write_watch_pdf

        write_watch_pdf(export, args.pdf, lang)
    _write_json(export, args.json)
    if args.text or (not args.pdf and not args.json):
        sys.stdout.write(render_watch_text(export, lang))
    return 0


def _write_json(export: dict[str, Any], target: str | None) -> None:
    if not target:
        return
    if target == "-":
        print_json(export)
    else:
        Path(target).write_text(json.dumps(export, ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")
