"""Fix journal entries on the command line (`undo`, `journal`, `fix`): finding one,
and saying which interrupted fixes were rolled back."""

from __future__ import annotations

import sys

from app.cli.usage import UsageError
from checks.fixes import get_fix, known_fix_ids
from checks.fixes.executor import Recovered
from checks.fixes.journal import Journal, JournalEntry
from checks.shared.i18n import t


def load_entry(journal: Journal, journal_id: str) -> JournalEntry:
    """The named journal entry, or a usage error that says where to look."""
    try:
        return journal.load(journal_id)
    except (KeyError, ValueError):
        raise UsageError(f"no journal entry {journal_id!r} (see `wxdoctor journal`)") from None


def print_recovered(recovered: list[Recovered], lang: str) -> int:
    """Say which interrupted fixes were rolled back; 2 when one could not be."""
    code = 0
    for item in recovered:
        title = (get_fix(item.entry.fix_id).title if item.entry.fix_id in known_fix_ids()
                 else t(item.entry.fix_id, item.entry.fix_id))
        print(t("Rolled back the interrupted fix {id} ({fix})", "已回滚被中断的修复 {id}（{fix}）",
                id=item.entry.id, fix=title).render(lang))
        for note in item.notes:
            print(f"  {note.render(lang)}")
        if item.problem is not None:
            print(f"{item.entry.id}: {item.problem.render(lang)}", file=sys.stderr)
            code = 2
    return code
