"""The check interface and the registry that discovers checks by convention.

Everything wxdoctor knows about one check lives in its module in `checks.catalog`:
how it measures (`collect`), how it judges (`assess`), which causes its findings can
name (`causes`, `stands_in_for`), how a person reads its evidence (`show`) and which
cells of the endpoint matrix it fills (`matrix_columns`). Every module there registers
its check with `@register`. A module that fails to import is remembered and shown as
a grey result, never fatal.
"""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from checks.engine.context import Context
from checks.engine.results import Evidence, Verdict
from checks.shared.i18n import Text

if TYPE_CHECKING:
    from checks.report.evidence_view import Item
    from checks.report.matrix_cells import Column

GROUPS = ("network", "dns", "secure", "computer", "client")


class Check(ABC):
    id: ClassVar[str]
    title: ClassVar[Text]
    group: ClassVar[str]
    order: ClassVar[int] = 100  # display order within the report
    # Every cause code a finding of this check can name. The early verdict waits for a
    # pending check only while one of these (or `stands_in_for`) could outrank what is
    # known; a contract test holds it to the causes `assess` really names.
    causes: ClassVar[tuple[str, ...]] = ()
    # A stronger cause this check's finding can stand in for (see diagnosis.correlate).
    stands_in_for: ClassVar[str | None] = None
    # Top-level evidence keys `show` knows: shown, or left to the raw JSON on purpose.
    # Any other key (a newer report's) is shown as it is.
    evidence_keys: ClassVar[tuple[str, ...]] = ()
    # The columns of the endpoint matrix this check's evidence fills.
    matrix_columns: ClassVar[tuple[Column, ...]] = ()
    # Looks at this computer only, never waits on the network: started after the checks
    # that do (and after `prepare`), so its CPU work does not hold them up.
    local: ClassVar[bool] = False

    def not_applicable(self, ctx: Context) -> Text | None:
        """A reason when this check does not apply here (shown as skipped)."""
        return None

    def prepare(self) -> None:
        """Load what `collect` would import on first use. The runner calls it on its own
        thread once the checks that wait on the network have started, before the `local`
        ones: imported by many probe threads at once, a big package takes several times
        as long, and every probe needing it waits."""
        return None

    @abstractmethod
    def collect(self, ctx: Context) -> dict[str, Any]:
        """Measure. Returns raw JSON-able facts; network failures are data here."""

    @abstractmethod
    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        """Judge. Pure: the same evidence and config always give the same verdict."""

    def show(self, evidence: Evidence) -> list[Item]:
        """The evidence as a person reads it: labelled lines and small tables, for the
        keys in `evidence_keys`. Reads defensively: a missing key is left out or shown as
        unknown. Keys it does not know are shown as they are (see report.readable)."""
        return []


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


def check_class(check_id: str) -> type[Check] | None:
    """The registered check with this id; None for one this version does not know."""
    _load_catalog()
    return _REGISTRY.get(check_id)
