"""Read-only inspection of a client data folder: access, size, SQLite integrity.

Nothing here ever writes: writability is judged with access(2) (which knows
permission bits, ACLs and read-only mounts) instead of creating a test file,
and databases are opened `mode=ro&immutable=1`, so SQLite creates no -wal,
-shm or -journal file and takes no lock that could disturb a running client.
Every walk is bounded by a file count and a stop function (deadline/cancel).

A refusal is recorded with where it came from (`denied_by`): EACCES and friends are
the folder's permissions; EPERM on a read means a protection above them said no. On
macOS that is the privacy protection (TCC): reading another app's container asks the
person first ("would like to access data from other apps"), and while that is not
granted every read fails with EPERM although stat() and access() say yes.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checks.engine import codes

SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".db3", ".sqlitedb")
# Files whose presence means a writer is mid-transaction: an immutable read of the
# main file could then see a half-written page and call a healthy database corrupt.
_SIDECARS = ("-journal", "-wal")
_MAX_LISTED = 20  # paths listed per category in the evidence

Stop = Callable[[], bool]

# Where a refusal came from.
PERMISSIONS, PRIVACY, POLICY = "permissions", "privacy", "policy"


def denied_by(error_number: int | None, os_name: str) -> str:
    """EPERM on a read: macOS privacy protection (TCC), elsewhere a security policy
    (an on-access scanner, an LSM); anything else: the permissions of the file."""
    if error_number == errno.EPERM:
        return PRIVACY if os_name == "macos" else POLICY
    return PERMISSIONS


def _refusal(exc: OSError, os_name: str) -> dict[str, Any]:
    return {"errno": errno.errorcode.get(exc.errno or 0, str(exc.errno)),
            "denied_by": denied_by(exc.errno, os_name)}


def access_of(path: Path, os_name: str = "linux") -> dict[str, Any]:
    """exists / is a folder / readable / writable, without touching its contents."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return {"exists": False}
    except OSError as exc:
        return {"exists": True, "error": f"stat_errno_{exc.errno}", **_refusal(exc, os_name)}
    result: dict[str, Any] = {
        "exists": True,
        "is_dir": stat.S_ISDIR(st.st_mode),
        "readable": os.access(path, os.R_OK | os.X_OK),
        "writable": os.access(path, os.W_OK | os.X_OK),
    }
    if hasattr(os, "geteuid"):
        result["owner_uid"] = st.st_uid
        result["mode"] = oct(stat.S_IMODE(st.st_mode))
    if result["is_dir"] and result["readable"]:
        try:  # access() can say yes where listing still fails (ACLs, macOS privacy)
            with os.scandir(path) as it:
                next(it, None)
        except OSError as exc:
            result["readable"] = False
            result.update(_refusal(exc, os_name))
    return result


def scan(root: Path, max_files: int, stop: Stop, os_name: str = "linux") -> dict[str, Any]:
    """Walk the folder (no symlinks followed): counts, size, databases, access problems.
    `unreadable` are refused by permissions, `refused` by privacy or a policy (EPERM)."""
    files = 0
    total = 0
    truncated = False
    databases: list[str] = []
    unreadable: list[str] = []
    refused: list[str] = []
    unwritable: list[str] = []

    def cannot_read(rel: str, exc: OSError) -> None:
        (unreadable if denied_by(exc.errno, os_name) == PERMISSIONS else refused).append(rel)

    stack = [root]
    while stack:
        if stop() or files >= max_files:
            truncated = True
            break
        folder = stack.pop()
        rel_folder = _rel(folder, root)
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            cannot_read(rel_folder, exc)
            continue
        if folder != root and not os.access(folder, os.W_OK | os.X_OK):
            unwritable.append(rel_folder)
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    files += 1
                    total += entry.stat(follow_symlinks=False).st_size
                    if entry.name.lower().endswith(SQLITE_SUFFIXES):
                        databases.append(_rel(Path(entry.path), root))
                        if not os.access(entry.path, os.W_OK):
                            unwritable.append(_rel(Path(entry.path), root))
            except OSError as exc:
                cannot_read(_rel(Path(entry.path), root), exc)
    return {
        "files": files,
        "bytes": total,
        "truncated": truncated,
        "databases": sorted(databases),
        "unreadable": sorted(unreadable)[:_MAX_LISTED],
        "unreadable_count": len(unreadable),
        "refused": sorted(refused)[:_MAX_LISTED],
        "refused_count": len(refused),
        "refused_by": denied_by(errno.EPERM, os_name) if refused else None,
        "unwritable": sorted(unwritable)[:_MAX_LISTED],
        "unwritable_count": len(unwritable),
    }


def _rel(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
    return rel or "."


def sqlite_state(path: Path, max_bytes: int, stop: Stop) -> dict[str, Any]:
    """One database file: ok | corrupt | encrypted | empty | too_large | in_use | unreadable | interrupted."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            header = f.read(16)
    except OSError as exc:
        return {"state": "unreadable", "detail": f"errno_{exc.errno}"}
    if size == 0:
        return {"state": "empty", "size": 0}
    if header != SQLITE_HEADER:
        # WeChat and WeCom encrypt their own databases (SQLCipher-style: the first
        # 16 bytes are a random salt), so a missing header is not damage.
        return {"state": "encrypted", "size": size}
    if size > max_bytes:
        return {"state": "too_large", "size": size}
    for suffix in _SIDECARS:
        sidecar = path.with_name(path.name + suffix)
        try:
            if sidecar.stat().st_size > 0:
                return {"state": "in_use", "size": size, "detail": suffix.lstrip("-")}
        except OSError:
            pass
    state, detail = quick_check(path, stop)
    return {"state": state, "size": size, "detail": detail}


def quick_check(path: Path, stop: Stop) -> tuple[str, str]:
    """PRAGMA quick_check on a read-only, immutable connection; aborts when stop() says so."""
    uri = path.absolute().as_uri() + "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=0.5, check_same_thread=False)
    except sqlite3.Error as exc:
        return "unreadable", _sqlite_detail(exc)
    try:
        conn.set_progress_handler(lambda: 1 if stop() else 0, 1000)
        rows = conn.execute("PRAGMA quick_check(20)").fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc).lower():
            return "interrupted", codes.DEADLINE
        if "unable to open" in str(exc).lower():
            return "unreadable", _sqlite_detail(exc)
        return "corrupt", _sqlite_detail(exc)
    except sqlite3.DatabaseError as exc:  # "database disk image is malformed", "not a database"
        return "corrupt", _sqlite_detail(exc)
    finally:
        conn.close()
    messages = [str(r[0]) for r in rows]
    if messages == ["ok"]:
        return "ok", ""
    return "corrupt", "; ".join(messages)[:300]


def _sqlite_detail(exc: sqlite3.Error) -> str:
    return str(exc)[:300]
