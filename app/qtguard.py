"""Work around PySide6 builds that drop a reference to None on every void call.

On CPython before 3.12 None is reference counted; PySide6-Essentials 6.12.0 (abi3)
returns None from void methods without taking a reference, so after a few
thousand Qt calls None's count reaches zero and the interpreter aborts
("Fatal Python error: none_dealloc"). From 3.12 on None is immortal and this is
a no-op. The guard gives None a large reserve before Qt work and tops it up by
what the work took; an extra reference to None costs nothing.
"""

from __future__ import annotations

import ctypes
import platform
import sys
from collections.abc import Iterator
from contextlib import contextmanager

RESERVE = 1_000_000
# pyproject excludes the broken release; the guard stays for environments that have it anyway.
_BROKEN_RELEASES = ("6.12.0",)


def _pyside_version() -> str:
    try:
        import PySide6

        return str(PySide6.__version__)
    except ImportError:
        return ""


_AFFECTED = (
    sys.version_info < (3, 12)
    and platform.python_implementation() == "CPython"
    and _pyside_version() in _BROKEN_RELEASES
)


def _add_refs(count: int) -> None:
    if count > 0:
        # ob_refcnt is the first field of every CPython object.
        cell = ctypes.c_ssize_t.from_address(id(None))
        cell.value += count


def reserve() -> None:
    """Keep None's reference count far above zero (call once before Qt work)."""
    if _AFFECTED and sys.getrefcount(None) < RESERVE:
        _add_refs(RESERVE)


@contextmanager
def guarded() -> Iterator[None]:
    """Run Qt calls, then give back to None what they took."""
    if not _AFFECTED:
        yield
        return
    reserve()
    before = sys.getrefcount(None)
    try:
        yield
    finally:
        _add_refs(before - sys.getrefcount(None))
