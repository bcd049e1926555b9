"""One-click fixes: preview, back up, apply, verify, undo.

Every module here registers its fix with `@register` (as the checks do) and is
found with pkgutil; `all_fixes()` lists them gentlest first (`Fix.order`), on every OS
(`Fix.applicable()` says where one does not apply); `get_fix(id)` raises KeyError
for an unknown id.
"""

from __future__ import annotations

import importlib
import pkgutil

from checks.fixes.actions import Action, FixError, Plan, Step
from checks.fixes.env import FixEnv
from checks.fixes.fix import Fix, registered
from checks.fixes.journal import Journal, JournalEntry

__all__ = [
    "Action", "Fix", "FixEnv", "FixError", "Journal", "JournalEntry", "Plan", "Step",
    "all_fixes", "get_fix", "known_fix_ids",
]

_FIXES: dict[str, type[Fix]] | None = None


def _load() -> dict[str, type[Fix]]:
    global _FIXES
    if _FIXES is None:
        for info in pkgutil.iter_modules(__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{__name__}.{info.name}")
        found = registered().values()
        _FIXES = {cls.id: cls for cls in sorted(found, key=lambda c: (c.order, c.id))}
    return _FIXES


def all_fixes() -> list[Fix]:
    return [cls() for cls in _load().values()]


def known_fix_ids() -> list[str]:
    return list(_load())


def get_fix(fix_id: str) -> Fix:
    return _load()[fix_id]()
