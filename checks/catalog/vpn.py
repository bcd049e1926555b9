"""VPN and proxy tools: tunnel adapters, a default route through one, and the
well-known clients (Clash, v2rayN, EasyConnect...) running.

A tunnel that carries the default route decides where WeChat/WeCom traffic goes,
and TUN-mode proxy tools often mishandle its long-lived connections.
"""

from __future__ import annotations

import re
from typing import Any

from checks import codes, platform
from checks.base import Check, register
from checks.concurrency import call_with_timeout
from checks.context import Context
from checks.i18n import t
from checks.model import Evidence, Problem, Status, Verdict
from checks.probes import processes

# Adapter names (case-insensitive, matched at the start unless noted) -> what they are.
INTERFACE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"utun\d*", "utun (macOS tunnel)"),
    (r"tun\d*", "TUN"),
    (r"tap\d*", "TAP"),
    (r"wg\d*|.*wireguard.*", "WireGuard"),
    (r"ipsec\d*|.*ipsec.*", "IPsec"),
    (r"gpd\d*", "GlobalProtect"),
    (r"tailscale.*", "Tailscale"),
    (r"zt[0-9a-z]+|.*zerotier.*", "ZeroTier"),
    (r"nordlynx", "NordVPN"),
    (r"meta|mihomo.*|.*clash.*", "Clash/Mihomo TUN"),
    (r"sing-?box.*|singbox.*", "sing-box TUN"),
    (r".*wintun.*", "Wintun"),
    (r".*tap-windows.*|.*tap-win32.*", "TAP-Windows"),
    (r".*openvpn.*", "OpenVPN"),
    (r".*(easyconnect|sangfor).*", "EasyConnect (Sangfor)"),
    (r".*(anyconnect|cisco).*", "Cisco AnyConnect"),
    (r".*forti.*", "FortiClient"),
    (r".*vpn.*", "VPN"),
    (r"ppp\d*", "PPP"),
)
# PPP also carries PPPoE dial-up, which is not a VPN: only reported, never warned about.
WEAK_LABELS = frozenset({"PPP"})

# Process names, lower case without ".exe" (regex full match) -> the product.
PROCESS_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"clash[-_ ]?verge.*|verge-mihomo.*", "Clash Verge"),
    (r"clashx( ?pro)?|clash[-_ ]?for[-_ ]?windows|clash[-_ ]?meta.*|clash(-.*)?", "Clash"),
    (r"mihomo.*", "Mihomo"),
    (r"v2rayn", "v2rayN"),
    (r"v2ray(ng)?|qv2ray", "V2Ray"),
    (r"xray", "Xray"),
    (r"shadowsocks.*|sslocal|ss-local|ssr-local|shadowsocksr.*", "Shadowsocks"),
    (r"trojan(-go)?", "Trojan"),
    (r"sing-box", "sing-box"),
    (r"hysteria2?", "Hysteria"),
    (r"nekoray|nekobox", "NekoRay"),
    (r"easyconnect|sangforcsclient|sangforpromoteservice|ecagent|sangfor.*", "EasyConnect (Sangfor)"),
    (r"openvpn(-gui|connect)?", "OpenVPN"),
    (r"wireguard|wg-quick", "WireGuard"),
    (r"tailscaled?", "Tailscale"),
    (r"zerotier-one.*", "ZeroTier"),
    (r"vpnagent|vpnui|vpnagentd", "Cisco AnyConnect"),
    (r"forticlient|fortitray", "FortiClient"),
    (r"pangpa|pangps", "GlobalProtect"),
    (r"letsvpn|lets ?vpn", "LetsVPN"),
    (r"astrill.*", "Astrill"),
    (r"expressvpn.*", "ExpressVPN"),
    (r"nordvpn.*", "NordVPN"),
    (r"surge", "Surge"),
)

_IFACE_RE = [(re.compile(p, re.IGNORECASE), label) for p, label in INTERFACE_PATTERNS]
_PROC_RE = [(re.compile(p, re.IGNORECASE), label) for p, label in PROCESS_PATTERNS]


def classify_interface(name: str, flags: str = "") -> str | None:
    for pattern, label in _IFACE_RE:
        if pattern.fullmatch(name.strip()):
            return label
    if "pointopoint" in flags.split(","):
        return "point-to-point"
    return None


def normalize_process(name: str) -> str:
    name = name.strip().lower()
    return name[:-4] if name.endswith(".exe") else name


def classify_process(name: str) -> str | None:
    norm = normalize_process(name)
    for pattern, label in _PROC_RE:
        if pattern.fullmatch(norm):
            return label
    return None


@register
class VpnCheck(Check):
    id = "vpn"
    title = t("VPN and proxy tools", "VPN 与代理工具")
    group = "network"
    order = 60

    def collect(self, ctx: Context) -> dict[str, Any]:
        routes = [r.to_json() for r in platform.default_routes()]
        tunnels = tunnel_interfaces()
        outcome = call_with_timeout(lambda: running_tools(processes.processes(ctx)),
                                    ctx.timeout(3.0))
        evidence: dict[str, Any] = {"tunnels": tunnels, "routes": routes, "processes": [],
                                    "process_error": None}
        if outcome.done and outcome.value is not None:
            evidence["processes"] = outcome.value
        else:
            evidence["process_error"] = codes.PROCESS_TIMEOUT if not outcome.done else \
                codes.PROCESS_UNREADABLE
        egress = {r["interface"] for r in routes if r["interface"]}
        evidence["default_via_tunnel"] = sorted(
            t_["name"] for t_ in tunnels if t_["name"] in egress)
        return evidence

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_vpn(evidence)


def tunnel_interfaces() -> list[dict[str, Any]]:
    found = []
    for iface in platform.interfaces():
        label = classify_interface(iface.name, iface.flags)
        if label and not iface.loopback:
            found.append({"name": iface.name, "label": label, "up": iface.up,
                          "mtu": iface.mtu, "flags": iface.flags,
                          "addresses": [*iface.ipv4, *iface.ipv6]})
    return found


def running_tools(snapshot: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for proc in snapshot:
        name = proc["name"]
        label = classify_process(name)
        if label:
            item = seen.setdefault(normalize_process(name),
                                   {"name": name, "label": label, "pids": []})
            item["pids"].append(proc["pid"])
    return sorted(seen.values(), key=lambda p: p["name"].lower())


def assess_vpn(evidence: Evidence) -> Verdict:
    tunnels = {t_["name"]: t_ for t_ in evidence.get("tunnels", [])}
    via = [tunnels[n] for n in evidence.get("default_via_tunnel", []) if n in tunnels]
    strong = [t_ for t_ in via if t_["label"] not in WEAK_LABELS]
    tools = sorted({p["label"] for p in evidence.get("processes", [])})
    if strong:
        names = [f"{t_['name']} ({t_['label']})" for t_ in strong]
        return Verdict(
            Status.WARN,
            t("All internet traffic goes through the tunnel {names}{tools}.",
              "所有上网流量都经过隧道 {names}{tools}。", names=names,
              tools=t(f"; running: {', '.join(tools)}" if tools else "",
                      f"；正在运行：{'、'.join(tools)}" if tools else "")),
            t("If WeChat/WeCom cannot connect, turn off the VPN or the proxy tool's TUN mode "
              "(or add WeChat/WeCom to its direct rules) and try again.",
              "如果微信/企业微信无法连接，请关闭 VPN 或代理工具的 TUN 模式（或把微信/企业微信加入直连规则）后重试。"),
            problems=tuple(Problem(codes.VPN_DEFAULT_ROUTE, host=t_["name"]) for t_ in strong),
            cause=codes.VPN_INTERFERENCE,
        )
    up = [t_ for t_ in tunnels.values() if t_["up"] and t_["label"] not in WEAK_LABELS]
    if tools or up:
        parts = [p for p in (", ".join(tools), ", ".join(f"{u['name']} ({u['label']})" for u in up))
                 if p]
        parts_zh = [p for p in ("、".join(tools), "、".join(f"{u['name']}（{u['label']}）"
                                                               for u in up)) if p]
        return Verdict(
            Status.INFO,
            t("VPN or proxy software is present ({what}) but normal traffic does not go through "
              "it.",
              "检测到 VPN 或代理软件（{what}），但普通流量没有经过它。",
              what=t("; ".join(parts), "；".join(parts_zh))),
            t("If WeChat/WeCom cannot connect, try again with it turned off.",
              "如果微信/企业微信无法连接，请关闭它后重试。"),
            problems=tuple(Problem(codes.VPN_PRESENT, host=x) for x in tools + [u["name"] for u in up]),
        )
    if via:
        return Verdict(Status.OK, t("Connected through a dial-up (PPP) link; no VPN found.",
                                    "通过拨号（PPP）连接上网；未发现 VPN。"))
    return Verdict(Status.OK, t("No VPN or proxy tool found.", "未发现 VPN 或代理工具。"))
