"""Does the hosts file redirect WeChat/WeCom servers?

A hosts line beats DNS, so an old "acceleration" entry or one left by a proxy
tool quietly sends the client to a dead address. Each Tencent name found in the
file is also asked of the configured DNS servers directly (bypassing the hosts
file) to tell a harmless pin from a real override.
"""

from __future__ import annotations

import errno
import ipaddress
from collections.abc import Mapping
from typing import Any

from checks.engine import check_ids, codes, fix_ids
from checks.engine.check import Check, register
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.platform import hosts_format
from checks.probes import dns_wire, hosts_file, system_dns
from checks.report import words as w
from checks.report.evidence_view import (
    H_ADDRESS,
    L_FAILURE,
    SIZE,
    Item,
    Line,
    list_text,
    records,
    table,
    text_of,
)
from checks.shared.concurrency import parallel_map
from checks.shared.i18n import Text, t

MAX_NAMES_TO_VERIFY = 16  # DNS questions per run; a huge hosts file must not stall it
# Domains the clients log in through: any override there matters. Other Tencent
# names (e.g. ad servers under qq.com blocked by an ad-block list) are only listed.
CRITICAL_SUFFIXES = ("weixin.qq.com", "wechat.com")


@register
class HostsCheck(Check):
    id = check_ids.HOSTS
    title = t("Hosts file", "hosts 文件")
    group = "dns"
    order = 15
    evidence_keys = ("path", "failure", "encoding", "undecodable", "newline", "size", "entries", "mappings", "dns")
    causes = (codes.HOSTS_OVERRIDE,)

    def collect(self, ctx: Context) -> dict[str, Any]:
        found = hosts_file.read(ctx)
        evidence: dict[str, Any] = {"path": str(found.path)}
        if found.raw is None:
            exc = found.error or OSError("unreadable")
            evidence.update(failure=_read_failure(exc), reason=exc.strerror or str(exc))
            return evidence
        raw = found.raw
        decoded = hosts_format.decode_hosts(raw)
        entries = hosts_format.parse_hosts(decoded.text)
        endpoint_hosts = [e.host for e in ctx.config.endpoints]
        keep = ctx.config.system.hosts_keep
        mappings = []
        for entry in entries:
            names = [n for n in entry.names if hosts_format.is_tencent_name(n, endpoint_hosts)]
            if names:
                mappings.append({
                    "line_no": entry.line_no,
                    "address": entry.address,
                    "names": names,
                    "critical": any(_is_critical(n, endpoint_hosts) for n in names),
                    "comment": entry.comment,
                    "raw": entry.raw[:300].replace("\0", "\\0"),
                    # The organisation's own pin (`[system] hosts_keep`): never blamed.
                    "kept": any(hosts_format.in_names(n, keep) for n in names),
                })
        evidence.update(
            failure=None,
            encoding=decoded.encoding,
            undecodable=decoded.lossy_fallback,
            newline="crlf" if decoded.newline == "\r\n" else "lf",
            size=len(raw),
            entries=len(entries),
            mappings=mappings,
            dns=_verify(ctx, mappings),
        )
        return evidence

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_hosts(evidence)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def _is_critical(name: str, endpoint_hosts: list[str]) -> bool:
    norm = hosts_format.normalize_name(name)
    if norm in {hosts_format.normalize_name(h) for h in endpoint_hosts}:
        return True
    return any(norm == s or norm.endswith("." + s) for s in CRITICAL_SUFFIXES)


def _read_failure(exc: OSError) -> str:
    if isinstance(exc, hosts_format.NotRegularFile):
        return codes.HOSTS_NOT_REGULAR
    if isinstance(exc, hosts_format.FileTooLarge):
        return codes.HOSTS_TOO_LARGE
    if isinstance(exc, FileNotFoundError):
        return codes.HOSTS_MISSING
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return codes.HOSTS_PERMISSION
    if isinstance(exc, IsADirectoryError):
        return codes.HOSTS_NOT_A_FILE
    return codes.HOSTS_UNREADABLE


# ---- asking DNS directly, bypassing the hosts file ---------------------------------


def _verify(ctx: Context, mappings: list[dict[str, Any]]) -> dict[str, Any]:
    names: list[str] = []
    for mapping in mappings:
        if mapping["critical"]:
            for name in mapping["names"]:
                norm = hosts_format.normalize_name(name)
                if norm not in names:
                    names.append(norm)
    names = names[:MAX_NAMES_TO_VERIFY]
    if not names:
        return {}
    timeout = ctx.timeout(min(3.0, ctx.config.dns.timeout_s))
    outcomes = parallel_map(lambda n: _direct_lookup(ctx, n, timeout), names, timeout + 0.3)
    result: dict[str, Any] = {}
    for name, outcome in zip(names, outcomes, strict=True):
        if outcome.done and outcome.value is not None:
            result[name] = outcome.value
        else:
            result[name] = {"addresses": [], "error": codes.DNS_TIMEOUT}
    return result


def _direct_lookup(ctx: Context, name: str, timeout: float) -> dict[str, Any]:
    """A and AAAA from the configured DNS servers themselves (never the hosts file),
    each question's wait scaled to the measured path (engine.path_wait)."""
    servers, error = dns_wire.system_nameservers()
    if not servers:
        return {"addresses": [], "error": error}
    questions = [(server, rtype) for server in servers for rtype in ("A", "AAAA")]
    outcomes = parallel_map(
        lambda q: dns_wire.ask(q[0], name, q[1], ctx.wait("dns", timeout),
                               resends=system_dns.RESENDS),
        questions, timeout + 0.2)
    addresses: list[str] = []
    errors = []
    for outcome in outcomes:
        answer = outcome.value if outcome.done and outcome.value else {
            "addresses": [], "error": codes.DNS_TIMEOUT}
        addresses += [a for a in answer["addresses"] if a not in addresses]
        errors.append(answer["error"])
    silent = all(e in (codes.DNS_TIMEOUT, codes.DNS_UNREACHABLE) for e in errors)
    return {"addresses": addresses,
            "error": None if addresses else (codes.DNS_TIMEOUT if silent else None)}


# ---- verdict ------------------------------------------------------------------------


def classify(mapping: Evidence, dns_answers: Evidence) -> str:
    """blocked | differs | unverified | matches | other (a non-login Tencent name) |
    kept (the organisation's own pin) | ignored."""
    if not _is_address(mapping["address"]):
        return "ignored"  # the resolver skips lines that do not start with an address
    if mapping.get("kept") is True:
        return "kept"
    if not mapping["critical"]:
        return "other"
    if _is_null_address(mapping["address"]):
        return "blocked"
    answers = [dns_answers.get(hosts_format.normalize_name(n)) for n in mapping["names"]]
    known = [a for a in answers if a and a.get("addresses")]
    if not known:
        return "unverified"
    wanted = hosts_format.normalize_address(mapping["address"])
    if all(wanted in {hosts_format.normalize_address(x) for x in a["addresses"]} for a in known):
        return "matches"
    return "differs"


def _is_address(address: str) -> bool:
    try:
        ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    return True


def _is_null_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False  # not an address at all: the resolver ignores the line
    return ip.is_loopback or ip.is_unspecified




def assess_hosts(evidence: Evidence) -> Verdict:
    path = evidence["path"]
    failure = evidence.get("failure")
    if failure:
        reason = (codes.meaning(failure) if failure in codes.FAILURES
                  else Text(evidence.get("reason") or failure, evidence.get("reason") or failure))
        return Verdict(
            Status.ERROR,
            t("Could not read the hosts file {path}: {reason}.",
              "无法读取 hosts 文件 {path}：{reason}。", path=path, reason=reason),
            problems=(Problem(failure),),
        )
    mappings = evidence.get("mappings", [])
    dns_answers = evidence.get("dns", {})
    kinds = [(m, classify(m, dns_answers)) for m in mappings]
    bad = [(m, k) for m, k in kinds if k in ("blocked", "differs")]
    unverified = [m for m, k in kinds if k == "unverified"]
    pinned = [m for m, k in kinds if k == "matches"]
    other = [m for m, k in kinds if k == "other"]
    kept = [m for m, k in kinds if k == "kept"]

    def lines(items: list[Evidence]) -> Text:
        shown = [f"{m['line_no']}: {m['address']} {' '.join(m['names'])}" for m in items[:3]]
        more = len(items) - len(shown)
        return Text("; ".join(shown) + (f" (+{more})" if more else ""),
                    "；".join(shown) + (f"（另有 {more} 行）" if more else ""))

    if bad or unverified:
        flagged = [m for m, _ in bad] + unverified
        # One per name, normalized, so the diagnosis can match other checks' targets.
        problems = tuple(
            Problem(codes.HOSTS_OVERRIDE, host=hosts_format.normalize_name(n), address=m["address"])
            for m in flagged for n in m["names"]
        )
        advice = t(
            "Comment out or delete these lines in {path} (the repair button does it safely, "
            "with a backup), then flush the DNS cache.",
            "请在 {path} 中注释掉或删除这些行（可使用修复按钮，会先自动备份），然后清除 DNS 缓存。",
            path=path,
        )
        if bad:
            return Verdict(
                Status.FAIL,
                t("The hosts file sends WeChat/WeCom servers to the wrong address (line {items}).",
                  "hosts 文件把微信/企业微信服务器指向了错误的地址（第 {items}）。",
                  items=lines(flagged)),
                advice, problems=problems, cause=codes.HOSTS_OVERRIDE, fixes=(fix_ids.REPAIR_HOSTS,),
            )
        return Verdict(
            Status.WARN,
            t("The hosts file fixes the address of WeChat/WeCom servers (line {items}); "
              "DNS could not confirm it is still right.",
              "hosts 文件固定了微信/企业微信服务器的地址（第 {items}），无法通过 DNS 确认其仍然正确。",
              items=lines(flagged)),
            advice, problems=problems, cause=codes.HOSTS_OVERRIDE, fixes=(fix_ids.REPAIR_HOSTS,),
        )
    if pinned:
        return Verdict(
            Status.INFO,
            t("The hosts file fixes WeChat/WeCom server addresses (line {items}); they match DNS "
              "today but will break when the servers move.",
              "hosts 文件固定了微信/企业微信服务器的地址（第 {items}），目前与 DNS 一致，"
              "但服务器地址变化后会导致无法连接。", items=lines(pinned)),
            t("Consider removing these lines.", "建议删除这些行。"),
            fixes=(fix_ids.REPAIR_HOSTS,),
        )
    if kept:
        return Verdict(
            Status.INFO,
            t("The hosts file fixes WeChat/WeCom server addresses as your organisation's "
              "configuration says (line {items}); wxdoctor leaves these lines alone.",
              "hosts 文件按贵单位的配置固定了微信/企业微信服务器的地址（第 {items}），"
              "本工具不会改动这些行。", items=lines(kept)),
        )
    if other:
        return Verdict(
            Status.OK,
            t("The hosts file does not redirect the login servers ({n} other Tencent names are "
              "listed, e.g. by an ad blocker).",
              "hosts 文件没有重定向登录服务器（另有 {n} 个腾讯域名被列出，可能来自广告屏蔽列表）。",
              n=sum(len(m["names"]) for m in other)),
        )
    return Verdict(
        Status.OK,
        t("The hosts file does not redirect any WeChat/WeCom server ({n} entries).",
          "hosts 文件没有重定向微信/企业微信服务器（共 {n} 条记录）。", n=evidence.get("entries", 0)),
    )


# -- what a person reads ---------------------------------------------------------------

HOSTS_LINES = t("Lines naming Tencent servers", "涉及腾讯服务器的行")
H_LINE = t("Line", "行号")
H_NAMES = t("Names", "域名")
H_DNS_SAYS = t("DNS says", "DNS 解析")
H_EFFECT = t("Effect", "影响")
REDIRECTS_LOGIN = t("redirects a server the clients need", "重定向了客户端需要的服务器")
OTHER_QQ = t("other qq.com name (listed only)", "其他 qq.com 域名（仅列出）")
HOSTS_FILE = t("Hosts file", "hosts 文件")
ENCODING = t("Encoding", "编码")
ENTRIES = t("Entries", "条目数")
UNDECODABLE = t("some bytes could not be decoded", "部分字节无法解码")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    out: list[Item] = [Line(HOSTS_FILE, text_of(evidence.get("path")))]
    if evidence.get("failure"):
        out.append(Line(L_FAILURE, w.failure(evidence["failure"])))
    if evidence.get("encoding"):
        out.append(Line(ENCODING, text_of(evidence["encoding"])))
    if evidence.get("undecodable"):
        out.append(Line(ENCODING, UNDECODABLE))
    if "entries" in evidence:
        out.append(Line(ENTRIES, text_of(evidence["entries"])))
    if "size" in evidence:
        out.append(Line(SIZE, w.size(evidence["size"])))
    answers = w.sub(evidence, "dns")
    rows = []
    for mapping in records(evidence, "mappings"):
        names = [str(n) for n in mapping.get("names") or []]
        said = [list_text((answers.get(n) or {}).get("addresses")) for n in names if n in answers]
        rows.append((text_of(mapping.get("line_no")), text_of(mapping.get("address")), list_text(names),
                     REDIRECTS_LOGIN if mapping.get("critical") else OTHER_QQ,
                     w.join(said, "; ") if said else w.plain("—")))
    if rows:
        out.append(table(HOSTS_LINES, (H_LINE, H_ADDRESS, H_NAMES, H_EFFECT, H_DNS_SAYS), rows))
    return out
