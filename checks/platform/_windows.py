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
from checks.platform.file_access import FileAccess

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
_CONNECTIONS_KEY = _INTERNET_SETTINGS + r"\Connections"  # HKCU: WinINet; HKLM: WinHTTP


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

    from checks.platform.parsers import proxy_settings as parsers

    found: list[dict[str, Any]] = []
    try:
        raw = read_wininet(("ProxyEnable", "ProxyServer", "ProxyOverride", "AutoConfigURL"))
    except OSError:
        raw = {}
    try:
        saved = read_registry_value("HKCU", _CONNECTIONS_KEY, "DefaultConnectionSettings")
    except OSError:
        saved = None
    blob = saved[0] if saved is not None and isinstance(saved[0], bytes) else None
    state = parsers.wininet_state({name: value[0] for name, value in raw.items()
                                   if value is not None}, blob)
    found.append({
        "source": "wininet",
        "proxies": parsers.parse_proxy_server(state["server"]) if state["enabled"] else [],
        "pac_url": state["pac_url"],
        "auto_detect": state["auto_detect"],
        "bypass": parsers.parse_bypass(state["bypass"]),
    })
    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, _CONNECTIONS_KEY) as key:
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
    from checks.tencent.installed_clients import (
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


# ---- elevation: who is asking, and files the elevated helper may trust or replace ---------

# Rights that let an access-control entry change a file or a folder's contents.
_WRITE_RIGHTS = (
    0x0002  # FILE_WRITE_DATA / FILE_ADD_FILE
    | 0x0004  # FILE_APPEND_DATA / FILE_ADD_SUBDIRECTORY
    | 0x0040  # FILE_DELETE_CHILD
    | 0x00010000  # DELETE
    | 0x00040000  # WRITE_DAC
    | 0x00080000  # WRITE_OWNER
    | 0x10000000  # GENERIC_ALL
    | 0x40000000  # GENERIC_WRITE
)
_ACCESS_ALLOWED_ACE_TYPE, _INHERIT_ONLY_ACE = 0, 0x08
_FILE_ATTRIBUTE_REPARSE_POINT = 0x400


def _sid_string(sid: Any) -> str:
    if sys.platform != "win32":
        raise OSError("SIDs exist only on Windows")
    import ctypes
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    convert = advapi32.ConvertSidToStringSidW
    convert.argtypes = [ctypes.c_void_p, ctypes.POINTER(wintypes.LPWSTR)]
    convert.restype = wintypes.BOOL
    text = wintypes.LPWSTR()
    if not convert(sid, ctypes.byref(text)):
        raise ctypes.WinError(ctypes.get_last_error())
    try:
        return str(text.value)
    finally:
        ctypes.windll.kernel32.LocalFree(text)


def current_user_id() -> str:
    """The SID of the account this process runs as (TOKEN_USER of the process token)."""
    if sys.platform != "win32":
        return ""
    import ctypes
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.GetCurrentProcess.restype = wintypes.HANDLE
    advapi32.OpenProcessToken.argtypes = [wintypes.HANDLE, wintypes.DWORD,
                                          ctypes.POINTER(wintypes.HANDLE)]
    advapi32.GetTokenInformation.argtypes = [wintypes.HANDLE, ctypes.c_int, ctypes.c_void_p,
                                             wintypes.DWORD, ctypes.POINTER(wintypes.DWORD)]
    token_query, token_user = 0x0008, 1
    token = wintypes.HANDLE()
    if not advapi32.OpenProcessToken(kernel32.GetCurrentProcess(), token_query,
                                     ctypes.byref(token)):
        raise ctypes.WinError(ctypes.get_last_error())
    try:
        size = wintypes.DWORD()
        advapi32.GetTokenInformation(token, token_user, None, 0, ctypes.byref(size))
        buffer = ctypes.create_string_buffer(size.value)
        if not advapi32.GetTokenInformation(token, token_user, buffer, size, ctypes.byref(size)):
            raise ctypes.WinError(ctypes.get_last_error())
        # TOKEN_USER starts with SID_AND_ATTRIBUTES, whose first field is the SID pointer.
        sid = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_void_p))[0]
        return _sid_string(sid)
    finally:
        kernel32.CloseHandle(token)


def file_access(path: str) -> FileAccess:
    """Owner SID and every SID an allow entry of the DACL gives a write right
    (GetNamedSecurityInfoW); a missing DACL means everyone ("S-1-1-0") may write."""
    if sys.platform != "win32":
        raise OSError("Windows security descriptors exist only on Windows")
    import ctypes
    import stat
    from ctypes import wintypes

    st = os.lstat(path)
    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    get_info = advapi32.GetNamedSecurityInfoW
    get_info.argtypes = [wintypes.LPCWSTR, ctypes.c_int, wintypes.DWORD,
                         ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p),
                         ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p),
                         ctypes.POINTER(ctypes.c_void_p)]
    get_info.restype = wintypes.DWORD
    get_ace = advapi32.GetAce
    get_ace.argtypes = [ctypes.c_void_p, wintypes.DWORD, ctypes.POINTER(ctypes.c_void_p)]
    get_ace.restype = wintypes.BOOL
    se_file_object, owner_info, dacl_info = 1, 0x1, 0x4
    owner, dacl, descriptor = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    error = get_info(path, se_file_object, owner_info | dacl_info, ctypes.byref(owner), None,
                     ctypes.byref(dacl), None, ctypes.byref(descriptor))
    if error != 0:
        raise ctypes.WinError(error)
    try:
        writers: list[str] = []
        if not dacl.value:
            writers.append("S-1-1-0")
        else:
            # ACL: BYTE revision, BYTE pad, WORD size, WORD ace count, WORD pad.
            count = ctypes.cast(dacl, ctypes.POINTER(ctypes.c_uint16))[2]
            for index in range(count):
                ace = ctypes.c_void_p()
                if not get_ace(dacl, index, ctypes.byref(ace)) or not ace.value:
                    continue
                # ACE_HEADER (type, flags, size), then ACCESS_MASK, then the SID.
                ace_type, flags = ctypes.cast(ace, ctypes.POINTER(ctypes.c_ubyte))[0:2]
                mask = ctypes.cast(ace.value + 4, ctypes.POINTER(ctypes.c_uint32))[0]
                if ace_type != _ACCESS_ALLOWED_ACE_TYPE or flags & _INHERIT_ONLY_ACE:
                    continue
                if mask & _WRITE_RIGHTS:
                    writers.append(_sid_string(ctypes.c_void_p(ace.value + 8)))
        attributes = getattr(st, "st_file_attributes", 0)
        return FileAccess(_sid_string(owner), tuple(writers),
                          bool(attributes & _FILE_ATTRIBUTE_REPARSE_POINT),
                          stat.S_ISDIR(st.st_mode), stat.S_ISREG(st.st_mode))
    finally:
        ctypes.windll.kernel32.LocalFree(descriptor)


def replace_file(target: str, replacement: str) -> None:
    """ReplaceFileW: the new content takes the old file's place, and keeps its DACL,
    attributes, creation time and streams (what a rename would lose)."""
    if sys.platform != "win32":
        raise OSError("ReplaceFileW exists only on Windows")
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    replace = kernel32.ReplaceFileW
    replace.argtypes = [wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.DWORD,
                        ctypes.c_void_p, ctypes.c_void_p]
    replace.restype = wintypes.BOOL
    replacefile_write_through = 0x1
    if not replace(target, replacement, None, replacefile_write_through, None, None):
        raise ctypes.WinError(ctypes.get_last_error())


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
