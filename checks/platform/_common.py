"""What works on every OS, and the types the platform interface hands out.

Depends on nothing else in wxdoctor but `checks.platform.commands`."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

import psutil

# Documentation addresses (RFC 5737 / RFC 3849): connecting a UDP socket to them
# only asks the kernel for a route and a source address, no packet is sent.
ROUTE_PROBE_V4 = "192.0.2.1"
ROUTE_PROBE_V6 = "2001:db8::1"


@dataclass(frozen=True)
class RouteInfo:
    family: str  # "ipv4" | "ipv6"
    source_address: str | None
    interface: str | None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "source_address": self.source_address,
            "interface": self.interface,
            "error": self.error,
        }


@dataclass(frozen=True)
class Adapter:
    """One network adapter as psutil sees it (name, state, MTU, routable addresses)."""

    name: str
    up: bool
    mtu: int | None
    ipv4: tuple[str, ...]
    ipv6: tuple[str, ...]  # link-local fe80:: addresses left out
    loopback: bool
    flags: str = ""  # e.g. "up,broadcast,running,multicast" (psutil >= 5.9.3, POSIX)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "up": self.up, "mtu": self.mtu, "ipv4": list(self.ipv4),
                "ipv6": list(self.ipv6), "loopback": self.loopback}


# Windows' IF_OPER_STATUS (ifdef.h), the names RFC 2863 gives ifOperStatus.
OPER_STATUS = {1: "up", 2: "down", 3: "testing", 4: "unknown", 5: "dormant", 6: "not_present",
               7: "lower_layer_down"}


@dataclass(frozen=True)
class AdapterInfo:
    """What the OS tells about an adapter beyond psutil: what kind it is and who made it.

    On Chinese Windows a VPN adapter is named like any other ("以太网 3"); only its
    description ("Sangfor SSL VPN CS Support System VNIC") names the product.
    """

    name: str  # as psutil and the routes call it (Windows: the FriendlyName)
    description: str = ""  # Windows: the driver's description; Linux: tun, tap, wireguard...
    # IANA ifType, as Windows' IfType: 6 Ethernet, 23 PPP, 53 virtual, 71 Wi-Fi, 131 tunnel.
    if_type: int | None = None
    oper_status: str = ""  # a value of OPER_STATUS; "" where the source does not say
    mtu: int | None = None
    addresses: tuple[str, ...] = ()  # routable (not link-local), where the source lists them
    flags: str = ""  # e.g. "up,pointopoint,running" (ifconfig, sysfs)
    # Windows: the interface GUID ("{…}", AdapterName), the key of its TCP/IP settings.
    guid: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "if_type": self.if_type,
                "oper_status": self.oper_status, "mtu": self.mtu,
                "addresses": list(self.addresses), "flags": self.flags}


@dataclass(frozen=True)
class RunasResult:
    """What came of one UAC prompt (ShellExecuteExW "runas") and the program it started."""

    started: bool  # the person accepted and the program began
    error: int | None = None  # why it did not start: 1223 = declined, else Windows' error
    message: str = ""  # Windows' own words for `error`
    exit_code: int | None = None  # None while it runs: it had not ended when the wait did
    pid: int | None = None

    @property
    def declined(self) -> bool:
        return self.error == ERROR_CANCELLED

    @property
    def still_running(self) -> bool:
        return self.started and self.exit_code is None


@dataclass(frozen=True)
class ConnectionProxy:
    """One connection's WinINet proxy options (INTERNET_PER_CONN_*): the LAN ("") or a
    dial-up/VPN connection by its name."""

    flags: int  # PROXY_TYPE_DIRECT 1, _PROXY 2, _AUTO_PROXY_URL 4, _AUTO_DETECT 8
    proxy: str = ""
    bypass: str = ""
    pac_url: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"flags": self.flags, "proxy": self.proxy, "bypass": self.bypass,
                "pac_url": self.pac_url}

    @classmethod
    def from_json(cls, data: Any) -> ConnectionProxy:
        """From a journal: only the four fields, each of its own type."""
        if not isinstance(data, dict) or type(data.get("flags")) is not int or not all(
                isinstance(data.get(k, ""), str) for k in ("proxy", "bypass", "pac_url")):
            raise ValueError("not a connection's proxy options")
        return cls(data["flags"] & 0xF, data.get("proxy", ""), data.get("bypass", ""),
                   data.get("pac_url", ""))


ERROR_CANCELLED = 1223  # "The operation was canceled by the user."


def interfaces() -> list[Adapter]:
    """Every adapter with its state, MTU and non-link-local addresses."""
    stats = psutil.net_if_stats()
    result = []
    for name, addrs in psutil.net_if_addrs().items():
        st = stats.get(name)
        v4 = tuple(a.address for a in addrs if a.family == socket.AF_INET)
        v6 = tuple(
            a.address.split("%")[0]
            for a in addrs
            if a.family == socket.AF_INET6 and not a.address.lower().startswith("fe80")
        )
        result.append(Adapter(
            name=name, up=bool(st and st.isup), mtu=st.mtu if st else None, ipv4=v4, ipv6=v6,
            loopback=_is_loopback(name, v4, v6), flags=str(getattr(st, "flags", "") or ""),
        ))
    return sorted(result, key=lambda i: i.name)


def _is_loopback(name: str, v4: tuple[str, ...], v6: tuple[str, ...]) -> bool:
    addrs = v4 + v6
    if addrs:
        return all(a.startswith("127.") or a == "::1" for a in addrs)
    return name.lower().startswith(("lo", "loopback"))


def route_for(family: int, probe: str) -> RouteInfo:
    label = "ipv4" if family == socket.AF_INET else "ipv6"
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect((probe, 9))
            source = sock.getsockname()[0]
    except OSError as exc:
        return RouteInfo(label, None, None, error=_route_error(exc))
    return RouteInfo(label, source, interface_of(source))


def _route_error(exc: OSError) -> str:
    import errno

    if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "no_route"
    if exc.errno in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL):
        return "family_unavailable"
    return f"os_error_{exc.errno}"


def interface_of(address: str) -> str | None:
    for name, addrs in psutil.net_if_addrs().items():
        for a in addrs:
            if a.address.split("%")[0] == address:
                return name
    return None


def default_routes() -> list[RouteInfo]:
    return [route_for(socket.AF_INET, ROUTE_PROBE_V4), route_for(socket.AF_INET6, ROUTE_PROBE_V6)]


def interface_mtu(name: str | None) -> int | None:
    if not name:
        return None
    st = psutil.net_if_stats().get(name)
    return st.mtu if st and st.mtu else None


def ping_df(os_name: str, address: str, size: int, timeout: float) -> dict[str, Any]:
    """One "don't fragment" echo through the system's ping command (exit codes only)."""
    from checks.platform.commands import run_command
    from checks.platform.parsers.ping import ping_argv, ping_result

    result = run_command(ping_argv(os_name, address, size, timeout), timeout + 2.0)
    if not result.ran:
        return {"result": "error", "error": f"ping_{result.error}"}
    return ping_result(os_name, result.returncode, result.raw_stdout)
