"""No internet beyond this computer's network: everything silent, or DNS servers that
answer only that no name exists."""

from __future__ import annotations

from checks.diagnosis.facts import Facts
from checks.diagnosis.offline_rule import NO_SUCH_NAME, SILENT, trusted_say_no_such_name
from checks.diagnosis.sayings.base import Finding, Said, listed, says
from checks.engine import check_ids, codes
from checks.engine.results import Status
from checks.shared.i18n import Text, t

ADVICE = t("Check the router and the modem (their internet light), then restart them. If other "
           "devices on this network are offline too, call your internet provider; in a company, "
           "ask the network administrator.",
           "请检查路由器和光猫（看互联网指示灯），然后重启它们。如果同一网络中的其他设备也上不了网，"
           "请联系网络运营商；在单位请联系网络管理员。")


def _dns_silent(facts: Facts) -> bool:
    failures = facts.name_failures()
    return bool(failures) and all(e in SILENT for e in failures.values())


def _silent_parts(facts: Facts) -> list[Text]:
    """What was asked and stayed silent, only as far as it was measured."""
    parts: list[Text] = []
    servers = facts.dns_servers()
    if servers and _dns_silent(facts):
        parts.append(t("the DNS server {servers}", "DNS 服务器 {servers}", servers=listed(servers, 2)))
    trusted = facts.trusted_resolvers()
    if trusted and not facts.trusted_answers():
        parts.append(t("public DNS servers ({resolvers})", "公共 DNS 服务器（{resolvers}）",
                       resolvers=listed(trusted, 2)))
    clock = facts.evidence(check_ids.CLOCK)
    if clock.get("asked") and not facts.time_servers_answered():
        parts.append(t("time servers", "时间服务器"))
    if _websites_silent(facts):
        parts.append(t("other websites", "其他网站"))
    return parts


def _websites_silent(facts: Facts) -> bool:
    """Connectivity probes were sent and none answered (a probe whose name did not even
    resolve was never sent)."""
    probes = [p for p in facts.evidence(check_ids.CAPTIVE).get("probes") or []
              if isinstance(p, dict) and p.get("failure") != codes.NOT_RESOLVED]
    return bool(probes) and not facts.control_probes_answered() and \
        facts.status(check_ids.CAPTIVE) is not Status.FAIL


@says(codes.OFFLINE)
def offline(finding: Finding, facts: Facts) -> Said | None:
    network = facts.result(check_ids.NETWORK)
    if network is not None and network.status is Status.FAIL:
        return None  # no adapter or no route: the network check's own words say it
    route = facts.default_route()
    silent = _silent_parts(facts)
    if route is None or not silent:
        return None
    via = (t("{adapter} (gateway {gateway})", "{adapter}（网关 {gateway}）", adapter=route.interface,
             gateway=route.gateway) if route.gateway else t("{adapter}", "{adapter}",
                                                             adapter=route.interface))
    if _dns_silent(facts):
        summary = t("This computer is connected through {via}, but nothing beyond it answers: "
                    "{silent} stay silent. The internet connection is down.",
                    "这台电脑已通过 {via}连接，但之外的一切都没有应答：{silent}均无应答。外网不通。",
                    via=via, silent=listed(silent, 4, joined=True))
    elif all(e in NO_SUCH_NAME for e in facts.name_failures().values()):
        if trusted_say_no_such_name(facts.evidence(check_ids.DNS_POLLUTION)):
            who = t("every DNS server asked, the trusted ones ({trusted}) too,",
                    "所有被询问的 DNS 服务器，包括可信的 DNS 服务器（{trusted}），都",
                    trusted=listed(facts.trusted_resolvers(), 2))
        else:
            who = t("the DNS server {servers}", "DNS 服务器 {servers}",
                    servers=listed(facts.dns_servers(), 2))
        summary = t("This computer is connected through {via}, but does not reach the internet: "
                    "{silent} stay silent, and {who} says that Tencent's servers do not exist, "
                    "which only a DNS server without internet access would say.",
                    "这台电脑已通过 {via}连接，但无法访问外网：{silent}均无应答；{who}声称腾讯的服务器"
                    "不存在，只有无法访问外网的 DNS 服务器才会这样回答。",
                    via=via, silent=listed(silent, 4, joined=True), who=who)
    else:
        return None
    return Said(summary, ADVICE, fixes=(), for_it=True)
