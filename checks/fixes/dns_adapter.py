"""Which adapter carries the default route, and how its DNS servers are set now.

Windows: the adapter by its alias (GetAdaptersAddresses gives its GUID), the servers
from the registry. macOS: the network service of the route's device
(`networksetup -listnetworkserviceorder`), its servers from `-getdnsservers`, DHCP or
not from `-getinfo`. Linux: NetworkManager's active connection on that device when
NetworkManager writes the resolver's settings, else systemd-resolved's link when it
does, else /etc/resolv.conf when it is a plain file nobody manages; otherwise the fix
is not available and says why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks import platform
from checks.fixes import dns_windows, resolv_conf
from checks.fixes._commands import which
from checks.fixes._files import read_regular, sha256_bytes
from checks.fixes.env import FixEnv
from checks.platform import NAME as PLATFORM
from checks.platform.parsers import dns_settings as parse
from checks.platform.system_tools import macos_tool
from checks.shared.i18n import Text, t

NETWORKSETUP = macos_tool("networksetup")
RESOLV_CONF = "/etc/resolv.conf"
RESOLV_LIMIT = 64 * 1024
NMCLI = "nmcli"
RESOLVECTL = "resolvectl"

NETSH, NETWORKSETUP_METHOD, NM, RESOLVED, FILE = (
    "netsh", "networksetup", "nmcli", "resolvectl", "resolv_conf")


@dataclass(frozen=True)
class DnsSetting:
    """An adapter's DNS servers as they are set now, and how this fix would change them."""

    method: str  # NETSH, NETWORKSETUP_METHOD, NM, RESOLVED or FILE
    adapter: Text  # what the person recognises: "the adapter “以太网”", "Wi-Fi (en0)"
    target: str  # what the commands name: alias, service, connection UUID, device, path
    static: tuple[str, ...]  # the servers set by hand, in order; () = automatic
    automatic: tuple[str, ...] = ()  # the servers the network handed out, where known
    dhcp: bool = False  # the adapter can get DNS servers from the network
    device: str = ""  # the interface (nmcli reapply, resolvectl)
    data: dict[str, Any] = field(default_factory=dict)  # per method: GUID, register word …

    @property
    def current(self) -> tuple[str, ...]:
        return self.static or self.automatic

    @property
    def hand_set(self) -> bool:
        """The servers were set by hand (NetworkManager: or the network's are ignored)."""
        return bool(self.static) or self.data.get("ignore_auto_dns") == "yes"


class Unavailable(Exception):
    """This fix cannot change the DNS servers here; `text` says why."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.render("en"))
        self.text = text


def read(env: FixEnv, device: str | None) -> DnsSetting:
    """The DNS setting of the adapter `device` (the default route's); Unavailable if none."""
    if PLATFORM == "windows":
        return _windows(device)
    if not device:
        raise Unavailable(NO_ROUTE)
    if PLATFORM == "macos":
        return _macos(env, device)
    return _linux(env, device)


NO_ROUTE = t("This computer has no default route, so there is no adapter whose DNS servers "
             "to change.", "这台电脑没有默认路由，找不到要修改 DNS 服务器的网卡。")


# ---- Windows ---------------------------------------------------------------------------

def _windows(alias: str | None) -> DnsSetting:
    adapters = platform.adapter_details()
    found = next((a for a in adapters if alias and a.name == alias), None)
    if found is None or not dns_windows.is_guid(found.guid):
        raise Unavailable(t("Windows does not say which adapter “{name}” is, so its DNS servers "
                            "cannot be changed here; change them in the adapter's settings.",
                            "Windows 没有提供网卡“{name}”的信息，无法在这里修改它的 DNS 服务器；"
                            "请在网卡设置中修改。", name=alias or "-"))
    static, dhcp_servers, dhcp, register = dns_windows.setting(
        dns_windows.interface_values(found.guid))
    return DnsSetting(NETSH, t("the adapter “{name}”", "网卡“{name}”", name=found.name),
                      found.name, tuple(static), tuple(dhcp_servers), dhcp, found.name,
                      {"guid": found.guid, "register": register})


# ---- macOS -----------------------------------------------------------------------------

def _macos(env: FixEnv, device: str) -> DnsSetting:
    order = env.run([NETWORKSETUP, "-listnetworkserviceorder"], timeout=15)
    service = parse.parse_service_order(order.stdout).get(device)
    if service is None:
        raise Unavailable(t("No network service uses {device}, so its DNS servers cannot be "
                            "changed here.", "没有网络服务在使用 {device}，无法在这里修改它的 DNS 服务器。",
                            device=device))
    got = env.run([NETWORKSETUP, "-getdnsservers", service], timeout=15)
    static = parse.parse_getdnsservers(got.stdout) if got.returncode == 0 else None
    if static is None:
        raise Unavailable(t("macOS did not say which DNS servers “{service}” uses.",
                            "macOS 没有给出“{service}”所用的 DNS 服务器。", service=service))
    info = env.run([NETWORKSETUP, "-getinfo", service], timeout=15)
    dhcp = parse.parse_getinfo_method(info.stdout) in ("dhcp", "bootp")
    return DnsSetting(NETWORKSETUP_METHOD, t("the network service “{service}” ({device})",
                                             "网络服务“{service}”（{device}）",
                                             service=service, device=device),
                      service, tuple(static), (), dhcp, device)


# ---- Linux -----------------------------------------------------------------------------

def _linux(env: FixEnv, device: str) -> DnsSetting:
    raw, link = _resolv_conf()
    writer = resolv_conf.manager(raw, link) if raw is not None else None
    if writer in ("NetworkManager", "systemd-resolved"):
        nm = _networkmanager(env, device)
        if nm is not None:
            return nm
    if writer == "systemd-resolved":
        return _resolved(env, device)
    if raw is None:
        raise Unavailable(t("{path} cannot be read, so the DNS servers cannot be changed here.",
                            "无法读取 {path}，无法在这里修改 DNS 服务器。", path=RESOLV_CONF))
    if writer is not None:
        raise Unavailable(t("{path} is written by {writer}: change the DNS servers in its "
                            "settings, or they would be overwritten.",
                            "{path} 由 {writer} 生成：请在它的设置中修改 DNS 服务器，否则会被覆盖。",
                            path=RESOLV_CONF, writer=writer))
    if resolv_conf.has_marks(raw):
        raise Unavailable(t("wxdoctor already changed the DNS servers in {path}: undo that first "
                            "(wxdoctor undo).", "本程序之前已修改过 {path} 中的 DNS 服务器："
                            "请先撤销那次修改（wxdoctor undo）。", path=RESOLV_CONF))
    servers = parse.addresses(resolv_conf.nameservers(raw)) or []
    return DnsSetting(FILE, t("this computer ({path})", "这台电脑（{path}）", path=RESOLV_CONF),
                      RESOLV_CONF, tuple(servers), (), False, device,
                      {"sha256": sha256_bytes(raw)})


def _resolv_conf() -> tuple[bytes | None, str | None]:
    """The file's bytes (None if unreadable) and where it links to (None: no link)."""
    link = os.readlink(RESOLV_CONF) if os.path.islink(RESOLV_CONF) else None
    try:
        return read_regular(Path(RESOLV_CONF), RESOLV_LIMIT), link
    except OSError:
        return None, link


def _networkmanager(env: FixEnv, device: str) -> DnsSetting | None:
    if env.runner is None and which(NMCLI) is None:
        return None
    active = env.run([NMCLI, "-t", "-f", "NAME,UUID,DEVICE", "connection", "show", "--active"],
                     timeout=15)
    if active.returncode != 0:
        return None  # NetworkManager is not running
    found = next(((name, uuid) for name, uuid, dev in parse.parse_active_connections(active.stdout)
                  if dev == device), None)
    if found is None:
        return None
    name, uuid = found
    shown = env.run([NMCLI, "-t", "-f", "ipv4.method,ipv4.dns,ipv4.ignore-auto-dns",
                     "connection", "show", uuid], timeout=15)
    values = parse.parse_terse_settings(shown.stdout) if shown.returncode == 0 else {}
    static = parse.nm_dns_list(values.get("ipv4.dns", "--"))
    ignore = values.get("ipv4.ignore-auto-dns")
    if static is None or ignore not in ("yes", "no"):
        raise Unavailable(t("NetworkManager did not say how the DNS servers of “{name}” are "
                            "set.", "NetworkManager 没有给出“{name}”的 DNS 服务器设置。", name=name))
    live = env.run([NMCLI, "-t", "-f", "IP4.DNS", "device", "show", device], timeout=15)
    automatic = [v for k, v in parse.parse_terse_settings(live.stdout).items()
                 if k.startswith("IP4.DNS")] if live.returncode == 0 else []
    return DnsSetting(NM, t("the connection “{name}” ({device})", "连接“{name}”（{device}）",
                            name=name, device=device),
                      uuid, tuple(static), tuple(parse.addresses(automatic) or ()),
                      values.get("ipv4.method") == "auto", device,
                      {"ignore_auto_dns": ignore, "connection": name})


def _resolved(env: FixEnv, device: str) -> DnsSetting:
    if env.runner is None and which(RESOLVECTL) is None:
        raise Unavailable(t("systemd-resolved manages DNS here, but resolvectl is missing.",
                            "这里由 systemd-resolved 管理 DNS，但缺少 resolvectl。"))
    got = env.run([RESOLVECTL, "dns", device], timeout=15)
    servers = parse.parse_resolvectl_dns(got.stdout, device) if got.returncode == 0 else None
    if servers is None:
        raise Unavailable(t("systemd-resolved did not say which DNS servers {device} uses.",
                            "systemd-resolved 没有给出 {device} 所用的 DNS 服务器。", device=device))
    return DnsSetting(RESOLVED, t("the adapter {device}", "网卡 {device}", device=device),
                      device, tuple(servers), (), False, device)
