"""Faults on the router for the HTTP-path and latency tests (no netem needed).

- :func:`intercept_port`: a transparent proxy / captive portal: every client
  connection to port 80 anywhere is DNAT-ed to one lab address.
- :func:`drop_every_nth_syn`: deterministic SYN loss to one address and port
  with the iptables statistic match; each lost SYN costs the client a ~1 s
  retransmission, which is how real packet loss shows in TCP connect times.
"""

from __future__ import annotations

from typing import Any

from .topology import ROUTER_CLIENT_DEV


def intercept_port(lab: Any, to_addr: str, port: int = 80) -> None:
    """Router sends every client TCP connection to `port` to `to_addr:port`."""
    lab.router.iptables("-t", "nat", "-A", "PREROUTING", "-i", ROUTER_CLIENT_DEV, "-p", "tcp",
                        "--dport", str(port), "-j", "DNAT", "--to-destination",
                        f"{to_addr}:{port}")


def clear_intercepts(lab: Any) -> None:
    lab.router.iptables("-t", "nat", "-F", "PREROUTING")


def drop_every_nth_syn(lab: Any, addr: str, port: int, every: int = 2, packet: int = 0) -> None:
    """Drop one SYN in `every` to addr:port (counted per rule, so deterministic)."""
    lab.router.iptables("-I", "FORWARD", "-d", addr, "-p", "tcp", "--dport", str(port),
                        "--syn", "-m", "statistic", "--mode", "nth", "--every", str(every),
                        "--packet", str(packet), "-j", "DROP", v6=":" in addr)
