"""The fix interface: a plan a person can read, one action at a time, and its revert.

A fix never loses anything: `plan()` only looks; `backup()` captures what is there
before `execute()` changes it; `revert()` puts it back. The executor owns the
journal, the order of steps, rollback and elevation, so a fix module holds only
what is particular to it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from checks import platform
from checks.fixes.actions import Action, Plan, Step
from checks.fixes.allowlist import Template, allowed
from checks.fixes.env import FixEnv
from checks.shared.i18n import Text, t

# low: nothing of the person's is at stake; medium: a setting other programs rely on
# changes; high: cannot be undone, or other software may need repairing afterwards.
RISKS = ("low", "medium", "high")



@dataclass(frozen=True)
class Choice:
    """One way a fix can go that the person picks (a DNS service, say): `id` is what the
    plan, the journal and `fix ID --choice` carry, `label` what the person reads."""

    id: str
    label: Text


PLATFORM_NAMES = {"linux": t("Linux", "Linux"), "windows": t("Windows", "Windows"),
                  "macos": t("macOS", "macOS")}


class Fix(ABC):
    id: ClassVar[str]
    title: ClassVar[Text]
    order: ClassVar[int] = 100  # listing order: the gentlest first
    platforms: ClassVar[tuple[str, ...]] = ("linux", "windows", "macos")
    # What a person is told before pressing the button (`fix list`, the preview):
    needs_admin: ClassVar[bool] = False  # some step asks for administrator rights
    can_undo: ClassVar[bool] = True  # undo puts back what it changed
    risk: ClassVar[str] = "low"  # one of RISKS: what can go wrong if the fix misfires
    needs_restart: ClassVar[bool] = False  # the computer must restart before it takes effect
    drops_connection: ClassVar[bool] = False  # open connections break for a moment
    affects: ClassVar[tuple[str, ...]] = ()  # check ids to run again afterwards
    # Checks whose evidence `plan` reads; run first when no report is given.
    needs_checks: ClassVar[tuple[str, ...]] = ()
    # Every command this fix may run with administrator rights, as full argument vectors
    # (see checks.fixes.allowlist): the elevated helper and every prompt run nothing else.
    admin_commands: ClassVar[tuple[Template, ...]] = ()

    def applicable(self) -> Text | None:
        """A reason when this fix does not exist on this OS, else None."""
        if platform.NAME in self.platforms:
            return None
        names = [PLATFORM_NAMES[p] for p in self.platforms]
        return t("Only available on {os}.", "仅适用于 {os}。", os=names)

    def choices(self, env: FixEnv) -> list[Choice]:
        """The ways this fix can go here and now, the recommended one first; empty for a
        fix that does one thing. `plan` carries out `env.choice` (the first when None)."""
        return []

    @abstractmethod
    def plan(self, env: FixEnv) -> Plan:
        """Look, never change: what would be done, or why it cannot be done now."""

    @abstractmethod
    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        """Carry out one action. `step.backup` holds what `backup` returned."""

    def backup(self, action: Action, env: FixEnv) -> dict[str, Any]:
        """What is there now, journalled before `execute` changes it."""
        return {}

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        """Put back what `execute` changed (also after a partial execute). Returns a note."""
        return None

    def allows(self, argv: Sequence[str]) -> bool:
        """Whether `argv` is, word for word, one of this fix's administrator commands."""
        return allowed(argv, self.admin_commands)

    def helper_refusal(self, action: Action) -> Text | None:
        """Why the elevated helper must not carry out this journalled action (None: it may).
        The journal is the user's to write, so this only screens it; what the helper then
        does is derived again by `execute`/`revert` and checked command by command."""
        commands = action.commands()
        if action.kind == "run" and commands and all(self.allows(c) for c in commands):
            return None
        return t("This step is not one the fix would carry out with administrator rights.",
                 "这一步不是此修复会以管理员权限执行的操作。")


_REGISTRY: dict[str, type[Fix]] = {}


def register(cls: type[Fix]) -> type[Fix]:
    """Class decorator: every fix module registers its fix, as checks do."""
    if cls.risk not in RISKS:
        raise ValueError(f"fix {cls.id}: unknown risk {cls.risk!r}")
    if cls.id in _REGISTRY and _REGISTRY[cls.id] is not cls:
        raise ValueError(f"fix {cls.id}: registered twice")
    _REGISTRY[cls.id] = cls
    return cls


def registered() -> dict[str, type[Fix]]:
    return dict(_REGISTRY)
