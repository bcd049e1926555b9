"""Tunnel adapters on a real kernel: device types from sysfs, routes from /proc/net.

A TUN that is up with nothing but a link-local address and no routes is what every Mac
shows as utun0..N: idle, not a VPN. Once it carries a route, or holds a routable
address, it counts."""

from __future__ import annotations

from typing import Any

from tests.lab import Lab
from tests.lab.services import add_tun, result_of


def _vpn(lab: Lab) -> dict[str, Any]:
    report, _rc, _err = lab.check_json({"endpoints": []}, "--only", "vpn")
    return result_of(report, "vpn")


def test_link_local_only_tun_is_idle(lab: Lab) -> None:
    add_tun(lab, name="tun1", addr="fe80::5/64", default=False)
    result = _vpn(lab)
    assert result["status"] == "ok", result
    assert result["evidence"]["tunnels"] == []
    assert result["evidence"]["idle_tunnels"] == [{"name": "tun1", "label": "TUN", "mtu": 1500}]


def test_tun_carrying_a_route_counts(lab: Lab) -> None:
    add_tun(lab, name="tun1", addr="fe80::5/64", default=False)
    lab.client.ip("route", "add", "10.77.0.0/16", "dev", "tun1")
    result = _vpn(lab)
    assert result["status"] == "info", result
    (tunnel,) = result["evidence"]["tunnels"]
    assert tunnel["name"] == "tun1" and tunnel["addresses"] == []
    assert tunnel["routes"] == ["10.77.0.0/16"]  # fe80::/64 and ff00::/8 are left out
    assert tunnel["description"] == "tun"  # sysfs: tun_flags says IFF_TUN


def test_tap_named_like_ethernet_is_known_by_its_device_type(lab: Lab) -> None:
    """Like "以太网 3" on Windows: the name says nothing, the device type does."""
    lab.client.ip("tuntap", "add", "dev", "lan2", "mode", "tap")
    lab.client.ip("addr", "add", "10.88.0.2/24", "dev", "lan2")
    lab.client.ip("link", "set", "lan2", "up")
    result = _vpn(lab)
    (tunnel,) = result["evidence"]["tunnels"]
    assert (tunnel["name"], tunnel["label"], tunnel["description"]) == ("lan2", "TAP", "tap")
    assert tunnel["if_type"] == 6  # ARPHRD_ETHER
    # No process holds it open: no carrier, down, so it is listed but not reported.
    assert tunnel["up"] is False and result["status"] == "ok", result
