"""Windows specifics. Type-checked with `mypy --platform win32`; cannot run on Linux CI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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


def documents_dir() -> str | None:
    """The user's Documents folder, which may be redirected (e.g. to D:\\ or OneDrive)."""
    if sys.platform != "win32":  # lets mypy check this module for every platform
        return None
    import winreg

    key_path = r"Software\Microsoft\Windows\CurrentVersion\Explorer\User Shell Folders"
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key_path) as key:
            value, _type = winreg.QueryValueEx(key, "Personal")
    except OSError:
        return None
    return os.path.expandvars(value) if isinstance(value, str) and value else None
