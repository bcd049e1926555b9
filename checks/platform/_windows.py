"""Windows specifics, one module of the platform interface. The larger pieces live beside
it: `_windows_registry` (registry values), `_windows_proxy` (proxy settings),
`_windows_adapters` (GetAdaptersAddresses), `_windows_security` (accounts and ACLs),
`_windows_uac` (administrator rights) and `_windows_time` (setting the clock).
Type-checked with `mypy --platform win32`; cannot run on Linux CI."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from checks.platform import _common
from checks.platform._windows_adapters import (  # noqa: F401 (part of the platform interface)
    adapter_details,
    interface_routes,
)
from checks.platform._windows_proxy import (  # noqa: F401
    internet_options,
    proxy_connections,
    set_internet_options,
    system_proxy,
)
from checks.platform._windows_registry import (  # noqa: F401
    read_registry_value,
    read_wininet,
    write_registry_value,
)
from checks.platform._windows_security import (  # noqa: F401
    current_user_id,
    file_access,
    replace_file,
)
from checks.platform._windows_time import set_system_time  # noqa: F401
from checks.platform._windows_uac import is_admin, shell_execute_runas  # noqa: F401

NAME = "windows"


def machine_config_path() -> Path | None:
    base = program_data()
    return Path(base) / "wxdoctor" / "config.toml" if base else None


def program_data() -> str | None:
    """%ProgramData% as Windows knows it (SHGetKnownFolderPath), not the environment
    variable, which the person's own environment (and so the helper's) can set."""
    if sys.platform != "win32":
        return os.environ.get("ProgramData", r"C:\ProgramData")
    import ctypes
    import uuid

    class Guid(ctypes.Structure):
        _fields_ = [("Data1", ctypes.c_uint32), ("Data2", ctypes.c_uint16),
                    ("Data3", ctypes.c_uint16), ("Data4", ctypes.c_ubyte * 8)]

    known = uuid.UUID("62AB5D82-FDC1-4DC3-A9DD-070D1D495D97")  # FOLDERID_ProgramData
    guid = Guid(known.fields[0], known.fields[1], known.fields[2],
                (ctypes.c_ubyte * 8)(*known.bytes[8:]))
    found = ctypes.c_wchar_p()
    try:
        result = ctypes.windll.shell32.SHGetKnownFolderPath(ctypes.byref(guid), 0, None,
                                                            ctypes.byref(found))
        return found.value if result == 0 and found.value else None
    except (AttributeError, OSError):
        return None
    finally:
        ctypes.windll.ole32.CoTaskMemFree(found)


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
    """The programs list, then the clients' own registry keys for any it does not show."""
    from checks.tencent.installed_clients import (
        TENCENT_INSTALL_VALUES,
        clients_from_tencent_registry,
        clients_from_uninstall,
    )

    found = clients_from_uninstall(uninstall_entries())
    known = {c["product"] for c in found}
    extra = clients_from_tencent_registry(tencent_registry(TENCENT_INSTALL_VALUES))
    return found + [c for c in extra if c["product"] not in known]


def tencent_registry(names: Iterable[str]) -> dict[str, str]:
    """HKCU\\Software\\Tencent\\<Key> values, each name written "Key\\Value"
    (e.g. "WXWork\\DataLocationPath"); absent ones are left out."""
    if sys.platform != "win32":
        return {}
    import winreg

    found: dict[str, str] = {}
    for name in names:
        key_name, _, value_name = name.rpartition("\\")
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, rf"Software\Tencent\{key_name}") as key:
                value, kind = winreg.QueryValueEx(key, value_name)
        except OSError:
            continue
        if kind == winreg.REG_EXPAND_SZ and isinstance(value, str):
            value = os.path.expandvars(value)
        if isinstance(value, (str, int)) and str(value).strip():
            found[name] = str(value).strip()
    return found
