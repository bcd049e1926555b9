"""`wxdoctor compare`: what changed between two runs."""

from __future__ import annotations

import argparse
import sys

from app.cli.output import print_json
from app.cli.sources import SourceError, load_report
from app.cli.usage import UsageError, add_lang
from checks.report.compare import compare, render_changes
from checks.shared.i18n import detect_lang

COMMAND = "compare"
HELP = "Show which checks changed between two runs (history ids, latest/previous, or files)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("before", nargs="?", default="previous",
                        help="run id, 'latest', 'previous' or a report file (default: previous)")
    parser.add_argument("after", nargs="?", default="latest",
                        help="run id, 'latest', 'previous' or a report file (default: latest)")
    add_lang(parser)
    parser.add_argument("--json", action="store_true", help="print the changes as JSON")


def run(args: argparse.Namespace) -> int:

    try:
        a, label_a = load_report(args.before)
        b, label_b = load_report(args.after)
    except SourceError as exc:
        raise UsageError(str(exc)) from exc
    changes = compare(a, b)
    if args.json:
        print_json({"before": label_a, "after": label_b, "changes": changes})
    else:
        lang = args.lang or detect_lang()
        sys.stdout.write(render_changes(
            changes, lang, names=(label_a, label_b),
            times=(a.started_at, b.started_at),
        ))
    return 0
