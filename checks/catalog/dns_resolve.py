"""Can the system resolver find every WeChat/WeCom server name?"""

from __future__ import annotations

from typing import Any

from checks import codes
from checks.base import Check, register
from checks.concurrency import gather
from checks.context import Context
from checks.i18n import Text, t
from checks.model import Evidence, Problem, Status, Verdict
from checks.probes import system_dns


@register
class DnsResolveCheck(Check):
    id = "dns"
    title = t("Name resolution (DNS)", "域名解析（DNS）")
    group = "dns"
    order = 10

    def not_applicable(self, ctx: Context) -> Text | None:
        if not ctx.config.endpoints:
            return t("No endpoints are configured.", "未配置任何服务器地址。")
        return None

    def collect(self, ctx: Context) -> dict[str, Any]:
        hosts = sorted({e.host for e in ctx.config.endpoints if not e.is_address})
        budget = ctx.timeout(ctx.config.dns.timeout_s + 2.5)
        answers = gather(
            lambda h: system_dns.resolve(ctx, h), hosts, budget,
            lambda h: {"host": h, "error": codes.DNS_TIMEOUT, "A": {}, "AAAA": {}},
        )
        return {"answers": answers}

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_dns(evidence)




def assess_dns(evidence: Evidence) -> Verdict:
    answers = evidence["answers"]
    failed = [a for a in answers if a.get("error")]
    if not failed:
        slowest = max((a.get("ms") or 0 for a in answers), default=0)
        return Verdict(
            Status.OK,
            t(
                "All {n} server names resolved (slowest {ms:.0f} ms).",
                "全部 {n} 个服务器域名解析成功（最慢 {ms:.0f} 毫秒）。",
                n=len(answers),
                ms=slowest,
            ),
        )
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
            "Your DNS server is not working. Restart the router, or set the DNS server to "
            "119.29.29.29 or 223.5.5.5 in the network settings.",
            "当前 DNS 服务器不可用。请重启路由器，或在网络设置中把 DNS 改为 119.29.29.29 或 223.5.5.5。",
        )
    else:
        advice = t(
            "Your DNS server gives wrong answers for these names. Flush the DNS cache, or "
            "switch to another network (e.g. a phone hotspot) to compare.",
            "DNS 服务器对这些域名的解析有误。请清除 DNS 缓存，或换一个网络（如手机热点）对比。",
        )
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
        fixes=("flush_dns",),
    )
