"""Who owns a file and who may change it, in one shape for every OS.

The elevated fix helper uses this to refuse a journal another account could have
planted or edited. POSIX ids are uid numbers as text ("501"), with "group:<gid>"
and "others" for the group and world write bits; Windows ids are SID strings
("S-1-5-21-…"), one per access-control entry that grants a write right.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

# Accounts that may always write a user's files: they could do anything anyway.
ADMIN_IDS = frozenset({
    "0",  # root
    "S-1-5-18",  # LocalSystem
    "S-1-5-32-544",  # BUILTIN\Administrators
})


@dataclass(frozen=True)
class FileAccess:
    owner: str
    writers: tuple[str, ...]  # every id that may modify it (the owner included)
    is_link: bool  # a symlink, or on Windows any reparse point (junction, mount point)
    is_dir: bool
    is_regular: bool


def posix_file_access(path: str) -> FileAccess:
    """From lstat: never follows a final symlink."""
    return posix_access(os.lstat(path))


def posix_access(st: os.stat_result) -> FileAccess:
    """From a stat result (fstat of an open file: nothing can be swapped in between)."""
    writers = []
    if st.st_mode & stat.S_IWUSR:
        writers.append(str(st.st_uid))
    if st.st_mode & stat.S_IWGRP:
        writers.append(f"group:{st.st_gid}")
    if st.st_mode & stat.S_IWOTH:
        writers.append("others")
    return FileAccess(str(st.st_uid), tuple(writers), stat.S_ISLNK(st.st_mode),
                      stat.S_ISDIR(st.st_mode), stat.S_ISREG(st.st_mode))


def only_user_may_write(access: FileAccess, user: str) -> bool:
    """Owned by `user`, and nobody but that user and administrators may change it."""
    return access.owner == user and all(w == user or w in ADMIN_IDS for w in access.writers)
