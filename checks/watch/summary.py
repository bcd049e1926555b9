"""What a watch found, in sentences and cause codes: a pure function of its measurements.

Outages are grouped by where they happened (see checks/watch/analysis.py); each
group becomes one cause with the diagnosis' codes where one fits (a VPN that took
the default route is `vpn_interference`) and the watch's own where none does (an
unstable local link). Changes of the way out, slow DNS and lost connects outside
the outages are findings of their own. Every sentence has both languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checks.diagnosis.correlate import Cause
from checks.engine import codes
from checks.engine.config import LatencyConfig
from checks.engine.results import Status, worst
from checks.shared.i18n import Text, t
from checks.watch import analysis as A

MAX_LISTED = 5  # events and episodes named in one sentence

PLACES: dict[str, Text] = {
    A.LINK: t("this computer lost its network connection (adapter or route gone)",
              "这台电脑的网络连接断开了（网卡或路由消失）"),
    A.ROUTE_CHANGE: t("the default route changed as it began (a VPN or another network)",
                      "开始时默认路由发生了变化（VPN 或切换了网络）"),
    A.GATEWAY: t("the gateway stopped answering too (your Wi-Fi/router)",
                 "网关也没有响应（您的 Wi-Fi/路由器）"),
    A.UPLINK: t("the router answered but other sites did not either (the internet line)",
                "路由器有响应，但其他网站也无法访问（宽带线路）"),
    A.SERVERS: t("only Tencent's servers stopped answering; the gateway and other sites "
                 "stayed fine", "只有腾讯的服务器没有响应；网关和其他网站都正常"),
    A.UNKNOWN: t("nothing else could be measured to tell where", "没有其他可测量的目标来判断故障位置"),
}
# The same, short enough for one line of a table.
PLACES_SHORT: dict[str, Text] = {
    A.LINK: t("this computer's connection", "本机网络连接"),
    A.ROUTE_CHANGE: t("route changed (VPN or network)", "路由变化（VPN 或网络）"),
    A.GATEWAY: t("Wi-Fi/router (gateway silent too)", "Wi-Fi/路由器（网关也无响应）"),
    A.UPLINK: t("internet line (router fine)", "宽带线路（路由器正常）"),
    A.SERVERS: t("only Tencent's servers", "仅腾讯服务器"),
    A.UNKNOWN: t("could not tell", "无法判断"),
}
# Why a gap has no data (`Gap.reason`).
GAP_REASONS: dict[str, Text] = {
    "sleep": t("the computer was asleep", "电脑处于睡眠状态"),
    "pause": t("the program was paused", "程序被暂停"),
}
PLACE_SERVERS_NO_CONTROL = t("Tencent's servers stopped answering while the gateway stayed fine "
                             "(no other site was measured to compare with)",
                             "腾讯的服务器没有响应，而网关一直正常（没有测量其他网站作对比）")

EVENTS: dict[str, Text] = {
    A.VPN_ON: t("VPN connected at {at} ({after})", "{at} VPN 已连接（{after}）"),
    A.VPN_OFF: t("VPN disconnected at {at}", "{at} VPN 已断开"),
    A.ROUTE_LOST: t("the default route disappeared at {at}", "{at} 默认路由消失"),
    A.ROUTE_BACK: t("the default route came back at {at} ({after})", "{at} 默认路由恢复（{after}）"),
    A.INTERFACE_CHANGED: t("the connection moved from {before} to {after} at {at}",
                           "{at} 连接从 {before} 切换到 {after}"),
    A.GATEWAY_CHANGED: t("the gateway changed from {before} to {after} at {at}",
                         "{at} 网关从 {before} 变为 {after}"),
    A.ADDRESS_CHANGED: t("this computer's address changed at {at} ({after})",
                         "{at} 本机地址变为 {after}"),
    A.CLOCK_CHANGED: t("the clock was set back at {at}", "{at} 时钟被往回调整"),
}


def clock_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%H:%M:%S")
    except ValueError:
        return iso


def duration(seconds: float) -> Text:
    s = max(0, round(seconds))
    if s < 60:
        return t(f"{s} s", f"{s} 秒")
    minutes, s = divmod(s, 60)
    if minutes < 60:
        return t(f"{minutes} min {s} s" if s else f"{minutes} min",
                 f"{minutes} 分 {s} 秒" if s else f"{minutes} 分钟")
    hours, minutes = divmod(minutes, 60)
    return t(f"{hours} h {minutes} min" if minutes else f"{hours} h",
             f"{hours} 小时 {minutes} 分" if minutes else f"{hours} 小时")


def event_text(event: dict[str, Any]) -> Text:
    template = EVENTS.get(event["kind"], t(event["kind"], event["kind"]))
    return template.with_params(at=clock_time(event["at"]), before=event.get("before") or "",
                                after=event.get("after") or "")


def place_text(attribution: str, data: dict[str, Any]) -> Text:
    if attribution == A.SERVERS and not data.get("known", {}).get("control"):
        return PLACE_SERVERS_NO_CONTROL
    return PLACES.get(attribution, PLACES[A.UNKNOWN])


def _joined(items: Sequence[Text]) -> Text:
    shown = list(items[:MAX_LISTED])
    more = len(items) - len(shown)
    en = "; ".join(i.render("en") for i in shown) + (f"; … {more} more" if more else "")
    zh = "；".join(i.render("zh") for i in shown) + (f"；……另有 {more} 项" if more else "")
    return t(en, zh)


@dataclass(frozen=True)
class Findings:
    status: Status
    lines: tuple[Text, ...]
    causes: tuple[Cause, ...]

    @property
    def primary(self) -> str:
        return self.causes[0].code if self.causes else codes.HEALTHY


def _outage_lines(outages: list[dict[str, Any]], data: dict[str, Any]) -> list[Text]:
    n = len(outages) + int(data.get("outages_dropped", 0))
    longest = duration(data.get("longest_outage_s") or max(o["duration_s"] for o in outages))
    groups = _by_place(outages)
    if n == 1:
        o = outages[0]
        return [t("1 outage of {d} at {at}: {place}.", "{at} 断线 1 次，持续 {d}：{place}。",
                  d=duration(o["duration_s"]), at=clock_time(o["start"]),
                  place=place_text(o["attribution"], data))]
    if len(groups) == 1:
        place = place_text(next(iter(groups)), data)
        return [t("{n} outages, the longest {d}; each time {place}.",
                  "断线 {n} 次，最长 {d}；每次都是{place}。", n=n, d=longest, place=place)]
    lines = [t("{n} outages, the longest {d}.", "断线 {n} 次，最长 {d}。", n=n, d=longest)]
    for attribution, items in groups.items():
        times = ", ".join(clock_time(o["start"]) for o in items[:MAX_LISTED])
        lines.append(t("{k} of them ({times}): {place}.", "其中 {k} 次（{times}）：{place}。",
                       k=len(items), times=times, place=place_text(attribution, data)))
    return lines


def _by_place(outages: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for outage in outages:
        groups.setdefault(outage["attribution"], []).append(outage)
    # The place with the most time down first.
    return dict(sorted(groups.items(), key=lambda kv: -sum(o["duration_s"] for o in kv[1])))


def _vpn_seen(data: dict[str, Any]) -> bool:
    return any(e["kind"] in (A.VPN_ON, A.VPN_OFF) for e in data.get("events", []))


_CAUSE_OF_PLACE = {
    A.LINK: codes.UNSTABLE_LOCAL_LINK, A.GATEWAY: codes.UNSTABLE_LOCAL_LINK,
    A.UPLINK: codes.UNSTABLE_UPLINK, A.SERVERS: codes.SERVERS_INTERMITTENT,
    A.UNKNOWN: codes.SLOW_NETWORK,
}


def _cause(code: str, status: Status, evidence: list[str]) -> Cause:
    info = codes.cause_info(code)
    return Cause(code, info.summary, info.advice, because=("watch",),
                 evidence=tuple(evidence[:MAX_LISTED * 2]), status=status.value)


def findings(data: dict[str, Any], *, servers: int, latency: LatencyConfig,
             dns_slow_ms: float) -> Findings:
    """The sentences and causes of a watch from `WatchAnalysis.to_json()`."""
    lines: list[Text] = []
    scored: list[tuple[int, float, Cause]] = []  # (severity, outage seconds, cause)
    outages = list(data.get("outages", []))
    if not servers:
        lines.append(t("No WeChat/WeCom servers are configured: only this computer's link and "
                       "the gateway were watched.",
                       "没有配置微信/企业微信服务器：只监测了本机的网络连接和网关。"))
    if outages and _never_up(data):
        lines.append(t("The servers did not answer at any time during the watch ({place}); "
                       "`wxdoctor check` tells why.",
                       "监测期间服务器始终没有响应（{place}）；请运行“开始检测”查明原因。",
                       place=place_text(outages[0]["attribution"], data)))
        code = codes.TCP_BLOCKED if outages[0]["attribution"] in (A.SERVERS, A.UNKNOWN) \
            else codes.OFFLINE
        scored.append((3, outages[0]["duration_s"], _cause(code, Status.FAIL, [
            f"{data.get('samples', 0)} samples, none answered"])))
    elif outages:
        lines += _outage_lines(outages, data)
        for attribution, items in _by_place(outages).items():
            code = _CAUSE_OF_PLACE.get(attribution, codes.SLOW_NETWORK)
            if attribution == A.ROUTE_CHANGE:
                code = codes.VPN_INTERFERENCE if _vpn_seen(data) else codes.NETWORK_CHANGED
            evidence = [f"{clock_time(o['start'])} +{o['duration_s']:g} s {attribution}"
                        for o in items]
            total = sum(o["duration_s"] for o in items)
            scored.append((3, total, _cause(code, Status.FAIL, evidence)))
    else:
        lines.append(t("No outage in {span} ({n} samples).", "{span}内没有断线（共采样 {n} 次）。",
                       span=duration(float(data.get("span_s") or 0)), n=data.get("samples", 0)))
    route_events = [e for e in data.get("events", []) if e["kind"] in A.ROUTE_EVENTS]
    if route_events:
        lines.append(t("The default route changed ({items}).", "默认路由发生了变化（{items}）。",
                       items=_joined([event_text(e) for e in route_events])))
        code = codes.VPN_INTERFERENCE if _vpn_seen(data) else codes.NETWORK_CHANGED
        if not any(c.code == code for _, _, c in scored):
            evidence = [f"{clock_time(e['at'])} {e['kind']} {e.get('after') or ''}".strip()
                        for e in route_events]
            scored.append((2, 0.0, _cause(code, Status.WARN, evidence)))
    clock_events = [e for e in data.get("events", []) if e["kind"] == A.CLOCK_CHANGED]
    if clock_events:
        lines.append(t("Also: {items}.", "另外：{items}。",
                       items=_joined([event_text(e) for e in clock_events])))
    slow = list(data.get("slow_dns", []))
    if slow:
        lines.append(_slow_dns_line(slow, dns_slow_ms))
        scored.append((2, 0.0, _cause(codes.DNS_SLOW, Status.WARN,
                                      [f"{clock_time(s['at'])} {s['name']} {s['worst_ms']} ms"
                                       for s in slow])))
    lossy = _lossy_servers(data, latency)
    if lossy:
        lines.append(t("Outside the outages: {items}.", "断线之外：{items}。", items=_joined(lossy)))
        if not any(c.code == codes.SLOW_NETWORK for _, _, c in scored):
            scored.append((2, 0.0, _cause(codes.SLOW_NETWORK, Status.WARN,
                                          [i.render("en") for i in lossy])))
    lines += [_gap_line(g) for g in data.get("gaps", [])[:MAX_LISTED]]
    scored.sort(key=lambda item: (-item[0], -item[1]))
    causes = tuple(c for _, _, c in scored)
    status = worst(Status(c.status) for c in causes) if causes else Status.OK
    return Findings(status, tuple(lines), causes)


def _never_up(data: dict[str, Any]) -> bool:
    """Down from the first sample to the last: not drops but no connection at all."""
    return bool(data.get("samples")) and data.get("down_samples") == data.get("samples")


def _slow_dns_line(slow: list[dict[str, Any]], dns_slow_ms: float) -> Text:
    answered = [s for s in slow if s["worst_ms"] is not None]
    limit = t(f"{dns_slow_ms / 1000:g} s", f"{dns_slow_ms / 1000:g} 秒")
    if answered:
        worst_one = max(answered, key=lambda s: s["worst_ms"])
        return t("DNS answers slowed above {limit} at times: {n}, the slowest {s} s "
                 "({name}, {at}).",
                 "DNS 解析有时慢于 {limit}：{n}，最慢 {s} 秒（{name}，{at}）。",
                 limit=limit, n=_times(len(slow)), s=f"{worst_one['worst_ms'] / 1000:.1f}",
                 name=worst_one["name"], at=clock_time(worst_one["at"]))
    first = slow[0]
    return t("DNS gave no answer at times while the servers worked: {n}, first at {at} "
             "({name}).", "服务器正常时 DNS 有时没有应答：{n}，第一次在 {at}（{name}）。",
             n=_times(len(slow)), at=clock_time(first["at"]), name=first["name"])


def _times(n: int) -> Text:
    return t("once", "共 1 次") if n == 1 else t(f"{n} times", f"共 {n} 次")


def _lossy_servers(data: dict[str, Any], latency: LatencyConfig) -> list[Text]:
    down = int(data.get("down_samples", 0))
    found = []
    for target in data.get("stats", {}).get("targets", []):
        if target["kind"] != "server":
            continue
        outside = target["samples"] - down
        lost = target["lost"] - down
        if outside <= 0:
            continue
        pct = 100 * lost / outside
        median = target.get("median_ms")
        if lost > 0 and pct >= latency.loss_warn_pct:
            found.append(t("{label} lost {pct:.0f}% of its connects", "{label} 连接失败 {pct:.0f}%",
                           label=target["label"], pct=pct))
        elif median is not None and median >= latency.warn_ms:
            found.append(t("{label} answered slowly ({ms:.0f} ms median)",
                           "{label} 响应较慢（中位数 {ms:.0f} 毫秒）", label=target["label"],
                           ms=median))
    return found


def _gap_line(gap: dict[str, Any]) -> Text:
    why = GAP_REASONS["sleep" if gap["reason"] == "sleep" else "pause"]
    return t("No data from {start} to {end} ({why}); not counted as an outage.",
             "{start} 至 {end} 没有数据（{why}），不计为断线。",
             start=clock_time(gap["start"]), end=clock_time(gap["end"]), why=why)
