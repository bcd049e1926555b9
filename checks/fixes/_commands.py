"""Shared pieces for fixes made of plain commands."""

from __future__ import annotations

import shutil
from collections.abc import Sequence

from checks.fixes.actions import Action, FixError, Step
from checks.fixes.env import FixEnv
from checks.platform.commands import CommandResult
from checks.probes.processes import snapshot
from checks.shared.i18n import t


def which(program: str) -> str | None:
    return shutil.which(program)


def process_running(*names: str) -> list[int]:
    wanted = {n.lower() for n in names}
    return [p["pid"] for p in snapshot() if p["name"].lower() in wanted]


def run_action(action: Action, step: Step, env: FixEnv, timeout: float = 60.0) -> CommandResult:
    """Run every command of a "run" action in order (under one prompt when they need
    one); a non-zero exit (unless allowed) stops it with a FixError."""
    codes = action.data.get("ok_codes")
    ok_codes = codes if isinstance(codes, list) and all(type(c) is int for c in codes) else [0]
    result: CommandResult | None = None
    for argv in action.commands():
        result = run_checked(argv, step, env, admin=action.needs_admin, ok_codes=ok_codes,
                             timeout=timeout)
    if result is None:
        raise FixError(t("This step has no command to run.", "这一步没有要运行的命令。"))
    return result


def run_checked(argv: list[str], step: Step, env: FixEnv, admin: bool,
                ok_codes: Sequence[int] = (0,), timeout: float = 60.0) -> CommandResult:
    result = env.run(argv, timeout=timeout, admin=admin)
    step.record(result)
    if result.returncode not in ok_codes:
        raise FixError(t("{cmd} failed (exit {code}): {out}", "{cmd} 执行失败（退出码 {code}）：{out}",
                         cmd=" ".join(argv), code=result.returncode, out=result.last_line()))
    return result
