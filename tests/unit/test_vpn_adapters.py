"""Tunnel adapters as Windows and macOS really show them: the parsers and the vpn check's
classification on captured output (tests/fixtures/platform/, sources in SOURCES.md)."""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import pytest

from checks.catalog.vpn import assess_vpn, classify_adapter, find_tunnels
from checks.engine.results import Status
from checks.platform import Adapter, AdapterInfo
from checks.platform import _windows_adapters as _windows
from checks.platform.commands import decode_console
from checks.platform.parsers.adapters import (
    parse_ifconfig,
    parse_ipconfig_all,
    parse_netstat_routes,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "platform"


def capture(name: str) -> str:
    os_dir = "macos" if name.startswith(("ifconfig", "netstat")) else "windows"
    return (FIXTURES / os_dir / name).read_text(encoding="utf-8")


def labels(adapters: list[AdapterInfo]) -> dict[str, str | None]:
    return {a.name: classify_adapter(a.name, a.description, a.if_type, a.flags) for a in adapters}


# ---- Windows: ipconfig /all ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("ipconfig-all-zh-cn-tap-netease-uu.txt", {
        "以太网": None, "本地连接* 8": None, "本地连接* 10": None, "以太网 3": "TAP-Windows",
        "以太网 4": "TAP-Windows", "WLAN": None}),
    ("ipconfig-all-zh-cn-mihomo-meta-tunnel.txt", {"Mihomo": "Clash/Mihomo TUN", "以太网": None}),
    ("ipconfig-all-zh-cn-openvpn-tap-connected.txt", {"以太网": "TAP-Windows"}),
    ("ipconfig-all-en-anyconnect-connected.txt", {"Ethernet": "Cisco AnyConnect"}),
    ("ipconfig-all-en-wintun-tap-unknown-adapter.txt", {
        "Ethernet 2": None, "OpenVPN Wintun": "Wintun", "dns-tun": "TAP-Windows"}),
    ("ipconfig-all-en-tailscale-wintun-disconnected.txt", {
        "Ethernet 2": None, "Tailscale": "Tailscale", "Local Area Connection": "Wintun"}),
    ("ipconfig-all-en-win7-tap-local-area-connection-2.txt", {
        "Local Area Connection 2": "TAP-Windows", "Local Area Connection": None}),
    ("ipconfig-all-en-mihomo-meta-tunnel.txt", {"Mihomo": "Clash/Mihomo TUN"}),
    ("ipconfig-all-en-wireguard-tunnel.txt", {"ProxyAdapter": "WireGuard"}),
])
def test_ipconfig_adapters_are_recognised_by_description(name: str,
                                                          expected: dict[str, str | None]) -> None:
    text = capture(name)
    adapters = parse_ipconfig_all(text)
    assert labels(adapters) == expected
    # The Chinese console writes GBK: the bytes decode to the same adapters.
    assert parse_ipconfig_all(decode_console(text.encode("gbk"), 936)) == adapters


def test_ipconfig_fields_state_and_addresses() -> None:
    adapters = {a.name: a for a in parse_ipconfig_all(capture("ipconfig-all-zh-cn-tap-netease-uu.txt"))}
    tap = adapters["以太网 3"]
    assert (tap.description, tap.if_type, tap.oper_status, tap.addresses) == (
        "TAP-Windows Adapter V9", 6, "down", ())  # 媒体已断开连接
    wlan = adapters["WLAN"]
    assert (wlan.if_type, wlan.oper_status, wlan.addresses) == (71, "up", ("192.168.110.2",))
    (meta, ethernet) = parse_ipconfig_all(capture("ipconfig-all-zh-cn-mihomo-meta-tunnel.txt"))
    assert meta.if_type is None  # 未知适配器: what Wintun-based adapters show as
    assert meta.addresses == ("2001:0db8:abcd::1", "198.18.0.1")
    assert "fe80::1a2b:3c4d:5e6f:7890" not in ethernet.addresses  # link-local left out
    anyconnect = parse_ipconfig_all(capture("ipconfig-all-en-anyconnect-connected.txt"))[0]
    assert anyconnect.addresses == ("10.250.44.10",)


# ---- Windows: systeminfo, Get-NetAdapter, Get-NetIPInterface ------------------------------
# These captures give (connection name, description) pairs as other tools print them; the
# pairs go through the same classification.


def systeminfo_nics(text: str) -> list[AdapterInfo]:
    nics: list[AdapterInfo] = []
    description = ""
    for line in text.splitlines():
        if m := re.match(r"^\s{10,}\[\d+\]: (.+)$", line):
            description = m[1].strip()
        elif m := re.match(r"^\s+连接名:\s+(.+)$", line):
            nics.append(AdapterInfo(m[1].strip(), description))
    return nics


def table_rows(text: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """A PowerShell table: columns start where their headings start."""
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith(columns[0]))
    starts = [lines[head].index(c) for c in columns] + [None]
    return [{c: line[starts[i]:starts[i + 1]].strip() for i, c in enumerate(columns)}
            for line in lines[head + 2:] if line.strip()]


def test_systeminfo_sangfor_vnic_named_like_ethernet() -> None:
    for name, vnic in (("systeminfo-zh-cn-sangfor-vnic-ethernet2.txt", "以太网 2"),
                       ("systeminfo-zh-cn-sangfor-vnic-ethernet3.txt", "以太网 3")):
        found = labels(systeminfo_nics(capture(name)))
        assert found.pop(vnic) == "EasyConnect (Sangfor)"
        assert found and set(found.values()) == {None}, found  # 以太网, WLAN, 蓝牙网络连接 3
        assert classify_adapter(vnic) is None  # the name alone says nothing


@pytest.mark.parametrize(("name", "expected"), [
    ("get-netadapter-en-openvpn-tap-wintun.txt", {
        "OpenVPN TAP-Windows6": "TAP-Windows", "OpenVPN Wintun": "Wintun",
        "VMware Network Adapte...8": None, "VMware Network Adapte...1": None,
        "VirtualBox Host-Only N...": None, "Ethernet": None}),
    ("get-netadapter-en-freedome-wintun.txt", {
        "FreedomeVPNConnection": "Wintun", "Ethernet": None, "Wi-Fi": None,
        "Bluetooth Network Conn...": None, "VirtualBox Host-Only ...2": None,
        "VMware Network Adapte...1": None, "VMware Network Adapte...8": None}),
    ("get-netadapter-ru-ru-openvpn-dco-tap-wintun.txt", {
        "OpenVPN Data Channel Offload": "OpenVPN", "Подключение по локальной сети": "TAP-Windows",
        "Сетевое подключение Bluetooth": None, "Беспроводная сеть": None, "Ethernet": None,
        "OpenVPN Wintun": "Wintun", "vEthernet (WSL (Hyper-V firewall))": None}),
])
def test_get_netadapter_descriptions(name: str, expected: dict[str, str | None]) -> None:
    rows = table_rows(capture(name), ("Name", "InterfaceDescription", "ifIndex"))
    assert labels([AdapterInfo(r["Name"], r["InterfaceDescription"]) for r in rows]) == expected


def test_get_netadapter_format_list_tap() -> None:
    fields = dict(re.findall(r"^(\w+)\s+: (.*)$", capture("get-netadapter-format-list-tap0901.txt"),
                             re.M))
    adapter = AdapterInfo(fields["InterfaceAlias"], fields["ifDesc"], if_type=53,
                          oper_status=fields["ifOperStatus"].lower())
    assert labels([adapter]) == {"Local Area Connection": "TAP-Windows"}


def netipinterface_mtus(text: str) -> dict[str, str]:
    """InterfaceAlias -> NlMtu (Chinese aliases are wide: rows are split at the family;
    the persistent-store rows have no MTU, their first number is the metric, further right)."""
    return dict(re.findall(r"^\d+\s+(.+?)\s+IPv[46] {1,24}(\d+) ", text, re.M))


def test_get_netipinterface_names_and_mtu() -> None:
    mtu = netipinterface_mtus(capture("get-netipinterface-zh-cn-clash-meta-tun.txt"))
    assert mtu["meta"] == "9000" and mtu["以太网"] == "1500"  # Clash.Meta's TUN
    found = labels([AdapterInfo(name, mtu=int(m)) for name, m in mtu.items()])
    assert found.pop("meta") == "Clash/Mihomo TUN"
    assert set(found.values()) == {None}, found
    # AnyConnect's "Ethernet 2" (MTU 1390): only a description can name it.
    assert netipinterface_mtus(capture("get-netipinterface-en-anyconnect-mtu1390.txt")) == {
        "Ethernet 2": "1390"}
    assert classify_adapter("Ethernet 2") is None
    assert classify_adapter("Ethernet 2", "Cisco AnyConnect Secure Mobility Client Virtual "
                            "Miniport Adapter for Windows x64") == "Cisco AnyConnect"


def test_if_type_alone() -> None:
    assert classify_adapter("以太网 5", if_type=53) == "virtual adapter"  # IF_TYPE_PROP_VIRTUAL
    assert classify_adapter("宽带连接", if_type=23) == "PPP"
    assert classify_adapter("Teredo Tunneling Pseudo-Interface", if_type=131) is None
    assert classify_adapter("WLAN", if_type=71) is None


# ---- Windows: the GetAdaptersAddresses record --------------------------------------------


def test_adapter_record_has_the_windows_x64_layout() -> None:
    """Offsets of IP_ADAPTER_ADDRESSES_LH on 64-bit Windows (ULONG = 4 bytes, pointers 8)."""
    expected = {"Length": 0, "IfIndex": 4, "Next": 8, "AdapterName": 16,
                "FirstUnicastAddress": 24, "FirstDnsServerAddress": 48, "DnsSuffix": 56,
                "Description": 64, "FriendlyName": 72, "PhysicalAddress": 80,
                "PhysicalAddressLength": 88, "Flags": 92, "Mtu": 96, "IfType": 100,
                "OperStatus": 104}
    record = _windows.IpAdapterAddresses
    assert {name: getattr(record, name).offset for name in expected} == expected


def test_adapter_chain_is_walked() -> None:
    """A linked list like the one GetAdaptersAddresses fills, built in memory."""
    sangfor, meta = _windows.IpAdapterAddresses(), _windows.IpAdapterAddresses()
    sangfor.FriendlyName, sangfor.Description = "以太网 2", "Sangfor SSL VPN CS Support System VNIC"
    sangfor.IfType, sangfor.OperStatus, sangfor.Mtu = 6, 2, 1400
    meta.FriendlyName, meta.Description = "Mihomo", "Meta Tunnel"
    meta.IfType, meta.OperStatus, meta.Mtu = 53, 1, 0xFFFFFFFF
    sangfor.Next = ctypes.pointer(meta)
    found = _windows.adapters_from_chain(ctypes.pointer(sangfor))
    assert found == [
        AdapterInfo("以太网 2", "Sangfor SSL VPN CS Support System VNIC", 6, "down", 1400),
        AdapterInfo("Mihomo", "Meta Tunnel", 53, "up", None)]
    assert labels(found) == {"以太网 2": "EasyConnect (Sangfor)", "Mihomo": "Clash/Mihomo TUN"}
    assert _windows.adapters_from_chain(ctypes.POINTER(_windows.IpAdapterAddresses)()) == []


# ---- macOS: idle utuns ---------------------------------------------------------------------


def _psutil_view(adapters: list[AdapterInfo]) -> list[Adapter]:
    """What psutil reports for the same interfaces (routable addresses only)."""
    return [Adapter(a.name, a.oper_status == "up", a.mtu,
                    tuple(x for x in a.addresses if ":" not in x),
                    tuple(x for x in a.addresses if ":" in x), False, a.flags) for a in adapters]


def test_idle_system_utuns_are_not_tunnels() -> None:
    details = parse_ifconfig(capture("ifconfig-utun0-3-idle-link-local.txt"))
    routes = parse_netstat_routes(capture("netstat-rn-inet6-defaults-via-idle-utun.txt"))
    assert "utun0" not in routes  # `default fe80::%utun0` does not count
    tunnels, idle = find_tunnels(_psutil_view(details), details, routes)
    assert tunnels == [] and [i["name"] for i in idle] == ["utun0", "utun1", "utun2", "utun3"]
    verdict = assess_vpn({"tunnels": tunnels, "idle_tunnels": idle, "default_via_tunnel": [],
                          "processes": []})
    assert verdict.status is Status.OK


def test_openvpn_utun_with_split_routes_counts() -> None:
    details = parse_ifconfig(capture("ifconfig-utun-idle-plus-openvpn-ipv4.txt"))
    routes = parse_netstat_routes(capture("netstat-nr-grep-tun-openvpn-split-routes.txt"))
    tunnels, idle = find_tunnels(_psutil_view(details), details, routes)
    assert [i["name"] for i in idle] == ["utun0", "utun1", "utun2"]
    (utun3,) = tunnels
    assert utun3["addresses"] == ["10.8.0.24"] and utun3["routes"][:2] == ["10.1/16", "10.2/16"]
    verdict = assess_vpn({"tunnels": tunnels, "default_via_tunnel": [], "processes": []})
    assert verdict.status is Status.INFO and "utun3" in verdict.summary.render("en")


def test_vpn_utun_with_an_address_counts_without_routes() -> None:
    details = parse_ifconfig(capture("ifconfig-utun0-3-idle-utun4-vpn-ipv4.txt"))
    tunnels, idle = find_tunnels(_psutil_view(details), details, {})
    assert [t["name"] for t in tunnels] == ["utun4"] and len(idle) == 4


def test_wireguard_utun_owning_the_default_route_warns() -> None:
    routes = parse_netstat_routes(capture("netstat-nr-default-via-utun3-wireguard.txt"))
    assert routes["utun3"][0] == "default" and "default" in routes["en0"]
    utun3 = AdapterInfo("utun3", oper_status="up", mtu=1420, flags="up,pointopoint,running")
    tunnels, idle = find_tunnels(_psutil_view([utun3]), [utun3], routes)
    assert idle == [] and tunnels[0]["routes"][0] == "default"
    verdict = assess_vpn({"tunnels": tunnels, "default_via_tunnel": ["utun3"], "processes": []})
    assert verdict.status is Status.WARN and verdict.cause == "vpn_interference"


def test_routes_not_known_keep_every_tunnel() -> None:
    """Windows reads no routes: a tunnel without an address is not called idle there."""
    wintun = AdapterInfo("OpenVPN Wintun", "Wintun Userspace Tunnel", 53, "up")
    tunnels, idle = find_tunnels([], [wintun], None)
    assert [t["name"] for t in tunnels] == ["OpenVPN Wintun"] and idle == []
    assert tunnels[0]["up"] is True and tunnels[0]["routes"] is None


def test_netstat_no_vpn() -> None:
    routes = parse_netstat_routes(capture("netstat-rn-default-via-en0-no-vpn.txt"))
    assert set(routes) == {"en0", "lo0"} and routes["en0"][0] == "default"
