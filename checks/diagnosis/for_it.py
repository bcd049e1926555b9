"""A short text to send to the network administrator ("Copy for IT"), in both languages:
what failed, to which servers, addresses and ports, and how; when, from which adapter,
address, gateway and DNS server; and the allow-list lines that would let it through
(the firewall rule Tencent names for each server when its domain list was loaded).

Only what was measured: the failing targets are the ones the checks recorded, never a
list of every server the clients may use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from checks.diagnosis.facts import Facts
from checks.diagnosis.sayings.base import FAILURE_HOW, listed
from checks.diagnosis.sayings.connections import TLS_CUT, blocked, target
from checks.engine import codes
from checks.report import words as w
from checks.report.wait_words import waited
from checks.shared.i18n import Text, t

HELLO = t("Hello, WeChat/WeCom cannot connect to its servers from my computer. A network "
          "check (wxdoctor) found this; could you please look at it?",
          "您好，我这台电脑上的微信/企业微信连不上服务器。网络检测工具 wxdoctor 的结果如下，麻烦帮忙处理：")
WHEN = t("Time: {when}", "时间：{when}")
FROM = t("This computer: adapter {adapter}, address {address}, gateway {gateway}, DNS server "
         "{dns}", "本机：网卡 {adapter}，地址 {address}，网关 {gateway}，DNS 服务器 {dns}")
FOUND = t("Finding: {summary}", "检测结论：{summary}")
MEASURED = t("What was measured:", "检测到的情况：")
FAILED = t("What failed:", "失败的连接：")
ALLOW = t("Please allow (firewall / internet access control whitelist):",
          "请放行（加入防火墙或上网行为管理的白名单）：")
EXEMPT = t("Please exempt from HTTPS inspection: {domains}", "请将以下域名排除在 HTTPS 检查之外：{domains}")
SOURCE = t("(Tencent's domain list {path}, saved {date})", "（腾讯域名列表 {path}，保存于 {date}）")
UNKNOWN = t("unknown", "未知")


def _waited(record: Any) -> Text:
    """The "; waited 1.1 s: the path answers in 6 ms (...)" after a line that gave up on
    silence: how long, and why that long (see report.wait_words)."""
    said = waited(record)
    return t("; {said}", "；{said}", said=said) if said is not None else t("", "")


def _failed_lines(facts: Facts) -> list[Text]:
    lines = []
    for c in blocked(facts):
        lines.append(t("- {target} TCP: connections {how}{waited}", "- {target} TCP：连接{how}{waited}",
                       target=target(c), how=FAILURE_HOW.get(c.failure or "", w.failure(c.failure)),
                       waited=_waited({"waited": c.waited})))
    for c in facts.dead_addresses():
        lines.append(t("- {target} TCP: connections to this address {how}{waited}; the server's "
                       "other addresses work",
                       "- {target} TCP：到这个地址的连接{how}{waited}；该服务器的其他地址正常",
                       target=target(c), how=FAILURE_HOW.get(c.failure or "", w.failure(c.failure)),
                       waited=_waited({"waited": c.waited})))
    for p in facts.tls_probes():
        if p.get("failure") in TLS_CUT:
            lines.append(t("- {host}:{port} ({address}): the secure handshake is cut off or not "
                           "answered{waited}", "- {host}:{port}（{address}）：安全握手被中断或没有应答{waited}",
                           host=p.get("host"), port=p.get("port") or 443, address=p.get("address"),
                           waited=_waited(p)))
    for host, failure in facts.name_failures().items():
        lines.append(t("- {host}: the name does not resolve ({why})", "- {host}：域名无法解析（{why}）",
                       host=host, why=w.failure(failure)))
    return lines


def _targets(facts: Facts) -> dict[str, set[int]]:
    """Host -> the ports that failed (TCP connects and secure handshakes)."""
    out: dict[str, set[int]] = {}
    for c in [*blocked(facts), *facts.dead_addresses()]:
        if c.port:
            out.setdefault(c.host, set()).add(c.port)
    for p in facts.tls_probes():
        if p.get("failure") in TLS_CUT and isinstance(p.get("port") or 443, int):
            out.setdefault(str(p.get("host")), set()).add(int(p.get("port") or 443))
    return out


def _allow_lines(targets: Mapping[str, set[int]], endpoints: Sequence[Mapping[str, Any]]) -> list[Text]:
    """One line per firewall rule: Tencent's parent domain where it names one, else the
    host itself, with the ports that failed."""
    rules: dict[str, set[int]] = {}
    wildcard = {str(e.get("host")): str(e.get("universal_domain"))
                for e in endpoints if isinstance(e, Mapping) and e.get("universal_domain")}
    for host, ports in targets.items():
        rule = f"*.{wildcard[host]}" if host in wildcard else host
        rules.setdefault(rule, set()).update(ports)
    return [t("- {rule}  TCP {ports}", "- {rule}  TCP {ports}", rule=rule,
              ports=", ".join(str(p) for p in sorted(ports))) for rule, ports in rules.items()]


def it_text(summary: Text, proof: Sequence[Text], facts: Facts, *, code: str, started_at: str,
            endpoints: Sequence[Mapping[str, Any]], domain_list: Mapping[str, Any] | None) -> Text:
    route = facts.default_route()
    lines: list[Text] = [HELLO, WHEN.with_params(when=w.local_time(started_at))]
    if route is not None:
        lines.append(FROM.with_params(
            adapter=route.interface or UNKNOWN, address=route.source or UNKNOWN,
            gateway=route.gateway or UNKNOWN,
            dns=listed(facts.dns_servers(), 2) if facts.dns_servers() else UNKNOWN))
    lines.append(FOUND.with_params(summary=summary))
    failed = _failed_lines(facts)
    if proof and not failed:
        lines += [MEASURED, *(t("- {line}", "- {line}", line=line) for line in proof)]
    if failed:
        lines += [FAILED, *failed[:12]]
    targets = _targets(facts)
    if targets and code != codes.TLS_INTERCEPTED:
        lines += [ALLOW, *_allow_lines(targets, endpoints)]
    if code == codes.TLS_INTERCEPTED:
        lines.append(EXEMPT.with_params(domains=["*.weixin.qq.com", "*.work.weixin.qq.com", "*.qq.com"]))
    if domain_list and (targets or code == codes.TLS_INTERCEPTED):
        lines.append(SOURCE.with_params(path=domain_list.get("path", "?"),
                                        date=domain_list.get("modified", "?")))
    keys = {f"l{i}": line for i, line in enumerate(lines)}
    template = "\n".join("{" + k + "}" for k in keys)
    return Text(template, template, keys)
