"""Can this computer open a TCP connection to every server and port the clients use?

Each connect is hedged (see probes.tcp), so one lost packet is not a failure.
Which failures matter depends on the server: WeChat's long and short links speak
mmtls and fall back across 80, 443 and 8080, so one of their ports failing while
another works is information; an HTTPS server cannot fall back from its TLS port,
so that port failing is a failure even when port 80 answers. A server the client
cannot reach on any port it needs is red.

Where a server also has IPv6 addresses, one connect goes over IPv6 too: a network
that hands out IPv6 but drops it makes the clients wait before they fall back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.engine import check_ids, codes
from checks.engine.check import Check, register
from checks.engine.config import Endpoint
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.probes import connections, system_dns, tls_probe
from checks.report import words as w
from checks.report.evidence_view import (
    H_ADDRESS,
    H_PORT,
    H_RESULT,
    H_SERVER,
    Item,
    records,
    seconds_line,
    table,
    text_of,
)
from checks.report.matrix_cells import (
    NOT_IN_EVIDENCE,
    NOT_RESOLVED,
    Column,
    Unmeasured,
    cell,
    check_text,
    evidence_of,
    found_for,
)
from checks.shared.concurrency import gather
from checks.shared.i18n import Text, t

# -- the endpoint matrix -----------------------------------------------------------------

TCP_PORT = t("TCP {port}", "TCP {port}")


def _tcp(host: str, endpoint: Mapping[str, Any], checks: dict[Any, Any],
         port: int | None = None) -> dict[str, Any]:
    found = found_for(evidence_of(checks, check_ids.TCP), "probes", host, checks, "tcp")
    probe = next((p for p in found if p.get("port") == port), None)
    if probe is None:
        title = check_text(checks[check_ids.TCP], "title", "tcp")
        raise Unmeasured(NOT_IN_EVIDENCE.with_params(title=title))
    failure = probe.get("failure")
    values = {"ok": bool(probe.get("ok")), "ms": probe.get("ms"), "failure": failure,
              "address": probe.get("address")}
    if failure == codes.NOT_RESOLVED:
        raise Unmeasured(NOT_RESOLVED, **values)
    if probe.get("ok") and not failure:
        return cell("ok", w.ms(probe.get("ms")), **values)
    return cell("fail", w.failure(failure or codes.TCP_TIMEOUT), **values)


COLUMN = Column("tcp", TCP_PORT, 30, _tcp, per_port=True)


@register
class TcpConnectCheck(Check):
    id = check_ids.TCP
    title = t("Connection to servers (TCP)", "服务器连接（TCP）")
    group = "network"
    order = 20
    evidence_keys = ("probes", "timeout_s", "ipv6")
    matrix_columns = (COLUMN,)
    causes = (codes.TCP_BLOCKED, codes.IPV6_BROKEN)

    def not_applicable(self, ctx: Context) -> Text | None:
        if not ctx.config.endpoints:
            return t("No endpoints are configured.", "未配置任何服务器地址。")
        return None

    def collect(self, ctx: Context) -> dict[str, Any]:
        # Every port of every server, plus one IPv6 connect per server, all at once.
        jobs: list[tuple[Endpoint, int, bool]] = [
            (e, port, False) for e in ctx.config.endpoints for port in e.ports]
        first = {e.host: e for e in reversed(ctx.config.endpoints)}
        jobs += [(e, tls_probe.tls_port(e), True) for e in first.values()]
        budget = ctx.timeout(ctx.config.dns.timeout_s + ctx.config.tcp.timeout_s + 2.5)

        def cut_off(job: tuple[Endpoint, int, bool]) -> dict[str, Any] | None:
            # Cut off by the deadline: still resolving means no connection was tried.
            endpoint, port, v6 = job
            if v6:
                return None
            failure = codes.TCP_TIMEOUT if _resolved(ctx, endpoint.host) else codes.NOT_RESOLVED
            return _row(endpoint, port, {"address": None, "port": port, "ok": False, "ms": None,
                                         "failure": failure})

        rows = gather(lambda job: _probe(ctx, *job), jobs, budget, cut_off)
        probes = [r for r, job in zip(rows, jobs, strict=True) if not job[2] and r is not None]
        ipv6 = [r for r, job in zip(rows, jobs, strict=True) if job[2] and r is not None]
        return {"probes": probes, "ipv6": ipv6, "timeout_s": ctx.config.tcp.timeout_s}

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_tcp(evidence)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def _resolved(ctx: Context, host: str) -> bool:
    answer = system_dns.peek(ctx, host)
    return answer is not None and bool(system_dns.addresses(answer))


def _row(endpoint: Endpoint, port: int, result: dict[str, Any]) -> dict[str, Any]:
    # "https": this port carries the endpoint's HTTPS, which cannot fall back to another.
    return {"host": endpoint.host, **result,
            "https": endpoint.tls and port == tls_probe.tls_port(endpoint)}


def _probe(ctx: Context, endpoint: Endpoint, port: int, v6: bool) -> dict[str, Any] | None:
    answer = system_dns.resolve(ctx, endpoint.host)
    v4_addrs = answer.get("A", {}).get("addresses", [])
    v6_addrs = answer.get("AAAA", {}).get("addresses", [])
    if v6:
        # Only for servers that have both: IPv6-only ones are the main probes already.
        if not v4_addrs or not v6_addrs:
            return None
        return {"host": endpoint.host, **connections.connect(ctx, v6_addrs[0], port)}
    addrs = v4_addrs or v6_addrs
    if not addrs:
        return _row(endpoint, port, {"address": None, "port": port, "ok": False, "ms": None,
                                     "failure": codes.NOT_RESOLVED})
    return _row(endpoint, port, connections.connect(ctx, addrs[0], port))


def _listing(failed: list[Evidence]) -> Text:
    shown = failed[:4]
    more = len(failed) - len(shown)
    return Text(
        "; ".join(f"{p['host']}:{p['port']} {codes.meaning(p['failure']).en}" for p in shown)
        + (f" and {more} more" if more else ""),
        "；".join(f"{p['host']}:{p['port']} {codes.meaning(p['failure']).zh}" for p in shown)
        + (f" 等另外 {more} 个" if more else ""))


def _problem(p: Evidence) -> Problem:
    return Problem(p["failure"], host=p["host"], port=p["port"], address=p["address"])


def blocked_and_fallback(tested: list[Evidence]) -> tuple[list[Evidence], list[Evidence]]:
    """Failed connects that block a server (its HTTPS port, or every port it has) and
    those the clients work around by falling back to another port of the same server."""
    ok_hosts = {p["host"] for p in tested if p["ok"]}
    failed = [p for p in tested if not p["ok"]]
    blocked = [p for p in failed if p.get("https") or p["host"] not in ok_hosts]
    return blocked, [p for p in failed if p not in blocked]


def assess_tcp(evidence: Evidence) -> Verdict:
    probes = evidence["probes"]
    tested = [p for p in probes if p["failure"] != codes.NOT_RESOLVED]
    if not tested:
        return Verdict(
            Status.ERROR,
            t(
                "Could not test: none of the server names could be resolved.",
                "无法检测：所有服务器域名都无法解析。",
            ),
            problems=(Problem(codes.NOT_RESOLVED),),
        )
    blocked, fallback = blocked_and_fallback(tested)
    if blocked:
        return _blocked(blocked, fallback, len(tested))
    broken_v6 = _broken_ipv6(evidence.get("ipv6") or [], tested)
    if broken_v6:
        return _ipv6_broken(broken_v6)
    working = [p for p in tested if p["ok"]]
    untested = len(probes) - len(tested)
    retried = [p for p in working if (p.get("attempts") or 1) > 1]
    notes_en, notes_zh = [], []
    if fallback:
        notes_en.append(f"{len(fallback)} port(s) do not answer, but the clients fall back to "
                        f"the other ports of the same servers: {_listing(fallback).en}")
        notes_zh.append(f"{len(fallback)} 个端口无法连接，但客户端会改用同一服务器的其他端口："
                        f"{_listing(fallback).zh}")
    if untested:
        notes_en.append(f"{untested} not tested because the name did not resolve")
        notes_zh.append(f"{untested} 个因域名无法解析未检测")
    if retried:
        notes_en.append(f"{len(retried)} needed a second attempt")
        notes_zh.append(f"{len(retried)} 个需要再次尝试")
    slowest = max(p["ms"] or 0 for p in working)
    summary = Text(
        "{n} connections succeeded (slowest {ms:.0f} ms){notes}.",
        "{n} 个连接成功（最慢 {ms:.0f} 毫秒）{notes}。",
        {"n": len(working), "ms": slowest,
         "notes": Text("".join(f"; {n}" for n in notes_en), "".join(f"；{n}" for n in notes_zh))})
    if fallback or untested:
        return Verdict(Status.INFO, summary, problems=tuple(_problem(p) for p in fallback))
    return Verdict(Status.OK, summary)


def _blocked(blocked: list[Evidence], fallback: list[Evidence], total: int) -> Verdict:
    failed = blocked + fallback
    return Verdict(
        Status.FAIL,
        t("{n} of {total} connections failed: {items}.",
          "{total} 个连接中有 {n} 个失败：{items}。",
          n=len(failed), total=total, items=_listing(failed)),
        t(
            "A firewall or security software is blocking these servers. Allow "
            "*.weixin.qq.com, *.work.weixin.qq.com and dldir1.qq.com on ports 80, 443 and 8080, "
            "or ask your network administrator.",
            "防火墙或安全软件拦截了这些服务器。请放行 *.weixin.qq.com、*.work.weixin.qq.com 和 "
            "dldir1.qq.com 的 80、443、8080 端口，或联系网络管理员。",
        ),
        # Only what blocks a server: ports the clients fall back from explain nothing.
        problems=tuple(_problem(p) for p in blocked),
        cause=codes.TCP_BLOCKED,
    )


def _broken_ipv6(ipv6: list[Evidence], tested: list[Evidence]) -> list[Evidence]:
    """IPv6 connects that time out to servers whose IPv4 works. Refused or unreachable
    is an answer (the clients fall back at once); silence makes them wait."""
    ok_hosts = {p["host"] for p in tested if p["ok"]}
    return [p for p in ipv6 if p["failure"] == codes.TCP_TIMEOUT and p["host"] in ok_hosts]


def _ipv6_broken(broken: list[Evidence]) -> Verdict:
    return Verdict(
        Status.WARN,
        t("IPv6 does not work: connections over IPv6 time out ({items}) while IPv4 works. "
          "Programs that try IPv6 first wait before they fall back.",
          "IPv6 无法使用：通过 IPv6 的连接超时（{items}），而 IPv4 正常。优先使用 IPv6 的程序会先等待，"
          "然后才改用 IPv4。", items=_listing(broken)),
        t("Turn off IPv6 on the router (or the network adapter), or ask the provider to fix "
          "IPv6.",
          "请在路由器（或网卡）上关闭 IPv6，或联系运营商修复 IPv6。"),
        problems=tuple(_problem(p) for p in broken),
        cause=codes.IPV6_BROKEN,
    )


# -- what a person reads ---------------------------------------------------------------

TCP_TABLE = t("TCP connects", "TCP 连接")
CONNECTED = t("connected in {time}", "{time} 内连上")
TCP_V6_TABLE = t("TCP connects over IPv6", "IPv6 TCP 连接")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    rows = [(text_of(p.get("host")), text_of(p.get("port")), text_of(p.get("address")),
             CONNECTED.with_params(time=w.ms(p.get("ms"))) if p.get("ok") else
             w.join([w.failure(p.get("failure")), w.ms(p.get("ms"))]) if p.get("ms") is not None
             else w.failure(p.get("failure")))
            for p in records(evidence, "probes")]
    out: list[Item] = [*seconds_line(evidence),
                       table(TCP_TABLE, (H_SERVER, H_PORT, H_ADDRESS, H_RESULT), rows)]
    v6 = [(text_of(p.get("host")), text_of(p.get("port")), text_of(p.get("address")),
           CONNECTED.with_params(time=w.ms(p.get("ms"))) if p.get("ok")
           else w.failure(p.get("failure") or codes.TCP_TIMEOUT))
          for p in records(evidence, "ipv6")]
    if v6:
        out.append(table(TCP_V6_TABLE, (H_SERVER, H_PORT, H_ADDRESS, H_RESULT), v6))
    return out
