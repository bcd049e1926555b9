"""A watch on a terminal: one line per sample while it runs, then the summary.

    14:02:10  ✓ servers 3/3  23 ms · DNS 4 ms · gateway 1 ms · eth0 wired
    14:02:11  ✗ servers 0/3  · DNS no answer · gateway no answer · eth0 wired  OUTAGE
"""

from __future__ import annotations

from datetime import datetime
from statistics import median
from typing import Any

from checks.shared.i18n import Text, t
from checks.watch.sample import Probe, Sample
from checks.watch.summary import clock_time, duration, event_text, place_text
from checks.watch.watch_report import summary_lines

W: dict[str, Text] = {
    "servers": t("servers", "服务器"),
    "gateway": t("gateway", "网关"),
    "resolver": t("DNS server", "DNS 服务器"),
    "no_answer": t("no answer", "无应答"),
    "no_route": t("no default route", "没有默认路由"),
    "outage": t("OUTAGE", "断线"),
    "ms": t("{ms} ms", "{ms} 毫秒"),
    "wifi": t("Wi-Fi", "Wi-Fi"),
    "wired": t("wired", "有线"),
    "tunnel": t("VPN", "VPN"),
    "unknown": t("", ""),
    "started": t("Outage from {at}", "{at} 开始断线"),
    "ended": t("Outage over at {at}: {d}, {place}", "{at} 断线结束：持续 {d}，{place}"),
    "gap": t("No data from {start} to {end} (the computer slept or the program paused)",
             "{start} 至 {end} 没有数据（电脑睡眠或程序暂停）"),
    "title": t("wxdoctor watch", "wxdoctor 持续监测"),
    "header": t("Watching {n} servers every {i:g} s for {d} (Ctrl-C ends it with the summary).",
                "每 {i:g} 秒监测 {n} 个服务器，共 {d}（按 Ctrl-C 提前结束并显示总结）。"),
    "outages": t("Outages", "断线记录"),
    "stats": t("Servers", "服务器"),
    "control": t("Other sites", "其他网站"),
    "stopped_user": t("Stopped early after {d}.", "已提前结束，共监测 {d}。"),
    "row": t("{start}  {d:>8}  {place}", "{start}  {d:>8}  {place}"),
    "target_row": t("{label:<34} lost {lost:>5}  median {med}  p95 {p95}  max {max}",
                    "{label:<34} 丢失 {lost:>5}  中位 {med}  p95 {p95}  最大 {max}"),
}


def _at(wall: float) -> str:
    return datetime.fromtimestamp(wall).strftime("%H:%M:%S")


def _ms(value: float | None, lang: str) -> str:
    if value is None:
        return "—"
    shown = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return W["ms"].with_params(ms=shown).render(lang)


def _probe(probe: Probe | None, lang: str) -> str:
    if probe is None:
        return "—"
    return _ms(probe.ms, lang) if probe.ok else W["no_answer"].render(lang)


def live_line(sample: Sample, down: bool, lang: str) -> str:
    """One sample as a line; `down`: an outage is going on."""
    when = _at(sample.wall)
    ok = sample.servers_ok
    times = [p.ms for p in sample.servers if p.ok and p.ms is not None]
    mark = "✓" if ok == len(sample.servers) else ("✗" if sample.servers and not ok else "!")
    parts = [f"{when}  {mark} {W['servers'].render(lang)} {ok}/{len(sample.servers)}"
             + (f"  {_ms(median(times), lang)}" if times else "")]
    if sample.dns is not None:
        parts.append(f"DNS {_probe(sample.dns, lang)}")
    if sample.gateway is not None:
        name = W["resolver" if sample.gateway.how == "dns" else "gateway"].render(lang)
        parts.append(f"{name} {_probe(sample.gateway, lang)}")
    link = sample.link
    if not link.default_route:
        parts.append(W["no_route"].render(lang))
    elif link.interface:
        kind = W.get(link.kind, W["unknown"]).render(lang)
        parts.append(f"{link.interface} {kind}".strip())
    line = " · ".join(parts)
    if down:
        line += f"  {W['outage'].render(lang)}"
    return line


def news_lines(news: list[tuple[str, Any]], data: dict[str, Any], lang: str) -> list[str]:
    """What a sample started or ended, as lines printed under the live lines."""
    lines = []
    for kind, item in news:
        if kind == "started":
            text = W["started"].with_params(at=_at(item.start_wall))
        elif kind == "ended":
            text = W["ended"].with_params(at=_at(item.end_wall),
                                          d=duration(item.end_x - item.start_x),
                                          place=place_text(item.attribution, data))
        elif kind == "gap":
            text = W["gap"].with_params(start=_at(item.start_wall), end=_at(item.end_wall))
        else:
            text = event_text(item.to_json())
        lines.append("  " + text.render(lang))
    return lines


def header_line(servers: int, interval_s: float, seconds: float, lang: str) -> str:
    return W["header"].with_params(n=servers, i=interval_s, d=duration(seconds)).render(lang)


def render_watch_text(report: dict[str, Any], lang: str) -> str:
    """The whole watch as text: the verdict, outages, the servers' figures."""
    data = report.get("watch", {})
    out = [f"{W['title'].render(lang)} · {report.get('started_at', '')} · "
           f"{duration(float(report.get('duration_s') or 0)).render(lang)}", ""]
    out += summary_lines(report, lang)
    causes = report.get("diagnosis", {}).get("causes", [])
    for cause in causes:
        i18n = cause.get("i18n", {}).get(lang, {})
        out.append(f"[{cause.get('status', '')}] {cause['code']}: "
                   f"{i18n.get('summary', cause.get('summary', ''))} "
                   f"{i18n.get('advice', cause.get('advice', ''))}")
    if report.get("stopped") == "user":
        out.append(W["stopped_user"].with_params(
            d=duration(float(data.get("span_s") or 0))).render(lang))
    outages = data.get("outages", [])
    if outages:
        out += ["", W["outages"].render(lang)]
        for o in outages:
            out.append("  " + W["row"].with_params(
                start=clock_time(o["start"]), d=duration(o["duration_s"]).render(lang),
                place=place_text(o["attribution"], data)).render(lang))
    targets = data.get("stats", {}).get("targets", [])
    for kind, heading in (("server", "stats"), ("control", "control")):
        rows = [s for s in targets if s["kind"] == kind]
        if rows:
            out += ["", W[heading].render(lang)]
        for s in rows:
            lost = "—" if s["loss_pct"] is None else f"{s['loss_pct']:g}%"
            out.append("  " + W["target_row"].with_params(
                label=s["label"], lost=lost, med=_ms(s["median_ms"], lang),
                p95=_ms(s["p95_ms"], lang), max=_ms(s["max_ms"], lang)).render(lang))
    return "\n".join(out) + "\n"
