"""Does the system's DNS give the same answers as trusted resolvers?

CDNs legitimately answer differently per resolver, so differing addresses alone
prove nothing (the OONI web_connectivity idea): answers are consistent when the
address sets overlap, or when the system's answer completes a TLS handshake with
a valid certificate for the name. Addresses no public server can have (loopback,
private ranges when the trusted answer is elsewhere, proxy tools' 198.18.0.0/15
"fake IP" range) are flagged with their own codes.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from checks.engine import check_ids, codes, fix_ids
from checks.engine.check import Check, register
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.platform.hosts_format import normalize_address, normalize_name
from checks.probes import hosts_file, system_dns, tls_probe, trusted_dns
from checks.shared.concurrency import parallel_map
from checks.shared.i18n import Text, t

FAKE_IP = ipaddress.ip_network("198.18.0.0/15")
_RANGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("unspecified", ("0.0.0.0/8", "::/128")),
    ("loopback", ("127.0.0.0/8", "::1/128")),
    ("link_local", ("169.254.0.0/16", "fe80::/10")),
    ("private", ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")),
    ("reserved", ("224.0.0.0/3",)),  # multicast, class E, broadcast
)
BOGUS_RANGES = {
    kind: tuple(ipaddress.ip_network(n) for n in nets) for kind, nets in _RANGES
}
CODES = {
    "fake_ip": codes.DNS_FAKE_IP,
    "unspecified": codes.DNS_BOGUS_UNSPECIFIED,
    "loopback": codes.DNS_BOGUS_LOOPBACK,
    "link_local": codes.DNS_BOGUS_LINK_LOCAL,
    "private": codes.DNS_BOGUS_PRIVATE,
    "reserved": codes.DNS_BOGUS_RESERVED,
}
CONFIRMING_FAILURES = (
    codes.TLS_UNTRUSTED_ISSUER, codes.TLS_NAME_MISMATCH, codes.TLS_EXPIRED, codes.TLS_NOT_YET_VALID, codes.TLS_NOT_TLS,
)


def bogus_kind(address: str) -> str | None:
    """Which non-public range an address falls in, or None for a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return "reserved"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in FAKE_IP:
        return "fake_ip"
    for kind, nets in BOGUS_RANGES.items():
        if any(ip.version == net.version and ip in net for net in nets):
            return kind
    return None


@register
class DnsPollutionCheck(Check):
    id = check_ids.DNS_POLLUTION
    title = t("DNS answers are genuine", "DNS 解析结果是否可信")
    group = "dns"
    order = 20

    def not_applicable(self, ctx: Context) -> Text | None:
        if not ctx.config.endpoints:
            return t("No endpoints are configured.", "未配置任何服务器地址。")
        if not ctx.config.dns.trusted_resolvers and not ctx.config.dns.http_dns_url:
            return t("No trusted DNS servers are configured to compare with.",
                     "未配置用于对比的可信 DNS 服务器。")
        return None

    def collect(self, ctx: Context) -> dict[str, Any]:
        cfg = ctx.config
        targets: dict[str, dict[str, Any]] = {}
        for e in cfg.endpoints:
            if e.is_address:  # nothing to resolve, nothing to compare
                continue
            entry = targets.setdefault(e.host, {"tls": False, "port": None})
            if e.tls and not entry["tls"]:
                entry.update(tls=True, port=tls_probe.tls_port(e))
        hosts = sorted(targets)
        sources: list[str] = list(cfg.dns.trusted_resolvers)
        if cfg.dns.http_dns_url:
            sources.append("http_dns")
        questions = [(s, h, rt) for s in sources for h in hosts
                     for rt in (("A",) if s == "http_dns" else trusted_dns.RTYPES)]
        per_query = ctx.timeout(cfg.dns.timeout_s)
        budget = ctx.timeout(cfg.dns.timeout_s + 2.5)

        def ask(q: tuple[str, str, str]) -> dict[str, Any]:
            source, host, rtype = q
            if source == "http_dns":
                return trusted_dns.http_dns(cfg.dns.http_dns_url, host, per_query)
            return trusted_dns.query(source, host, rtype, per_query)

        # System and trusted lookups at the same time; the system ones are shared.
        jobs = [("system", h, "") for h in hosts] + questions
        outcomes = parallel_map(
            lambda j: system_dns.resolve(ctx, j[1]) if j[0] == "system" else ask(j),
            jobs, budget)
        system_out = {h: o.value for h, o in zip(hosts, outcomes, strict=False)
                      if o.done and o.value is not None}
        trusted_out = outcomes[len(hosts):]
        from_file = hosts_file.mapped_addresses(ctx)
        records = []
        for host in hosts:
            answer = system_out.get(host) or {"error": codes.DNS_TIMEOUT}
            trusted = []
            for source in sources:
                got = [(q[2], o) for q, o in zip(questions, trusted_out, strict=True)
                       if q[0] == source and q[1] == host]
                trusted.append(_merge_source(source, got))
            records.append({
                "host": host,
                "tls": targets[host]["tls"],
                "port": targets[host]["port"],
                "system": {"addresses": system_dns.addresses(answer),
                           "error": answer.get("error")},
                "trusted": trusted,
                # What the hosts file maps this name to: getaddrinfo answers from it.
                "hosts_file": from_file.get(normalize_name(host), []),
                "tls_probe": None,
            })
        self._probe_tls(ctx, records)
        decisions = [decide(r) for r in records]
        return {"hosts": records, "decisions": decisions, "sources": sources}

    def _probe_tls(self, ctx: Context, records: list[dict[str, Any]]) -> None:
        """Only where the decision hinges on it: no overlap, nothing bogus, an HTTPS host."""
        need = [r for r in records if decide(r)["decision"] == "needs_tls"]
        cfg = ctx.config
        budget = ctx.timeout(cfg.tcp.timeout_s + 2 * cfg.tls.timeout_s + 1)
        outcomes = parallel_map(
            lambda r: tls_probe.probe(ctx, r["host"], r["system"]["addresses"][0], r["port"]),
            need, budget)
        for record, outcome in zip(need, outcomes, strict=True):
            value: dict[str, Any] = outcome.value if outcome.done and outcome.value else {
                "failure": codes.TLS_HANDSHAKE_TIMEOUT, "verified": False}
            record["tls_probe"] = {
                "address": record["system"]["addresses"][0],
                "port": record["port"],
                "failure": value.get("failure"),
                "verified": value.get("verified"),
                "issuer": (value.get("cert") or {}).get("issuer"),
                "sans": (value.get("cert") or {}).get("sans"),
            }

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_pollution(evidence)


def _merge_source(source: str, got: list[tuple[str, Any]]) -> dict[str, Any]:
    addresses: list[str] = []
    errors: dict[str, str | None] = {}
    ms = 0.0
    transports = set()
    for rtype, outcome in got:
        value = outcome.value if outcome.done and outcome.value else {
            "addresses": [], "error": codes.DNS_TIMEOUT, "ms": None, "transport": None}
        addresses += [a for a in value["addresses"] if a not in addresses]
        errors[rtype] = value["error"]
        ms = max(ms, value.get("ms") or 0.0)
        if value.get("transport"):
            transports.add(value["transport"])
    # Complete only if every record type was answered: a lost A reply next to an empty
    # AAAA answer would make the system's addresses look unknown to trusted DNS.
    answered = all(e in trusted_dns.ANSWERED for e in errors.values())
    return {"resolver": source, "addresses": addresses, "errors": errors,
            "answered": answered, "transport": sorted(transports), "ms": ms}


def decide(record: dict[str, Any]) -> dict[str, Any]:
    """One name's verdict from its answers (and, when present, the TLS probe)."""
    host = record["host"]
    system = list(record["system"]["addresses"])
    answered = [s for s in record["trusted"] if s["answered"]]
    trusted = sorted({a for s in answered for a in s["addresses"]})
    out: dict[str, Any] = {"host": host, "codes": [], "system": system, "trusted": trusted}
    if not system:
        out.update(decision="system_failed",
                   reason="the system resolver gave no address (see the DNS check)")
        return out
    pinned = {normalize_address(a) for a in record.get("hosts_file") or []}
    if pinned and {normalize_address(a) for a in system} <= pinned:
        out.update(decision="hosts_file",
                   reason=f"system answer {', '.join(system)} comes from the hosts file, "
                          "not from DNS (see the hosts check)")
        return out
    fake = [a for a in system if bogus_kind(a) == "fake_ip"]
    if fake:
        out.update(decision="fake_ip", codes=[codes.DNS_FAKE_IP], addresses=fake,
                   reason=f"system answer {', '.join(fake)} is in 198.18.0.0/15, "
                          "the fake-IP range of proxy tools")
        return out
    if not answered:
        out.update(decision="unverified", reason="no trusted resolver answered")
        return out
    trusted_kinds = {bogus_kind(a) for a in trusted}
    bogus = [(a, k) for a in system if (k := bogus_kind(a)) and a not in trusted
             and k not in trusted_kinds]
    if bogus:
        out.update(decision="bogus", codes=sorted({CODES[k] for _, k in bogus}),
                   addresses=[a for a, _ in bogus],
                   reason=f"system answer {', '.join(a for a, _ in bogus)} is "
                          f"{'/'.join(sorted({k for _, k in bogus}))}, trusted resolvers say "
                          f"{', '.join(trusted) or 'the name does not exist'}")
        return out
    common = sorted(set(system) & set(trusted))
    if common:
        out.update(decision="consistent", reason=f"answers overlap ({', '.join(common)})")
        return out
    if not record["tls"]:
        out.update(decision="differs_unverified", codes=[codes.DNS_DIFFERS],
                   reason="answers differ; no TLS on this host to prove which is genuine "
                          "(CDNs answer differently per resolver)")
        return out
    probe = record.get("tls_probe")
    if probe is None:
        out.update(decision="needs_tls", reason="answers differ; TLS handshake needed")
        return out
    if tls_probe.valid_for_name(probe):
        out.update(decision="consistent",
                   reason=f"answers differ, but {probe['address']} presented a valid "
                          f"certificate for {host} (CDN)")
        return out
    # Something answered with the wrong certificate (or no TLS at all): not the real
    # server. Timeouts and resets could also be a firewall in front of the real one.
    confirmed = probe.get("failure") in CONFIRMING_FAILURES
    out.update(decision="mismatch" if confirmed else "mismatch_unconfirmed",
               codes=[codes.DNS_MISMATCH],
               reason=f"answers differ and {probe['address']} did not prove itself: "
                      f"{probe.get('failure')}")
    return out


def _problems(decisions: list[dict[str, Any]], kinds: tuple[str, ...]) -> list[Problem]:
    return [Problem(code, host=d["host"], address=(d.get("addresses") or d["system"] or [None])[0])
            for d in decisions if d["decision"] in kinds for code in d["codes"]]


ADVICE_POLLUTION = t(
    "Your DNS server returns wrong addresses for WeChat/WeCom. Set the DNS server to "
    "119.29.29.29 or 223.5.5.5 in the network settings (on mobile data, switch to Wi-Fi or "
    "restart the phone's hotspot), then flush the DNS cache.",
    "当前 DNS 服务器为微信/企业微信返回了错误的地址。请在网络设置中把 DNS 改为 119.29.29.29 或 "
    "223.5.5.5（使用手机流量热点时可换用 Wi-Fi 或重启热点），然后清除 DNS 缓存。")
ADVICE_FAKE_IP = t(
    "A proxy or VPN tool (such as Clash) is in fake-IP mode. If WeChat/WeCom cannot connect, "
    "turn the tool off, or add *.qq.com to its direct (DIRECT) rules and its fake-IP filter.",
    "代理或 VPN 工具（如 Clash）处于 Fake IP 模式。如果微信/企业微信无法连接，请关闭该工具，"
    "或把 *.qq.com 加入其直连（DIRECT）规则和 fake-ip-filter。")


def assess_pollution(evidence: Evidence) -> Verdict:
    decisions = [decide(dict(r)) for r in evidence["hosts"]]
    by: dict[str, list[dict[str, Any]]] = {}
    for d in decisions:
        by.setdefault(d["decision"], []).append(d)
    polluted = by.get("bogus", []) + by.get("mismatch", [])
    # needs_tls only shows up in evidence recorded without the probe: unproven.
    shaky = by.get("mismatch_unconfirmed", []) + by.get("needs_tls", [])
    problems = tuple(_problems(decisions, ("bogus", "mismatch", "mismatch_unconfirmed",
                                           "fake_ip", "differs_unverified", "needs_tls")))
    if polluted or shaky:
        return _polluted(polluted, shaky, problems)
    if by.get("fake_ip"):
        return _fake_ip(by["fake_ip"], problems)
    compared = [d for d in decisions
                if d["decision"] not in ("unverified", "system_failed", "hosts_file")]
    from_file = by.get("hosts_file", [])
    differs, skipped = by.get("differs_unverified", []), by.get("unverified", [])
    if from_file and not differs and not skipped:
        return Verdict(
            Status.INFO,
            t("{ok} names match trusted DNS; the system's answer for {hosts} comes from the "
              "hosts file, not from DNS (see the hosts check).",
              "{ok} 个域名与可信 DNS 一致；{hosts} 的系统解析结果来自 hosts 文件，而不是 DNS"
              "（请查看 hosts 文件检测）。",
              ok=len(compared), hosts=sorted(d["host"] for d in from_file)),
            problems=problems,
        )
    if not compared:
        return _not_compared(evidence, bool(by.get("unverified")))
    if differs or skipped:
        return Verdict(
            Status.INFO,
            t("{ok} names match trusted DNS; {d} differ without proof either way ({hosts}); "
              "{s} could not be compared.",
              "{ok} 个域名与可信 DNS 一致；{d} 个不同但无法判断真伪（{hosts}）；{s} 个无法对比。",
              ok=len(by.get("consistent", [])), d=len(differs),
              hosts=sorted(d["host"] for d in differs) or ["-"], s=len(skipped)),
            t("Different addresses are normal for content delivery networks.",
              "CDN 对不同 DNS 返回不同地址属于正常现象。"),
            problems=problems,
        )
    return Verdict(
        Status.OK,
        t("The DNS answers for all {n} server names are genuine.",
          "全部 {n} 个服务器域名的解析结果可信。", n=len(compared)),
    )


def _polluted(polluted: list[dict[str, Any]], shaky: list[dict[str, Any]],
              problems: tuple[Problem, ...]) -> Verdict:
    hosts = sorted({d["host"] for d in polluted + shaky})
    details = [f"{d['host']}: {', '.join(d['system'])} vs {', '.join(d['trusted']) or '-'}"
               for d in (polluted + shaky)[:4]]
    return Verdict(
        Status.FAIL if polluted else Status.WARN,
        t("Your DNS gives different addresses than trusted DNS servers for {hosts} "
          "(system vs trusted: {details}).",
          "对于 {hosts}，当前 DNS 给出的地址与可信 DNS 服务器不同（当前 vs 可信：{details}）。",
          hosts=hosts, details=Text("; ".join(details), "；".join(details))),
        ADVICE_POLLUTION,
        problems=problems,
        cause=codes.DNS_POLLUTION,
        fixes=(fix_ids.FLUSH_DNS,),
    )


def _fake_ip(fake: list[dict[str, Any]], problems: tuple[Problem, ...]) -> Verdict:
    addrs = sorted({a for d in fake for a in d.get("addresses", [])})
    return Verdict(
        Status.WARN,
        t("A proxy tool answers DNS with \"fake IP\" addresses ({addrs}) for {hosts}.",
          "代理工具用“Fake IP”地址（{addrs}）应答了 {hosts} 的域名解析。",
          addrs=addrs, hosts=sorted({d["host"] for d in fake})),
        ADVICE_FAKE_IP,
        problems=problems,
        cause=codes.FAKE_IP_PROXY,
    )


def _not_compared(evidence: Evidence, system_answered: bool) -> Verdict:
    if system_answered:
        sources = sorted({s["resolver"] for r in evidence["hosts"] for s in r["trusted"]})
        errors = sorted({e for r in evidence["hosts"] for s in r["trusted"]
                         for e in s["errors"].values() if e})
        return Verdict(
            Status.ERROR,
            t("Could not compare: none of the trusted DNS servers ({sources}) answered "
              "({errors}).",
              "无法对比：可信 DNS 服务器（{sources}）均无应答（{errors}）。",
              sources=sources, errors=errors or ["-"]),
            t("The network may block outside DNS servers; that alone is not a fault.",
              "网络可能屏蔽了外部 DNS 服务器；这本身不一定是故障。"),
            problems=(Problem(codes.DNS_TRUSTED_UNREACHABLE),),
        )
    # The trusted servers were asked anyway: whether they answer tells a broken local
    # DNS server (switch servers) from a network where nothing answers at all.
    if not any(s.get("answered") for r in evidence["hosts"] for s in r["trusted"]):
        return Verdict(
            Status.ERROR,
            t("Could not compare: neither the system resolver nor the trusted DNS servers "
              "gave a usable answer.",
              "无法对比：系统 DNS 和可信 DNS 服务器都没有给出可用的应答。"),
            problems=(Problem(codes.NOT_RESOLVED), Problem(codes.DNS_TRUSTED_UNREACHABLE)),
        )
    return Verdict(
        Status.ERROR,
        t("Could not compare: the system resolver gave no addresses (see the DNS check), "
          "while the trusted DNS servers do answer.",
          "无法对比：系统 DNS 没有返回任何地址（请查看 DNS 检测结果），而可信 DNS 服务器可以正常应答。"),
        problems=(Problem(codes.NOT_RESOLVED),),
    )
