"""`wxdoctor journal [ID]`: the fixes applied on this computer, and their state."""

from __future__ import annotations

import argparse

from app.cli.entries import load_entry
from app.cli.output import print_json
from app.cli.usage import add_lang
from checks.fixes.journal import Journal
from checks.shared.i18n import detect_lang

COMMAND = "journal"
HELP = "List the fix journal (or show one entry as JSON)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("journal_id", nargs="?", metavar="JOURNAL_ID")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_lang(parser)


def run(args: argparse.Namespace) -> int:
    lang = args.lang or detect_lang()
    journal = Journal()
    if args.journal_id:
        entry = load_entry(journal, args.journal_id)
        print_json(entry.to_json())
        return 0
    entries = journal.entries()
    if args.json:
        print_json([e.to_json() for e in entries])
        return 0
    print(f"# {journal.root}")
    for entry in entries:
        summary = entry.summary.get(lang, "")
        print(f"{entry.id}  {entry.state:<11} {summary}")
    return 0
