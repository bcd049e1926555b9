"""Can the system resolver find every WeChat/WeCom server name, quickly and every time?

A name that does not resolve is a failure; one that resolves only slowly, only after
a SERVFAIL, or only from the server asked directly while getaddrinfo stayed silent
for every name, is a warning (the clients log in slowly or now and then). A single
lookup that needed a second question is only noted: one lost packet is not a fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.engine import check_ids, codes, fix_ids
from checks.engine.check import Check, register
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.probes import system_dns
from checks.report import words as w
from checks.report.evidence_view import (
    H_NAME,
    H_RESULT,
    Item,
    list_text,
    records,
    result_text,
    table,
    text_of,
)
from checks.report.matrix_cells import (
    AN_ADDRESS,
    Column,
    Unmeasured,
    answer_addresses,
    cell,
    evidence_of,
    found_for,
)
from checks.report.wait_words import waits_line
from checks.shared.concurrency import gather
from checks.shared.i18n import Text, t
from checks.tencent.domain_list import is_address

# -- the endpoint matrix -----------------------------------------------------------------

SYSTEM_DNS = t("System DNS", "系统 DNS")


def _system_dns(host: str, endpoint: Mapping[str, Any], checks: dict[Any, Any],
                port: int | None = None) -> dict[str, Any]:
    if is_address(host):
        raise Unmeasured(AN_ADDRESS)
    answer = found_for(evidence_of(checks, check_ids.DNS), "answers", host, checks, check_ids.DNS)[0]
    found = answer_addresses(answer)
    error = answer.get("error")
    if error or not found:
        error = error or codes.DNS_NO_ANSWER
        return cell("fail", w.failure(error), error=error, addresses=[], ms=answer.get("ms"))
    return cell("ok", w.join([w.addresses(found), w.ms(answer.get("ms"))]),
                addresses=found, ms=answer.get("ms"))


COLUMN = Column("system_dns", SYSTEM_DNS, 10, _system_dns)


@register
class DnsResolveCheck(Check):
    id = check_ids.DNS
    title = t("Name resolution (DNS)", "域名解析（DNS）")
    group = "dns"
    order = 10
    evidence_keys = ("answers",)
    matrix_columns = (COLUMN,)
    causes = (codes.DNS_FAILURE, codes.DNS_UNRELIABLE, codes.OFFLINE)

    def not_applicable(self, ctx: Context) -> Text | None:
        if not ctx.config.endpoints:
            return t("No endpoints are configured.", "未配置任何服务器地址。")
        return None

    def prepare(self) -> None:
        system_dns.prepare()

    def collect(self, ctx: Context) -> dict[str, Any]:
        hosts = sorted({e.host for e in ctx.config.endpoints if not e.is_address})
        budget = ctx.timeout(ctx.config.dns.timeout_s + 2.5)
        answers = gather(
            lambda h: system_dns.resolve_with_servers(ctx, h), hosts, budget,
            lambda h: {"host": h, "error": codes.DNS_TIMEOUT, "A": {}, "AAAA": {}},
        )
        return {"answers": answers}

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_dns(evidence)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


SLOW_MS = 1000.0  # a DNS server answering slower than this makes every new connection wait


def _server_rtt(answer: Evidence) -> float | None:
    """The quickest round trip of one of the server's own answers (None: not asked)."""
    direct = answer.get("direct") or {}
    rtts = [float(direct[r]["rtt_ms"]) for r in ("A", "AAAA")
            if direct.get(r) and direct[r].get("rtt_ms") is not None]
    return min(rtts) if rtts else None


def _intermittent(answer: Evidence) -> bool:
    """SERVFAIL first and an answer when asked again, or getaddrinfo failing outright
    while the server answered: failures that come and go, not lost packets."""
    direct = answer.get("direct") or {}
    for rtype in ("A", "AAAA"):
        got = direct.get(rtype) or {}
        if got.get("servfails") and got.get("error") in (None, codes.DNS_NXDOMAIN):
            return True
        system = (answer.get("system") or {}).get(rtype) or {}
        if (answer.get(rtype) or {}).get("source") == "dns_server" and system.get("error") in (
                codes.DNS_LOOKUP_FAILED, codes.DNS_NXDOMAIN_OR_NODATA):
            return True
    return False


def _system_silent(answer: Evidence) -> bool:
    """getaddrinfo gave nothing in time; the addresses came from asking the server."""
    for rtype in ("A", "AAAA"):
        if (answer.get(rtype) or {}).get("source") != "dns_server":
            continue
        system = (answer.get("system") or {}).get(rtype)
        if system is None or system.get("error") == codes.DNS_TIMEOUT:
            return True
    return False


def assess_dns(evidence: Evidence) -> Verdict:
    answers = evidence["answers"]
    failed = [a for a in answers if a.get("error")]
    if failed:
        return _failed(answers, failed)
    flaky = [a for a in answers if _intermittent(a)]
    slow = [a for a in answers if (_server_rtt(a) or 0) >= SLOW_MS]
    silent = [a for a in answers if _system_silent(a)]
    if flaky or slow or (len(silent) >= 2 and len(silent) == len(answers)):
        return _unreliable(answers, flaky, slow, silent)
    slowest = max((a.get("ms") or 0 for a in answers), default=0)
    if silent:
        return Verdict(
            Status.INFO,
            t("All {n} server names resolved (slowest {ms:.0f} ms); {k} needed a second "
              "question to the DNS server ({hosts}).",
              "全部 {n} 个服务器域名解析成功（最慢 {ms:.0f} 毫秒）；其中 {k} 个需要再次向 DNS 服务器查询"
              "（{hosts}）。",
              n=len(answers), ms=slowest, k=len(silent), hosts=[a["host"] for a in silent]),
        )
    return Verdict(
        Status.OK,
        t(
            "All {n} server names resolved (slowest {ms:.0f} ms).",
            "全部 {n} 个服务器域名解析成功（最慢 {ms:.0f} 毫秒）。",
            n=len(answers),
            ms=slowest,
        ),
    )


def _unreliable(answers: list[Evidence], flaky: list[Evidence], slow: list[Evidence],
                silent: list[Evidence]) -> Verdict:
    problems = [Problem(codes.DNS_INTERMITTENT, host=a["host"]) for a in flaky]
    problems += [Problem(codes.DNS_SLOW, host=a["host"]) for a in slow if a not in flaky]
    problems += [Problem(codes.DNS_SYSTEM_SILENT, host=a["host"]) for a in silent
                 if a not in flaky and a not in slow]
    if flaky:
        summary = t("The DNS server fails now and then: {hosts} failed first and resolved only "
                    "when asked again.",
                    "DNS 服务器时好时坏：{hosts} 第一次解析失败，再次查询才成功。",
                    hosts=[a["host"] for a in flaky])
    elif slow:
        summary = t("The DNS server answers slowly: {hosts} took {ms:.0f} ms or more.",
                    "DNS 服务器应答缓慢：{hosts} 需要 {ms:.0f} 毫秒或更久。",
                    hosts=[a["host"] for a in slow],
                    ms=min(_server_rtt(a) or 0 for a in slow))
    else:
        summary = t("The system's resolver gave no answer in time for any of the {n} names; "
                    "the DNS server answered when asked directly.",
                    "系统解析器对全部 {n} 个域名都没有及时应答；直接询问 DNS 服务器则有应答。",
                    n=len(answers))
    return Verdict(
        Status.WARN,
        summary,
        t("Names still resolve, but logging in can be slow or fail now and then. Set the DNS "
          "server to 119.29.29.29 or 223.5.5.5 in the network settings, or restart the router.",
          "域名仍可解析，但登录可能很慢或时好时坏。请在网络设置中把 DNS 改为 119.29.29.29 或 "
          "223.5.5.5，或重启路由器。"),
        problems=tuple(problems),
        cause=codes.DNS_UNRELIABLE,
    )


def _failed(answers: list[Evidence], failed: list[Evidence]) -> Verdict:
    found = sorted({a["error"] for a in failed})
    problems = tuple(Problem(a["error"], host=a["host"]) for a in failed)
    hosts = [a["host"] for a in failed]
    reason = codes.meaning(found[0]) if len(found) == 1 else t(
        "several kinds of failure", "多种失败原因"
    )
    everything = len(failed) == len(answers)
    if codes.DNS_NO_RESOLVER in found or codes.DNS_UNREACHABLE in found or (
        everything and codes.DNS_TIMEOUT in found
    ):
        advice = t(
            "Your DNS server is not working. Restart the router, or press Fix to set this "
            "computer's DNS servers to a public service such as 223.5.5.5 or 119.29.29.29.",
            "当前 DNS 服务器不可用。请重启路由器，或按“修复”把这台电脑的 DNS 服务器改为公共 DNS 服务，"
            "例如 223.5.5.5 或 119.29.29.29。",
        )
        fixes: tuple[str, ...] = (fix_ids.SET_DNS_SERVERS,)  # what the advice says; a flush is not
    else:
        advice = t(
            "Your DNS server gives wrong answers for these names. Flush the DNS cache, or "
            "switch to another network (e.g. a phone hotspot) to compare.",
            "DNS 服务器对这些域名的解析有误。请清除 DNS 缓存，或换一个网络（如手机热点）对比。",
        )
        fixes = (fix_ids.FLUSH_DNS,)
    return Verdict(
        Status.FAIL,
        t(
            "{n} of {total} server names cannot be resolved: {hosts} ({reason}).",
            "{total} 个服务器域名中有 {n} 个无法解析：{hosts}（{reason}）。",
            n=len(failed),
            total=len(answers),
            hosts=hosts,
            reason=reason,
        ),
        advice,
        problems=problems,
        cause=codes.DNS_FAILURE,
        fixes=fixes,
    )


# -- what a person reads ---------------------------------------------------------------

H_TIME = t("Time", "用时")
DNS_ANSWERS = t("System resolver answers", "系统 DNS 解析结果")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    rows = []
    for answer in records(evidence, "answers"):
        v4 = (answer.get("A") or {}).get("addresses") or []
        v6 = (answer.get("AAAA") or {}).get("addresses") or []
        rows.append((text_of(answer.get("host")), w.plain("—") if not v4 else list_text(v4),
                     w.plain("—") if not v6 else list_text(v6), w.ms(answer.get("ms")),
                     result_text(answer.get("error"))))
    return [*waits_line(records(evidence, "answers")),
            table(DNS_ANSWERS, (H_NAME, w.plain("IPv4"), w.plain("IPv6"), H_TIME, H_RESULT), rows)]
