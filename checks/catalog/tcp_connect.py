"""Can this computer open a TCP connection to every server and port the clients use?"""

from __future__ import annotations

from typing import Any

from checks import codes
from checks.base import Check, register
from checks.concurrency import gather
from checks.context import Context
from checks.i18n import Text, t
from checks.model import Evidence, Problem, Status, Verdict
from checks.probes import system_dns, tcp


@register
class TcpConnectCheck(Check):
    id = "tcp"
    title = t("Connection to servers (TCP)", "服务器连接（TCP）")
    group = "network"
    order = 20

    def not_applicable(self, ctx: Context) -> Text | None:
        if not ctx.config.endpoints:
            return t("No endpoints are configured.", "未配置任何服务器地址。")
        return None

    def collect(self, ctx: Context) -> dict[str, Any]:
        targets = [(e.host, port) for e in ctx.config.endpoints for port in e.ports]
        budget = ctx.timeout(ctx.config.dns.timeout_s + ctx.config.tcp.timeout_s + 2.5)
        def cut_off(target: tuple[str, int]) -> dict[str, Any]:
            # Cut off by the deadline: still resolving means no connection was tried.
            host, port = target
            failure = codes.TCP_TIMEOUT if _resolved(ctx, host) else codes.NOT_RESOLVED
            return {"host": host, "port": port, "address": None, "ok": False, "ms": None,
                    "failure": failure}

        probes = gather(lambda hp: _probe(ctx, *hp), targets, budget, cut_off)
        return {"probes": probes, "timeout_s": ctx.config.tcp.timeout_s}

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_tcp(evidence)


def _resolved(ctx: Context, host: str) -> bool:
    answer = system_dns.peek(ctx, host)
    return answer is not None and bool(system_dns.addresses(answer))


def _probe(ctx: Context, host: str, port: int) -> dict[str, Any]:
    answer = system_dns.resolve(ctx, host)
    addrs = system_dns.addresses(answer)
    if not addrs:
        return {"host": host, "port": port, "address": None, "ok": False, "ms": None,
                "failure": codes.NOT_RESOLVED}
    result = tcp.connect(addrs[0], port, ctx.timeout(ctx.config.tcp.timeout_s))
    return {"host": host, **result}




def assess_tcp(evidence: Evidence) -> Verdict:
    probes = evidence["probes"]
    tested = [p for p in probes if p["failure"] != codes.NOT_RESOLVED]
    failed = [p for p in tested if not p["ok"]]
    if not tested:
        return Verdict(
            Status.ERROR,
            t(
                "Could not test: none of the server names could be resolved.",
                "无法检测：所有服务器域名都无法解析。",
            ),
            problems=(Problem(codes.NOT_RESOLVED),),
        )
    untested = len(probes) - len(tested)
    if not failed:
        slowest = max(p["ms"] or 0 for p in tested)
        summary = t(
            "All {n} connections succeeded (slowest {ms:.0f} ms).",
            "全部 {n} 个连接成功（最慢 {ms:.0f} 毫秒）。",
            n=len(tested),
            ms=slowest,
        )
        if untested:
            return Verdict(Status.INFO, t(
                "{n} connections succeeded; {u} not tested because the name did not resolve.",
                "{n} 个连接成功；{u} 个因域名无法解析未检测。", n=len(tested), u=untested))
        return Verdict(Status.OK, summary)
    problems = tuple(
        Problem(p["failure"], host=p["host"], port=p["port"], address=p["address"])
        for p in failed
    )
    listing = [f"{p['host']}:{p['port']} {codes.meaning(p['failure']).en}" for p in failed[:4]]
    listing_zh = [f"{p['host']}:{p['port']} {codes.meaning(p['failure']).zh}" for p in failed[:4]]
    more = len(failed) - len(listing)
    return Verdict(
        Status.FAIL,
        Text(
            en="{n} of {total} connections failed: {items}{more}.",
            zh="{total} 个连接中有 {n} 个失败：{items}{more}。",
            params={
                "n": len(failed),
                "total": len(tested),
                "items": Text("; ".join(listing), "；".join(listing_zh)),
                "more": Text(f" and {more} more" if more else "", f" 等另外 {more} 个" if more else ""),
            },
        ),
        t(
            "A firewall or security software is blocking these servers. Allow "
            "*.weixin.qq.com, *.work.weixin.qq.com and dldir1.qq.com on ports 80, 443 and 8080, "
            "or ask your network administrator.",
            "防火墙或安全软件拦截了这些服务器。请放行 *.weixin.qq.com、*.work.weixin.qq.com 和 "
            "dldir1.qq.com 的 80、443、8080 端口，或联系网络管理员。",
        ),
        problems=problems,
        cause=codes.TCP_BLOCKED,
    )
