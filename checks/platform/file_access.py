"""Who owns a file and who may change it, in one shape for every OS.

The elevated fix helper uses this to refuse a journal another account could have
planted or edited; the app to trust only code and machine-wide settings that only an
administrator can have written (`why_not_admin_only`). POSIX ids are uid numbers as text ("501"), with "group:<gid>"
and "others" for the group and world write bits; Windows ids are SID strings
("S-1-5-21-…"), one per access-control entry that grants a write right.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from checks.platform.parsers.sddl import TRUSTED_INSTALLER, named

# Accounts that may always write a user's files: they could do anything anyway.
ADMIN_IDS = frozenset({
    "0",  # root
    "S-1-5-18",  # LocalSystem
    "S-1-5-32-544",  # BUILTIN\Administrators
    TRUSTED_INSTALLER,  # owns Windows' own folders, Program Files among them
})
# POSIX: root's own group (root, wheel) may write where root decided it may.
ADMIN_GROUPS = frozenset({"group:0"})


@dataclass(frozen=True)
class FileAccess:
    owner: str
    writers: tuple[str, ...]  # every id that may modify it (the owner included)
    is_link: bool  # a symlink, or on Windows any reparse point (junction, mount point)
    is_dir: bool
    is_regular: bool
    # A folder: every id that may remove, rename or re-permission what it holds.
    replacers: tuple[str, ...] = ()


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
    folder = stat.S_ISDIR(st.st_mode)
    # Whoever may write a folder may rename what is in it, unless the sticky bit (/tmp)
    # leaves that to each entry's owner.
    replacers = ((str(st.st_uid),) if st.st_mode & stat.S_ISVTX else tuple(writers)) if folder else ()
    return FileAccess(str(st.st_uid), tuple(writers), stat.S_ISLNK(st.st_mode), folder,
                      stat.S_ISREG(st.st_mode), replacers)


def only_user_may_write(access: FileAccess, user: str) -> bool:
    """Owned by `user`, and nobody but that user and administrators may change it."""
    return access.owner == user and all(w == user or w in ADMIN_IDS for w in access.writers)


def why_not_admin_only(path: str, access: FileAccess) -> str | None:
    """Why `path` could hold what someone other than an administrator put there (a link,
    another owner, another account with a write right); None when it cannot."""
    if access.is_link:
        return f"{path} is a link"
    if access.owner not in ADMIN_IDS:
        return f"{path} belongs to {named(access.owner)}, not to an administrator"
    others = [w for w in access.writers if w not in ADMIN_IDS and w not in ADMIN_GROUPS]
    if others:
        return f"{path} may be changed by {', '.join(named(w) for w in others)}"
    return None


def why_replaceable(path: str, access: FileAccess) -> str | None:
    """For a folder above the code: why someone other than an administrator could move
    what it holds aside and put something else in its place; None when they cannot."""
    if access.is_link:
        return f"{path} is a link"
    others = [r for r in access.replacers if r not in ADMIN_IDS and r not in ADMIN_GROUPS]
    if others:
        return f"what {path} holds may be renamed or replaced by {', '.join(named(r) for r in others)}"
    return None
