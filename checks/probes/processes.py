"""One snapshot of the running processes per run, shared by the checks that need it."""

from __future__ import annotations

import os
from typing import Any

import psutil

from checks.engine.context import Context


def snapshot() -> list[dict[str, Any]]:
    """[{"pid", "name", "exe_name"}]; exe_name is None where the OS denies it."""
    result = []
    for proc in psutil.process_iter(["pid", "name", "exe"]):
        info = proc.info
        exe = info.get("exe")
        result.append(
            {
                "pid": info.get("pid"),
                "name": info.get("name") or "",
                "exe_name": os.path.basename(exe) if exe else None,
            }
        )
    return result


def processes(ctx: Context) -> list[dict[str, Any]]:
    return ctx.shared("processes", snapshot)
