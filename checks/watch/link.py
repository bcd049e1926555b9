"""The state of this computer's way out, read cheaply once per sample.

The egress adapter is the one the kernel picks for the IPv4 default route (IPv6
when there is no IPv4 route), as the `network` check finds it; Wi-Fi or wired
comes from Linux's sysfs where it exists and from the adapter's name elsewhere
(Windows names them "Wi-Fi"/"WLAN"/"无线网络连接", macOS has no reliable hint).
"""

from __future__ import annotations

import os
import re

from checks import platform
from checks.catalog.vpn import WEAK_LABELS, classify_interface
from checks.watch.sample import NO_LINK, LinkState

_WIFI_NAME = re.compile(r"wi-?fi|wlan|wireless|airport|无线|^wl", re.IGNORECASE)
# A device route ("default dev tun0") has no gateway: /proc/net/route says 0.0.0.0.
_NO_GATEWAY = {"0.0.0.0", ""}


def link_kind(name: str, flags: str = "") -> str:
    label = classify_interface(name, flags)
    if label and label not in WEAK_LABELS:
        return "tunnel"
    if os.path.isdir(f"/sys/class/net/{name}/wireless") or _WIFI_NAME.search(name):
        return "wifi"
    if os.path.isdir(f"/sys/class/net/{name}/device") or label is None:
        return "wired"
    return "unknown"


def link_state() -> LinkState:
    """Never raises: a platform call that fails means "no link" for this sample."""
    try:
        routes = platform.default_routes()
        adapters = {a.name: a for a in platform.interfaces()}
        gateways = platform.default_gateways()
    except OSError:
        return NO_LINK
    route = next((r for r in routes if r.source_address), None)
    if route is None:
        up = [a for a in adapters.values() if a.up and not a.loopback and (a.ipv4 or a.ipv6)]
        if not up:
            return NO_LINK
        first = up[0]
        return LinkState(first.name, True, (*first.ipv4, *first.ipv6), False, None,
                         link_kind(first.name, first.flags))
    name = route.interface
    adapter = adapters.get(name or "")
    addresses = (*adapter.ipv4, *adapter.ipv6) if adapter else (route.source_address or "",)
    gateway = gateways.get(name or "")
    kind = link_kind(name, adapter.flags if adapter else "") if name else "unknown"
    vpn = None
    if kind == "tunnel" and name:
        vpn = classify_interface(name, adapter.flags if adapter else "")
    return LinkState(
        interface=name, up=adapter.up if adapter else True, addresses=tuple(a for a in addresses if a),
        default_route=True, gateway=None if gateway in _NO_GATEWAY else gateway, kind=kind,
        vpn=vpn,
    )
