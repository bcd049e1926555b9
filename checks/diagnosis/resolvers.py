"""Whose DNS server an address is, so advice can name it: the router's, the internet
provider's, a public service's (by name), a VPN's, the company network's, or a program
on this computer. What to do differs for each: restart the router, ask the provider or
switch servers, pick another public service, ask the VPN's or the network's
administrator, or quit the program.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from checks.diagnosis.facts import Facts
from checks.shared.i18n import Text, t

ROUTER, PROVIDER, PUBLIC, VPN, LOCAL_NETWORK, THIS_COMPUTER = (
    "router", "provider", "public", "vpn", "local_network", "this_computer")

# Public DNS services a Chinese user may have set (addresses as the services publish them).
_PUBLIC: dict[str, Text] = {}
for _name, _addresses in (
    (t("114DNS", "114DNS"), ("114.114.114.114", "114.114.115.115")),
    (t("Tencent DNSPod", "腾讯 DNSPod"), ("119.29.29.29", "182.254.116.116", "182.254.118.118",
                                       "2402:4e00::", "2402:4e00:1::")),
    (t("AliDNS", "阿里 DNS"), ("223.5.5.5", "223.6.6.6", "2400:3200::1", "2400:3200:baba::1")),
    (t("Baidu DNS", "百度 DNS"), ("180.76.76.76", "2400:da00::6666")),
    (t("CNNIC SDNS", "CNNIC SDNS"), ("1.2.4.8", "210.2.4.8")),
    (t("360 DNS", "360 DNS"), ("101.226.4.6", "218.30.118.6", "123.125.81.6", "140.207.198.6")),
    (t("Google Public DNS", "谷歌公共 DNS"), ("8.8.8.8", "8.8.4.4", "2001:4860:4860::8888",
                                         "2001:4860:4860::8844")),
    (t("Cloudflare DNS", "Cloudflare DNS"), ("1.1.1.1", "1.0.0.1", "2606:4700:4700::1111",
                                            "2606:4700:4700::1001")),
    (t("Quad9", "Quad9"), ("9.9.9.9", "149.112.112.112", "2620:fe::fe", "2620:fe::9")),
    (t("OpenDNS", "OpenDNS"), ("208.67.222.222", "208.67.220.220")),
):
    for _address in _addresses:
        _PUBLIC[str(ipaddress.ip_address(_address))] = _name

# Loopback DNS programs whose address says who they are.
_LOCAL_PROGRAMS = {"127.0.0.53": t("systemd-resolved", "systemd-resolved"),
                   "127.0.0.54": t("systemd-resolved", "systemd-resolved")}


@dataclass(frozen=True)
class Resolver:
    address: str
    kind: str  # one of ROUTER, PROVIDER, PUBLIC, VPN, LOCAL_NETWORK, THIS_COMPUTER
    name: Text  # "your router (192.168.1.1)", "AliDNS (223.5.5.5)" ...
    via: str | None = None  # the tunnel adapter, for a VPN's server


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return None


def public_name(address: str) -> Text | None:
    ip = _ip(address)
    return _PUBLIC.get(str(ip)) if ip is not None else None


def _in_tunnel(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, facts: Facts) -> str | None:
    """The tunnel adapter whose own network holds this address, if one does."""
    for tunnel in facts.tunnels():
        for address in tunnel.get("addresses") or []:
            own = _ip(str(address))
            if own is None or own.version != ip.version:
                continue
            prefix = 24 if own.version == 4 else 64  # a tunnel's own subnet, as VPNs hand out
            if ip in ipaddress.ip_network(f"{own}/{prefix}", strict=False):
                return str(tunnel.get("name"))
    return None


def classify(address: str, facts: Facts) -> Resolver:
    ip = _ip(address)
    if ip is None:
        return Resolver(address, PROVIDER, t("the DNS server {a}", "DNS 服务器 {a}", a=address))
    if ip.is_loopback:
        program = _LOCAL_PROGRAMS.get(str(ip))
        tools = facts.programs()
        if program is None and tools:
            program = t("{tools}", "{tools}", tools=tools[:2])
        if program is not None:
            return Resolver(address, THIS_COMPUTER, t(
                "a DNS program on this computer, {program} ({a})",
                "这台电脑上的 DNS 程序 {program}（{a}）", program=program, a=address))
        return Resolver(address, THIS_COMPUTER, t(
            "a DNS program on this computer ({a})", "这台电脑上的 DNS 程序（{a}）", a=address))
    if address in facts.gateways() or str(ip) in facts.gateways():
        return Resolver(address, ROUTER, t("your router ({a})", "你的路由器（{a}）", a=address))
    tunnel = _in_tunnel(ip, facts)
    if tunnel is None and facts.tunnel_holding_default() is not None and ip.is_private:
        tunnel = str(facts.tunnel_holding_default().get("name"))  # type: ignore[union-attr]
    if tunnel is not None:
        return Resolver(address, VPN, t("the VPN's DNS server ({a}, through {tunnel})",
                                        "VPN 的 DNS 服务器（{a}，经由 {tunnel}）",
                                        a=address, tunnel=tunnel), via=tunnel)
    name = public_name(address)
    if name is not None:
        return Resolver(address, PUBLIC, t("the public DNS service {name} ({a})",
                                           "公共 DNS 服务“{name}”（{a}）", name=name, a=address))
    if ip.is_private or ip.is_link_local:
        return Resolver(address, LOCAL_NETWORK, t(
            "the DNS server of your local network ({a})", "本地网络的 DNS 服务器（{a}）",
            a=address))
    return Resolver(address, PROVIDER, t(
        "the DNS server {a} (most likely your internet provider's)",
        "DNS 服务器 {a}（很可能是网络运营商的）", a=address))
