"""Windows specifics. Type-checked with `mypy --platform win32`; cannot run on Linux CI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from checks.platform import _common

NAME = "windows"


def machine_config_path() -> Path | None:
    base = os.environ.get("ProgramData", r"C:\ProgramData")
    return Path(base) / "wxdoctor" / "config.toml"


def user_config_path() -> Path | None:
    base = os.environ.get("APPDATA")
    return Path(base) / "wxdoctor" / "config.toml" if base else None


def default_hosts_file() -> Path:
    root = os.environ.get("SystemRoot", r"C:\Windows")
    return Path(root) / "System32" / "drivers" / "etc" / "hosts"


def default_gateways() -> dict[str, str]:
    # The route check needs no gateway; reading it would mean localized `route print`.
    return {}


def icmp_method() -> str:
    return "ping_command"


def icmp_echo_df(address: str, size: int, timeout: float, method: str) -> dict[str, Any]:
    return _common.ping_df(NAME, address, size, timeout)
