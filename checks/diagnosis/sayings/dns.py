"""Name resolution: which DNS server failed or lied, whose it is, and what to do about
that kind of server; the hosts file and fake-IP proxy tools, which answer before DNS."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from checks.diagnosis.facts import DNS_SILENT, Facts, ServerAnswer
from checks.diagnosis.resolvers import (
    LOCAL_NETWORK,
    PUBLIC,
    ROUTER,
    THIS_COMPUTER,
    VPN,
    Resolver,
    classify,
)
from checks.diagnosis.sayings.base import Finding, Said, listed, says
from checks.engine import check_ids, codes, fix_ids
from checks.report import words as w
from checks.shared.address_kinds import bogus_kind
from checks.shared.i18n import Text, t

PUBLIC_CHOICES = t("a public DNS service such as 223.5.5.5 (AliDNS) or 119.29.29.29 "
                   "(Tencent DNSPod)",
                   "公共 DNS 服务，例如 223.5.5.5（阿里 DNS）或 119.29.29.29（腾讯 DNSPod）")

# How a server failed, for the first sentence.
_HOW: dict[str, Text] = {
    "silent": t("{server} does not answer", "{server}没有应答"),
    "unreachable": t("{server} turns DNS questions away (nothing answers for DNS there)",
                     "{server}拒收 DNS 查询（那里没有 DNS 服务应答）"),
    "refused": t("{server} refuses to answer", "{server}拒绝应答"),
    "servfail": t("{server} fails when it looks the names up", "{server}在查询这些域名时自身出错"),
    "nxdomain": t("{server} says the names do not exist", "{server}声称这些域名不存在"),
    "other": t("{server} gives no usable answer", "{server}没有给出可用的应答"),
}


def _behaviour(errors: list[str | None]) -> str:
    failed = [e for e in errors if e]
    if not failed:
        return "ok"
    kinds = Counter("unreachable" if e == codes.DNS_UNREACHABLE else
                    "silent" if e in DNS_SILENT else
                    "refused" if e == codes.DNS_REFUSED else
                    "servfail" if e == codes.DNS_SERVFAIL else
                    "nxdomain" if e in (codes.DNS_NXDOMAIN, codes.DNS_NXDOMAIN_OR_NODATA) else
                    "other" for e in failed)
    return kinds.most_common(1)[0][0]


def _failing_servers(facts: Facts) -> list[tuple[str, str, list[ServerAnswer]]]:
    """(server, behaviour, its answers) for each configured server that failed a name."""
    by_server: dict[str, list[ServerAnswer]] = {}
    for answer in facts.server_answers():
        by_server.setdefault(answer.server, []).append(answer)
    out = []
    for server in facts.dns_servers():
        answers = by_server.get(server, [])
        behaviour = _behaviour([a.error for a in answers])
        if answers and behaviour != "ok":
            out.append((server, behaviour, answers))
    servers = facts.dns_servers()
    if not out and len(servers) == 1 and not by_server:
        # No direct answer came in time, but getaddrinfo had only this server to ask:
        # how the names failed is how it failed.
        behaviour = _behaviour(list(facts.name_failures().values()))
        if behaviour not in ("ok", "other"):
            out.append((servers[0], behaviour, []))
    return out


def _trusted_for(facts: Facts, names: list[str]) -> list[str]:
    """Trusted resolvers that gave addresses for these names (they exist, out there)."""
    good = []
    for decision in facts.decisions():
        if decision.get("host") in names and decision.get("trusted"):
            good.append(str(decision.get("host")))
    return good


# What the DNS fix's first choice is for the failing server's kind (it recommends the
# same, checks.fixes.dns_choices): a public service for the router's or the provider's
# server; back to automatic for a public service set by hand.
_FIX_PUBLIC = t("Press Fix to set this computer's DNS servers to a public service you pick "
                "(AliDNS, 223.5.5.5, comes first; undo puts the old ones back).",
                "请按“修复”把这台电脑的 DNS 服务器改为您选择的公共 DNS 服务（默认阿里 DNS 223.5.5.5，可撤销）。")
_FIX_AUTOMATIC = t("Press Fix to set this computer's DNS servers back to automatic (where this "
                   "network hands out none, to another public service you pick; undo puts them "
                   "back).",
                   "请按“修复”把这台电脑的 DNS 服务器改回自动获取（如果本网络不分配 DNS 服务器，"
                   "则改为您选择的其他公共 DNS 服务；可撤销）。")
SWITCH = (fix_ids.SET_DNS_SERVERS,)


def _switch_advice(resolver: Resolver) -> tuple[Text, bool, tuple[str, ...]]:
    """What to do about a failing DNS server of this kind; whether IT is the one to ask;
    the fix that does it (none where changing this computer's servers is not the remedy:
    a VPN's, a program's, the company network's)."""
    if resolver.kind == ROUTER:
        return t("{fix} Restarting the router may help too.", "{fix}重启路由器也可能解决问题。",
                 fix=_FIX_PUBLIC), False, SWITCH
    if resolver.kind == PUBLIC:
        return t("This computer's DNS server was set by hand to that service. {fix}",
                 "这台电脑的 DNS 服务器被手动设成了该服务。{fix}", fix=_FIX_AUTOMATIC), False, SWITCH
    if resolver.kind == VPN:
        return t("The VPN ({tunnel}) gives this computer that DNS server: disconnect the VPN "
                 "and try again, or ask the VPN's administrator to fix its DNS.",
                 "该 DNS 服务器由 VPN（{tunnel}）下发：请断开 VPN 后重试，或请 VPN 的管理员修复其 DNS。",
                 tunnel=resolver.via or "VPN"), True, ()
    if resolver.kind == THIS_COMPUTER:
        return t("Restart or quit that program (a proxy, accelerator or ad blocker), or set this "
                 "computer's DNS server back to automatic.",
                 "请重启或退出该程序（代理、加速器或广告屏蔽工具），或把这台电脑的 DNS 服务器改回自动获取。"), False, ()
    if resolver.kind == LOCAL_NETWORK:
        return t("On a company network, send the text from \"Copy for IT\" to the network "
                 "administrator. At home, restart the router; if that does not help, set this "
                 "computer's DNS server to {public}.",
                 "如果在单位网络中，请用“复制给网管”把情况发给网络管理员。如果在家里，请重启路由器；"
                 "仍不行的话，把这台电脑的 DNS 服务器改为{public}。", public=PUBLIC_CHOICES), True, ()
    return t("{fix} Or ask your internet provider to fix theirs.",
             "{fix}也可以联系网络运营商修复其 DNS。", fix=_FIX_PUBLIC), False, SWITCH


def _server_line(server: Resolver, behaviour: str, answers: list[ServerAnswer],
                 names: list[str]) -> Text:
    times = [a.ms for a in answers if a.error and a.ms is not None]
    how = {
        "silent": t("no answer", "无应答"),
        "unreachable": t("questions turned away", "查询被拒收"),
        "refused": t("refused", "拒绝应答"),
        "servfail": t("a failure of its own", "自身出错"),
        "nxdomain": t("\"does not exist\"", "“域名不存在”"),
    }.get(behaviour, t("no usable answer", "无可用应答"))
    waited = (t(" after {time}", "（等待 {time}）", time=w.ms(max(times))) if times and
              behaviour == "silent" else t("", ""))
    return t("DNS server {a}: {how}{waited} for {names}", "DNS 服务器 {a}：{names} {how}{waited}",
             a=server.address, how=how, waited=waited, names=listed(names))


@says(codes.DNS_FAILURE)
def dns_failure(finding: Finding, facts: Facts) -> Said | None:
    failing = _failing_servers(facts)
    names = list(facts.name_failures())
    if not failing or not names:
        return None
    server, behaviour, _answers = failing[0]
    resolver = classify(server, facts)
    lead = _HOW[behaviour].with_params(server=resolver.name)
    summary = t("{lead}: {names} cannot be looked up, so WeChat/WeCom cannot find its servers.",
                "{lead}，无法解析 {names}，因此微信/企业微信找不到服务器。",
                lead=lead, names=listed(names))
    advice, for_it, fixes = _switch_advice(resolver)
    # The names every configured server was asked about: getaddrinfo asked them all.
    proof = [_server_line(classify(s, facts), b, a, names if len(failing) == 1 else
                          [x.host for x in a if x.error]) for s, b, a in failing[:3]]
    resolved = _trusted_for(facts, names)
    if resolved:
        proof.append(t("The trusted DNS servers ({resolvers}) do give addresses for {names}: the "
                       "names exist, only this DNS server fails.",
                       "可信 DNS 服务器（{resolvers}）能解析出 {names} 的地址：域名本身没问题，只是这台 DNS 服务器有故障。",
                       resolvers=listed(facts.trusted_resolvers()), names=listed(resolved)))
    return Said(summary, advice, tuple(proof), fixes=fixes, for_it=for_it)


@says(codes.DNS_UNRELIABLE)
def dns_unreliable(finding: Finding, facts: Facts) -> Said | None:
    found = {p.code for p in facts.problems(check_ids.DNS)}
    servers = facts.dns_servers()
    if not servers:
        return None
    resolver = classify(servers[0], facts)
    if codes.DNS_SYSTEM_SILENT in found:
        return Said(
            t("This computer's own name lookup does not answer in time, although its DNS server "
              "{server} answers at once.",
              "这台电脑自身的域名解析没有及时应答，而它的 DNS 服务器{server}能立即应答。",
              server=resolver.name),
            t("Press Fix to empty the computer's DNS cache; if it happens again, restart the "
              "computer.", "请按“修复”清空电脑的 DNS 缓存；如果再次出现，请重启电脑。"),
            fixes=(fix_ids.FLUSH_DNS,))
    advice, for_it, fixes = _switch_advice(resolver)
    if codes.DNS_SLOW in found:
        slowest = facts.dns_slowest_ms()
        return Said(
            t("{server} answers slowly: looking up a name took up to {time}, so logging in "
              "stalls.", "{server}应答缓慢：解析一个域名最长用了 {time}，登录会因此卡住。",
              server=resolver.name, time=w.ms(slowest)),
            advice, fixes=fixes, for_it=for_it)
    if codes.DNS_INTERMITTENT in found:
        hosts = [p.host for p in facts.problems(check_ids.DNS, [codes.DNS_INTERMITTENT]) if p.host]
        return Said(
            t("{server} fails now and then: {names} resolved only when asked again.",
              "{server}时好时坏：{names} 需要重新查询才能解析。",
              server=resolver.name, names=listed(hosts or ["?"])),
            advice, fixes=fixes, for_it=for_it)
    return None


def _decisions(facts: Facts, kinds: tuple[str, ...]) -> list[Mapping[str, Any]]:
    return [d for d in facts.decisions() if d.get("decision") in kinds]


def _blocked_word(addresses: list[str]) -> Text:
    kinds = {bogus_kind(a) for a in addresses}
    if kinds <= {"unspecified"}:
        return t("a blocked address", "一个被屏蔽的地址")
    if kinds <= {"loopback"}:
        return t("this computer's own address", "本机地址")
    return t("an address no public server has", "一个公网服务器不可能使用的地址")


@says(codes.DNS_POLLUTION)
def dns_pollution(finding: Finding, facts: Facts) -> Said | None:
    bad = _decisions(facts, ("bogus", "mismatch", "mismatch_unconfirmed"))
    servers = facts.dns_servers()
    if not bad or not servers:
        return None
    resolver = classify(servers[0], facts)
    first = bad[0]
    host = str(first.get("host"))
    given = [str(a) for a in first.get("addresses") or first.get("system") or []]
    trusted = [str(a) for a in first.get("trusted") or []]
    proof = [t("{name}: {server} says {given}, public DNS says {trusted}",
               "{name}：{server}解析为 {given}，公共 DNS 解析为 {trusted}",
               name=str(d.get("host")), server=resolver.address,
               given=listed([str(a) for a in d.get("addresses") or d.get("system") or []]),
               trusted=listed([str(a) for a in d.get("trusted") or []] or ["-"]))
             for d in bad[:3]]
    if first.get("decision") == "bogus":
        summary = t("{server} answers {name} with {given} ({word}) while public DNS gives "
                    "{trusted}: a DNS filter or ad blocker blocks WeChat/WeCom.",
                    "{server}把 {name} 解析为 {given}（{word}），而公共 DNS 解析为 {trusted}："
                    "DNS 过滤或广告屏蔽工具拦截了微信/企业微信。",
                    server=resolver.name, name=host, given=listed(given), word=_blocked_word(given),
                    trusted=listed(trusted or ["-"]))
        if resolver.kind == THIS_COMPUTER:
            advice = t("Allow {name} (and *.qq.com) in the ad blocker or DNS tool on this "
                       "computer, or quit it.",
                       "请在这台电脑的广告屏蔽或 DNS 工具中放行 {name}（以及 *.qq.com），或退出该工具。",
                       name=host)
            return Said(summary, advice, tuple(proof), fixes=())
        fixes = _switch_advice(resolver)[2]
        if fixes:  # a filter on the router, the provider's or a hand-set service: go around it
            advice = t("Allow {name} (and *.qq.com) in the DNS filter (Pi-hole, AdGuard, the "
                       "router's parental control). Or: {fix}",
                       "请在 DNS 过滤中（Pi-hole、AdGuard、路由器的家长控制）放行 {name}（以及 *.qq.com）。"
                       "或者：{fix}", name=host,
                       fix=_FIX_AUTOMATIC if resolver.kind == PUBLIC else _FIX_PUBLIC)
        else:
            advice = t("Allow {name} (and *.qq.com) in the DNS filter (Pi-hole, AdGuard, the "
                       "router's parental control), or set this computer's DNS server to "
                       "{public}.",
                       "请在 DNS 过滤中（Pi-hole、AdGuard、路由器的家长控制）放行 {name}（以及 *.qq.com），"
                       "或把这台电脑的 DNS 服务器改为{public}。", name=host, public=PUBLIC_CHOICES)
        return Said(summary, advice, tuple(proof), fixes=fixes,
                    for_it=resolver.kind == LOCAL_NETWORK)
    summary = t("{server} answers {name} with {given}, which is not Tencent's server (it could "
                "not prove itself with Tencent's certificate); public DNS gives {trusted}.",
                "{server}把 {name} 解析为 {given}，这不是腾讯的服务器（无法出示腾讯的证书）；"
                "公共 DNS 解析为 {trusted}。", server=resolver.name, name=host, given=listed(given),
                trusted=listed(trusted or ["-"]))
    advice, for_it, fixes = _switch_advice(resolver)
    return Said(summary, advice, tuple(proof), fixes=fixes, for_it=for_it)


@says(codes.FAKE_IP_PROXY)
def fake_ip(finding: Finding, facts: Facts) -> Said | None:
    fake = _decisions(facts, ("fake_ip",))
    if not fake:
        return None
    names = [str(d.get("host")) for d in fake]
    addresses = [str(a) for d in fake for a in d.get("addresses") or []]
    tools = facts.programs()
    tool = (listed(tools, 2) if tools else
            t("a proxy tool (on this computer or on the router)", "某个代理工具（在这台电脑或路由器上）"))
    used = listed(tools, 2) if tools else t("the proxy tool", "所用的代理工具")
    return Said(
        t("{tool} answers {names} with fake addresses ({addresses}, its \"fake IP\" range), so "
          "WeChat/WeCom's traffic goes into the tool.",
          "{tool}用“Fake IP”假地址（{addresses}）应答 {names}，微信/企业微信的流量因此进入了该工具。",
          tool=tool, names=listed(names), addresses=listed(addresses)),
        t("In {tool}, add *.qq.com, *.weixin.qq.com and *.work.weixin.qq.com to the direct "
          "rules and the fake-IP filter, or quit it.",
          "请在{tool}中把 *.qq.com、*.weixin.qq.com 和 *.work.weixin.qq.com 加入直连规则和 Fake IP 过滤名单，或退出该工具。",
          tool=used),
        fixes=())


@says(codes.HOSTS_OVERRIDE)
def hosts_override(finding: Finding, facts: Facts) -> Said | None:
    evidence = facts.evidence(check_ids.HOSTS)
    lines = [m for m in evidence.get("mappings") or [] if isinstance(m, Mapping) and m.get("critical")]
    if not lines:
        return None
    first = lines[0]
    address = str(first.get("address"))
    kind = bogus_kind(address)
    where = (t(" (this computer itself)", "（本机）") if kind == "loopback" else
             t(" (nowhere)", "（不存在的地址）") if kind == "unspecified" else t("", ""))
    dns: Mapping[str, Any] = w.sub(evidence, "dns")
    proof = []
    for m in lines[:3]:
        real = [a for n in m.get("names") or [] for a in (dns.get(n) or {}).get("addresses") or []]
        proof.append(t("Line {n}: {address} {names}; DNS says {real}",
                       "第 {n} 行：{address} {names}；DNS 解析为 {real}",
                       n=m.get("line_no"), address=m.get("address"),
                       names=listed(m.get("names") or []), real=listed(real or ["-"])))
    return Said(
        t("Line {n} of the hosts file ({path}) sends {names} to {address}{where}, bypassing DNS.",
          "hosts 文件（{path}）第 {n} 行把 {names} 指向 {address}{where}，绕过了 DNS。",
          n=first.get("line_no"), path=evidence.get("path") or "hosts",
          names=listed(first.get("names") or []), address=address, where=where),
        t("Press Fix to comment out {count} in the hosts file (undo puts it back), then try "
          "again.", "请按“修复”注释掉 hosts 文件中的{count}（可撤销），然后重试。",
          count=t("this line", "这一行") if len(lines) == 1 else
          t("these {n} lines", "这 {n} 行", n=len(lines))),
        tuple(proof), fixes=(fix_ids.REPAIR_HOSTS,))
