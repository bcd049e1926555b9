"""The check interface and the registry that discovers checks by convention.

Every module in `checks.catalog` registers its checks with `@register`. A module
that fails to import is remembered and shown as a grey result, never fatal.
"""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from checks.engine.context import Context
from checks.engine.results import Evidence, Verdict
from checks.shared.i18n import Text

GROUPS = ("network", "dns", "secure", "computer", "client")


class Check(ABC):
    id: ClassVar[str]
    title: ClassVar[Text]
    group: ClassVar[str]
    order: ClassVar[int] = 100  # display order within the report

    def not_applicable(self, ctx: Context) -> Text | None:
        """A reason when this check does not apply here (shown as skipped)."""
        return None

    @abstractmethod
    def collect(self, ctx: Context) -> dict[str, Any]:
        """Measure. Returns raw JSON-able facts; network failures are data here."""

    @abstractmethod
    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        """Judge. Pure: the same evidence and config always give the same verdict."""


_REGISTRY: dict[str, type[Check]] = {}
_LOAD_ERRORS: dict[str, str] = {}
_loaded = False


def register(cls: type[Check]) -> type[Check]:
    if cls.group not in GROUPS:
        raise ValueError(f"check {cls.id}: unknown group {cls.group}")
    _REGISTRY[cls.id] = cls
    return cls


def _load_catalog() -> None:
    global _loaded
    if _loaded:
        return
    import checks.catalog as catalog

    for info in pkgutil.iter_modules(catalog.__path__):
        if info.name.startswith("_"):
            continue
        try:
            importlib.import_module(f"checks.catalog.{info.name}")
        except Exception:  # a broken check module disables itself, not the tool
            _LOAD_ERRORS[info.name] = traceback.format_exc(limit=3)
    _loaded = True


def all_checks() -> list[Check]:
    _load_catalog()
    classes = sorted(_REGISTRY.values(), key=lambda c: (GROUPS.index(c.group), c.order, c.id))
    return [cls() for cls in classes]


def load_errors() -> dict[str, str]:
    _load_catalog()
    return dict(_LOAD_ERRORS)


def check_ids() -> list[str]:
    return [c.id for c in all_checks()]
