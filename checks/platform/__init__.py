"""Per-OS code behind one small interface, chosen once at import (psutil style).

Everything OS-specific lives in `_linux`, `_windows` or `_macos`; `_common` holds
what works everywhere and depends on nothing else in wxdoctor.
"""

from __future__ import annotations

import sys
from types import ModuleType


def _select() -> ModuleType:
    if sys.platform == "win32":
        from checks.platform import _windows as module
    elif sys.platform == "darwin":
        from checks.platform import _macos as module
    else:
        from checks.platform import _linux as module
    return module


current = _select()
NAME: str = current.NAME
