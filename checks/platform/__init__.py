"""Per-OS code behind one typed interface, chosen once at import (psutil style).

Callers use the functions below. `_linux`, `_windows` and `_macos` implement every
one of them with the same signature (a contract test holds them to it); `_common`
holds what works everywhere and the types handed out; `_posix` what Linux and
macOS share. Windows-only functions raise OSError elsewhere.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from checks.platform._common import (
    Adapter,
    AdapterInfo,
    ConnectionProxy,
    RouteInfo,
    RunasResult,
    default_routes,
    interface_mtu,
    interface_of,
    interfaces,
    route_for,
)
from checks.platform.file_access import FileAccess, why_not_admin_only, why_replaceable

__all__ = [
    "NAME", "Adapter", "RouteInfo", "RunasResult", "ConnectionProxy", "default_routes", "interface_mtu", "interface_of",
    "interfaces", "route_for", "machine_config_path", "user_config_path",
    "default_hosts_file", "default_gateways", "icmp_method", "icmp_echo_df", "system_proxy",
    "documents_dir", "installed_clients", "is_admin", "shell_execute_runas", "read_wininet",
    "proxy_connections", "internet_options", "set_internet_options", "AdapterInfo", "adapter_details", "interface_routes", "tencent_registry",
    "current_user_id", "file_access", "replace_file", "not_admin_made", "code_location_problem",
    "read_registry_value", "write_registry_value", "set_system_time",
]


def _select() -> ModuleType:
    if sys.platform == "win32":
        from checks.platform import _windows as module
    elif sys.platform == "darwin":
        from checks.platform import _macos as module
    else:
        from checks.platform import _linux as module
    return module


_os = _select()
NAME: str = _os.NAME  # "linux" | "windows" | "macos"


def machine_config_path() -> Path | None:
    """The machine-wide override file an IT department installs, or None when it could
    have been written by someone other than an administrator: every user may create
    files in %ProgramData% and its new folders inherit that, so a file there means
    nothing until its folder's ACL says only administrators can write it."""
    result: Path | None = _os.machine_config_path()
    if result is None or not result.is_file():
        return result
    reason = not_admin_made(str(result))
    if reason is not None:
        logging.getLogger("wxdoctor.config").warning(
            "ignoring the machine-wide settings %s: %s", result, reason)
        return None
    return result


def code_location_problem(paths: list[str]) -> str | None:
    """Why the program files `paths` (the executable, its folders) could have been changed
    by someone other than an administrator: each of them, and each folder above the first
    one, which must not let anyone else move it aside. None: they cannot."""
    def access_of(place: str) -> FileAccess | str:
        try:
            return file_access(place)
        except OSError as exc:
            return f"cannot tell who may change {place}: {exc.strerror or exc}"

    for place in paths:
        access = access_of(place)
        reason = access if isinstance(access, str) else why_not_admin_only(place, access)
        if reason is not None:
            return reason
    above, seen = (os.path.dirname(paths[0]) if paths else ""), ""
    while above and above != seen:  # up to and with the drive or file-system root
        access = access_of(above)
        reason = access if isinstance(access, str) else why_replaceable(above, access)
        if reason is not None:
            return reason
        above, seen = os.path.dirname(above), above
    return None


def not_admin_made(path: str) -> str | None:
    """Why `path` or the folder holding it could hold what someone other than an
    administrator put there; None when only administrators can have written them."""
    for place in (os.path.dirname(path), path):
        try:
            access = file_access(place)
        except OSError as exc:
            return f"cannot tell who may change {place}: {exc.strerror or exc}"
        reason = why_not_admin_only(place, access)
        if reason is not None:
            return reason
    return None


def user_config_path() -> Path | None:
    result: Path | None = _os.user_config_path()
    return result


def default_hosts_file() -> Path:
    result: Path = _os.default_hosts_file()
    return result


def default_gateways() -> dict[str, str]:
    """Interface -> IPv4 gateway of its default route, where the OS tells it cheaply."""
    result: dict[str, str] = _os.default_gateways()
    return result


def icmp_method() -> str:
    """How "don't fragment" echoes are sent here: an ICMP socket or the ping command."""
    result: str = _os.icmp_method()
    return result


def icmp_echo_df(address: str, size: int, timeout: float, method: str) -> dict[str, Any]:
    result: dict[str, Any] = _os.icmp_echo_df(address, size, timeout, method)
    return result


def system_proxy() -> list[dict[str, Any]]:
    """The OS's proxy settings, one record per source (WinINet, WinHTTP, scutil, GNOME...)."""
    result: list[dict[str, Any]] = _os.system_proxy()
    return result


def documents_dir() -> str | None:
    """The user's Documents folder where it may be redirected (Windows, XDG)."""
    result: str | None = _os.documents_dir()
    return result


def installed_clients() -> list[dict[str, Any]]:
    """WeChat/WeCom installations the OS knows of (registry, app bundles, packages)."""
    result: list[dict[str, Any]] = _os.installed_clients()
    return result


def is_admin() -> bool:
    result: bool = _os.is_admin()
    return result


def shell_execute_runas(file: str, parameters: str, timeout: float,
                        window: int | None = None) -> RunasResult:
    """Windows: start `file` through the UAC prompt owned by `window` and wait up to
    `timeout` for it; what happened (declined, Windows' error, exit code, still running)."""
    result: RunasResult = _os.shell_execute_runas(file, parameters, timeout, window)
    return result


def read_wininet(names: Iterable[str]) -> dict[str, tuple[Any, int] | None]:
    """Windows: the user's WinINet (Internet Settings) values with their registry types."""
    result: dict[str, tuple[Any, int] | None] = _os.read_wininet(names)
    return result


def proxy_connections() -> tuple[str, dict[str, bytes]]:
    """Windows: ("user" | "machine", connection value -> settings blob) of the Connections
    key WinINet uses (HKLM when policy makes proxy settings per machine)."""
    result: tuple[str, dict[str, bytes]] = _os.proxy_connections()
    return result


def internet_options(connection: str) -> ConnectionProxy:
    """Windows: one connection's proxy options as WinINet reports them ("" = LAN)."""
    result: ConnectionProxy = _os.internet_options(connection)
    return result


def set_internet_options(connection: str, wanted: ConnectionProxy) -> None:
    """Windows: set one connection's proxy options through WinINet and tell programs."""
    _os.set_internet_options(connection, wanted)


def adapter_details() -> list[AdapterInfo]:
    """What the OS says about each adapter beyond psutil: Windows' description and IfType
    (GetAdaptersAddresses), the device type on Linux (sysfs), `ifconfig -a` on macOS."""
    result: list[AdapterInfo] = _os.adapter_details()
    return result


def interface_routes() -> dict[str, list[str]] | None:
    """Interface -> destinations routed through it, link-local ones left out;
    None where not read (Windows)."""
    result: dict[str, list[str]] | None = _os.interface_routes()
    return result


def tencent_registry(names: Iterable[str]) -> dict[str, str]:
    """Windows: HKCU\\Software\\Tencent values named "Key\\Value"; empty elsewhere."""
    result: dict[str, str] = _os.tencent_registry(names)
    return result


# ---- elevation ------------------------------------------------------------------------

def current_user_id() -> str:
    """Who this process runs as: the uid ("501") or, on Windows, the account's SID."""
    result: str = _os.current_user_id()
    return result


def file_access(path: str) -> FileAccess:
    """Owner and writers of `path` itself (a final symlink is not followed)."""
    result: FileAccess = _os.file_access(path)
    return result


def replace_file(target: str, replacement: str) -> None:
    """Put the file `replacement` in place of `target` at once, keeping target's owner,
    permissions and ACLs; OSError when that cannot be done here (the caller then
    writes in place)."""
    _os.replace_file(target, replacement)


def read_registry_value(hive: str, key: str, name: str) -> tuple[Any, int] | None:
    """Windows: one value ("HKCU"/"HKLM") with its registry type; None when absent."""
    result: tuple[Any, int] | None = _os.read_registry_value(hive, key, name)
    return result


def write_registry_value(hive: str, key: str, name: str, value: tuple[Any, int] | None) -> None:
    """Windows: set one value (creating the key) or delete it (None)."""
    _os.write_registry_value(hive, key, name, value)


def set_system_time(unix_time: float) -> None:
    """Windows: set the clock to `unix_time` (UTC); administrator rights needed."""
    _os.set_system_time(unix_time)
