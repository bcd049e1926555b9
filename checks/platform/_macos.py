"""macOS specifics. Type-checked with `mypy --platform darwin`; cannot run on Linux CI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

NAME = "macos"


def machine_config_path() -> Path | None:
    return Path("/Library/Application Support/wxdoctor/config.toml")


def user_config_path() -> Path | None:
    return Path.home() / "Library" / "Application Support" / "wxdoctor" / "config.toml"


def default_hosts_file() -> Path:
    return Path("/etc/hosts")


def default_gateways() -> dict[str, str]:
    return {}


def documents_dir() -> str | None:
    return None  # ~/Documents; the WeChat/WeCom data lives in their containers anyway


def installed_clients() -> list[dict[str, Any]]:
    """The WeCom/WeChat app bundles in /Applications and ~/Applications."""
    from checks.clientapps import scan_app_bundles

    return scan_app_bundles([Path("/Applications"), Path.home() / "Applications"])
