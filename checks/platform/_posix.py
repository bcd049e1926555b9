"""What Linux and macOS share: administrator status, and no Windows registry or UAC."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from typing import Any

RegistryValues = dict[str, "tuple[Any, int] | None"]


def is_admin() -> bool:
    if sys.platform == "win32":  # not used there; keeps `mypy --platform win32` exact
        return False
    return os.geteuid() == 0


def shell_execute_runas(file: str, parameters: str, timeout: float) -> int:
    raise OSError("ShellExecuteExW exists only on Windows")


def read_wininet(names: Iterable[str]) -> RegistryValues:
    raise OSError("the Windows registry exists only on Windows")


def write_wininet(set_values: Mapping[str, tuple[Any, int]], delete: Iterable[str]) -> None:
    raise OSError("the Windows registry exists only on Windows")
