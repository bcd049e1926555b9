"""The fix journal: one JSON file per fix run, written before anything changes.

Each entry records the plan (what will be done, in both languages), the state
(planned -> applied | rolled_back | failed -> undone), the process applying it
(so an entry left `planned` by a killed run can be told from one in progress)
and, per step, the backup of what was there and the outcome. Files are replaced
atomically so a crash never leaves half a journal. Written as ASCII JSON: a file
name that is not valid UTF-8 survives the round trip exactly.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from checks.fixes.actions import Plan, Step
from checks.shared.userdata import journal_root

STATES = ("planned", "applied", "rolled_back", "undone", "failed")
SCHEMA = "wxdoctor.journal/1"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class JournalEntry:
    id: str
    fix_id: str
    created: str
    state: str = "planned"
    plan: dict[str, Any] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)  # {"en":..., "zh":...}
    updated: str = ""
    # The process carrying it out: {"pid": N, "started": its start time}.
    owner: dict[str, Any] = field(default_factory=dict)
    root: str = field(default="", compare=False)  # the journal folder it lives in (not saved)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "id": self.id,
            "fix_id": self.fix_id,
            "created": self.created,
            "updated": self.updated,
            "state": self.state,
            "plan": self.plan,
            "steps": [s.to_json() for s in self.steps],
            "notes": self.notes,
            "owner": self.owner,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JournalEntry:
        if data.get("schema") != SCHEMA:
            raise ValueError("not a wxdoctor journal entry")
        state = data.get("state")
        if state not in STATES:
            raise ValueError(f"unknown journal state {state!r}")
        return cls(
            id=str(data["id"]),
            fix_id=str(data["fix_id"]),
            created=str(data["created"]),
            state=state,
            plan=dict(data.get("plan") or {}),
            steps=[Step.from_json(s) for s in data.get("steps") or []],
            notes=list(data.get("notes") or []),
            updated=str(data.get("updated") or ""),
            owner=dict(data.get("owner") or {}),
        )

    @property
    def summary(self) -> dict[str, str]:
        """The plan's one-line summary in both languages."""
        return dict((self.plan.get("i18n") or {}).get("summary") or {})


def private_folder(root: Path) -> None:
    """Create the journal folder, and keep it and the data folder above it writable by
    this person alone: they hold the backups undo restores, and the elevated helper
    refuses a folder others may write. A umask of 002 (a group per user, as some Linux
    systems set up) would otherwise leave both group-writable and every admin step
    refused."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if sys.platform == "win32":
        return
    for folder in (root, root.parent):
        try:
            st = folder.stat()
            if st.st_uid == os.geteuid() and st.st_mode & 0o022:
                os.chmod(folder, stat.S_IMODE(st.st_mode) & ~0o022)
        except OSError:
            pass  # the helper says plainly why it will not use the folder


class Journal:
    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else journal_root()
        self.last: JournalEntry | None = None  # the entry the latest apply wrote

    def path(self, entry_id: str) -> Path:
        if not valid_id(entry_id):
            raise KeyError(entry_id)
        return self.root / f"{entry_id}.json"

    def begin(self, plan: Plan) -> JournalEntry:
        created = datetime.now(timezone.utc)
        entry_id = f"{created.strftime('%Y%m%d-%H%M%S')}-{plan.fix_id}-{secrets.token_hex(3)}"
        entry = JournalEntry(
            id=entry_id,
            fix_id=plan.fix_id,
            created=created.isoformat(timespec="microseconds"),  # orders entries of one second
            plan=plan.to_json("en"),
            steps=[Step(i, a) for i, a in enumerate(plan.actions)],
            owner=this_process(),
        )
        entry.root = str(self.root)
        self.save(entry)
        self.last = entry
        return entry

    def save(self, entry: JournalEntry) -> None:
        entry.updated = now_iso()
        private_folder(self.root)
        target = self.path(entry.id)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.root)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                json.dump(entry.to_json(), fh, ensure_ascii=True, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def load(self, entry_id: str) -> JournalEntry:
        path = self.path(entry_id)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyError(entry_id) from None
        entry = JournalEntry.from_json(data)
        entry.root = str(self.root)
        return entry

    def entries(self) -> list[JournalEntry]:
        """Every readable entry, oldest first; unreadable files are skipped."""
        result: list[JournalEntry] = []
        if not self.root.is_dir():
            return result
        for path in self.root.glob("*.json"):
            try:
                entry = JournalEntry.from_json(json.loads(path.read_text(encoding="utf-8")))
                entry.root = str(self.root)
                result.append(entry)
            except (OSError, ValueError, KeyError, TypeError, RecursionError):
                continue
        return sorted(result, key=lambda e: (e.created, e.id))

    def latest(self, state: str = "applied") -> JournalEntry | None:
        matching = [e for e in self.entries() if e.state == state]
        return matching[-1] if matching else None

    def interrupted(self) -> list[JournalEntry]:
        """Entries left `planned` by a run that is no longer alive (killed, crashed, power
        lost): their started steps may have changed something and must be rolled back."""
        return [e for e in self.entries() if e.state == "planned" and not owner_alive(e.owner)]


def valid_id(entry_id: str) -> bool:
    return bool(entry_id) and all(c.isalnum() or c in "-_" for c in entry_id) and len(entry_id) < 120


def this_process() -> dict[str, Any]:
    return process_of(os.getpid()) or {"pid": os.getpid(), "started": 0.0}


def process_of(pid: int | None) -> dict[str, Any] | None:
    """{"pid", "started"} of a running process, which `owner_alive` recognises later."""
    import psutil

    if pid is None:
        return None
    try:
        started = psutil.Process(pid).create_time()
    except (psutil.Error, OSError):
        started = 0.0
    return {"pid": pid, "started": started}


def owner_alive(owner: dict[str, Any]) -> bool:
    """Whether the process that wrote an entry still runs (the same process: a pid can be
    reused, its start time cannot)."""
    import psutil

    pid, started = owner.get("pid"), owner.get("started")
    if not isinstance(pid, int) or not isinstance(started, (int, float)):
        return False  # written before entries named their process: not in progress now
    try:
        return abs(psutil.Process(pid).create_time() - started) < 0.01
    except (psutil.Error, OSError):
        return False
