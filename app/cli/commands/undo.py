"""`wxdoctor undo [JOURNAL_ID]`: undo a fix (default: the latest applied one, else the
latest whose undo failed and can be tried again).

A fix whose run was killed halfway (its entry still `planned`, its process gone)
is rolled back first: without an id every such entry, with an id that entry.
"""

from __future__ import annotations

import argparse
import sys

from app.cli.entries import load_entry, print_recovered
from app.cli.usage import UsageError, add_lang
from checks.engine.config import load_config
from checks.fixes import FixEnv, get_fix, known_fix_ids
from checks.fixes.actions import FixError
from checks.fixes.executor import recover_interrupted
from checks.fixes.journal import Journal, JournalEntry
from checks.fixes.session import FixSession
from checks.shared.i18n import detect_lang, t

COMMAND = "undo"
HELP = "Undo a fix from the journal (default: the latest applied fix)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("journal_id", nargs="?", metavar="JOURNAL_ID")
    add_lang(parser)


def run(args: argparse.Namespace) -> int:
    lang = args.lang or detect_lang()
    journal = Journal()
    entry = load_entry(journal, args.journal_id) if args.journal_id else None
    interrupted = [e for e in journal.interrupted() if entry is None or e.id == entry.id]
    if interrupted:
        env = FixEnv(config=load_config(None))
        return print_recovered(recover_interrupted(journal, get_fix, env, interrupted), lang)
    # Without an id: the latest applied fix, else one whose undo failed earlier (a
    # client was running, say): its cache must not sit in quarantine unnoticed.
    entry = entry or journal.latest("applied") or _undoable_failed(journal)
    if entry is None:
        print(t("Nothing to undo.", "没有可撤销的修复。").render(lang))
        return 1
    if entry.fix_id not in known_fix_ids():
        raise UsageError(f"journal entry {entry.id} names an unknown fix {entry.fix_id!r}")
    session = FixSession(load_config(None), lang=lang, journal=journal)
    try:
        notes = session.undo_entry(entry)
    except FixError as exc:
        print(f"{entry.id}: {exc.text.render(lang)}", file=sys.stderr)
        return 2
    print(t("Undone: {id} ({fix})", "已撤销：{id}（{fix}）", id=entry.id,
            fix=get_fix(entry.fix_id).title).render(lang))
    for note in notes:
        print(f"  {note.render(lang)}")
    return 0



def _undoable_failed(journal: Journal) -> JournalEntry | None:
    """The latest `failed` entry of a fix that can be undone, with steps left to put back."""
    for entry in reversed(journal.entries()):
        if (entry.state == "failed" and entry.fix_id in known_fix_ids()
                and entry.plan.get("reversible", True)
                and any(s.state in ("done", "running", "failed") and s.started
                        for s in entry.steps)):
            return entry
    return None
