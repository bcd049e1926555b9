"""Windows specifics. Type-checked with `mypy --platform win32`; cannot run on Linux CI."""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from checks.platform import _common
from checks.platform._common import OPER_STATUS, AdapterInfo
from checks.platform.commands import run_command

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


_INTERNET_SETTINGS = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
_WINHTTP_KEY = _INTERNET_SETTINGS + r"\Connections"


RegistryValues = dict[str, "tuple[Any, int] | None"]


def read_wininet(names: Iterable[str]) -> RegistryValues:
    """The user's WinINet values (value, registry type); None for an absent value."""
    if sys.platform != "win32":
        raise OSError("the Windows registry exists only on Windows")
    import winreg

    result: RegistryValues = {}
    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, _INTERNET_SETTINGS) as key:
        for name in names:
            try:
                value, kind = winreg.QueryValueEx(key, name)
                result[name] = (value, kind)
            except FileNotFoundError:
                result[name] = None
    return result


def write_wininet(set_values: Mapping[str, tuple[Any, int]], delete: Iterable[str]) -> None:
    """Set and delete WinINet values, then tell running programs the settings changed."""
    if sys.platform != "win32":
        raise OSError("the Windows registry exists only on Windows")
    import ctypes
    import winreg

    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, _INTERNET_SETTINGS, 0,
                        winreg.KEY_SET_VALUE) as key:
        for name, (value, kind) in set_values.items():
            winreg.SetValueEx(key, name, 0, kind, value)
        for name in delete:
            try:
                winreg.DeleteValue(key, name)
            except FileNotFoundError:
                pass
    # INTERNET_OPTION_SETTINGS_CHANGED (39), then INTERNET_OPTION_REFRESH (37).
    wininet = ctypes.windll.wininet
    wininet.InternetSetOptionW(None, 39, None, 0)
    wininet.InternetSetOptionW(None, 37, None, 0)


def system_proxy() -> list[dict[str, Any]]:
    """The user's WinINet proxy (what most apps use) and the machine's WinHTTP proxy."""
    if sys.platform != "win32":  # keeps the type checker on other platforms quiet
        return []
    import winreg

    from checks.platform.parsers import proxy as parsers

    found: list[dict[str, Any]] = []
    try:
        raw = read_wininet(("ProxyEnable", "ProxyServer", "ProxyOverride", "AutoConfigURL",
                            "AutoDetect"))
    except OSError:
        raw = {}
    values = {name: value[0] for name, value in raw.items() if value is not None}
    enabled = str(values.get("ProxyEnable", 0)) == "1"
    server = str(values.get("ProxyServer") or "")
    pac = str(values.get("AutoConfigURL") or "").strip()
    found.append({
        "source": "wininet",
        "proxies": parsers.parse_proxy_server(server) if enabled else [],
        "pac_url": pac or None,
        "auto_detect": str(values.get("AutoDetect", 0)) == "1",
        "bypass": parsers.parse_bypass(str(values.get("ProxyOverride") or "")),
    })
    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, _WINHTTP_KEY) as key:
            blob = winreg.QueryValueEx(key, "WinHttpSettings")[0]
    except OSError:
        blob = None
    if isinstance(blob, bytes):
        parsed = parsers.parse_connection_blob(blob)
        found.append({
            "source": "winhttp",
            "proxies": parsers.parse_proxy_server(parsed["proxy"]) if parsed["uses_proxy"] else [],
            "pac_url": None,
            "auto_detect": False,
            "bypass": parsers.parse_bypass(parsed["bypass"]),
            "error": parsed["error"],
        })
    return found
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
    from checks.clientapps import (
        TENCENT_INSTALL_VALUES,
        clients_from_tencent_registry,
        clients_from_uninstall,
    )

    found = clients_from_uninstall(uninstall_entries())
    known = {c["product"] for c in found}
    extra = clients_from_tencent_registry(tencent_registry(TENCENT_INSTALL_VALUES))
    return found + [c for c in extra if c["product"] not in known]


def is_admin() -> bool:
    if sys.platform != "win32":
        return False
    import ctypes

    try:
        return bool(ctypes.windll.shell32.IsUserAnAdmin())
    except (AttributeError, OSError):
        return False


def shell_execute_runas(file: str, parameters: str, timeout: float) -> int:
    """ShellExecuteExW "runas" (the UAC prompt) of one program, hidden; waits for its exit
    code. 1223 (ERROR_CANCELLED): the person declined the prompt, or it failed."""
    if sys.platform != "win32":
        raise OSError("ShellExecuteExW exists only on Windows")
    import ctypes
    from ctypes import wintypes

    class SHELLEXECUTEINFOW(ctypes.Structure):
        _fields_ = [
            ("cbSize", wintypes.DWORD), ("fMask", ctypes.c_ulong), ("hwnd", wintypes.HWND),
            ("lpVerb", wintypes.LPCWSTR), ("lpFile", wintypes.LPCWSTR),
            ("lpParameters", wintypes.LPCWSTR), ("lpDirectory", wintypes.LPCWSTR),
            ("nShow", ctypes.c_int), ("hInstApp", wintypes.HINSTANCE),
            ("lpIDList", ctypes.c_void_p), ("lpClass", wintypes.LPCWSTR),
            ("hkeyClass", wintypes.HKEY), ("dwHotKey", wintypes.DWORD),
            ("hIconOrMonitor", wintypes.HANDLE), ("hProcess", wintypes.HANDLE),
        ]

    see_mask_nocloseprocess, sw_hide = 0x40, 0
    info = SHELLEXECUTEINFOW()
    info.cbSize = ctypes.sizeof(info)
    info.fMask = see_mask_nocloseprocess
    info.lpVerb, info.lpFile, info.lpParameters = "runas", file, parameters
    info.lpDirectory, info.nShow = None, sw_hide
    if not ctypes.windll.shell32.ShellExecuteExW(ctypes.byref(info)):
        return 1223
    kernel32 = ctypes.windll.kernel32
    kernel32.WaitForSingleObject(info.hProcess, int(timeout * 1000))
    code = wintypes.DWORD()
    kernel32.GetExitCodeProcess(info.hProcess, ctypes.byref(code))
    kernel32.CloseHandle(info.hProcess)
    return int(code.value)


# ---- adapters: GetAdaptersAddresses -------------------------------------------------------
# The layout of IP_ADAPTER_ADDRESSES_LH (iptypes.h) up to OperStatus, the fields read here;
# Windows fills the whole (longer) record and links them through Next, so a prefix is
# enough. ULONG/DWORD are spelled c_uint32 so the layout is Windows' on every platform
# (tests build chains of these on Linux). Compare secdev/scapy arch/windows/structures.py.


class IpAdapterAddresses(ctypes.Structure):
    pass


IpAdapterAddresses._fields_ = [
    ("Length", ctypes.c_uint32), ("IfIndex", ctypes.c_uint32),  # union with ULONGLONG Alignment
    ("Next", ctypes.POINTER(IpAdapterAddresses)),
    ("AdapterName", ctypes.c_char_p),  # "{GUID}", the registry's NetCfgInstanceId
    ("FirstUnicastAddress", ctypes.c_void_p), ("FirstAnycastAddress", ctypes.c_void_p),
    ("FirstMulticastAddress", ctypes.c_void_p), ("FirstDnsServerAddress", ctypes.c_void_p),
    ("DnsSuffix", ctypes.c_wchar_p), ("Description", ctypes.c_wchar_p),
    ("FriendlyName", ctypes.c_wchar_p),
    ("PhysicalAddress", ctypes.c_ubyte * 8), ("PhysicalAddressLength", ctypes.c_uint32),
    ("Flags", ctypes.c_uint32), ("Mtu", ctypes.c_uint32), ("IfType", ctypes.c_uint32),
    ("OperStatus", ctypes.c_uint32),
]

_GAA_SKIP_ADDRESSES = 0x0F  # GAA_FLAG_SKIP_UNICAST|ANYCAST|MULTICAST|DNS_SERVER: psutil has them
_ERROR_BUFFER_OVERFLOW, _ERROR_NO_DATA = 111, 232
_MAX_ADAPTERS = 1024


def adapters_from_chain(first: ctypes._Pointer[IpAdapterAddresses]) -> list[AdapterInfo]:
    """Walk GetAdaptersAddresses' linked list (bounded, in case it is ever circular)."""
    found: list[AdapterInfo] = []
    node = first
    while node and len(found) < _MAX_ADAPTERS:
        entry = node.contents
        found.append(AdapterInfo(
            name=entry.FriendlyName or "", description=entry.Description or "",
            if_type=int(entry.IfType), oper_status=OPER_STATUS.get(int(entry.OperStatus), ""),
            mtu=int(entry.Mtu) if entry.Mtu not in (0, 0xFFFFFFFF) else None))
        node = entry.Next
    return found


def adapter_details() -> list[AdapterInfo]:
    """Each adapter's FriendlyName, Description, IfType, OperStatus and Mtu; from
    `ipconfig /all` if GetAdaptersAddresses cannot be called."""
    if sys.platform != "win32":
        return []
    try:
        return _get_adapters_addresses()
    except (OSError, AttributeError):
        from checks.platform.parsers.adapters import parse_ipconfig_all

        result = run_command(["ipconfig", "/all"], timeout=5.0)
        return parse_ipconfig_all(result.stdout) if result.ok else []


def _get_adapters_addresses() -> list[AdapterInfo]:
    if sys.platform != "win32":
        return []
    function = ctypes.WinDLL("iphlpapi").GetAdaptersAddresses
    size = ctypes.c_uint32(16 * 1024)  # Microsoft's advice: start with 15 KB
    for _attempt in range(4):  # adapters may appear between the calls
        buffer = ctypes.create_string_buffer(size.value)
        code = function(0, _GAA_SKIP_ADDRESSES, None, buffer, ctypes.byref(size))  # AF_UNSPEC
        if code == _ERROR_NO_DATA:
            return []
        if code == 0:
            return adapters_from_chain(ctypes.cast(buffer, ctypes.POINTER(IpAdapterAddresses)))
        if code != _ERROR_BUFFER_OVERFLOW:
            raise OSError(code, "GetAdaptersAddresses failed")
    raise OSError(_ERROR_BUFFER_OVERFLOW, "GetAdaptersAddresses: the adapter list kept growing")


def interface_routes() -> dict[str, list[str]] | None:
    # Not read: on Windows the adapter's description names a VPN; GetIpForwardTable2
    # would add nothing the tunnel check uses.
    return None


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
