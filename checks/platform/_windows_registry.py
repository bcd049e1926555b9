"""Windows registry access for the platform interface: WinINet's Internet Settings
values (read) and single values of HKCU/HKLM. Type-checked with `mypy --platform win32`."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

INTERNET_SETTINGS = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
CONNECTIONS_KEY = INTERNET_SETTINGS + r"\Connections"  # HKCU: WinINet; HKLM: WinHTTP


RegistryValues = dict[str, "tuple[Any, int] | None"]


def read_wininet(names: Iterable[str]) -> RegistryValues:
    """The user's WinINet values (value, registry type); None for an absent value."""
    if sys.platform != "win32":
        raise OSError("the Windows registry exists only on Windows")
    import winreg

    result: RegistryValues = {}
    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, INTERNET_SETTINGS) as key:
        for name in names:
            try:
                value, kind = winreg.QueryValueEx(key, name)
                result[name] = (value, kind)
            except FileNotFoundError:
                result[name] = None
    return result


_HIVES = {"HKCU": "HKEY_CURRENT_USER", "HKLM": "HKEY_LOCAL_MACHINE"}


def read_registry_value(hive: str, key: str, name: str) -> tuple[Any, int] | None:
    """One value with its registry type; None when the key or value does not exist."""
    if sys.platform != "win32":
        raise OSError("the Windows registry exists only on Windows")
    import winreg

    try:
        with winreg.OpenKey(getattr(winreg, _HIVES[hive]), key) as handle:
            value, kind = winreg.QueryValueEx(handle, name)
    except FileNotFoundError:
        return None
    return value, kind


def write_registry_value(hive: str, key: str, name: str, value: tuple[Any, int] | None) -> None:
    """Set one value (creating the key), or delete it when `value` is None."""
    if sys.platform != "win32":
        raise OSError("the Windows registry exists only on Windows")
    import winreg

    root = getattr(winreg, _HIVES[hive])
    if value is None:
        try:
            with winreg.OpenKey(root, key, 0, winreg.KEY_SET_VALUE) as handle:
                winreg.DeleteValue(handle, name)
        except FileNotFoundError:
            pass
        return
    with winreg.CreateKeyEx(root, key, 0, winreg.KEY_SET_VALUE) as handle:
        winreg.SetValueEx(handle, name, 0, value[1], value[0])
