"""What kind of address an answer holds: public, or one no public server can have
(unspecified, loopback, link-local, private, reserved), or a proxy tool's fake IP."""

from __future__ import annotations

import ipaddress

from checks.engine import codes

FAKE_IP = ipaddress.ip_network("198.18.0.0/15")
_RANGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("unspecified", ("0.0.0.0/8", "::/128")),
    ("loopback", ("127.0.0.0/8", "::1/128")),
    ("link_local", ("169.254.0.0/16", "fe80::/10")),
    ("private", ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")),
    ("reserved", ("224.0.0.0/3",)),  # multicast, class E, broadcast
)
BOGUS_RANGES = {
    kind: tuple(ipaddress.ip_network(n) for n in nets) for kind, nets in _RANGES
}
CODES = {
    "fake_ip": codes.DNS_FAKE_IP,
    "unspecified": codes.DNS_BOGUS_UNSPECIFIED,
    "loopback": codes.DNS_BOGUS_LOOPBACK,
    "link_local": codes.DNS_BOGUS_LINK_LOCAL,
    "private": codes.DNS_BOGUS_PRIVATE,
    "reserved": codes.DNS_BOGUS_RESERVED,
}
def bogus_kind(address: str) -> str | None:
    """Which non-public range an address falls in, or None for a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return "reserved"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in FAKE_IP:
        return "fake_ip"
    for kind, nets in BOGUS_RANGES.items():
        if any(ip.version == net.version and ip in net for net in nets):
            return kind
    return None
