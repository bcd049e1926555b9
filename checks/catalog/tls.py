"""Do the HTTPS servers present a valid certificate, and is it the one we expect?

Only endpoints with `tls = true`: WeChat's long/short links speak Tencent's mmtls,
where a standard TLS handshake cannot work. A certificate that is trusted but comes
from an unexpected issuer means something on the network inspects HTTPS. Each
working handshake carries one light HTTPS request: a real server (valid certificate
from an expected issuer) answering 5xx means the service itself is failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.engine import check_ids, codes
from checks.engine.check import Check, register
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.probes import connections, tls_probe
from checks.report import words as w
from checks.report.evidence_view import (
    H_ADDRESS,
    H_RESULT,
    H_SERVER,
    H_VERSION,
    VALID_CERT,
    Item,
    Line,
    list_text,
    records,
    result_text,
    table,
    text_of,
)
from checks.report.matrix_cells import (
    NOT_RESOLVED,
    Column,
    Unmeasured,
    cell,
    evidence_of,
    found_for,
)
from checks.report.wait_words import waits_line
from checks.shared.concurrency import gather
from checks.shared.i18n import Text, t
from checks.shared.issuers import issuer_expected
from checks.tencent.domain_list import is_address

# -- the endpoint matrix -----------------------------------------------------------------

TLS = t("TLS", "TLS")


NO_TLS = t("Not standard TLS (tls = false, e.g. WeChat's mmtls links): cannot be checked.",
           "不使用标准加密连接（微信自己的加密长连接）：无法检测。")


ADDRESS_TCP_ONLY = t("An address from the domain list: only TCP connects are tested.",
                     "域名列表中的 IP 地址：只检测 TCP 连接。")


NO_CONNECTION = t("No connection to test TLS on (see the TCP column).",
                  "没有可用于检测 TLS 的连接（见 TCP 列）。")


VALID = t("valid", "有效")


UNEXPECTED_ISSUER = t("unexpected issuer (inspected)", "非预期颁发者（被检查）")


def _tls(host: str, endpoint: Mapping[str, Any], checks: dict[Any, Any],
         port: int | None = None) -> dict[str, Any]:
    if is_address(host):
        raise Unmeasured(ADDRESS_TCP_ONLY)
    if endpoint.get("tls") is False:
        raise Unmeasured(NO_TLS)
    evidence = evidence_of(checks, check_ids.TLS)
    probe = found_for(evidence, "probes", host, checks, check_ids.TLS)[0]
    failure = probe.get("failure")
    cert = w.sub(probe, "cert")
    issuer, version = w.issuer_name(cert), str(probe.get("version") or "")
    values = {"port": probe.get("port"), "version": version or None, "issuer": issuer or None,
              "valid": bool(probe.get("verified")) and not failure, "failure": failure}
    if failure == codes.NOT_RESOLVED:
        raise Unmeasured(NOT_RESOLVED, **values)
    if str(failure or "").startswith("tcp_"):
        raise Unmeasured(NO_CONNECTION, **values)
    parts = [w.plain(x) for x in (version, issuer) if x]
    if failure:
        state = "warn" if failure == codes.TLS_OLD_VERSION else "fail"
        return cell(state, w.join([*parts, w.failure(failure)]), **values)
    if not issuer_expected(cert, evidence.get("expected_issuers")):
        return cell("warn", w.join([*parts, UNEXPECTED_ISSUER]), **values)
    return cell("ok", w.join([*parts, VALID]), **values)


COLUMN = Column("tls", TLS, 40, _tls)


@register
class TlsCheck(Check):
    id = check_ids.TLS
    title = t("Secure connection (TLS certificate)", "安全连接（证书）")
    group = "secure"
    order = 10
    evidence_keys = ("probes", "ca_file_problems", "expected_issuers", "timeout_s")
    matrix_columns = (COLUMN,)
    causes = (codes.CLOCK_SKEW, codes.TCP_BLOCKED, codes.TLS_INTERCEPTED,
              codes.TLS_INVALID_CERTIFICATE, codes.SERVICE_OUTAGE, codes.PMTU_BLACKHOLE)

    def not_applicable(self, ctx: Context) -> Text | None:
        if not any(e.tls for e in ctx.config.endpoints):
            return t("No HTTPS endpoints are configured.", "未配置任何 HTTPS 服务器。")
        return None

    def collect(self, ctx: Context) -> dict[str, Any]:
        targets = sorted({(e.host, tls_probe.tls_port(e)) for e in ctx.config.endpoints if e.tls})
        cfg = ctx.config
        budget = ctx.timeout(cfg.dns.timeout_s + cfg.tcp.timeout_s + 2 * cfg.tls.timeout_s + 2.5)
        # Still running at the budget: the handshake never finished in time.
        probes = gather(lambda hp: _probe(ctx, *hp), targets, budget,
                        lambda hp: {"host": hp[0], "port": hp[1], "address": None,
                                    "failure": codes.TLS_HANDSHAKE_TIMEOUT, "verified": False})
        _context, ca_problems = tls_probe.trust_context(ctx)
        return {
            "probes": probes,
            "ca_file_problems": ca_problems,
            "expected_issuers": list(cfg.tls.expected_issuers),
            "timeout_s": cfg.tls.timeout_s,
        }

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_tls(evidence)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def _probe(ctx: Context, host: str, port: int) -> dict[str, Any]:
    # The address the run's connect reached (of several, the first that answered).
    address = connections.reach(ctx, host, port).get("address")
    if not address:
        return {"host": host, "port": port, "address": None, "failure": codes.NOT_RESOLVED,
                "verified": None}
    return tls_probe.probe(ctx, host, address, port)


CERT_FAILURES = (codes.TLS_UNTRUSTED_ISSUER, codes.TLS_EXPIRED, codes.TLS_NOT_YET_VALID, codes.TLS_NAME_MISMATCH)


def _issuer_label(cert: dict[str, Any] | None) -> str:
    issuer = (cert or {}).get("issuer") or {}
    return issuer.get("CN") or issuer.get("O") or "?"


def _items(probes: list[dict[str, Any]]) -> Text:
    shown = probes[:4]
    en = "; ".join(
        f"{p['host']}:{p['port']} {codes.meaning(p['failure']).en}"
        for p in shown)
    zh = "；".join(
        f"{p['host']}:{p['port']} {codes.meaning(p['failure']).zh}"
        for p in shown)
    more = len(probes) - len(shown)
    if more:
        en += f" and {more} more"
        zh += f" 等另外 {more} 个"
    return Text(en, zh)


ADVICE_CLOCK = t(
    "The computer's clock is behind: certificates look \"not yet valid\". Turn on automatic "
    "time and check again.",
    "电脑时间偏慢，导致证书显示“尚未生效”。请开启自动设置时间后重新检测。")
ADVICE_REPLACED = t(
    "Something between you and the servers replaces their certificate (public Wi-Fi login "
    "pages and some security software do this). Check that the date and time are right, sign "
    "in to the Wi-Fi if it asks, or try another network.",
    "您与服务器之间有设备替换了服务器证书（公共 Wi-Fi 认证页面和部分安全软件会这样做）。"
    "请确认日期和时间正确；如 Wi-Fi 要求登录请先登录，或换一个网络再试。")
ADVICE_SILENT = t(
    "The connection opens but the secure handshake gets no answer. Large packets may be "
    "dropped on the way (MTU problem) or a firewall filters encrypted traffic. Try another "
    "network, or ask your network administrator.",
    "连接可以建立，但安全握手没有响应。可能是大数据包在途中被丢弃（MTU 问题），或防火墙过滤了加密流量。"
    "请换一个网络再试，或联系网络管理员。")
ADVICE_CUT = t(
    "A firewall or security software cuts secure connections to these servers. Allow "
    "*.weixin.qq.com and *.work.weixin.qq.com, or ask your network administrator.",
    "防火墙或安全软件中断了到这些服务器的安全连接。请放行 *.weixin.qq.com 和 "
    "*.work.weixin.qq.com，或联系网络管理员。")
ADVICE_INSPECTED = t(
    "A company firewall or security software decrypts HTTPS. If WeCom/WeChat cannot log in, "
    "ask IT to exempt *.weixin.qq.com and *.work.weixin.qq.com from HTTPS inspection, or turn "
    "off \"HTTPS scanning\" in the security software.",
    "公司防火墙或安全软件正在解密 HTTPS 流量。如果企业微信/微信无法登录，请让 IT 部门将 "
    "*.weixin.qq.com 和 *.work.weixin.qq.com 排除在 HTTPS 检查之外，或关闭安全软件的“HTTPS 扫描”功能。")


def _problem(p: dict[str, Any], code: str | None = None) -> Problem:
    return Problem(code or p["failure"], host=p["host"], port=p["port"], address=p.get("address"))


def assess_tls(evidence: Evidence) -> Verdict:
    probes: list[dict[str, Any]] = list(evidence["probes"])
    expected = list(evidence.get("expected_issuers") or [])
    # Not resolved, or no TCP connection: the tcp and dns checks speak for those.
    untested = [p for p in probes if p["failure"] == codes.NOT_RESOLVED
                or str(p["failure"] or "").startswith("tcp_")]
    tested = [p for p in probes if p not in untested]
    problems = [_problem(p) for p in untested if p["failure"] != codes.NOT_RESOLVED]
    if not tested:
        return Verdict(
            Status.ERROR,
            t("Could not test: no HTTPS server could be reached (see the connection checks).",
              "无法检测：无法连接任何 HTTPS 服务器（请查看连接检测结果）。"),
            problems=tuple(problems) or (Problem(codes.NOT_RESOLVED),),
        )
    failed = [p for p in tested if p["failure"] is not None]
    problems += [_problem(p) for p in failed]
    cert_failed = [p for p in failed if p["failure"] in CERT_FAILURES]
    old = [p for p in failed if p["failure"] == codes.TLS_OLD_VERSION]
    path_failed = [p for p in failed if p not in cert_failed and p not in old]
    ok = [p for p in tested if p["failure"] is None]
    unexpected = [p for p in ok if expected and not issuer_expected(p.get("cert"), expected)]
    problems += [_problem(p, codes.TLS_UNEXPECTED_ISSUER) for p in unexpected]
    if cert_failed:
        return _invalid_certificates(cert_failed, len(tested), problems)
    if path_failed:
        return _handshakes_failed(path_failed, len(tested), problems)
    # A 5xx behind an inspecting proxy may be the proxy's own: only the real servers count.
    failing = [p for p in ok if server_error(p) and p not in unexpected]
    if failing:
        return _service_failing(failing, len(tested), problems)
    if unexpected or old:
        return _inspected(unexpected, old, problems)
    return _working(ok, untested, list(evidence.get("ca_file_problems") or []), problems)


def _invalid_certificates(failed: list[dict[str, Any]], tested: int,
                          problems: list[Problem]) -> Verdict:
    clock = all(p["failure"] == codes.TLS_NOT_YET_VALID for p in failed)
    issuers = sorted({_issuer_label(p.get("cert")) for p in failed})
    return Verdict(
        Status.FAIL,
        t("{n} of {total} HTTPS servers presented an invalid certificate: {items} "
          "(issued by {issuers}).",
          "{total} 个 HTTPS 服务器中有 {n} 个出示了无效证书：{items}（颁发者：{issuers}）。",
          n=len(failed), total=tested, items=_items(failed), issuers=issuers),
        ADVICE_CLOCK if clock else ADVICE_REPLACED,
        problems=tuple(problems),
        cause=codes.CLOCK_SKEW if clock else codes.TLS_INVALID_CERTIFICATE,
    )


def _handshakes_failed(failed: list[dict[str, Any]], tested: int,
                       problems: list[Problem]) -> Verdict:
    silent = all(p["failure"] == codes.TLS_HANDSHAKE_TIMEOUT for p in failed)
    return Verdict(
        Status.FAIL,
        t("{n} of {total} secure connections failed: {items}.",
          "{total} 个安全连接中有 {n} 个失败：{items}。",
          n=len(failed), total=tested, items=_items(failed)),
        ADVICE_SILENT if silent else ADVICE_CUT,
        problems=tuple(problems),
        # Only the MTU evidence can tell a black hole from a filtering firewall:
        # the diagnosis promotes this to pmtu_blackhole when the mtu check agrees.
        cause=codes.TCP_BLOCKED,
    )


def server_error(probe: Evidence) -> int | None:
    """The 5xx status the server answered the HTTPS request with, if it did."""
    status = (probe.get("http") or {}).get("status")
    return int(status) if isinstance(status, int) and 500 <= status < 600 else None


ADVICE_OUTAGE = t(
    "The problem is on Tencent's side, not your network: the name, the connection and the "
    "certificate are fine, but the servers answer with an error. Wait a while and try again, "
    "or check Tencent's service status.",
    "问题在腾讯一方，不在您的网络：域名、连接和证书都正常，但服务器返回了错误。请稍等片刻再试，"
    "或查看腾讯的服务状态。")


def _service_failing(failing: list[dict[str, Any]], tested: int,
                     problems: list[Problem]) -> Verdict:
    items = [f"{p['host']} HTTP {server_error(p)}" for p in failing[:4]]
    return Verdict(
        Status.FAIL,
        t("{n} of {total} servers complete the secure connection but answer with a server "
          "error: {items}.",
          "{total} 个服务器中有 {n} 个安全连接正常，但返回服务器错误：{items}。",
          n=len(failing), total=tested, items=Text("; ".join(items), "；".join(items))),
        ADVICE_OUTAGE,
        problems=tuple(problems) + tuple(_problem(p, codes.HTTPS_SERVER_ERROR) for p in failing),
        cause=codes.SERVICE_OUTAGE,
    )


def _inspected(unexpected: list[dict[str, Any]], old: list[dict[str, Any]],
               problems: list[Problem]) -> Verdict:
    if unexpected:
        summary = t(
            "Your network inspects encrypted traffic: the certificate of {hosts} is issued by "
            "\"{issuers}\", not by the servers' usual certificate authority.",
            "您所在的网络在检查加密流量：{hosts} 的证书由“{issuers}”签发，而不是服务器通常使用的证书机构。",
            hosts=sorted({p["host"] for p in unexpected}),
            issuers=sorted({_issuer_label(p.get("cert")) for p in unexpected}))
    else:
        summary = t("These servers negotiated an outdated TLS version: {items}.",
                    "这些服务器协商了过旧的 TLS 版本：{items}。", items=_items(old))
    return Verdict(Status.WARN, summary, ADVICE_INSPECTED, problems=tuple(problems),
                   cause=codes.TLS_INTERCEPTED)


def _working(ok: list[dict[str, Any]], untested: list[dict[str, Any]],
             ca_problems: list[dict[str, Any]], problems: list[Problem]) -> Verdict:
    versions = sorted({p.get("version") or "?" for p in ok})
    if ca_problems:
        files = [f"{c['file']} ({c['error']})" for c in ca_problems]
        return Verdict(
            Status.INFO,
            t("{n} secure connections are fine, but these extra CA files could not be "
              "used: {files}.",
              "{n} 个安全连接正常，但以下额外 CA 证书文件无法使用：{files}。",
              n=len(ok), files=files),
            t("Check the [tls] extra_ca_files setting.", "请检查配置中的 [tls] extra_ca_files。"),
            problems=tuple(problems) + tuple(Problem(c["error"]) for c in ca_problems),
        )
    if untested:
        return Verdict(
            Status.INFO,
            t("{n} secure connections are fine ({versions}); {u} servers could not be reached "
              "to test.",
              "{n} 个安全连接正常（{versions}）；{u} 个服务器无法连接，未能检测。",
              n=len(ok), versions=versions, u=len(untested)),
            problems=tuple(problems),
        )
    return Verdict(
        Status.OK,
        t("All {n} secure connections are fine ({versions}, certificates valid).",
          "全部 {n} 个安全连接正常（{versions}，证书有效）。", n=len(ok), versions=versions),
    )


# -- what a person reads ---------------------------------------------------------------

TLS_TABLE = t("Secure connections", "安全连接")
H_ISSUER = t("Issuer", "颁发者")
H_VALID_UNTIL = t("Valid until", "有效期至")
EXPECTED = t("Expected issuers", "预期的颁发者")
CA_PROBLEMS = t("Extra CA files not usable", "无法使用的额外 CA 文件")
HANDSHAKE = t("handshake {time}", "握手 {time}")
HTTPS_ANSWER = t("HTTPS answer {status}", "HTTPS 应答 {status}")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    rows = []
    for p in records(evidence, "probes"):
        cert = w.sub(p, "cert")
        result = result_text(p.get("failure"), VALID_CERT)
        if p.get("handshake_ms") is not None:
            result = w.join([result, HANDSHAKE.with_params(time=w.ms(p["handshake_ms"]))])
        answer = w.sub(p, "http")
        if isinstance(answer.get("status"), int):
            result = w.join([result, HTTPS_ANSWER.with_params(status=w.http_status(answer))])
        elif answer.get("failure"):
            result = w.join([result, HTTPS_ANSWER.with_params(status=w.failure(answer["failure"]))])
        until = str(cert.get("not_after") or "")[:10]
        rows.append((text_of(p.get("host")), text_of(p.get("address")), text_of(p.get("version")),
                     text_of(w.issuer_name(cert)), text_of(until), result))
    out: list[Item] = []
    if evidence.get("expected_issuers"):
        out.append(Line(EXPECTED, list_text(evidence["expected_issuers"])))
    problems = [t("{file} ({error})", "{file}（{error}）", file=w.plain(str(c.get("file"))),
                  error=w.failure(c.get("error")))
                for c in records(evidence, "ca_file_problems")]
    if problems:
        out.append(Line(CA_PROBLEMS, w.join(problems, ", ")))
    out += waits_line(records(evidence, "probes"))
    out.append(table(TLS_TABLE, (H_SERVER, H_ADDRESS, H_VERSION, H_ISSUER, H_VALID_UNTIL, H_RESULT),
                     rows))
    return out
