"""Adapters and routes as the OS tools print them: `ipconfig /all` (Windows: Simplified or
Traditional Chinese, or English), netsh's interface tables, `ifconfig -a` and
`netstat -rn` (macOS), /proc/net/route and ipv6_route (Linux).

`ipconfig /all` and netsh are the Windows fallbacks when GetAdaptersAddresses cannot be
called; the others are the macOS and Linux sources. Captures of each are in
tests/fixtures/platform/ (sources in SOURCES.md).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from checks.platform._common import AdapterInfo

# ---- Windows: ipconfig /all ---------------------------------------------------------------

# "以太网适配器 以太网 3:", "未知适配器 Mihomo:", "Ethernet adapter Ethernet 2:", "PPP adapter X:",
# Traditional Chinese "乙太網路卡 乙太網路 2:", "通道介面卡 isatap.{…}:".
_IPCONFIG_HEADER = re.compile(
    r"^(?P<kind>\S.*?)\s*(?:adapter|适配器|介面卡|網路卡)\s+(?P<name>.+?)\s*:\s*$", re.IGNORECASE)
# "   描述. . . . . : X", "   IPv4 Address. . . : 10.0.0.2(Preferred)": a key, a dot leader.
_IPCONFIG_FIELD = re.compile(r"^\s+(?P<key>\S.*?)\s*(?:\.\s*)+:\s?(?P<value>.*)$")
# The header's adapter kind -> IfType (ipifcons.h). "Unknown adapter" is what Wintun shows.
_IPCONFIG_KINDS = {"以太网": 6, "ethernet": 6, "无线局域网": 71, "wireless lan": 71, "ppp": 23,
                   "隧道": 131, "tunnel": 131, "乙太": 6, "無線區域網路": 71, "通道": 131}
_DESCRIPTION_KEYS = ("描述", "description")
_MEDIA_KEYS = ("媒体状态", "媒體狀態", "media state")
# Windows 10 and 11 say 媒体已断开连接; older Simplified Chinese Windows 媒体已断开.
_DISCONNECTED = ("媒体已断开连接", "媒体已断开", "媒體已中斷連線", "media disconnected")
_ADDRESS_WORDS = ("地址", "位址", "address")
# Address notes ipconfig appends: (首选)/(Preferred), (受到抨击)/(Deprecated)...
_ADDRESS_NOTE = re.compile(r"\(.*\)\s*$")


@dataclass
class _Block:
    """An adapter being read, line by line."""

    name: str
    if_type: int | None = None
    description: str = ""
    down: bool = False
    flags: str = ""
    mtu: int | None = None
    addresses: list[str] = field(default_factory=list)

    def add_address(self, text: str) -> None:
        address = text.split("%")[0].strip()
        if is_routable(address) and address not in self.addresses:
            self.addresses.append(address)

    def info(self) -> AdapterInfo:
        return AdapterInfo(name=self.name, description=self.description, if_type=self.if_type,
                           oper_status="down" if self.down else "up", mtu=self.mtu,
                           addresses=tuple(self.addresses), flags=self.flags)


def parse_ipconfig_all(text: str) -> list[AdapterInfo]:
    """One record per adapter block: its connection name, description, kind and
    routable addresses; "media disconnected" is oper_status "down"."""
    blocks: list[_Block] = []
    for line in text.splitlines():
        header = _IPCONFIG_HEADER.match(line)
        if header and not line[:1].isspace():
            blocks.append(_Block(header["name"], _IPCONFIG_KINDS.get(header["kind"].lower())))
            continue
        found = _IPCONFIG_FIELD.match(line)
        if not blocks or not found:
            continue
        block, key, value = blocks[-1], found["key"].strip().lower(), found["value"].strip()
        if key in _DESCRIPTION_KEYS:
            block.description = value
        elif key in _MEDIA_KEYS:
            block.down = value.lower() in _DISCONNECTED
        elif ("ipv4" in key or "ipv6" in key) and any(w in key for w in _ADDRESS_WORDS):
            block.add_address(_ADDRESS_NOTE.sub("", value))
    return [b.info() for b in blocks]


def adapter_mtu(details: list[AdapterInfo], name: str) -> int | None:
    """The MTU Windows reports for the adapter called `name` (GetAdaptersAddresses'
    FriendlyName, the name psutil and netsh use); None when it is not listed or the
    source gives no MTU (`ipconfig /all` does not)."""
    for info in details:
        if info.name == name and info.mtu is not None:
            return info.mtu
    return None


# ---- Windows: netsh interface ipv4 show subinterfaces / show interfaces ------------------

def parse_netsh_mtus(text: str) -> dict[str, int]:
    """Interface name -> MTU from `netsh interface ipv4 show subinterfaces` (MTU first)
    or `show interfaces` (Idx, Met, MTU, State, Name), in any layout or language: the
    dashed line under the headings gives the number of columns, "MTU" (never
    translated) says which one holds it, and the name is the rest of the row."""
    found: dict[str, int] = {}
    lines = text.splitlines()
    for index, line in enumerate(lines[1:], start=1):
        spans = [m.span() for m in re.finditer(r"-+", line)]
        header = lines[index - 1]
        if not spans or line.strip(" -") or "MTU" not in header:
            continue
        at = header.index("MTU")
        column = next((i for i, (start, end) in enumerate(spans) if start <= at < end + 3), None)
        if column is None:
            continue
        for row in lines[index + 1:]:
            cells = row.split(None, len(spans) - 1)
            if len(cells) != len(spans) or not cells[column].isdigit():
                break  # the table ends at a blank line, a prompt or a message
            found[cells[-1].strip()] = int(cells[column])
    return found


# ---- macOS: ifconfig -a ---------------------------------------------------------------------

_IFCONFIG_HEADER = re.compile(
    r"^(?P<name>[^\s:]+): flags=[0-9a-fA-F]+<(?P<flags>[^>]*)>(?:\s+mtu\s+(?P<mtu>\d+))?")


def parse_ifconfig(text: str) -> list[AdapterInfo]:
    """Interfaces with flags, MTU and routable addresses (`inet A --> B` counts A)."""
    blocks: list[_Block] = []
    for line in text.splitlines():
        header = _IFCONFIG_HEADER.match(line)
        if header:
            flags = header["flags"].lower()
            words = flags.split(",")
            blocks.append(_Block(header["name"], flags=flags,
                                 down="up" not in words or "running" not in words,
                                 mtu=int(header["mtu"]) if header["mtu"] else None))
            continue
        words = line.split()
        if blocks and len(words) >= 2 and words[0] in ("inet", "inet6"):
            blocks[-1].add_address(words[1])
    return [b.info() for b in blocks]


# ---- routes -------------------------------------------------------------------------------


def is_routable(address: str) -> bool:
    """An address other hosts can reach: not link-local, loopback, multicast or unspecified."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (ip.is_link_local or ip.is_loopback or ip.is_multicast or ip.is_unspecified)


def _route_counts(destination: str, gateway: str) -> bool:
    """A route that carries traffic somewhere. Every Mac's idle system utuns hold an IPv6
    default route through a link-local gateway (`default fe80::%utun0`): that one is not."""
    if destination == "default":
        return not gateway.lower().startswith("fe80:")
    base = destination.split("/")[0].split("%")[0]
    if base.count(".") < 3 and ":" not in base:  # netstat shortens 10.8.0.0/24 to 10.8/24
        base = ".".join((base.split(".") + ["0", "0", "0"])[:4])
    try:
        ip = ipaddress.ip_address(base)
    except ValueError:
        return False
    return not (ip.is_link_local or ip.is_multicast or ip.is_loopback
                or (ip.version == 4 and str(ip) == "255.255.255.255"))


def parse_netstat_routes(text: str) -> dict[str, list[str]]:
    """`netstat -rn` (both tables, or one with -f) -> interface -> destinations it carries."""
    routes: dict[str, list[str]] = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) < 4 or words[0] in ("Destination", "Routing", "Internet:", "Internet6:"):
            continue
        destination, gateway, interface = words[0], words[1], words[3]
        if _route_counts(destination, gateway):
            listed = routes.setdefault(interface, [])
            if destination not in listed:
                listed.append(destination)
    return routes


_RTF_UP, _RTF_REJECT = 0x0001, 0x0200  # linux/route.h; reject = "unreachable" routes


def hex_v4(value: str) -> str:
    """An IPv4 address as /proc/net/route writes it; ValueError when it is not hex."""
    raw = int(value, 16)  # little-endian, as the kernel stores it
    return ".".join(str((raw >> shift) & 0xFF) for shift in (0, 8, 16, 24))


def parse_proc_routes(route_v4: str, route_v6: str) -> dict[str, list[str]]:
    """/proc/net/route and /proc/net/ipv6_route -> interface -> destinations it carries."""
    routes: dict[str, list[str]] = {}

    def add(interface: str, destination: str, gateway: str) -> None:
        if _route_counts(destination, gateway):
            listed = routes.setdefault(interface, [])
            if destination not in listed:
                listed.append(destination)

    for line in route_v4.splitlines()[1:]:
        cols = line.split()
        try:
            if len(cols) < 8 or int(cols[3], 16) & (_RTF_UP | _RTF_REJECT) != _RTF_UP:
                continue
            prefix = bin(int(cols[7], 16)).count("1")
            dest = "default" if prefix == 0 else f"{hex_v4(cols[1])}/{prefix}"
            gateway = hex_v4(cols[2])
        except ValueError:  # not the kernel's hex: skip the line
            continue
        add(cols[0], dest, gateway)
    for line in route_v6.splitlines():
        cols = line.split()
        try:
            if len(cols) < 10 or len(cols[0]) != 32 or int(cols[8], 16) & _RTF_REJECT:
                continue
            prefix = int(cols[1], 16)
            dest_ip = ipaddress.IPv6Address(bytes.fromhex(cols[0]))
            gateway = str(ipaddress.IPv6Address(bytes.fromhex(cols[4])))
        except ValueError:
            continue
        add(cols[9], "default" if prefix == 0 else f"{dest_ip}/{prefix}", gateway)
    return routes
