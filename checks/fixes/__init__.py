"""One-click fixes: preview, back up, apply, verify, undo.

`all_fixes()` lists every fix (on every OS; `Fix.applicable()` says where it
does not apply); `get_fix(id)` raises KeyError for an unknown id.
"""

from __future__ import annotations

import importlib

from checks.fixes.base import Action, CommandResult, Fix, FixEnv, FixError, Plan
from checks.fixes.journal import Journal, JournalEntry

__all__ = [
    "Action", "CommandResult", "Fix", "FixEnv", "FixError", "Journal", "JournalEntry", "Plan",
    "all_fixes", "get_fix", "fix_ids",
]

# Display order: the gentlest first.
_MODULES = (
    "flush_dns",
    "open_captive_portal",
    "resync_clock",
    "disable_proxy",
    "repair_hosts",
    "clear_client_cache",
    "set_mtu",
    "reset_winsock",
)

_FIXES: dict[str, type[Fix]] | None = None


def _load() -> dict[str, type[Fix]]:
    global _FIXES
    if _FIXES is None:
        found: dict[str, type[Fix]] = {}
        for name in _MODULES:
            module = importlib.import_module(f"checks.fixes.{name}")
            cls: type[Fix] = module.FIX
            found[cls.id] = cls
        _FIXES = found
    return _FIXES


def all_fixes() -> list[Fix]:
    return [cls() for cls in _load().values()]


def fix_ids() -> list[str]:
    return list(_load())


def get_fix(fix_id: str) -> Fix:
    return _load()[fix_id]()
