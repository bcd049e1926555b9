"""Shared pieces for fixes made of plain commands."""

from __future__ import annotations

import shutil
from typing import Any

import psutil

from checks.fixes.base import Action, CommandResult, FixEnv, FixError
from checks.i18n import t


def which(program: str) -> str | None:
    return shutil.which(program)


def process_running(*names: str) -> list[int]:
    wanted = {n.lower() for n in names}
    return [p.info["pid"] for p in psutil.process_iter(["name", "pid"])
            if (p.info.get("name") or "").lower() in wanted]


def run_action(action: Action, step: dict[str, Any], env: FixEnv, timeout: float = 60.0) -> CommandResult:
    """Run a "run" action's argv; a non-zero exit (unless allowed) is a FixError."""
    assert action.argv is not None
    result = env.run(action.argv, timeout=timeout, admin=action.needs_admin)
    step.setdefault("results", []).append(result.to_json())
    if result.returncode not in action.data.get("ok_codes", [0]):
        output = (result.stderr or result.stdout).strip().splitlines()
        raise FixError(t("{cmd} failed (exit {code}): {out}", "{cmd} 执行失败（退出码 {code}）：{out}",
                         cmd=" ".join(action.argv), code=result.returncode,
                         out=output[-1] if output else ""))
    return result
