"""The fix interface: a plan a person can read, then apply, verify and undo.

A fix never loses anything: `plan()` only looks; `apply()` journals what was
there before each step changes anything, rolls back what it did if a later step
fails, and `undo()` puts back what the journal recorded. Subclasses implement
`plan`, `execute` (one action) and `revert` (one action, from its backup); the
base class owns the journal, the order of steps, rollback and elevation.
"""

from __future__ import annotations

import subprocess
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from checks.config import Config
from checks.i18n import Text, t
from checks.platform import NAME as PLATFORM

if TYPE_CHECKING:
    from checks.fixes.journal import Journal, JournalEntry

ACTION_KINDS = ("run", "move", "edit_file", "set_value", "open_url")
PLATFORM_NAMES = {"linux": t("Linux", "Linux"), "windows": t("Windows", "Windows"),
                  "macos": t("macOS", "macOS")}


class FixError(Exception):
    """A fix could not be applied or undone; `text` says why in both languages."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.render("en"))
        self.text = text


@dataclass
class CommandResult:
    argv: list[str]
    returncode: int
    stdout: str = ""
    stderr: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"argv": self.argv, "returncode": self.returncode,
                "stdout": self.stdout[-2000:], "stderr": self.stderr[-2000:]}


# argv, timeout -> result. Tests pass one that runs the command inside a namespace.
CommandRunner = Callable[[Sequence[str], float], CommandResult]


def run_command(argv: Sequence[str], timeout: float = 30.0) -> CommandResult:
    """Run an argument list (never a shell string); a missing program is a result, not a crash."""
    try:
        proc = subprocess.run(
            list(argv), capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False
        )
    except FileNotFoundError:
        return CommandResult(list(argv), 127, "", f"{argv[0]}: not found")
    except subprocess.TimeoutExpired:
        return CommandResult(list(argv), 124, "", f"timed out after {timeout:g} s")
    except OSError as exc:
        return CommandResult(list(argv), 126, "", str(exc))
    return CommandResult(list(argv), proc.returncode, decode_output(proc.stdout),
                         decode_output(proc.stderr))


def decode_output(raw: bytes) -> str:
    """Command output may be UTF-8 or, on Chinese Windows, GBK."""
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


@dataclass
class Action:
    kind: str  # one of ACTION_KINDS
    description: Text
    argv: list[str] | None = None
    paths: list[str] = field(default_factory=list)
    needs_admin: bool = False
    # Machine-readable parameters the fix needs to execute and revert this action.
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in ACTION_KINDS:
            raise ValueError(f"unknown action kind {self.kind!r}")

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "kind": self.kind,
            "description": self.description.render(lang),
            "argv": list(self.argv) if self.argv is not None else None,
            "paths": list(self.paths),
            "needs_admin": self.needs_admin,
            "data": self.data,
            "i18n": self.description.both(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Action:
        i18n = data.get("i18n") or {}
        desc = data.get("description", "")
        return cls(
            kind=data["kind"],
            description=t(i18n.get("en", desc), i18n.get("zh", desc)),
            argv=list(data["argv"]) if data.get("argv") is not None else None,
            paths=list(data.get("paths") or []),
            needs_admin=bool(data.get("needs_admin")),
            data=dict(data.get("data") or {}),
        )


@dataclass
class Plan:
    fix_id: str
    summary: Text
    actions: list[Action] = field(default_factory=list)
    blocked: Text | None = None  # why it cannot run now
    warnings: list[Text] = field(default_factory=list)
    needs_admin: bool = False
    undo: Text | None = None  # what undo will do (or that it cannot)
    reversible: bool = True
    # Where the plan came from; not part of the preview.
    env: FixEnv | None = field(default=None, repr=False, compare=False)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        def both(text: Text | None) -> dict[str, str] | None:
            return text.both() if text else None

        return {
            "fix_id": self.fix_id,
            "summary": self.summary.render(lang),
            "actions": [a.to_json(lang) for a in self.actions],
            "blocked": self.blocked.render(lang) if self.blocked else None,
            "warnings": [w.render(lang) for w in self.warnings],
            "needs_admin": self.needs_admin,
            "undo": self.undo.render(lang) if self.undo else None,
            "reversible": self.reversible,
            "i18n": {
                "summary": self.summary.both(),
                "blocked": both(self.blocked),
                "warnings": [w.both() for w in self.warnings],
                "undo": both(self.undo),
            },
        }


@dataclass
class FixEnv:
    """Everything a fix may consult; the optional overrides let tests aim it elsewhere."""

    config: Config
    report: dict[str, Any] | None = None
    hosts_file: str | None = None
    data_dirs: list[Any] | None = None  # checks.clientdata.DataDir items
    quarantine_dir: str | None = None
    journal_dir: str | None = None
    runner: CommandRunner | None = None
    # Test hook: the process names that mean "the client is running".
    client_process_names: tuple[str, ...] | None = None

    def evidence(self, check_id: str) -> dict[str, Any] | None:
        for check in (self.report or {}).get("checks", []):
            if check.get("id") == check_id:
                evidence = check.get("evidence")
                return evidence if isinstance(evidence, dict) else None
        return None

    def check_status(self, check_id: str) -> str | None:
        for check in (self.report or {}).get("checks", []):
            if check.get("id") == check_id:
                return check.get("status")
        return None

    @property
    def elevate(self) -> bool:
        """Admin commands need a prompt: not already admin and no test runner."""
        from checks.fixes import elevation

        return self.runner is None and not elevation.is_admin()

    def run(self, argv: Sequence[str], timeout: float = 30.0, admin: bool = False) -> CommandResult:
        if self.runner is not None:
            return self.runner(list(argv), timeout)
        if admin and self.elevate:
            from checks.fixes import elevation

            return elevation.run_as_admin(list(argv), timeout)
        return run_command(argv, timeout)

    def hosts_path(self) -> Path:
        from checks.platform import current

        if self.hosts_file:
            return Path(self.hosts_file)
        if self.config.system.hosts_file:
            return Path(self.config.system.hosts_file)
        return Path(current.default_hosts_file())


class Fix(ABC):
    id: ClassVar[str]
    title: ClassVar[Text]
    platforms: ClassVar[tuple[str, ...]] = ("linux", "windows", "macos")
    needs_admin: ClassVar[bool] = False
    affects: ClassVar[tuple[str, ...]] = ()  # check ids to run again afterwards
    # Checks whose evidence `plan` reads; run first when no report is given.
    needs_checks: ClassVar[tuple[str, ...]] = ()
    # Programs an elevated helper may run for this fix; it never runs anything else.
    helper_programs: ClassVar[tuple[str, ...]] = ()

    def applicable(self) -> Text | None:
        """A reason when this fix does not exist on this OS, else None."""
        if PLATFORM in self.platforms:
            return None
        names = [PLATFORM_NAMES[p] for p in self.platforms]
        return t("Only available on {os}.", "仅适用于 {os}。", os=names)

    @abstractmethod
    def plan(self, env: FixEnv) -> Plan:
        """Look, never change: what would be done, or why it cannot be done now."""

    @abstractmethod
    def execute(self, action: Action, step: dict[str, Any], env: FixEnv) -> None:
        """Carry out one action. `step["backup"]` holds what `backup` returned."""

    def backup(self, action: Action, env: FixEnv) -> dict[str, Any]:
        """What is there now, journalled before `execute` changes it."""
        return {}

    def revert(self, action: Action, step: dict[str, Any], env: FixEnv) -> Text | None:
        """Put back what `execute` changed (also after a partial execute). Returns a note."""
        return None

    def helper_allows(self, action: Action) -> bool:
        """Whether the elevated helper may carry out this journalled action (a file could
        have been edited): only the commands this fix itself would run."""
        argv = action.argv or []
        return action.kind == "run" and bool(argv) and argv[0] in self.helper_programs

    # ---- the template: journal, order, rollback, elevation ------------------------------

    def apply(self, plan: Plan, journal: Journal) -> None:
        from checks.fixes.executor import apply_plan

        apply_plan(self, plan, journal)

    def undo(self, entry: JournalEntry, env: FixEnv | None = None) -> None:
        from checks.fixes.executor import undo_entry

        undo_entry(self, entry, env)
