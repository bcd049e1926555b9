"""`wxdoctor report`: render a saved run as PDF, chat text or (redacted) JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from checks.i18n import detect_lang
from checks.report.matrix import build_matrix
from checks.report.matrix_text import render_matrix, terminal_width
from checks.report.redact import redact, unredacted
from checks.report.summary import summary_text
from checks.report.text import render_text

COMMAND = "report"
HELP = "Render a saved report (JSON file or history run) as PDF, text or JSON."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source", metavar="FILE.json|ID|latest|previous",
        help="a report saved with `check --json`, or a run from `wxdoctor history`",
    )
    parser.add_argument("--pdf", metavar="OUT", help="write an A4 PDF report")
    parser.add_argument("--json", metavar="OUT", help="write the report as JSON ('-': stdout)")
    parser.add_argument("--text", action="store_true",
                        help="print the short summary to paste into a chat with support")
    parser.add_argument("--matrix", action="store_true",
                        help="print the table of servers and what was measured on each")
    parser.add_argument("--lang", choices=("zh", "en"), help="language of the output")
    parser.add_argument("--no-redact", action="store_true",
                        help="keep user name, host name and public addresses (for IT)")


def run(args: argparse.Namespace) -> int:
    from app.cli import UsageError
    from app.sources import SourceError, load_report

    try:
        saved, _label = load_report(args.source)
    except SourceError as exc:
        raise UsageError(str(exc)) from exc
    report = saved.to_json()
    lang = args.lang or saved.lang or detect_lang()
    export = unredacted(report) if args.no_redact else redact(report)
    if "matrix" not in export:  # saved before reports carried it: rebuilt from the evidence
        export["matrix"] = build_matrix(export)
    if args.pdf:
        from app.pdf import write_pdf

        write_pdf(export, args.pdf, lang)
    if args.json:
        text = json.dumps(export, ensure_ascii=False, indent=2) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
        else:
            Path(args.json).write_text(text, encoding="utf-8")
    if args.text:
        sys.stdout.write(summary_text(export, lang, redacted=False))
    if args.matrix:
        sys.stdout.write(render_matrix(export["matrix"], lang, terminal_width()))
    elif not args.text and not args.pdf and not args.json:
        sys.stdout.write(render_text(export, lang))
    return 0
