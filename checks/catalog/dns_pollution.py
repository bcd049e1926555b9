"""Does the system's DNS give the same answers as trusted resolvers?

CDNs legitimately answer differently per resolver, so differing addresses alone
prove nothing (the OONI web_connectivity idea): answers are consistent when the
address sets overlap, or when the system's answer completes a TLS handshake with
a valid certificate for the name. Addresses no public server can have (loopback,
private ranges when the trusted answer is elsewhere, proxy tools' 198.18.0.0/15
"fake IP" range) are flagged with their own codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.engine import check_ids, codes, fix_ids
from checks.engine.check import Check, register
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.platform.hosts_format import normalize_address, normalize_name
from checks.probes import hosts_file, system_dns, tls_probe, trusted_dns
from checks.report import words as w
from checks.report.evidence_view import (
    H_NAME,
    VALID_CERT,
    Item,
    Line,
    list_text,
    records,
    result_text,
    table,
)
from checks.report.matrix_cells import (
    AN_ADDRESS,
    Column,
    Unmeasured,
    cell,
    evidence_of,
    found_for,
    records_for,
)
from checks.report.wait_words import waits_line
from checks.shared.address_kinds import CODES, bogus_kind
from checks.shared.concurrency import parallel_map
from checks.shared.i18n import Text, t
from checks.tencent.domain_list import is_address

# -- the endpoint matrix -----------------------------------------------------------------
TRUSTED_DNS = t("Trusted DNS", "可信 DNS")
SAME = t("same", "一致")
DIFFERS_UNPROVEN = t("differs (cannot be proven)", "不同（无法证实）")
DIFFERS_WRONG = t("differs: system answer is not the real server", "不同：系统解析的不是真实服务器")
DIFFERS_BOGUS = t("differs: system answer is a blocked or bogus address",
                  "不同：系统解析为屏蔽或伪造的地址")
COLUMN_FAKE_IP = t("fake-IP proxy answers", "Fake IP 代理在应答")
SYSTEM_NONE = t("system DNS gave none", "系统 DNS 无结果")
NOT_EITHER = t("says the name does not exist too", "同样称域名不存在")  # no internet: nothing exists
NO_SUCH_NAME = {codes.DNS_NXDOMAIN, codes.DNS_NXDOMAIN_OR_NODATA}
NO_TRUSTED_ANSWER = t("No trusted DNS server answered.", "可信 DNS 服务器均无应答。")
PENDING_TLS = t("The answers differ; no TLS handshake decided it.", "解析结果不同，未能通过 TLS 握手判断。")
FROM_HOSTS_FILE = t("differs: the system answer comes from the hosts file",
                    "不同：系统的解析结果来自 hosts 文件")

# The check's decision -> (state, words, whether trusted DNS agrees with the system's)
_DECISIONS: dict[str, tuple[str, Text, bool | None]] = {
    "consistent": ("ok", SAME, True),
    "differs_unverified": ("info", DIFFERS_UNPROVEN, False),
    "mismatch": ("fail", DIFFERS_WRONG, False),
    "mismatch_unconfirmed": ("warn", DIFFERS_WRONG, False),
    "bogus": ("fail", DIFFERS_BOGUS, False),
    "fake_ip": ("warn", COLUMN_FAKE_IP, False),
    "system_failed": ("info", SYSTEM_NONE, None),
    # The system's answer comes from the hosts file: the hosts check speaks for it.
    "hosts_file": ("fail", FROM_HOSTS_FILE, False),
}


def _trusted_dns(host: str, endpoint: Mapping[str, Any], checks: dict[Any, Any],
                 port: int | None = None) -> dict[str, Any]:
    if is_address(host):
        raise Unmeasured(AN_ADDRESS)
    evidence = evidence_of(checks, check_ids.DNS_POLLUTION)
    decisions = found_for(evidence, "decisions", host, checks, check_ids.DNS_POLLUTION)
    trusted = sorted({str(a) for r in records_for(evidence, "hosts", host)
                      for s in r.get("trusted") or [] if isinstance(s, Mapping) and s.get("answered")
                      for a in s.get("addresses") or []})
    decision = str(decisions[0].get("decision") or "")
    values: dict[str, Any] = {"addresses": trusted, "decision": decision or None}
    if decision not in _DECISIONS:
        raise Unmeasured(PENDING_TLS if decision == "needs_tls" else NO_TRUSTED_ANSWER,
                         agrees=None, **values)
    state, verdict, agrees = _DECISIONS[decision]
    said = {e for r in records_for(evidence, "hosts", host) for s in r.get("trusted") or []
            if isinstance(s, Mapping) and s.get("answered") for e in (s.get("errors") or {}).values()}
    if decision == "system_failed" and not trusted and said and said <= NO_SUCH_NAME:
        return cell("info", NOT_EITHER, agrees=None, **values)
    # Agreement needs no addresses repeated; a difference shows what trusted DNS said.
    text = verdict if agrees else w.join([w.addresses(trusted), verdict])
    return cell(state, text, agrees=agrees, **values)


COLUMN = Column("trusted_dns", TRUSTED_DNS, 20, _trusted_dns)


@register
class DnsPollutionCheck(Check):
    id = check_ids.DNS_POLLUTION
    title = t("DNS answers are genuine", "DNS 解析结果是否可信")
    group = "dns"
    order = 20
    evidence_keys = ("hosts", "decisions", "sources")
    matrix_columns = (COLUMN,)
    causes = (codes.FAKE_IP_PROXY, codes.DNS_POLLUTION, codes.OFFLINE)

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
        budget = ctx.timeout(cfg.dns.timeout_s + 2.5)
        # System and trusted lookups at the same time; the system ones are shared.
        jobs = [("system", h, "") for h in hosts] + questions
        outcomes = parallel_map(
            lambda j: system_dns.resolve(ctx, j[1]) if j[0] == "system"
            else trusted_dns.ask(ctx, *j), jobs, budget)
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
                trusted.append(trusted_dns.merge_answers(source, got))
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
        # Only where the decision hinges on it: no overlap, nothing bogus, an HTTPS host.
        tls_probe.prove_answers(ctx, [r for r in records if decide(r)["decision"] == "needs_tls"])
        decisions = [decide(r) for r in records]
        return {"hosts": records, "decisions": decisions, "sources": sources}

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_pollution(evidence)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


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
    confirmed = probe.get("failure") in tls_probe.NOT_THE_SERVER
    out.update(decision="mismatch" if confirmed else "mismatch_unconfirmed",
               codes=[codes.DNS_MISMATCH],
               reason=f"answers differ and {probe['address']} did not prove itself: "
                      f"{probe.get('failure')}")
    return out


def _problems(decisions: list[dict[str, Any]], kinds: tuple[str, ...]) -> list[Problem]:
    return [Problem(code, host=d["host"], address=(d.get("addresses") or d["system"] or [None])[0])
            for d in decisions if d["decision"] in kinds for code in d["codes"]]


ADVICE_POLLUTION = t(
    "Your DNS server returns wrong addresses for WeChat/WeCom. Press Fix to set this "
    "computer's DNS servers to a public service such as 223.5.5.5 or 119.29.29.29 (Undo puts "
    "them back). On a phone's hotspot, switch to Wi-Fi or restart the hotspot.",
    "当前 DNS 服务器为微信/企业微信返回了错误的地址。请按“修复”把这台电脑的 DNS 服务器改为公共 DNS 服务，"
    "例如 223.5.5.5 或 119.29.29.29（可撤销）。使用手机热点时，可换用 Wi-Fi 或重启热点。")
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
        fixes=(fix_ids.SET_DNS_SERVERS,),  # as advised: a flush asks the same server again
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
    # Whether the trusted servers answer tells a broken local DNS server from no internet.
    if not any(s.get("answered") for r in evidence["hosts"] for s in r["trusted"]):
        return Verdict(
            Status.ERROR,
            t("Could not compare: neither the system resolver nor the trusted DNS servers "
              "gave a usable answer.",
              "无法对比：系统 DNS 和可信 DNS 服务器都没有给出可用的应答。"),
            problems=(Problem(codes.NOT_RESOLVED), Problem(codes.DNS_TRUSTED_UNREACHABLE)),
        )
    if not any(s.get("addresses") for r in evidence["hosts"] for s in r["trusted"]):
        # They answered "does not exist" too: nothing out there confirms the names.
        return Verdict(
            Status.ERROR,
            t("Could not compare: neither the system resolver nor the trusted DNS servers gave "
              "an address (the trusted servers say the names do not exist).",
              "无法对比：系统 DNS 和可信 DNS 服务器都没有给出地址（可信 DNS 服务器称这些域名不存在）。"),
            problems=(Problem(codes.NOT_RESOLVED),),
        )
    return Verdict(
        Status.ERROR,
        t("Could not compare: the system resolver gave no addresses (see the DNS check), "
          "while the trusted DNS servers do give addresses.",
          "无法对比：系统 DNS 没有返回任何地址（请查看 DNS 检测结果），而可信 DNS 服务器能解析出地址。"),
        problems=(Problem(codes.NOT_RESOLVED),),
    )


# -- what a person reads ---------------------------------------------------------------

POLLUTION_TABLE = t("System DNS compared with trusted DNS", "系统 DNS 与可信 DNS 的对比")
COMPARED_WITH = t("Compared with", "对比对象")
H_SYSTEM = t("System DNS", "系统 DNS")
H_TRUSTED = t("Trusted DNS", "可信 DNS")
H_VERDICT = t("Verdict", "判断")
H_PROOF = t("TLS proof", "TLS 验证")
TRUSTED_SAYS = t("{resolver}: {answer} ({time})", "{resolver}：{answer}（{time}）")
NO_ANSWER = t("no answer", "无应答")
HTTP_DNS = t("HTTP DNS", "HTTP DNS")

DECISIONS: dict[str, Text] = {
    "consistent": t("genuine", "可信"),
    "differs_unverified": t("differs; cannot be proven either way (no TLS)", "不同；无法证实（无 TLS）"),
    "mismatch": t("wrong server (it failed the TLS proof)", "错误的服务器（未通过 TLS 验证）"),
    "mismatch_unconfirmed": t("differs; the system's answer could not prove itself",
                              "不同；系统解析的地址无法证明自己"),
    "bogus": t("blocked or bogus address", "屏蔽或伪造的地址"),
    "fake_ip": t("fake-IP proxy address (198.18.0.0/15)", "Fake IP 代理地址（198.18.0.0/15）"),
    "system_failed": t("system DNS gave no address", "系统 DNS 无结果"),
    "unverified": t("no trusted DNS server answered", "可信 DNS 无应答"),
    "needs_tls": t("differs; not proven", "不同；未验证"),
    "hosts_file": t("from the hosts file, not from DNS", "来自 hosts 文件，而非 DNS"),
}


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    decisions = {str(d.get("host")): d for d in records(evidence, "decisions")}
    rows = []
    for record in records(evidence, "hosts"):
        host = str(record.get("host"))
        system = record.get("system") or {}
        shown_system = (list_text(system.get("addresses")) if system.get("addresses")
                        else w.failure(system.get("error") or codes.DNS_NO_ANSWER))
        trusted = [_trusted_answer(s) for s in record.get("trusted") or [] if isinstance(s, Mapping)]
        decision = str((decisions.get(host) or {}).get("decision") or "")
        rows.append((w.plain(host), shown_system, w.join(trusted, "; ") if trusted else w.NONE,
                     DECISIONS.get(decision, w.plain(decision or "—")),
                     _proof(record.get("tls_probe"))))
    sources = [HTTP_DNS.en if s == "http_dns" else str(s) for s in evidence.get("sources") or []]
    waits = waits_line(s for r in records(evidence, "hosts") for s in r.get("trusted") or [])
    return [Line(COMPARED_WITH, list_text(sources)), *waits,
            table(POLLUTION_TABLE, (H_NAME, H_SYSTEM, H_TRUSTED, H_VERDICT, H_PROOF), rows)]


def _trusted_answer(source: Mapping[str, Any]) -> Text:
    resolver = HTTP_DNS if source.get("resolver") == "http_dns" else w.plain(str(source.get("resolver")))
    if source.get("addresses"):
        answer = list_text(source["addresses"])
    else:
        errors = [e for e in (source.get("errors") or {}).values() if e]
        answer = w.failure(errors[0]) if errors else NO_ANSWER
    return TRUSTED_SAYS.with_params(resolver=resolver, answer=answer, time=w.ms(source.get("ms")))


def _proof(probe: Any) -> Text:
    if not isinstance(probe, Mapping):
        return w.plain("—")
    issuer = w.issuer_name({"issuer": probe.get("issuer")})
    result = result_text(probe.get("failure"), VALID_CERT)
    return w.join([w.plain(str(probe.get("address"))), result, *([w.plain(issuer)] if issuer else [])])
