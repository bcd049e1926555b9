"""Windows console output read in the console's own code page, on real captures: netsh's
interface tables (every layout and language captured), `ipconfig /all` in Traditional and
older Simplified Chinese, and the MTU the set_mtu fix takes from GetAdaptersAddresses."""

from __future__ import annotations

import ctypes

import pytest

from checks.platform._windows_adapters import IpAdapterAddresses, adapters_from_chain
from checks.platform.commands import decode_console, decode_utf8_or_gbk
from checks.platform.parsers.adapters import adapter_mtu, parse_ipconfig_all, parse_netsh_mtus
from tests.captures import console_bytes, windows

LOOPBACK = "Loopback Pseudo-Interface 1"

NETSH_TABLES = {
    "netsh-ipv4-show-subinterfaces-en-win10-wsl.txt": {
        "Wi-Fi": 1500, "Ethernet": 1500, "Local Area Connection* 1": 1500,
        "Local Area Connection* 2": 1500, "Ethernet 2": 1500, "vEthernet (WSL)": 1500},
    "netsh-ipv4-show-subinterfaces-en-win11-openvpn-wintun-dco.txt": {
        "OpenVPN Wintun": 65535, "Wi-Fi": 1500, "Bluetooth Network Connection": 1500,
        "OpenVPN TAP-Windows6": 1500, "Local Area Connection* 1": 1500,
        "OpenVPN Data Channel Offload": 1432, "Local Area Connection* 2": 1500,
        "vEthernet (WSL)": 1500},
    "netsh-ipv4-show-subinterfaces-zh-cn-local-connection.txt": {
        "本地连接 2": 1500, "本地连接 4": 1400},
    "netsh-ipv4-show-subinterfaces-zh-cn-netkeeper-ppp.txt": {
        "Netkeeper": 1480, "WLAN": 1500, "以太网": 1500, "本地连接* 1": 1500,
        "本地连接* 2": 1500, "vEthernet (WSL)": 1500},
    "netsh-ipv4-show-subinterfaces-zh-cn-win10.txt": {
        "蓝牙网络连接 2": 1500, "WLAN 2": 1500, "以太网 2": 1500, "本地连接* 7": 1500,
        "本地连接* 8": 1500, "以太网 3": 1500, "以太网 4": 1500},
    "netsh-ipv4-show-subinterfaces-zh-cn-win11-wide.txt": {"以太网": 1500},
    "netsh-ipv4-show-interfaces-zh-cn-local-connection.txt": {
        "本地连接": 1500, "Npcap Loopback Adapter": 1500},
    "netsh-ipv4-show-interfaces-zh-cn-tailscale-zerotier.txt": {
        "Tailscale": 1280, "WLAN": 1500, "以太网": 1500, "WLAN 3": 1500, "WLAN 4": 1500,
        "WLAN 5": 1500, "ZeroTier One [6ab565387a4a8d89]": 2800,
        "ZeroTier One [48d6023c46f3f5e2]": 2800, "VMware Network Adapter VMnet1": 1500,
        "VMware Network Adapter VMnet8": 1500},
    "netsh-ip-show-interfaces-en-anyconnect-mtu1390.txt": {
        "Wi-Fi": 1500, "Local Area Connection* 1": 1500, "Bluetooth Network Connection": 1500,
        "Local Area Connection* 2": 1500, "Ethernet 2": 1390,
        "vEthernet (Default Switch)": 1500, "vEthernet (WSL)": 1500},
}


@pytest.mark.parametrize("name", sorted(NETSH_TABLES))
def test_netsh_tables_give_every_interface_its_mtu(name: str) -> None:
    """Narrow and wide layouts, Chinese and English headings, `show interfaces` (MTU in
    the third column) and `show subinterfaces` (first), names with spaces and brackets;
    the console's GBK bytes decoded in code page 936."""
    raw = console_bytes(windows(name), 936)
    found = parse_netsh_mtus(decode_console(raw, 936))
    assert found == {LOOPBACK: 4294967295, **NETSH_TABLES[name]}


def test_netsh_table_ends_before_the_next_command_and_its_answer() -> None:
    text = decode_console(console_bytes(windows("netsh-ipv4-show-subinterfaces-zh-cn-win10.txt"),
                                        936), 936)
    assert "确定。" in text  # the `set subinterface` answer after the table, decoded
    assert "确定。" not in parse_netsh_mtus(text) and len(parse_netsh_mtus(text)) == 8


def test_traditional_chinese_ipconfig_needs_its_own_code_page() -> None:
    """Big5 bytes "decode" as GBK without an error, into garbage in which no adapter is
    found: the bug of guessing UTF-8-then-GBK. In the console's code page 950 they are
    the adapters the capture shows."""
    raw = console_bytes(windows("ipconfig-all-zh-tw-server-isatap-6to4.txt"), 950)
    assert parse_ipconfig_all(decode_utf8_or_gbk(raw)) == []
    adapters = {a.name: a for a in parse_ipconfig_all(decode_console(raw, 950))}
    assert list(adapters) == ["乙太網路 2", "乙太網路", "isatap.{9957270D-05C6-4511-994A-94B9C04F5C52}",
                              "6TO4 Adapter"]
    unplugged, lan = adapters["乙太網路 2"], adapters["乙太網路"]
    assert (unplugged.description, unplugged.if_type, unplugged.oper_status) == (
        "HP Ethernet 1Gb 2-port 330i Adapter #2", 6, "down")  # 媒體已中斷連線
    assert (lan.oper_status, lan.addresses) == ("up", ("73.2.137.31",))
    tunnel = adapters["6TO4 Adapter"]
    assert (tunnel.if_type, tunnel.addresses) == (131, ("2002:4902:891f::4902:891f",))


def test_older_simplified_chinese_says_media_disconnected_shorter() -> None:
    raw = console_bytes(windows("ipconfig-all-zh-cn-older-media-disconnected-isatap.txt"), 936)
    adapters = {a.name: a for a in parse_ipconfig_all(decode_console(raw, 936))}
    assert {name: a.oper_status for name, a in adapters.items()} == {
        "Bluetooth 网络连接": "down", "本地连接": "up",
        "isatap.{8B288427-3826-4FFD-BF89-490C950BBA8A}": "down", "isatap.localdomain": "down"}
    assert adapters["本地连接"].addresses == ("192.168.126.135",)


@pytest.mark.parametrize("codepage", [None, 65001, 99999])
def test_utf8_where_the_code_page_is_utf8_or_unknown(codepage: int | None) -> None:
    assert decode_console("以太网 2".encode(), codepage) == "以太网 2"


def test_set_mtu_reads_the_mtu_windows_reports_for_the_adapter() -> None:
    """GetAdaptersAddresses' records, built in memory with Windows' layout: the adapter
    is found by FriendlyName, an adapter without an MTU gives none."""
    ethernet, vpn = IpAdapterAddresses(), IpAdapterAddresses()
    ethernet.FriendlyName, ethernet.Mtu, ethernet.IfType = "以太网 2", 1500, 6
    vpn.FriendlyName, vpn.Mtu, vpn.IfType = "Netkeeper", 1480, 23
    ethernet.Next = ctypes.pointer(vpn)
    details = adapters_from_chain(ctypes.pointer(ethernet))
    assert adapter_mtu(details, "Netkeeper") == 1480
    assert adapter_mtu(details, "以太网 2") == 1500
    assert adapter_mtu(details, "WLAN") is None
    vpn.Mtu = 0xFFFFFFFF  # "not known"
    assert adapter_mtu(adapters_from_chain(ctypes.pointer(ethernet)), "Netkeeper") is None
