"""What a fix is made of, as data: actions, the plan a person reads, and journal steps.

A `Plan` is shown before anything runs; its `Action`s are carried out one by one,
each recorded as a `Step` of the journal entry (state, the backup taken before the
change, command outputs, what undo needs). Everything here round-trips through JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checks.platform.commands import CommandResult
from checks.shared.i18n import Text, t

ACTION_KINDS = ("run", "move", "edit_file", "set_value", "open_url")
# pending -> running -> done | failed; done/failed -> rolled_back (apply failed) | undone
STEP_STATES = ("pending", "running", "done", "failed", "rolled_back", "undone")


class FixError(Exception):
    """A fix could not be applied or undone; `text` says why in both languages."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.render("en"))
        self.text = text


class NotCarriedOut(FixError):
    """The step never began (an administrator prompt was declined): nothing to put back."""


class StillRunning(FixError):
    """The elevated helper had not ended when the wait did: it may still be acting, so
    the step is neither done nor to be put back yet."""

    def __init__(self, text: Text, pid: int | None = None) -> None:
        super().__init__(text)
        self.pid = pid


@dataclass
class Action:
    kind: str  # one of ACTION_KINDS
    description: Text
    argv: list[str] | None = None
    paths: list[str] = field(default_factory=list)
    needs_admin: bool = False
    # Machine-readable parameters the fix needs to execute and revert this action.
    data: dict[str, Any] = field(default_factory=dict)
    # Several commands carried out as this one step (one administrator prompt for all).
    batch: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in ACTION_KINDS:
            raise ValueError(f"unknown action kind {self.kind!r}")

    def commands(self) -> list[list[str]]:
        """Every command this action runs, as the preview shows them."""
        return [list(c) for c in self.batch] if self.batch else (
            [list(self.argv)] if self.argv else [])

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "kind": self.kind,
            "description": self.description.render(lang),
            "argv": list(self.argv) if self.argv is not None else None,
            "paths": list(self.paths),
            "needs_admin": self.needs_admin,
            "data": self.data,
            "batch": [list(c) for c in self.batch],
            "i18n": self.description.both(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Action:
        desc = str(data.get("description", ""))
        return cls(
            kind=data["kind"],
            description=Text.from_json(data.get("i18n"), desc),
            argv=[str(a) for a in data["argv"]] if data.get("argv") is not None else None,
            paths=[str(p) for p in data.get("paths") or []],
            needs_admin=bool(data.get("needs_admin")),
            data=dict(data.get("data") or {}),
            batch=[[str(a) for a in c] for c in data.get("batch") or []],
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
    # Where the plan came from (a FixEnv); not part of the preview.
    env: Any = field(default=None, repr=False, compare=False)

    @property
    def runnable(self) -> bool:
        return self.blocked is None and bool(self.actions)

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
class HelperRun:
    """One step carried out by the elevated helper: what it was asked, what came of it."""

    revert: bool
    # "ok" | "error" | "started" (it began and never finished); None: it never began
    outcome: str | None = None
    error: Text | None = None
    # The helper left running when the wait ended (Windows): {"pid", "started"}.
    running: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"revert": self.revert, "outcome": self.outcome,
                "error": self.error.both() if self.error else None, "running": self.running}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HelperRun:
        error, running = data.get("error"), data.get("running")
        return cls(bool(data.get("revert")), data.get("outcome"),
                   Text.from_json(error) if error else None,
                   running if isinstance(running, dict) else None)


_STEP_KEYS = ("index", "action", "state", "backup", "started", "finished", "reverted", "error",
              "revert_error", "note", "helper", "results", "facts", "restart_needed")


@dataclass
class Step:
    """One action of a journal entry and everything recorded about it."""

    index: int
    action: Action
    state: str = "pending"  # one of STEP_STATES
    backup: dict[str, Any] = field(default_factory=dict)  # what was there, taken before the change
    started: str = ""
    finished: str = ""
    reverted: str = ""
    error: Text | None = None
    revert_error: Text | None = None
    note: Text | None = None  # what undo says it did
    helper: HelperRun | None = None
    outputs: list[CommandResult] = field(default_factory=list)
    # What `execute` recorded for `revert` (e.g. the hash of what it wrote).
    facts: dict[str, Any] = field(default_factory=dict)
    restart_needed: bool = False

    def record(self, result: CommandResult) -> None:
        self.outputs.append(result)

    def to_json(self) -> dict[str, Any]:
        def both(text: Text | None) -> dict[str, str] | None:
            return text.both() if text else None

        return {
            "index": self.index, "action": self.action.to_json("en"), "state": self.state,
            "backup": self.backup, "started": self.started, "finished": self.finished,
            "reverted": self.reverted, "error": both(self.error),
            "revert_error": both(self.revert_error), "note": both(self.note),
            "helper": self.helper.to_json() if self.helper else None,
            "results": [r.to_json() for r in self.outputs], "facts": self.facts,
            "restart_needed": self.restart_needed,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        def text(key: str) -> Text | None:
            value = data.get(key)
            return Text.from_json(value) if value else None

        state = data.get("state", "pending")
        if state not in STEP_STATES:
            raise ValueError(f"unknown step state {state!r}")
        backup = data.get("backup")
        # Entries written before steps were typed kept a fix's own records beside the keys.
        facts = {k: v for k, v in data.items() if k not in _STEP_KEYS}
        facts.update(data.get("facts") or {})
        return cls(
            index=int(data["index"]), action=Action.from_json(data["action"]), state=state,
            backup=dict(backup) if isinstance(backup, dict) else {},
            started=str(data.get("started") or ""), finished=str(data.get("finished") or ""),
            reverted=str(data.get("reverted") or ""), error=text("error"),
            revert_error=text("revert_error"), note=text("note"),
            helper=HelperRun.from_json(data["helper"]) if data.get("helper") else None,
            outputs=[CommandResult.from_json(r) for r in data.get("results") or []],
            facts=facts, restart_needed=bool(data.get("restart_needed")),
        )


def reason_of(exc: BaseException) -> Text:
    """What went wrong, for a person: a FixError's own words, else the OS's."""
    if isinstance(exc, FixError):
        return exc.text
    if isinstance(exc, OSError):
        detail = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
        return t("{d}", "{d}", d=detail)
    return t("{d}", "{d}", d=f"{type(exc).__name__}: {exc}")
