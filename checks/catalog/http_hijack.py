"""Is plain HTTP on port 80 answered by the real servers, or by something in between?

WeChat's short links are plain HTTP POSTs on port 80, so a transparent proxy, an
ISP page injector or a portal that grabs port 80 breaks WeChat even when HTTPS
works. The real servers answer a bare GET / with something short and not a web
page, so the signal is conservative: a redirect to a foreign host, or an HTML
page with a login form, a meta refresh, a script redirect or portal wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from checks.engine import check_ids, codes
from checks.engine.check import Check, register
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.platform.hosts_format import is_tencent_name, normalize_name
from checks.probes import connections, http
from checks.report import words as w
from checks.report.evidence_view import (
    H_ADDRESS,
    H_ANSWER,
    H_LOCATION,
    H_SERVER,
    Item,
    http_answer,
    records,
    table,
    text_of,
)
from checks.report.matrix_cells import (
    NOT_RESOLVED,
    ORDER,
    Column,
    Unmeasured,
    cell,
    evidence_of,
    finding_state,
    problem_hosts,
    records_for,
)
from checks.report.wait_words import waits_line
from checks.shared.concurrency import gather
from checks.shared.i18n import Text, t

PORT = 80
# Page signs strong enough on their own; a bare frame could be a real error page.
HIJACK_SIGNALS = (codes.HTTP_LOGIN_FORM, codes.HTTP_META_REFRESH, codes.HTTP_SCRIPT_REDIRECT,
                  codes.HTTP_PORTAL_WORDS)


def probe_hosts(ctx: Context) -> list[str]:
    """The configured probe hosts among the endpoints on port 80, else WeChat's port-80 hosts."""
    on_80 = [e for e in ctx.config.endpoints if PORT in e.ports]
    known = {normalize_name(e.host) for e in on_80}
    hosts = [h for h in ctx.config.http.probe_hosts if normalize_name(h) in known]
    if not hosts:
        hosts = [e.host for e in on_80 if e.product == "wechat"]
    return list(dict.fromkeys(hosts))


# -- the endpoint matrix -----------------------------------------------------------------

HTTP = t("HTTP", "HTTP")


HTTP_NOT_PROBED = t("Only the WeChat short-link hosts on port 80 are checked for HTTP hijacking.",
                    "只检查微信短连接服务器 80 端口的 HTTP 劫持。")


HIJACKED = t("hijacked", "被劫持")


REDIRECT = t("→ {location}", "→ {location}")


HTTPS_STATUS = t("HTTPS {status}", "HTTPS {status}")


def _http(host: str, endpoint: Mapping[str, Any], checks: dict[Any, Any],
          port: int | None = None) -> dict[str, Any]:
    """The HTTPS request over the TLS check's connection (5xx: the service itself fails)
    and the plain-HTTP hijack probe on port 80, whichever were made."""
    https_missing: Unmeasured | None = None
    try:
        https = _https(host, checks)
    except Unmeasured as exc:  # no TLS check: the port-80 probe still speaks
        https, https_missing = None, exc
    try:
        plain = _plain_http(host, checks)
    except Unmeasured as plain_missing:
        if https is None:
            raise https_missing or plain_missing from None
        return https
    if https is None:
        return plain
    state = max((https["state"], plain["state"]), key=lambda st: ORDER.get(st, 0))
    text = {lang: f"{https['text'][lang]} · {plain['text'][lang]}" for lang in ("en", "zh")}
    return {**plain, "https_status": https["https_status"], "state": state, "text": text}


def _https(host: str, checks: dict[Any, Any]) -> dict[str, Any] | None:
    probes = records_for(evidence_of(checks, check_ids.TLS), "probes", host)
    answer = w.sub(probes[0], "http") if probes else {}
    status = answer.get("status")
    if not isinstance(status, int):
        return None
    return cell("fail" if status >= 500 else "ok",
                HTTPS_STATUS.with_params(status=w.http_status(answer)), https_status=status)


def _plain_http(host: str, checks: dict[Any, Any]) -> dict[str, Any]:
    found = records_for(evidence_of(checks, check_ids.HTTP_HIJACK), "probes", host)
    if not found:
        raise Unmeasured(HTTP_NOT_PROBED)
    probe = found[0]
    status, failure = probe.get("status"), probe.get("failure")
    values = {"port": probe.get("port"), "status": status, "failure": failure,
              "location": probe.get("location")}
    if failure == codes.NOT_RESOLVED:
        raise Unmeasured(NOT_RESOLVED, **values)
    if status is None:
        return cell("info", w.failure(failure or codes.HTTP_NO_ANSWER), **values)
    parts = [w.http_status(probe)]
    if host.lower() not in problem_hosts(checks, check_ids.HTTP_HIJACK):
        return cell("ok", parts[0], **values)
    parts.append(HIJACKED)
    if probe.get("location"):
        parts.append(REDIRECT.with_params(location=str(probe["location"])))
    return cell(finding_state(checks, check_ids.HTTP_HIJACK), w.join(parts), **values)


COLUMN = Column("http", HTTP, 50, _http)


@register
class HttpHijackCheck(Check):
    id = check_ids.HTTP_HIJACK
    title = t("Plain web traffic (HTTP, port 80)", "普通网页访问（未加密）")
    group = "network"
    order = 30
    evidence_keys = ("probes", "endpoint_hosts")
    matrix_columns = (COLUMN,)
    causes = (codes.HTTP_HIJACK,)

    def not_applicable(self, ctx: Context) -> Text | None:
        if not probe_hosts(ctx):
            return t("No server to test on port 80 is configured.", "未配置需要检测 80 端口的服务器。")
        return None

    def collect(self, ctx: Context) -> dict[str, Any]:
        hosts = probe_hosts(ctx)
        budget = ctx.timeout(ctx.config.dns.timeout_s + ctx.config.http.timeout_s + 1.0)
        probes = gather(lambda h: _probe(ctx, h), hosts, budget,
                        lambda h: {"host": h, "address": None, "port": PORT, "status": None,
                                   "failure": codes.HTTP_TIMEOUT})
        return {"probes": probes, "endpoint_hosts": [e.host for e in ctx.config.endpoints]}

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_http_hijack(evidence)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def _probe(ctx: Context, host: str) -> dict[str, Any]:
    # The address the run's connect reached (of several, the first that answered).
    address = connections.reach(ctx, host, PORT).get("address")
    if not address:
        return {"host": host, "address": None, "port": PORT, "status": None,
                "failure": codes.NOT_RESOLVED}
    result = http.request_via(ctx, address, PORT, host, "/", ctx.config.http.timeout_s)
    return {"host": host, **result}


def finding(probe: Evidence, endpoint_hosts: list[str]) -> str | None:
    """Why this answer cannot come from the real server, or None."""
    if probe.get("status") is None:
        return None
    status = int(probe["status"])
    location = probe.get("location")
    if 300 <= status < 400 and location:
        target = urlsplit(location.strip()).hostname
        if target and normalize_name(target) != normalize_name(probe["host"]) and not (
            is_tencent_name(target, endpoint_hosts)
        ):
            return codes.HTTP_FOREIGN_REDIRECT
    signals = http.page_signals(probe.get("body_start") or "", probe.get("content_type"))
    for signal in HIJACK_SIGNALS:
        if signal in signals:
            return signal
    return None


_FINDING = {
    codes.HTTP_FOREIGN_REDIRECT: t("redirected to {target}", "被重定向到 {target}"),
    **{code: codes.meaning(code) for code in HIJACK_SIGNALS},
}


def assess_http_hijack(evidence: Evidence) -> Verdict:
    probes = evidence["probes"]
    endpoint_hosts = list(evidence.get("endpoint_hosts", []))
    answered = [p for p in probes if p.get("status") is not None]
    hijacked = [(p, f) for p in answered if (f := finding(p, endpoint_hosts))]
    if hijacked:
        items_en, items_zh = [], []
        for p, f in hijacked[:4]:
            target = Text(p.get("location") or "", p.get("location") or "")
            reason = _FINDING[f]
            items_en.append(f"{p['host']}: {Text(reason.en, reason.zh, {'target': target}).render('en')}")
            items_zh.append(f"{p['host']}：{Text(reason.en, reason.zh, {'target': target}).render('zh')}")
        return Verdict(
            Status.FAIL,
            t("Plain HTTP to the WeChat servers is intercepted: {items}.",
              "访问微信服务器的普通 HTTP 流量被劫持：{items}。",
              items=Text("; ".join(items_en), "；".join(items_zh))),
            t("Something on this network (a Wi-Fi login page, a proxy or the provider) answers "
              "in place of the WeChat servers. If this is public Wi-Fi, log in in a browser "
              "first; otherwise switch networks (e.g. a phone hotspot) or ask the provider.",
              "此网络中有设备（Wi-Fi 认证页面、代理或运营商）冒充微信服务器应答。如果是公共 Wi-Fi，"
              "请先在浏览器中完成认证；否则请换一个网络（如手机热点）或联系运营商。"),
            problems=tuple(Problem(codes.HTTP_HIJACK, host=p["host"], port=PORT,
                                   address=p.get("address")) for p, _ in hijacked),
            cause=codes.HTTP_HIJACK,
        )
    if not answered:
        return Verdict(
            Status.ERROR,
            t("Could not test: none of the {n} servers answered on port 80.",
              "无法检测：{n} 个服务器都没有在 80 端口应答。", n=len(probes)),
            problems=tuple(Problem(p.get("failure") or codes.HTTP_NO_ANSWER, host=p["host"], port=PORT)
                           for p in probes),
        )
    silent = len(probes) - len(answered)
    if silent:
        return Verdict(
            Status.OK,
            t("{n} servers answered on port 80 without interference ({s} did not answer).",
              "{n} 个服务器在 80 端口正常应答，未被劫持（{s} 个没有应答）。",
              n=len(answered), s=silent),
        )
    return Verdict(
        Status.OK,
        t("All {n} servers answered on port 80 without interference.",
          "全部 {n} 个服务器在 80 端口正常应答，未被劫持。", n=len(answered)),
    )


# -- what a person reads ---------------------------------------------------------------

HTTP_TABLE = t("Plain HTTP answers (port 80)", "HTTP 应答（80 端口）")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    rows = [(text_of(p.get("host")), text_of(p.get("address")), http_answer(p), text_of(p.get("location")),
             text_of(p.get("server"))) for p in records(evidence, "probes")]
    return [*waits_line(records(evidence, "probes")), table(HTTP_TABLE, (H_SERVER, H_ADDRESS, H_ANSWER, H_LOCATION,
                                t("Server software", "服务器软件")), rows)]
