"""How long a probe waited for an answer that never came, and why, in both languages.

Every probe that gives up on silence records its wait (engine.path_wait: "waited" in
its evidence): the seconds, and the round trip it was scaled by with what answered it
(and whether the path had lost packets), or none when nothing had answered yet. This says it:
"waited 1.1 s: the path answers in 6 ms (a connection to 10.0.0.5:80)". Read
defensively: a record of another shape says nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from checks.report import words as w
from checks.report.evidence_view import Item, Line
from checks.shared.i18n import Text, t

L_WAITED = t("Waited for an answer", "等待应答的时间")

WAITED_PATH = t("waited {s}: the path answers in {rtt} ({what})",
                "等待了 {s}：该网络路径的往返时间为 {rtt}（{what}）")
WAITED_NAMES = t("waited {s}: the DNS server answered other names within {rtt}",
                 "等待了 {s}：DNS 服务器对其他域名的应答都在 {rtt}以内")
WAITED_WORKING = t("waited {s}, the time set for it: the DNS server answers, but had given no "
                   "name yet (it may still be asking further)",
                   "等待了 {s}，即设定的时间：DNS 服务器有应答，但当时还没有给出任何域名的结果"
                   "（可能仍在向上级查询）")
WAITED_LOSSY = t("waited {s}: the path answers in {rtt} ({what}) but loses packets, so "
                 "room was left for resends",
                 "等待了 {s}：该网络路径的往返时间为 {rtt}（{what}），但有丢包，因此留出了重发的时间")
WAITED_NOTHING = t("waited {s}: nothing on this network had answered yet",
                   "等待了 {s}：当时这个网络上还没有任何应答")

WHAT = {
    "gateway": t("the gateway {target}", "网关 {target}"),
    "dns_server": t("the DNS server {target}", "DNS 服务器 {target}"),
    "trusted_dns": t("the trusted DNS server {target}", "可信 DNS 服务器 {target}"),
    "connect": t("a connection to {target}", "到 {target} 的连接"),
    "ntp": t("the time server {target}", "时间服务器 {target}"),
    "echo": t("test packets to {target}", "发往 {target} 的测试包"),
}
SOMETHING = t("{target}", "{target}")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def round_trip(ms: float) -> Text:
    """A round trip in milliseconds, in words ("6 ms", "6 毫秒")."""
    if ms >= 1000:
        return t("{s} s", "{s} 秒", s=w.number(ms / 1000))
    n = "<0.1" if ms < 0.1 else w.number(ms)
    return t("{n} ms", "{n} 毫秒", n=n)


def waited(record: Any) -> Text | None:
    """One probe's wait and why ("waited 1.1 s: the path answers in 6 ms (...)"), or None
    when the record says nothing about it."""
    said = record.get("waited") if isinstance(record, Mapping) else None
    if not isinstance(said, Mapping) or _number(said.get("s")) is None:
        return None
    seconds = w.seconds(_number(said.get("s")))
    rtt, source, target = _number(said.get("rtt_ms")), said.get("from"), said.get("target")
    if source == "dns_server_names" and rtt is not None:
        return WAITED_NAMES.with_params(s=seconds, rtt=round_trip(rtt))
    if source == "dns_server_working":
        return WAITED_WORKING.with_params(s=seconds)
    if rtt is None:
        return WAITED_NOTHING.with_params(s=seconds)
    what = WHAT.get(str(source), SOMETHING).with_params(target=str(target or "?"))
    if _number(said.get("lost")):
        return WAITED_LOSSY.with_params(s=seconds, rtt=round_trip(rtt), what=what)
    return WAITED_PATH.with_params(s=seconds, rtt=round_trip(rtt), what=what)


def waits_line(records: Iterable[Any]) -> list[Item]:
    """One line with the distinct waits of the records that gave up on silence (the
    probes of one check wait alike, so it is usually one sentence)."""
    seen: dict[str, Text] = {}
    for record in records:
        text = waited(record)
        if text is not None:
            seen.setdefault(text.render("en"), text)
    if not seen:
        return []
    parts = list(seen.values())[:3]
    keys = {f"p{i}": p for i, p in enumerate(parts)}
    return [Line(L_WAITED, Text("; ".join("{" + k + "}" for k in keys),
                                "；".join("{" + k + "}" for k in keys), keys))]
