"""Replace a file only if it is still what we read: a compare-and-swap (Linux).

Comparing a file's bytes and then renaming a new version over it leaves a moment in
which another program's edit is replaced unseen. Here the new version and the file
trade names at once (renameat2 with RENAME_EXCHANGE), so the version that was
displaced is still there under the temporary name and is compared afterwards; if it
is not what was expected, the two trade back and nothing is lost. What this cannot
see: a program that already holds the old file open and writes into it after that
comparison (as with every editor that saves by renaming).

Linux only: elsewhere, or on a file system that cannot exchange names (EINVAL),
`Unsupported` lets the caller fall back to a plain replace.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Callable

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class Unsupported(OSError):
    """This system or file system cannot exchange two names at once."""


class Changed(Exception):
    """The file was not what was expected when the new version went in: both are back
    where they were."""


class Stranded(Exception):
    """The file was not what was expected, and trading back failed: the new version is
    in place and the displaced one is at `self.args[0]` (keep it)."""


def exchange(first: str, second: str) -> None:
    """Swap the files at the two paths at once (both must exist, on one file system)."""
    if sys.platform != "linux":
        raise Unsupported("renameat2 exists only on Linux")
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    call = getattr(libc, "renameat2", None)
    if call is None:  # glibc before 2.28
        raise Unsupported("this C library has no renameat2")
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                     ctypes.c_uint]
    call.restype = ctypes.c_int
    if call(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
            _RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        kind = Unsupported if err in (22, 38, 95) else OSError  # EINVAL, ENOSYS, EOPNOTSUPP
        raise kind(err, os.strerror(err), first)


def swap_in(target: str, replacement: str, unchanged: Callable[[str], bool]) -> None:
    """Put `replacement` in place of `target` if the file it displaces passes
    `unchanged` (called with the path where that file now is: `replacement`'s). Else the
    two are swapped back and Changed is raised. `replacement` is given target's owner,
    mode and extended attributes first. Unsupported: nothing was changed."""
    from checks.platform._linux import copy_attributes

    if sys.platform != "linux":
        raise Unsupported("renameat2 exists only on Linux")
    copy_attributes(target, replacement)
    exchange(target, replacement)
    if unchanged(replacement):
        return
    try:
        exchange(target, replacement)  # their version back in place, ours back aside
    except OSError:
        raise Stranded(replacement) from None
    raise Changed(target)
