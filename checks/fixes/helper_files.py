"""The files the elevated helper touches: the journal entry it reads, the result it writes.

The helper runs as administrator (or as another account whose password an
administrator typed), but the journal folder belongs to the person who asked, and
any program of theirs can write there. So the helper takes the journal's path and
the person's id from its own command line and opens the entry only when

* the path is absolute, already its own real path, and no folder on the way is a
  symlink or junction; the file is `<journal folder>/<entry id>.json` and the
  folder is called `journal`;
* the file, the journal folder and the folder holding it are owned by that person
  and nobody else but administrators may write them;
* the file is a regular file with one name (no hard link), opened without
  following a symlink (O_NOFOLLOW) and without blocking, of bounded size.

Even then the entry only says which step of which fix to carry out: the helper
derives every command and file content from the fix's own code again. It never
writes the journal; it leaves `<entry id>.step<N>.result` beside it, which the
app that asked reads, merges into the journal as the person, and deletes.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks import platform
from checks.fixes.actions import HelperRun, Step
from checks.fixes.journal import JournalEntry, valid_id
from checks.platform.commands import CommandResult
from checks.platform.file_access import FileAccess, only_user_may_write, posix_access
from checks.shared.i18n import Text

MAX_JOURNAL_BYTES = 16 * 1024 * 1024
MAX_RESULT_BYTES = 4 * 1024 * 1024
RESULT_SCHEMA = "wxdoctor.helper-result/1"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_REPARSE_POINT = 0x400  # FILE_ATTRIBUTE_REPARSE_POINT


class Refused(Exception):
    """The helper will not use this journal; the message says why (for the log)."""


# ---- reading the entry, inside the helper --------------------------------------------------

@dataclass
class OpenedJournal:
    path: str
    entry: JournalEntry
    user: str
    dir_fd: int | None = None  # POSIX: the journal folder, pinned while the helper works
    _owner: tuple[int, int] | None = field(default=None, repr=False)

    def write_result(self, index: int, result: dict[str, Any]) -> None:
        """Leave the outcome of step `index` beside the entry, for the app to pick up.
        Written under a fresh name, then renamed over the file: the "started" word is
        never gone before the outcome is there (a helper dying in between, or a full
        disk, must not make a step that acted look as if it never began), and a planted
        link at the name is replaced, never followed."""
        name = result_name(self.entry.id, index)
        temp = f".{name}.{secrets.token_hex(6)}"
        data = json.dumps(result, ensure_ascii=True).encode("ascii")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY | _CLOEXEC
        if self.dir_fd is not None:
            fd = os.open(temp, flags, 0o600, dir_fd=self.dir_fd)
        else:
            folder = os.path.dirname(self.path)
            temp, name = os.path.join(folder, temp), os.path.join(folder, name)
            fd = os.open(temp, flags, 0o600)
        try:
            try:
                os.write(fd, data)
                if self._owner is not None and hasattr(os, "fchown"):
                    os.fchown(fd, *self._owner)  # the person's file, like the rest of the folder
            finally:
                os.close(fd)
            if self.dir_fd is not None:
                os.rename(temp, name, src_dir_fd=self.dir_fd, dst_dir_fd=self.dir_fd)
            else:
                os.replace(temp, name)
        except BaseException:
            try:
                os.unlink(temp, dir_fd=self.dir_fd)  # dir_fd None: `temp` is a whole path
            except OSError:
                pass
            raise

    def close(self) -> None:
        if self.dir_fd is not None:
            os.close(self.dir_fd)
            self.dir_fd = None


def open_journal(path: str, user: str) -> OpenedJournal:
    """The entry at `path`, if it passes every check in the module docstring."""
    if not user:
        raise Refused("no user id given (--user)")
    folder, name = _check_path(path)
    for place, what in ((os.path.dirname(folder), "data folder"), (folder, "journal folder")):
        _check_access(platform.file_access(place), user, f"the {what} {place}", want_dir=True)
    if os.name == "posix":
        dir_fd = os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
        try:
            pinned = os.fstat(dir_fd)
            seen = os.lstat(folder)
            if (pinned.st_dev, pinned.st_ino) != (seen.st_dev, seen.st_ino):
                raise Refused(f"{folder} changed while it was checked")
            fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC, dir_fd=dir_fd)
            data, st = _read_checked(fd, user, path)
        except OSError as exc:
            os.close(dir_fd)
            raise Refused(f"cannot open {path}: {exc.strerror or exc}") from None
        except Refused:
            os.close(dir_fd)
            raise
        owner = (int(user), pinned.st_gid) if user.isdigit() else None
        return OpenedJournal(path, _parse(data, name), user, dir_fd, owner)
    try:
        fd = os.open(path, os.O_RDONLY | _BINARY)
        data, st = _read_checked(fd, user, path)
        seen = os.lstat(path)
    except OSError as exc:
        raise Refused(f"cannot open {path}: {exc.strerror or exc}") from None
    if (st.st_dev, st.st_ino) != (seen.st_dev, seen.st_ino) or _is_reparse(seen):
        raise Refused(f"{path} changed while it was read")
    _check_access(platform.file_access(path), user, f"the journal file {path}", want_dir=False)
    return OpenedJournal(path, _parse(data, name), user)


def _check_path(path: str) -> tuple[str, str]:
    if not os.path.isabs(path) or os.path.normpath(path) != path:
        raise Refused(f"{path} is not an absolute, normalised path")
    if os.path.realpath(path) != path:
        raise Refused(f"{path} is not its own real path: a link on the way leads elsewhere")
    current = Path(path)
    for part in [current, *current.parents]:
        try:
            st = os.lstat(part)
        except OSError as exc:
            raise Refused(f"cannot look at {part}: {exc.strerror or exc}") from None
        if stat.S_ISLNK(st.st_mode) or _is_reparse(st):
            raise Refused(f"{part} is a link")
    folder, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    if os.path.basename(folder) != "journal" or ext != ".json" or not valid_id(stem):
        raise Refused(f"{path} is not an entry of a journal folder")
    return folder, name


def _check_access(access: FileAccess, user: str, what: str, want_dir: bool) -> None:
    if access.is_link:
        raise Refused(f"{what} is a link")
    if want_dir and not access.is_dir:
        raise Refused(f"{what} is not a folder")
    if not want_dir and not access.is_regular:
        raise Refused(f"{what} is not a regular file")
    if not only_user_may_write(access, user):
        raise Refused(f"{what} is owned by {access.owner} and writable by "
                      f"{', '.join(access.writers) or 'nobody'}: it must be {user}'s alone")


def _read_checked(fd: int, user: str, path: str) -> tuple[bytes, os.stat_result]:
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"{path} is not a regular file")
        if st.st_nlink != 1:
            raise Refused(f"{path} has other names (hard links)")
        if st.st_size > MAX_JOURNAL_BYTES:
            raise Refused(f"{path} is too large ({st.st_size} bytes)")
        if os.name == "posix":
            _check_access(posix_access(st), user, f"the journal file {path}", want_dir=False)
        chunks, total = [], 0
        while total <= MAX_JOURNAL_BYTES:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_JOURNAL_BYTES:
            raise Refused(f"{path} grew past {MAX_JOURNAL_BYTES} bytes while it was read")
        return b"".join(chunks), st
    finally:
        os.close(fd)


def _parse(data: bytes, name: str) -> JournalEntry:
    try:
        entry = JournalEntry.from_json(json.loads(data.decode("utf-8")))
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise Refused(f"not a readable journal entry ({type(exc).__name__}: {exc})") from None
    if entry.id != os.path.splitext(name)[0]:
        raise Refused(f"the entry inside {name} is {entry.id}")
    return entry


def _is_reparse(st: os.stat_result) -> bool:
    return bool(getattr(st, "st_file_attributes", 0) & _REPARSE_POINT)


def invoking_user_conflict(user: str) -> str | None:
    """pkexec tells the helper who asked (PKEXEC_UID); it must be the --user given."""
    asked = os.environ.get("PKEXEC_UID")
    if asked is not None and sys.platform != "win32" and asked != user:
        return f"--user {user} is not the user who asked pkexec ({asked})"
    return None


# ---- the result, both sides ---------------------------------------------------------------

def result_name(entry_id: str, index: int) -> str:
    return f"{entry_id}.step{index}.result"


def result_path(journal_path: str | os.PathLike[str], index: int) -> Path:
    path = Path(journal_path)
    return path.with_name(result_name(path.stem, index))


def result_of(step: Step, revert: bool, error: Text | None, started: bool = False
              ) -> dict[str, Any]:
    """What the helper reports about a step: `started` right before it acts (so a helper
    that dies halfway leaves word that something may have changed), then the outcome."""
    outcome = "started" if started else "error" if error else "ok"
    return {
        "schema": RESULT_SCHEMA, "step": step.index, "revert": revert,
        "outcome": outcome, "error": error.both() if error else None,
        "results": [r.to_json() for r in step.outputs], "facts": step.facts,
        "note": step.note.both() if step.note else None, "restart_needed": step.restart_needed,
    }


def take_result(journal_path: str | os.PathLike[str], step: Step, revert: bool) -> bool:
    """In the app, after the helper: merge its result into `step` and delete the file.
    False when there is none: the helper never began the step (the prompt was
    declined, or it refused), so nothing changed."""
    path = result_path(journal_path, step.index)
    try:
        with open(path, "rb") as fh:
            data = json.loads(fh.read(MAX_RESULT_BYTES + 1).decode("ascii"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError, RecursionError):
        data = None
    finally:
        discard_result(journal_path, step.index)
    if (not isinstance(data, dict) or data.get("schema") != RESULT_SCHEMA
            or data.get("step") != step.index or data.get("revert") is not revert):
        step.helper = HelperRun(revert, "error", Text.from_json(
            {"en": "The administrator step left no readable result.",
             "zh": "管理员步骤没有留下可读的结果。"}))
        return True
    error = data.get("error")
    step.outputs = [CommandResult.from_json(r) for r in data.get("results") or []
                    if isinstance(r, dict)]
    step.facts = dict(data.get("facts") or {})
    note = data.get("note")
    step.note = Text.from_json(note) if isinstance(note, dict) else step.note
    step.restart_needed = bool(data.get("restart_needed"))
    outcome = data.get("outcome")
    step.helper = HelperRun(revert, outcome if outcome in ("ok", "started") else "error",
                            Text.from_json(error) if isinstance(error, dict) else None)
    return True


def discard_result(journal_path: str | os.PathLike[str], index: int) -> None:
    try:
        os.unlink(result_path(journal_path, index))
    except FileNotFoundError:
        pass
