"""macOS specifics. Type-checked with `mypy --platform darwin`; cannot run on Linux CI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checks.platform import _common
from checks.platform._common import AdapterInfo
from checks.platform._posix import (  # noqa: F401 (part of the platform interface)
    copy_owner_and_mode,
    current_user_id,
    file_access,
    internet_options,
    is_admin,
    proxy_connections,
    read_registry_value,
    read_wininet,
    set_internet_options,
    set_system_time,
    shell_execute_runas,
    tencent_registry,
    write_registry_value,
)
from checks.platform.commands import run_command
from checks.platform.system_tools import macos_tool

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


def system_proxy() -> list[dict[str, Any]]:
    """System Configuration proxies of the primary service (`scutil --proxy`)."""
    from checks.platform.parsers import proxy_settings as parsers

    result = run_command([macos_tool("scutil"), "--proxy"], timeout=3.0)
    if not result.ok:
        return [{"source": "macos", "proxies": [], "pac_url": None, "auto_detect": False,
                 "bypass": [], "error": result.error or f"rc_{result.returncode}"}]
    settings = parsers.parse_scutil(result.stdout)
    return [{"source": "macos", **parsers.proxies_from_scutil(settings)}]
def documents_dir() -> str | None:
    return None  # ~/Documents; the WeChat/WeCom data lives in their containers anyway


def installed_clients() -> list[dict[str, Any]]:
    """The WeCom/WeChat app bundles in /Applications and ~/Applications."""
    from checks.tencent.installed_clients import scan_app_bundles

    return scan_app_bundles([Path("/Applications"), Path.home() / "Applications"])


def adapter_details() -> list[AdapterInfo]:
    """`ifconfig -a`: flags, MTU and routable addresses of every interface (utun included)."""
    from checks.platform.parsers.adapters import parse_ifconfig

    result = run_command([macos_tool("ifconfig"), "-a"], timeout=3.0)
    return parse_ifconfig(result.stdout) if result.ok else []


def interface_routes() -> dict[str, list[str]] | None:
    """`netstat -rn` (IPv4 and IPv6): interface -> destinations it carries. The IPv6
    defaults of the idle system utuns (`default fe80::%utun0`) are left out."""
    from checks.platform.parsers.adapters import parse_netstat_routes

    result = run_command([macos_tool("netstat"), "-rn"], timeout=3.0)
    return parse_netstat_routes(result.stdout) if result.ok else None


# copyfile.h: COPYFILE_ACL | COPYFILE_STAT | COPYFILE_XATTR
_COPYFILE_METADATA = (1 << 0) | (1 << 1) | (1 << 2)


def replace_file(target: str, replacement: str) -> None:
    """One rename, the new file carrying target's owner, mode, ACL and extended
    attributes (copyfile(3) copies what Python cannot reach on macOS: the ACL)."""
    import ctypes
    import os

    copy_owner_and_mode(target, replacement)
    libc = ctypes.CDLL(None, use_errno=True)
    copyfile = libc.copyfile
    copyfile.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_uint32]
    copyfile.restype = ctypes.c_int
    if copyfile(os.fsencode(target), os.fsencode(replacement), None, _COPYFILE_METADATA) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), target)
    os.utime(replacement)  # copyfile copied the old times too: this is a new version
    os.replace(replacement, target)
