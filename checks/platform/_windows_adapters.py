"""Windows adapters through GetAdaptersAddresses (ctypes), `ipconfig /all` as the fallback.
Type-checked with `mypy --platform win32`; the record layout is tested on Linux."""

from __future__ import annotations

import ctypes
import sys

from checks.platform._common import OPER_STATUS, AdapterInfo
from checks.platform.commands import run_command
from checks.platform.system_tools import windows_tool

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
            mtu=int(entry.Mtu) if entry.Mtu not in (0, 0xFFFFFFFF) else None,
            guid=(entry.AdapterName or b"").decode("ascii", "replace")))
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

        result = run_command([windows_tool("ipconfig"), "/all"], timeout=5.0)
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
