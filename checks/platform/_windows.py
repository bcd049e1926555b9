"""Windows specifics. Type-checked with `mypy --platform win32`; cannot run on Linux CI."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

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


_UNINSTALL = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
_UNINSTALL_VALUES = ("DisplayName", "DisplayVersion", "Publisher", "InstallLocation")


def uninstall_entries() -> list[dict[str, Any]]:
    """The programs list: every ...\\Uninstall\\<key> of HKLM (both views) and HKCU."""
    if sys.platform != "win32":
        return []
    import winreg

    entries: list[dict[str, Any]] = []
    places = [
        (winreg.HKEY_LOCAL_MACHINE, "HKLM", winreg.KEY_WOW64_64KEY),
        (winreg.HKEY_LOCAL_MACHINE, "HKLM32", winreg.KEY_WOW64_32KEY),
        (winreg.HKEY_CURRENT_USER, "HKCU", 0),
    ]
    for hive, label, view in places:
        try:
            root = winreg.OpenKey(hive, _UNINSTALL, 0, winreg.KEY_READ | view)
        except OSError:
            continue
        with root:
            for index in range(10000):
                try:
                    name = winreg.EnumKey(root, index)
                except OSError:
                    break
                entry: dict[str, Any] = {"key": f"{label}\\{_UNINSTALL}\\{name}"}
                try:
                    with winreg.OpenKey(root, name) as sub:
                        for value_name in _UNINSTALL_VALUES:
                            try:
                                entry[value_name] = winreg.QueryValueEx(sub, value_name)[0]
                            except OSError:
                                pass
                except OSError:
                    continue
                entries.append(entry)
    return entries


def installed_clients() -> list[dict[str, Any]]:
    from checks.clientapps import clients_from_uninstall

    return clients_from_uninstall(uninstall_entries())
