"""TUN-based lab faults: a VPN taking the default route, a delay line in the router.

Both use tun_relay.py, a process attached to a real TUN device (see its docstring).

- :func:`add_vpn`: a VPN adapter in the client ns that owns the IPv4 and IPv6
  default routes. ``forward=False``: the tunnel swallows every packet (the far
  end is gone) while eth0 stays up. ``forward=True``: a working tunnel to a VPN
  server in the server ns, which delivers the packets there, bypassing the router.
- :func:`delay_line`: every packet the router forwards makes a detour through a
  TUN device whose process writes it back ``one_way_ms`` later: real added
  latency in both directions (this kernel has no netem).
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .netns import LabError, Namespace
from .topology import (
    CLIENT_DEV,
    ROUTER_CLIENT_DEV,
    ROUTER_CLIENT_IP,
    ROUTER_SERVER_DEV,
    Lab,
)

SCRIPT = Path(__file__).with_name("tun_relay.py")
VPN_NET, VPN_NET6 = "10.201.99", "fd00:201:99:"
VPN_PORT = 51820
DELAY_TABLE = "201"


@dataclass
class Vpn:
    device: str
    addr: str  # the client's tunnel address
    addr6: str
    server: str | None  # the VPN server's address (forward=True only)
    procs: list[subprocess.Popen[bytes]]


def _tun(ns: Namespace, name: str, *args: str, mtu: int = 1500) -> subprocess.Popen[bytes]:
    """Create TUN ``name`` in ``ns``, attach tun_relay.py to it, wait for the carrier."""
    ns.ip("tuntap", "add", "dev", name, "mode", "tun")
    ns.ip("link", "set", name, "mtu", str(mtu), "up")
    log = ns.tmp / f"tun_relay-{name}.log"
    with open(log, "wb") as fh:
        proc = ns.popen([sys.executable, "-u", SCRIPT, "--tun", name, *args],
                        stdout=fh, stderr=subprocess.STDOUT)
    proc.log_path = log  # type: ignore[attr-defined]
    carrier = Path(f"/sys/class/net/{name}/carrier")
    deadline = time.monotonic() + 5
    while True:
        # /sys shows the namespace of the reader: ask from inside.
        state = ns.run(["cat", str(carrier)], check=False).stdout.strip()
        if state == "1":
            return proc
        if proc.poll() is not None or time.monotonic() > deadline:
            raise LabError(f"tun_relay on {name} did not attach (rc={proc.poll()}):\n"
                           f"{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.02)


def add_vpn(lab: Lab, forward: bool = False, name: str = "tun0", mtu: int = 1400) -> Vpn:
    """A VPN adapter in the client ns holding the v4 and v6 default routes.

    ``forward=False``: its process reads and discards every packet, so every
    connection to the servers (and DNS) times out while eth0 is up and the
    router is fine. ``forward=True``: packets travel over UDP to a VPN server
    in the server ns which delivers them there (the route to the VPN server
    itself stays on eth0, as real VPN clients arrange it).
    """
    addr, addr6 = f"{VPN_NET}.2", f"{VPN_NET6}:2"
    procs: list[subprocess.Popen[bytes]] = []
    server: str | None = None
    if forward:
        server = lab.add_address()
        srv = _tun(lab.server, "vpn0", "--mode", "server", "--listen", server,
                   "--port", str(VPN_PORT), mtu=mtu)
        lab.server.wait_listening(srv, [("udp", VPN_PORT)], addr=server)
        lab.server.ip_batch([f"addr add {VPN_NET}.1/24 dev vpn0",
                             f"addr add {VPN_NET6}:1/64 dev vpn0 nodad"])
        procs.append(srv)
        # The tunnel's own packets must not enter the tunnel.
        lab.client.add_route(f"{server}/32", via=ROUTER_CLIENT_IP, dev=CLIENT_DEV)
        procs.append(_tun(lab.client, name, "--mode", "client", "--peer", server,
                          "--port", str(VPN_PORT), mtu=mtu))
    else:
        procs.append(_tun(lab.client, name, "--mode", "discard", mtu=mtu))
    lab.client.ip_batch([f"addr add {addr}/24 dev {name}",
                         f"addr add {addr6}/64 dev {name} nodad",
                         f"route replace default dev {name}",
                         f"route replace ::/0 dev {name}"])
    return Vpn(name, addr, addr6, server, procs)


def delay_line(lab: Lab, one_way_ms: float, name: str = "dly0") -> subprocess.Popen[bytes]:
    """Delay every forwarded packet by ``one_way_ms`` in each direction (RTT = 2x).

    Policy routing in the router sends what arrives on cli0/srv0 into a TUN
    device; its process writes each packet back after the delay and the kernel
    routes it on from there (arriving on the TUN, it no longer matches the
    rules). Local traffic of the router is untouched. Packets cross the FORWARD
    chain twice (in -> dly0, dly0 -> out): rules meant to act once should match
    ``-i cli0`` / ``-i srv0``, as :meth:`Lab.random_loss` does.
    """
    proc = _tun(lab.router, name, "--mode", "delay", "--delay-ms", str(one_way_ms))
    lab.router.sysctl(**{f"net__ipv4__conf__{name}__rp_filter": 0,
                         "net__ipv4__conf__all__rp_filter": 0})
    for fam in ("-4", "-6"):
        lab.router.ip(fam, "route", "replace", "default", "dev", name, "table", DELAY_TABLE)
        for dev in (ROUTER_CLIENT_DEV, ROUTER_SERVER_DEV):
            lab.router.ip(fam, "rule", "add", "iif", dev, "lookup", DELAY_TABLE, "pref", "100")
    return proc


def clear_delay_line(lab: Lab, name: str = "dly0") -> None:
    for fam in ("-4", "-6"):
        for dev in (ROUTER_CLIENT_DEV, ROUTER_SERVER_DEV):
            lab.router.run(["ip", fam, "rule", "del", "iif", dev, "lookup", DELAY_TABLE],
                           check=False)
    lab.router.run(["ip", "link", "del", name], check=False)
