"""One-click fixes: preview, back up, apply, verify, undo.

Every module here with a `FIX` class is a fix, found with pkgutil (as the checks
are); `all_fixes()` lists them gentlest first (`Fix.order`), on every OS
(`Fix.applicable()` says where one does not apply); `get_fix(id)` raises KeyError
for an unknown id.
"""

from __future__ import annotations

import importlib
import pkgutil

from checks.fixes.actions import Action, FixError, Plan, Step
from checks.fixes.env import FixEnv
from checks.fixes.fix import Fix
from checks.fixes.journal import Journal, JournalEntry

__all__ = [
    "Action", "Fix", "FixEnv", "FixError", "Journal", "JournalEntry", "Plan", "Step",
    "all_fixes", "get_fix", "fix_ids",
]

_FIXES: dict[str, type[Fix]] | None = None


def _load() -> dict[str, type[Fix]]:
    global _FIXES
    if _FIXES is None:
        found: list[type[Fix]] = []
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{__name__}.{info.name}")
            cls = getattr(module, "FIX", None)
            if isinstance(cls, type) and issubclass(cls, Fix):
                found.append(cls)
        _FIXES = {cls.id: cls for cls in sorted(found, key=lambda c: (c.order, c.id))}
    return _FIXES


def all_fixes() -> list[Fix]:
    return [cls() for cls in _load().values()]


def fix_ids() -> list[str]:
    return list(_load())


def get_fix(fix_id: str) -> Fix:
    return _load()[fix_id]()
