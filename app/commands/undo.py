"""`wxdoctor undo [JOURNAL_ID]`: undo a fix (default: the latest applied one)."""

from __future__ import annotations

import argparse
import sys

from app.fixui import load_entry, note_text
from checks.fixes import get_fix
from checks.fixes.base import FixError
from checks.fixes.journal import Journal
from checks.i18n import detect_lang, t

COMMAND = "undo"
HELP = "Undo a fix from the journal (default: the latest applied fix)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("journal_id", nargs="?", metavar="JOURNAL_ID")
    parser.add_argument("--lang", choices=("zh", "en"), help="language of the output")


def run(args: argparse.Namespace) -> int:
    from app.cli import UsageError

    lang = args.lang or detect_lang()
    journal = Journal()
    if args.journal_id:
        entry = load_entry(journal, args.journal_id)
    else:
        latest = journal.latest("applied")
        if latest is None:
            print(t("Nothing to undo.", "没有可撤销的修复。").render(lang))
            return 1
        entry = latest
    try:
        fix = get_fix(entry.fix_id)
    except KeyError:
        raise UsageError(f"journal entry {entry.id} names an unknown fix {entry.fix_id!r}") from None
    try:
        fix.undo(entry)
    except FixError as exc:
        print(f"{entry.id}: {exc.text.render(lang)}", file=sys.stderr)
        return 2
    print(t("Undone: {id} ({fix})", "已撤销：{id}（{fix}）", id=entry.id,
            fix=fix.title).render(lang))
    for step in entry.steps:
        if step.get("note"):
            print(f"  {note_text(step['note'], lang)}")
    return 0
