"""Is this computer on a network at all: adapters up, addresses, a default route."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks import platform
from checks.engine import check_ids, codes
from checks.engine.check import Check, register
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.probes import gateway
from checks.report import words as w
from checks.report.evidence_view import (
    DOWN,
    H_ADAPTER,
    H_ADDRESSES,
    H_PACKET_SIZE,
    H_STATE,
    MTU,
    UP,
    Item,
    list_text,
    records,
    routes_table,
    table,
    text_of,
)
from checks.shared.i18n import t


@register
class NetworkCheck(Check):
    id = check_ids.NETWORK
    title = t("Network connection", "网络连接")
    group = "network"
    order = 10
    evidence_keys = ("interfaces", "routes")
    causes = (codes.OFFLINE,)

    def collect(self, ctx: Context) -> dict[str, Any]:
        routes = [r.to_json() for r in platform.default_routes()]
        gateways = platform.default_gateways()
        for route in routes:
            if route["family"] == "ipv4" and route["interface"] in gateways:
                route["gateway"] = gateways[route["interface"]]
        # The gateway's echo, in the background: the run's first measured round trip.
        gateway.start_echo(ctx, [r["gateway"] for r in routes if r.get("gateway")])
        return {"interfaces": [a.to_json() for a in platform.interfaces()], "routes": routes}

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_network(evidence)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def assess_network(evidence: Evidence) -> Verdict:
    usable = [
        i for i in evidence["interfaces"] if i["up"] and not i["loopback"] and (i["ipv4"] or i["ipv6"])
    ]
    routed = [r for r in evidence["routes"] if r["source_address"]]
    if not usable:
        return Verdict(
            Status.FAIL,
            t("No network adapter is connected.", "没有已连接的网络适配器。"),
            t(
                "Plug in the network cable or connect to Wi-Fi, then check again.",
                "请插好网线或连接 Wi-Fi，然后重新检测。",
            ),
            problems=(Problem(codes.NO_ADAPTER),),
            cause=codes.OFFLINE,
        )
    if not routed:
        return Verdict(
            Status.FAIL,
            t(
                "Connected to a network, but there is no route to the internet.",
                "已连接网络，但没有通往互联网的路由。",
            ),
            t(
                "Reconnect to the network or restart the router; if you use a VPN, turn it off "
                "and try again.",
                "请重新连接网络或重启路由器；如果正在使用 VPN，请先关闭后再试。",
            ),
            problems=(Problem(codes.NO_DEFAULT_ROUTE),),
            cause=codes.OFFLINE,
        )
    names = sorted({r["interface"] or r["source_address"] for r in routed})
    families = [r["family"] for r in routed]
    return Verdict(
        Status.OK,
        t(
            "Connected through {names} ({families}).",
            "已通过 {names} 连接（{families}）。",
            names=names,
            families=["IPv4" if f == "ipv4" else "IPv6" for f in families],
        ),
    )


# -- what a person reads ---------------------------------------------------------------

NET_ADAPTERS = t("Network adapters", "网卡")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    adapters = [
        (text_of(i.get("name")), UP if i.get("up") else DOWN,
         MTU.with_params(n=i["mtu"]) if i.get("mtu") else w.UNKNOWN,
         list_text([*(i.get("ipv4") or []), *(i.get("ipv6") or [])]))
        for i in records(evidence, "interfaces") if not i.get("loopback")
    ]
    out: list[Item] = [table(NET_ADAPTERS, (H_ADAPTER, H_STATE, H_PACKET_SIZE,
                                             H_ADDRESSES), adapters)]
    out.append(routes_table(evidence))
    return out
