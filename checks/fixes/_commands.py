"""Shared pieces for fixes made of plain commands."""

from __future__ import annotations

import shutil

from checks.fixes.env import FixEnv
from checks.fixes.model import Action, FixError, Step
from checks.i18n import t
from checks.platform.commands import CommandResult
from checks.probes.processes import snapshot


def which(program: str) -> str | None:
    return shutil.which(program)


def process_running(*names: str) -> list[int]:
    wanted = {n.lower() for n in names}
    return [p["pid"] for p in snapshot() if p["name"].lower() in wanted]


def run_action(action: Action, step: Step, env: FixEnv, timeout: float = 60.0) -> CommandResult:
    """Run a "run" action's argv; a non-zero exit (unless allowed) is a FixError."""
    assert action.argv is not None
    result = env.run(action.argv, timeout=timeout, admin=action.needs_admin)
    step.record(result)
    if result.returncode not in action.data.get("ok_codes", [0]):
        raise FixError(t("{cmd} failed (exit {code}): {out}", "{cmd} 执行失败（退出码 {code}）：{out}",
                         cmd=" ".join(action.argv), code=result.returncode,
                         out=result.last_line()))
    return result
