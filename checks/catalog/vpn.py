"""VPN and proxy tools: tunnel adapters, a default route through one, and the
well-known clients (Clash, v2rayN, EasyConnect...) running.

A tunnel that carries the default route decides where WeChat/WeCom traffic goes,
and TUN-mode proxy tools often mishandle its long-lived connections.

Adapters are recognised by their description first: on Chinese Windows EasyConnect,
OpenVPN TAP, AnyConnect and Wintun adapters are named "以太网 3" or "本地连接 2", and
only the description ("Sangfor SSL VPN CS Support System VNIC") says what they are.
A tunnel that is up but has no routable address and no routes is idle: every Mac has
a few such utun interfaces (system services), which say nothing about a VPN.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from checks import platform
from checks.engine import check_ids, codes
from checks.engine.check import Check, register
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.platform.parsers.adapters import is_routable
from checks.probes import processes
from checks.report import words as w
from checks.report.evidence_view import (
    DOWN,
    H_ADAPTER,
    H_ADDRESSES,
    H_KIND,
    H_PACKET_SIZE,
    H_STATE,
    L_FAILURE,
    MTU,
    UP,
    Item,
    Line,
    list_text,
    records,
    routes_table,
    table,
    text_of,
)
from checks.shared.concurrency import call_with_timeout
from checks.shared.i18n import t

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
# Adapter descriptions (Windows' Description, Linux's device type; searched, case-insensitive)
# -> what they are. The real descriptions are in tests/fixtures/platform/windows/.
DESCRIPTION_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"sangfor|easyconnect", "EasyConnect (Sangfor)"),
    (r"anyconnect|cisco secure client", "Cisco AnyConnect"),
    (r"meta tunnel|mihomo|clash", "Clash/Mihomo TUN"),
    (r"tailscale", "Tailscale"),
    (r"wireguard", "WireGuard"),
    (r"wintun", "Wintun"),
    # TAP-Windows Adapter V9, Netease UU TAP-Win32 Adapter, TAP-ProtonVPN Windows Adapter V9
    (r"tap-win(dows|32)|\btap-\w+ windows adapter", "TAP-Windows"),
    (r"openvpn", "OpenVPN"),  # OpenVPN Data Channel Offload
    (r"zerotier", "ZeroTier"),
    (r"fortinet|forticlient", "FortiClient"),
    (r"pangp|globalprotect", "GlobalProtect"),
    (r"juniper|pulse secure", "Pulse Secure"),
    (r"sing-?box", "sing-box TUN"),
    (r"\bvpn\b", "VPN"),
    (r"^tun$", "TUN"),
    (r"^tap$", "TAP"),
    (r"^ppp$", "PPP"),
)
# IfType (ipifcons.h): 23 PPP, 53 IF_TYPE_PROP_VIRTUAL (what TAP-Windows and Wintun declare).
# 131 (Teredo, 6to4, IP-HTTPS) are Windows' own IPv6 tunnels, not VPNs.
IF_TYPE_LABELS = {23: "PPP", 53: "virtual adapter"}
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
_DESC_RE = [(re.compile(p, re.IGNORECASE), label) for p, label in DESCRIPTION_PATTERNS]
_PROC_RE = [(re.compile(p, re.IGNORECASE), label) for p, label in PROCESS_PATTERNS]


def classify_adapter(name: str, description: str = "", if_type: int | None = None,
                     flags: str = "") -> str | None:
    """What kind of tunnel an adapter is (None: not one): by description, name, IfType,
    then the point-to-point flag."""
    for pattern, label in _DESC_RE:
        if description and pattern.search(description.strip()):
            return label
    for pattern, label in _IFACE_RE:
        if pattern.fullmatch(name.strip()):
            return label
    if if_type in IF_TYPE_LABELS:
        return IF_TYPE_LABELS[if_type]
    if "pointopoint" in flags.split(","):
        return "point-to-point"
    return None


def classify_interface(name: str, flags: str = "") -> str | None:
    return classify_adapter(name, flags=flags)


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
    id = check_ids.VPN
    title = t("VPN and proxy tools", "VPN 与代理工具")
    group = "network"
    order = 60
    evidence_keys = ("tunnels", "routes", "processes", "process_error", "default_via_tunnel", "adapter_error", "idle_tunnels")
    causes = (codes.VPN_INTERFERENCE,)
    stands_in_for = codes.OFFLINE

    def collect(self, ctx: Context) -> dict[str, Any]:
        routes = [r.to_json() for r in platform.default_routes()]
        details, routed, adapter_error = _adapter_facts()
        tunnels, idle = find_tunnels(platform.interfaces(), details, routed)
        outcome = call_with_timeout(lambda: running_tools(processes.processes(ctx)),
                                    ctx.timeout(3.0))
        evidence: dict[str, Any] = {"tunnels": tunnels, "idle_tunnels": idle, "routes": routes,
                                    "processes": [], "process_error": None,
                                    "adapter_error": adapter_error}
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

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def _adapter_facts() -> tuple[list[platform.AdapterInfo], dict[str, list[str]] | None, str | None]:
    """Descriptions and routes; an OS call failing leaves the names and psutil to go by."""
    try:
        details = platform.adapter_details()
        routed = platform.interface_routes()
    except Exception as exc:  # a broken OS API must not hide the process list
        return [], None, f"adapters_{type(exc).__name__}"
    return details, routed, None


_MAX_ROUTES_LISTED = 10


def find_tunnels(adapters: list[platform.Adapter], details: list[platform.AdapterInfo],
                 routed: dict[str, list[str]] | None,
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(tunnels, idle ones): psutil's adapters joined by name with the OS's details.

    `routed` None means the routes are not known here: then a tunnel without an
    address is not called idle."""
    by_name = {d.name: d for d in details}
    psutil_by_name = {a.name: a for a in adapters}
    tunnels: list[dict[str, Any]] = []
    idle: list[dict[str, Any]] = []
    for name in sorted(set(by_name) | set(psutil_by_name)):
        seen, detail = psutil_by_name.get(name), by_name.get(name, platform.AdapterInfo(name))
        if seen is not None and seen.loopback:
            continue
        flags = (seen.flags if seen is not None else "") or detail.flags
        label = classify_adapter(name, detail.description, detail.if_type, flags)
        if label is None:
            continue
        addresses = [a for a in (*(seen.ipv4 + seen.ipv6 if seen else ()), *detail.addresses)
                     if is_routable(a)]
        routes = None if routed is None else routed.get(name, [])
        up = seen.up if seen is not None else detail.oper_status == "up"
        record = {"name": name, "label": label, "up": up,
                  "mtu": (seen.mtu if seen is not None else None) or detail.mtu, "flags": flags,
                  "addresses": list(dict.fromkeys(addresses)),
                  "description": detail.description, "if_type": detail.if_type,
                  "oper_status": detail.oper_status,
                  "routes": None if routes is None else routes[:_MAX_ROUTES_LISTED]}
        if up and not addresses and routes == []:
            idle.append({"name": name, "label": label, "mtu": record["mtu"]})
        else:
            tunnels.append(record)
    return tunnels, idle


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


# -- what a person reads ---------------------------------------------------------------

VPN_TUNNELS = t("Tunnel adapters", "隧道网卡")
VPN_PROGRAMS = t("VPN and proxy programs running", "正在运行的 VPN 和代理程序")
VIA_TUNNEL = t("Default route through", "默认路由经过")
NOT_THROUGH = t("no tunnel", "不经过隧道")
IDLE_TUNNELS = t("Idle tunnels (no address, no routes: not counted)",
                 "空闲隧道（无地址、无路由，不计入）")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    tunnels = [(text_of(x.get("name")), text_of(x.get("label")), UP if x.get("up") else DOWN,
                MTU.with_params(n=x["mtu"]) if x.get("mtu") else w.UNKNOWN, list_text(x.get("addresses")))
               for x in records(evidence, "tunnels")]
    programs = sorted({str(p.get("label") or p.get("name")) for p in records(evidence, "processes")})
    via = evidence.get("default_via_tunnel") or []
    out: list[Item] = [Line(VIA_TUNNEL, list_text(via) if via else NOT_THROUGH),
                       Line(VPN_PROGRAMS, list_text(programs))]
    if evidence.get("process_error"):
        out.append(Line(L_FAILURE, w.failure(evidence["process_error"])))
    if evidence.get("adapter_error"):
        out.append(Line(L_FAILURE, w.failure(evidence["adapter_error"])))
    idle = [str(x.get("name")) for x in records(evidence, "idle_tunnels")]
    if idle:
        out.append(Line(IDLE_TUNNELS, list_text(idle)))
    out.append(table(VPN_TUNNELS, (H_ADAPTER, H_KIND, H_STATE, H_PACKET_SIZE,
                                    H_ADDRESSES), tunnels))
    out.append(routes_table(evidence))
    return out
