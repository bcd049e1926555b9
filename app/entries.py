"""Finding a fix journal entry from the command line (`undo`, `journal`)."""

from __future__ import annotations

from checks.fixes.journal import Journal, JournalEntry


def load_entry(journal: Journal, journal_id: str) -> JournalEntry:
    """The named journal entry, or a usage error that says where to look."""
    from app.cli import UsageError

    try:
        return journal.load(journal_id)
    except (KeyError, ValueError):
        raise UsageError(f"no journal entry {journal_id!r} (see `wxdoctor journal`)") from None
