"""How quick and steady are connections to the servers (TCP connect time, loss)?

Several TCP connects per endpoint, one after another (so each is a separate
sample), all endpoints at once. A lost SYN costs a retransmission (about a
second), so loss shows up both as slow connects and as connects that time out.
Slow but working is a warning: the clients log in, just slowly or unreliably.
"""

from __future__ import annotations

import statistics
from typing import Any

from checks import codes
from checks.base import Check, register
from checks.concurrency import gather
from checks.config import LatencyConfig
from checks.context import Context
from checks.grading import grade
from checks.i18n import Text, t
from checks.model import Evidence, Problem, Status, Verdict
from checks.probes import system_dns, tcp

MARGIN_S = 0.5  # start a sample only if it can time out before the run's deadline


def target_port(ports: tuple[int, ...]) -> int:
    return 443 if 443 in ports else ports[0]


@register
class LatencyCheck(Check):
    id = "latency"
    title = t("Connection speed and stability", "连接速度与稳定性")
    group = "network"
    order = 25

    def not_applicable(self, ctx: Context) -> Text | None:
        if not ctx.config.endpoints:
            return t("No endpoints are configured.", "未配置任何服务器地址。")
        return None

    def collect(self, ctx: Context) -> dict[str, Any]:
        targets = list(dict.fromkeys((e.host, target_port(e.ports)) for e in ctx.config.endpoints))
        cfg = ctx.config.latency
        budget = ctx.timeout(ctx.config.dns.timeout_s + cfg.count * cfg.timeout_s + 1.0)
        series = gather(lambda hp: _series(ctx, *hp), targets, budget,
                        lambda hp: {"host": hp[0], "port": hp[1], "address": None, "samples": [],
                                    "failure": "not_measured"})
        for item in series:
            item["summary"] = summarize(item["samples"])
        return {"series": series, "count": cfg.count, "timeout_s": cfg.timeout_s}

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_latency(evidence, ctx.config.latency)


def _series(ctx: Context, host: str, port: int) -> dict[str, Any]:
    addrs = system_dns.addresses(system_dns.resolve(ctx, host))
    if not addrs:
        return {"host": host, "port": port, "address": None, "samples": [],
                "failure": codes.NOT_RESOLVED}
    cfg = ctx.config.latency
    samples = []
    for _ in range(cfg.count):
        # A sample cut short by the deadline would look like loss: stop instead.
        if ctx.cancelled.is_set() or ctx.deadline.remaining() < cfg.timeout_s + MARGIN_S:
            break
        result = tcp.connect(addrs[0], port, cfg.timeout_s)
        samples.append({"ms": result["ms"] if result["ok"] else None,
                        "failure": result["failure"]})
    return {"host": host, "port": port, "address": addrs[0], "samples": samples,
            "failure": None if samples else "not_measured"}


def summarize(samples: list[Evidence]) -> dict[str, Any]:
    """Median and jitter of the successful connects, and the share lost to timeouts."""
    ok = [float(s["ms"]) for s in samples if s.get("failure") is None and s.get("ms") is not None]
    lost = sum(1 for s in samples if s.get("failure") == codes.TCP_TIMEOUT)
    errors = sum(1 for s in samples if s.get("failure") not in (None, codes.TCP_TIMEOUT))
    jitter = (
        statistics.fmean(abs(b - a) for a, b in zip(ok, ok[1:], strict=False))
        if len(ok) > 1 else 0.0
    )
    return {
        "sent": len(samples),
        "ok": len(ok),
        "lost": lost,
        "errors": errors,  # refused/unreachable: a blocking problem, judged by the tcp check
        "median_ms": round(statistics.median(ok), 1) if ok else None,
        "jitter_ms": round(jitter, 1),
        "loss_pct": round(100.0 * lost / len(samples), 1) if samples else None,
    }


def assess_latency(evidence: Evidence, limits: LatencyConfig) -> Verdict:
    measured = []
    for item in evidence["series"]:
        summary = summarize(item["samples"])
        if summary["ok"]:
            measured.append((item, summary))
    if not measured:
        return Verdict(
            Status.ERROR,
            t("Could not measure: no server accepted a connection.",
              "无法测量：没有服务器接受连接。"),
            problems=(Problem(codes.SLOW_NOT_MEASURED),),
        )
    slow = [
        (item, s) for item, s in measured
        if Status.WARN in (grade(s["median_ms"], limits.warn_ms),
                           grade(s["loss_pct"] or 0.0, limits.loss_warn_pct))
    ]
    worst_median = max(s["median_ms"] for _, s in measured)
    worst_loss = max(s["loss_pct"] or 0.0 for _, s in measured)
    if slow:
        shown = [
            f"{item['host']} {s['median_ms']:.0f} ms, {s['loss_pct']:.0f}%" for item, s in slow[:4]
        ]
        shown_zh = [
            f"{item['host']} {s['median_ms']:.0f} 毫秒，丢失 {s['loss_pct']:.0f}%" for item, s in slow[:4]
        ]
        return Verdict(
            Status.WARN,
            t("Connections are slow or unreliable for {n} of {total} servers ({items}).",
              "{total} 个服务器中有 {n} 个连接缓慢或不稳定（{items}）。",
              n=len(slow), total=len(measured),
              items=Text("; ".join(shown), "；".join(shown_zh))),
            t("The network is slow or loses packets, so logging in may take long or fail at "
              "times. Move closer to the Wi-Fi router, use a cable, stop large downloads, or "
              "try another network.",
              "网络较慢或存在丢包，登录可能很慢或时好时坏。请靠近路由器、改用网线、暂停大文件下载，"
              "或换一个网络试试。"),
            problems=tuple(Problem(codes.SLOW_NETWORK, host=item["host"], port=item["port"],
                                   address=item["address"]) for item, _ in slow),
            cause=codes.SLOW_NETWORK,
        )
    return Verdict(
        Status.OK,
        t("Connections are quick and steady (slowest median {ms:.0f} ms, loss {loss:.0f}%).",
          "连接快速稳定（最慢中位数 {ms:.0f} 毫秒，丢包 {loss:.0f}%）。",
          ms=worst_median, loss=worst_loss),
    )
