"""Can this computer open a TCP connection to every server and port the clients use?

Each connect is hedged (see probes.tcp), so one lost packet is not a failure.
Which failures matter depends on the server: WeChat's long and short links speak
mmtls and fall back across 80, 443 and 8080, so one of their ports failing while
another works is information; an HTTPS server cannot fall back from its TLS port,
so that port failing is a failure even when port 80 answers. A server the client
cannot reach on any port it needs is red.

A port is reached the way a client reaches it: every address of the name at once,
the first that answers counts (probes.connections.reach). Every address (at most
four of each family) is also connected to on the server's main port, at the same
moment: one that fails while another address of the same family works is a warning
of its own (usually a firewall allow-list of out-of-date Tencent addresses, see
shared.server_addresses), not red. Where a server also has IPv6 addresses, a
network that hands out IPv6 but drops it makes the clients wait before they fall
back: IPv6 timing out while IPv4 works warns too.
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
from checks.report.wait_words import waits_line
from checks.shared import server_addresses
from checks.shared.concurrency import gather
from checks.shared.i18n import Text, t

# -- the endpoint matrix -----------------------------------------------------------------

TCP_PORT = t("TCP {port}", "TCP {port}")


SILENT_ADDRESSES = t("{dead} of {total} addresses silent: {addresses}",
                     "{total} 个地址中 {dead} 个没有应答：{addresses}")
FAILING_ADDRESSES = t("{dead} of {total} addresses fail: {how}",
                      "{total} 个地址中 {dead} 个连不上：{how}")


def _tcp(host: str, endpoint: Mapping[str, Any], checks: dict[Any, Any],
         port: int | None = None) -> dict[str, Any]:
    evidence = evidence_of(checks, check_ids.TCP)
    found = found_for(evidence, "probes", host, checks, "tcp")
    probe = next((p for p in found if p.get("port") == port), None)
    if probe is None:
        title = check_text(checks[check_ids.TCP], "title", "tcp")
        raise Unmeasured(NOT_IN_EVIDENCE.with_params(title=title))
    failure = probe.get("failure")
    values: dict[str, Any] = {"ok": bool(probe.get("ok")), "ms": probe.get("ms"),
                              "failure": failure, "address": probe.get("address")}
    # The server's main port: every address was connected to as well.
    every = [r for r in server_addresses.rows_of(evidence, host) if r.get("port") == port]
    if every:
        values["addresses"] = [{k: r.get(k) for k in ("address", "family", "ok", "ms", "failure")}
                               for r in every]
    if failure == codes.NOT_RESOLVED:
        raise Unmeasured(NOT_RESOLVED, **values)
    if probe.get("ok") and not failure:
        dead = server_addresses.dead(every)
        if dead:
            return cell("warn", _dead_words(dead, every), **values)
        return cell("ok", w.ms(probe.get("ms")), **values)
    return cell("fail", w.failure(failure or codes.TCP_TIMEOUT), **values)


def _dead_words(dead: list[Mapping[str, Any]], every: list[Mapping[str, Any]]) -> Text:
    families = {server_addresses.family(r) for r in dead}
    total = len([r for r in every if server_addresses.family(r) in families])
    if all(r.get("failure") == codes.TCP_TIMEOUT for r in dead):
        return SILENT_ADDRESSES.with_params(dead=len(dead), total=total,
                                            addresses=[str(r.get("address")) for r in dead])
    return FAILING_ADDRESSES.with_params(dead=len(dead), total=total, how=dead_listing(dead))


COLUMN = Column("tcp", TCP_PORT, 30, _tcp, per_port=True)


@register
class TcpConnectCheck(Check):
    id = check_ids.TCP
    title = t("Connection to servers (TCP)", "服务器连接")
    group = "network"
    order = 20
    evidence_keys = ("probes", "addresses", "timeout_s", "ipv6")
    matrix_columns = (COLUMN,)
    causes = (codes.TCP_BLOCKED, codes.ADDRESS_BLOCKED, codes.IPV6_BROKEN)

    def not_applicable(self, ctx: Context) -> Text | None:
        if not ctx.config.endpoints:
            return t("No endpoints are configured.", "未配置任何服务器地址。")
        return None

    def collect(self, ctx: Context) -> dict[str, Any]:
        # Every port of every server, and every address of every server on its main
        # port, all at once.
        mains: dict[str, Endpoint] = {}
        for endpoint in ctx.config.endpoints:
            mains.setdefault(endpoint.host, endpoint)
        jobs: list[tuple[Endpoint, int | None]] = [
            (e, port) for e in ctx.config.endpoints for port in e.ports]
        jobs += [(e, None) for e in mains.values()]
        budget = ctx.timeout(ctx.config.dns.timeout_s + ctx.config.tcp.timeout_s + 2.5)

        def run(job: tuple[Endpoint, int | None]) -> Any:
            endpoint, port = job
            if port is None:
                return _every_address(ctx, endpoint)
            return _row(endpoint, port, connections.reach(ctx, endpoint.host, port))

        def cut_off(job: tuple[Endpoint, int | None]) -> Any:
            # Cut off by the deadline: still resolving means no connection was tried.
            endpoint, port = job
            if port is None:
                return []
            failure = codes.TCP_TIMEOUT if _resolved(ctx, endpoint.host) else codes.NOT_RESOLVED
            return _row(endpoint, port, {"address": None, "port": port, "ok": False, "ms": None,
                                         "failure": failure})

        rows = gather(run, jobs, budget, cut_off)
        probes = [r for r, (_e, port) in zip(rows, jobs, strict=True) if port is not None]
        addresses = [a for r, (_e, port) in zip(rows, jobs, strict=True) if port is None
                     for a in r]
        return {"probes": probes, "addresses": addresses, "ipv6": _ipv6(addresses),
                "timeout_s": ctx.config.tcp.timeout_s}

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


def _every_address(ctx: Context, endpoint: Endpoint) -> list[dict[str, Any]]:
    """The run's connect to each address of the server on its main port."""
    port = tls_probe.tls_port(endpoint)
    addresses = connections.every_address(system_dns.resolve(ctx, endpoint.host))
    return [{"host": endpoint.host, "family": "ipv6" if ":" in address else "ipv4", **result}
            for address, result in zip(addresses, connections.connect_all(ctx, addresses, port),
                                       strict=True)]


def _ipv6(addresses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first IPv6 address of each server that has IPv4 ones too (IPv6-only servers
    are the main probes already): the connects the IPv6 verdict reads."""
    hosts_v4 = {r["host"] for r in addresses if r["family"] == "ipv4"}
    out: dict[str, dict[str, Any]] = {}
    for row in addresses:
        if row["family"] == "ipv6" and row["host"] in hosts_v4:
            out.setdefault(row["host"], {k: v for k, v in row.items() if k != "family"})
    return list(out.values())


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
    dead = server_addresses.dead(server_addresses.rows_of(evidence))
    if dead:
        return _addresses_blocked(dead, server_addresses.rows_of(evidence))
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


ADDRESS_FAILS = {
    codes.TCP_TIMEOUT: t("no answer", "没有应答"),
    codes.TCP_REFUSED: t("refused", "被拒绝"),
    codes.TCP_RESET: t("reset", "被重置"),
    codes.TCP_UNREACHABLE: t("unreachable", "无法到达"),
}


def address_failure(code: Any) -> Text:
    return ADDRESS_FAILS.get(str(code), w.failure(code or codes.TCP_TIMEOUT))


def _semicolons(parts: list[Text]) -> Text:
    keys = {f"p{i}": p for i, p in enumerate(parts)}
    return Text("; ".join("{" + k + "}" for k in keys), "；".join("{" + k + "}" for k in keys),
                keys)


def dead_listing(dead: list[Mapping[str, Any]]) -> Text:
    """"10.0.0.9: no answer; 10.0.0.7: refused" """
    return _semicolons([t("{address}: {how}", "{address}：{how}", address=r.get("address"),
                          how=address_failure(r.get("failure"))) for r in dead])


def _addresses_blocked(dead: list[Mapping[str, Any]], rows: list[Mapping[str, Any]]) -> Verdict:
    parts = []
    for host in dict.fromkeys(str(r.get("host")) for r in dead):
        mine = [r for r in dead if r.get("host") == host]
        parts.append(t("{host} port {port}: {dead} of {total} addresses fail ({how})",
                       "{host} 的 {port} 端口：{total} 个地址中有 {dead} 个连不上（{how}）",
                       host=host, port=mine[0].get("port"), dead=len(mine),
                       total=len(server_addresses.siblings(rows, mine[0])),
                       how=dead_listing(mine)))
    return Verdict(
        Status.WARN,
        t("{parts}; the other addresses of the same server work.",
          "{parts}；同一服务器的其他地址正常。", parts=_semicolons(parts)),
        t("A firewall probably allows Tencent's servers by a list of addresses that has gone "
          "out of date. Ask the network administrator to allow the domains "
          "(*.weixin.qq.com, *.work.weixin.qq.com) rather than fixed addresses.",
          "防火墙多半是按一份已经过时的地址名单放行腾讯服务器的。请让网络管理员按域名"
          "（*.weixin.qq.com、*.work.weixin.qq.com）放行，而不是按固定地址。"),
        problems=tuple(Problem(str(r.get("failure") or codes.TCP_TIMEOUT), host=str(r.get("host")),
                               port=r.get("port"), address=str(r.get("address")))
                       for r in dead),
        cause=codes.ADDRESS_BLOCKED,
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
TCP_EVERY_TABLE = t("Every address of each server, on its main port",
                    "每台服务器的每个地址（主端口）")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    rows = [(text_of(p.get("host")), text_of(p.get("port")), text_of(p.get("address")),
             CONNECTED.with_params(time=w.ms(p.get("ms"))) if p.get("ok") else
             w.join([w.failure(p.get("failure")), w.ms(p.get("ms"))]) if p.get("ms") is not None
             else w.failure(p.get("failure")))
            for p in records(evidence, "probes")]
    out: list[Item] = [*seconds_line(evidence), *waits_line([
        *records(evidence, "probes"), *server_addresses.rows_of(evidence)]),
                       table(TCP_TABLE, (H_SERVER, H_PORT, H_ADDRESS, H_RESULT), rows)]
    v6 = [(text_of(p.get("host")), text_of(p.get("port")), text_of(p.get("address")),
           CONNECTED.with_params(time=w.ms(p.get("ms"))) if p.get("ok")
           else w.failure(p.get("failure") or codes.TCP_TIMEOUT))
          for p in records(evidence, "ipv6")]
    if v6:
        out.append(table(TCP_V6_TABLE, (H_SERVER, H_PORT, H_ADDRESS, H_RESULT), v6))
    every = [(text_of(r.get("host")), text_of(r.get("port")), text_of(r.get("address")),
              CONNECTED.with_params(time=w.ms(r.get("ms"))) if r.get("ok")
              else w.failure(r.get("failure") or codes.TCP_TIMEOUT))
             for r in server_addresses.rows_of(evidence)]
    if every:
        out.append(table(TCP_EVERY_TABLE, (H_SERVER, H_PORT, H_ADDRESS, H_RESULT), every))
    return out
