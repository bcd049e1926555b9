"""macOS specifics. Type-checked with `mypy --platform darwin`; cannot run on Linux CI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checks.platform import _common

NAME = "macos"


def machine_config_path() -> Path | None:
    return Path("/Library/Application Support/wxdoctor/config.toml")


def user_config_path() -> Path | None:
    return Path.home() / "Library" / "Application Support" / "wxdoctor" / "config.toml"


def default_hosts_file() -> Path:
    return Path("/etc/hosts")


def default_gateways() -> dict[str, str]:
    return {}


def icmp_method() -> str:
    return "ping_command"


def icmp_echo_df(address: str, size: int, timeout: float, method: str) -> dict[str, Any]:
    return _common.ping_df(NAME, address, size, timeout)
