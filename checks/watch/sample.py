"""What one watch sample measured: connects, one DNS answer, the gateway, the link.

Plain frozen records, so the sampler (threads), the analysis (pure) and the window
(another thread) can pass them around without copying or locking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SERVER = "server"  # a WeChat/WeCom endpoint
CONTROL = "control"  # another site, to tell "only Tencent's servers" from "everything"


@dataclass(frozen=True)
class Target:
    """One host:port watched; `label` names it in the report and the chart."""

    host: str
    port: int
    kind: str = SERVER
    product: str | None = None

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Probe:
    """One measurement: it answered (`ok`) in `ms`, or failed with a stable code."""

    target: str
    ok: bool
    ms: float | None
    failure: str | None = None
    address: str | None = None
    how: str | None = None  # gateway: "icmp", "tcp:53" ... resolver: "dns"

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "ok": self.ok, "ms": self.ms, "failure": self.failure,
                "address": self.address, "how": self.how}


@dataclass(frozen=True)
class LinkState:
    """The way out of this computer: egress adapter, its addresses, the default route."""

    interface: str | None
    up: bool
    addresses: tuple[str, ...]
    default_route: bool
    gateway: str | None
    kind: str  # "wifi" | "wired" | "tunnel" | "unknown"
    vpn: str | None = None  # the tunnel's label when the default route goes through one

    @property
    def usable(self) -> bool:
        return self.up and self.default_route and bool(self.addresses)

    def to_json(self) -> dict[str, Any]:
        return {"interface": self.interface, "up": self.up, "addresses": list(self.addresses),
                "default_route": self.default_route, "gateway": self.gateway, "kind": self.kind,
                "vpn": self.vpn}


NO_LINK = LinkState(None, False, (), False, None, "unknown")


@dataclass(frozen=True)
class Sample:
    """Everything measured at one tick. `mono` and `wall` are read at its start."""

    index: int
    mono: float
    wall: float
    servers: tuple[Probe, ...]
    control: tuple[Probe, ...] = ()
    dns: Probe | None = None
    gateway: Probe | None = None
    link: LinkState = NO_LINK

    @property
    def servers_ok(self) -> int:
        return sum(1 for p in self.servers if p.ok)
