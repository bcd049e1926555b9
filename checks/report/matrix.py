"""The endpoint matrix: one row per server, one column per thing measured.

Built from a report's check evidence alone (pure, no Qt), so the window's Servers
view, the PDF, `--matrix` text and IT systems reading the JSON `matrix` object all
get the same table. Every cell has a state (`ok`, `info`, `warn`, `fail`, or
`none`: not measured), the measurement in words in both languages, structured
values, and for a cell that was not measured a `note` saying why.

One function per column reads one check's evidence, defensively: a key that is
missing (an older or newer report) leaves the cell "not measured" with a reason.
Keys relied on:

- dns: answers[] host, error, ms, A/AAAA.addresses
- dns_pollution: hosts[] host, system.addresses, trusted[] addresses/answered;
  decisions[] host, decision
- tcp: probes[] host, port, ok, ms, failure, address
- tls: probes[] host, port, failure, version, cert.issuer, verified; expected_issuers
- http_hijack: probes[] host, status, reason, location, failure; the check's problems
- latency: series[] host, port, failure, summary.median_ms/loss_pct; the check's problems
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from checks.engine import codes
from checks.engine.results import Status
from checks.report import words as w
from checks.shared.i18n import Text, t
from checks.tencent.domain_list import cut_text, is_address
from checks.tencent.products import display_name

DASH = "—"  # a cell that was not measured; its note says why
ORDER = {"none": 0, "ok": 1, "info": 2, "warn": 3, "fail": 4}

SYSTEM_DNS = t("System DNS", "系统 DNS")
TRUSTED_DNS = t("Trusted DNS", "可信 DNS")
TCP_PORT = t("TCP {port}", "TCP {port}")
TLS = t("TLS", "TLS")
HTTP = t("HTTP", "HTTP")
LATENCY = t("Latency / loss", "延迟 / 丢包")

NOT_RUN = t("The “{title}” check was not run.", "未运行“{title}”检测。")
NOT_POSSIBLE = t("“{title}” could not check: {why}", "“{title}”无法检测：{why}")
SKIPPED = t("“{title}” was skipped: {why}", "“{title}”已跳过：{why}")
NOT_IN_EVIDENCE = t("“{title}” recorded nothing for this server.", "“{title}”没有记录这台服务器的数据。")
AN_ADDRESS = t("An IP address: there is no name to resolve.", "IP 地址：没有需要解析的域名。")
PORT_UNUSED = t("Not tested on port {port}: the server does not use it.",
                "未检测 {port} 端口：该服务器不使用此端口。")
NO_CONNECTION = t("No connection to test TLS on (see the TCP column).",
                  "没有可用于检测 TLS 的连接（见 TCP 列）。")
NEVER_CONNECTED = t("No connection succeeded (see the TCP columns).", "没有一次连接成功（见 TCP 列）。")
NOT_RESOLVED = t("The name did not resolve (see System DNS).", "域名无法解析（见系统 DNS 列）。")
NO_TLS = t("Not standard TLS (tls = false, e.g. WeChat's mmtls links): cannot be checked.",
           "不是标准 TLS（tls = false，例如微信的 mmtls 连接）：无法检测。")
ADDRESS_TCP_ONLY = t("An address from the domain list: only TCP connects are tested.",
                     "域名列表中的 IP 地址：只检测 TCP 连接。")
HTTP_NOT_PROBED = t("Only the WeChat short-link hosts on port 80 are checked for HTTP hijacking.",
                    "只检查微信短连接服务器 80 端口的 HTTP 劫持。")
NO_TRUSTED_ANSWER = t("No trusted DNS server answered.", "可信 DNS 服务器均无应答。")
PENDING_TLS = t("The answers differ; no TLS handshake decided it.", "解析结果不同，未能通过 TLS 握手判断。")

NOT_USED = t("not used", "不使用")
SAME = t("same", "一致")
DIFFERS_UNPROVEN = t("differs (cannot be proven)", "不同（无法证实）")
DIFFERS_WRONG = t("differs: system answer is not the real server", "不同：系统解析的不是真实服务器")
DIFFERS_BOGUS = t("differs: system answer is a blocked or bogus address",
                  "不同：系统解析为屏蔽或伪造的地址")
FAKE_IP = t("fake-IP proxy answers", "Fake IP 代理在应答")
SYSTEM_NONE = t("system DNS gave none", "系统 DNS 无结果")
VALID = t("valid", "有效")
UNEXPECTED_ISSUER = t("unexpected issuer (inspected)", "非预期颁发者（被检查）")
LOSS = t("{pct:.0f}% loss", "丢包 {pct:.0f}%")
HIJACKED = t("hijacked", "被劫持")
REDIRECT = t("→ {location}", "→ {location}")

# How every renderer (window, PDF, text) labels the matrix.
SERVER = t("Server", "服务器")
OPTIONAL = t("optional", "非必要")
FIREWALL = t("allow *.{domain}", "放行 *.{domain}")
FROM_LIST = t("From Tencent's domain list {path} (saved {date}): {domains} domains "
              "({necessary} necessary), {addresses} addresses.",
              "来自腾讯域名列表 {path}（保存于 {date}）：{domains} 个域名（{necessary} 个必要），"
              "{addresses} 个 IP 地址。")
NOT_TESTED = t("Not tested (UDP): {hosts}.", "未检测（UDP）：{hosts}。")
WILDCARDS = t("Not tested (a wildcard is a firewall rule, not a server): {hosts}.",
              "未检测（通配符是防火墙规则，不是服务器）：{hosts}。")
NO_SERVERS = t("No servers were tested.", "没有检测任何服务器。")
SYMBOLS = {"ok": "✓", "info": "i", "warn": "!", "fail": "✗", "none": "–"}
LEGEND = t("✓ ok · i note · ! warning · ✗ failed · – not measured (the numbered note says why)",
           "✓ 正常 · i 提示 · ! 警告 · ✗ 失败 · – 未检测（编号注释说明原因）")


def source_texts(matrix: Mapping[str, Any]) -> list[Text]:
    """Where Tencent's domain list came from and its date, when the run used one."""
    listed = matrix.get("domain_list")
    if not isinstance(listed, Mapping):
        return []
    out = [FROM_LIST.with_params(
        path=listed.get("path", "?"), date=listed.get("modified", "?"),
        domains=listed.get("domains", 0), necessary=listed.get("necessary", 0),
        addresses=listed.get("addresses", 0))]
    out += [cut for cut in (cut_text(listed),) if cut is not None]
    if listed.get("not_tested"):
        out.append(NOT_TESTED.with_params(hosts=list(listed["not_tested"])))
    if listed.get("wildcards"):
        out.append(WILDCARDS.with_params(hosts=list(listed["wildcards"])))
    return out


def server_details(row: Mapping[str, Any]) -> list[Text]:
    """Under the host name: "WeCom · optional", and the firewall rule Tencent names."""
    details = [display_name(str(row.get("product") or ""))]
    if row.get("necessary") is False:
        details.append(OPTIONAL)
    out = [w.join(details)]
    if row.get("universal_domain"):
        out.append(FIREWALL.with_params(domain=row["universal_domain"]))
    return out


def header_titles(matrix: Mapping[str, Any], lang: str) -> list[str]:
    """The table's header in `lang`: "Server", then each column's title."""
    return [SERVER.render(lang)] + [str((c.get("title") or {}).get(lang, c.get("id")))
                                    for c in matrix.get("columns") or []]


def cell_of(row: Mapping[str, Any], key: Any) -> Mapping[str, Any]:
    """A row's cell for a column id; an empty one when the row has none."""
    return (row.get("cells") or {}).get(key) or {}


def cell_words(cell: Mapping[str, Any], lang: str, notes: dict[str, int]) -> tuple[str, int | None]:
    """A cell's text, and for a cell that was not measured the number of its note
    (`notes` collects them in order; equal reasons share a number)."""
    text = str((cell.get("text") or {}).get(lang) or DASH)
    note = (cell.get("note") or {}).get(lang)
    if note and text == DASH:
        return text, notes.setdefault(str(note), len(notes) + 1)
    return text, None


def build_matrix(report: Mapping[str, Any]) -> dict[str, Any]:
    """The `matrix` object of the JSON report (see README, "JSON report")."""
    checks = {c.get("id"): c for c in report.get("checks") or [] if isinstance(c, Mapping)}
    endpoints = [e for e in report.get("endpoints") or [] if isinstance(e, Mapping) and e.get("host")]
    ports = sorted({int(p) for e in endpoints for p in e.get("ports") or [] if _is_port(p)},
                   key=_port_order)
    columns = [("system_dns", SYSTEM_DNS), ("trusted_dns", TRUSTED_DNS)]
    columns += [(f"tcp_{p}", TCP_PORT.with_params(port=p)) for p in ports]
    columns += [("tls", TLS), ("http", HTTP), ("latency", LATENCY)]
    rows = [_row(e, ports, checks) for e in endpoints]
    matrix: dict[str, Any] = {
        "ports": ports,
        "columns": [{"id": key, "title": title.both()} for key, title in columns],
        "rows": rows,
    }
    if isinstance(report.get("domain_list"), Mapping):
        matrix["domain_list"] = dict(report["domain_list"])
    return matrix


def _is_port(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536


def _port_order(port: int) -> tuple[int, int]:
    # The clients try 443, then 80, then 8080: the columns follow.
    preferred = (443, 80, 8080)
    return (preferred.index(port) if port in preferred else len(preferred), port)


def _row(endpoint: Mapping[str, Any], ports: list[int], checks: dict[Any, Any]) -> dict[str, Any]:
    host = str(endpoint["host"])
    own_ports = [p for p in endpoint.get("ports") or [] if _is_port(p)]
    cells: dict[str, dict[str, Any]] = {
        "system_dns": _measure(_system_dns, host, endpoint, checks),
        "trusted_dns": _measure(_trusted_dns, host, endpoint, checks),
    }
    for port in ports:
        cells[f"tcp_{port}"] = (_measure(_tcp, host, port, checks) if port in own_ports
                                else _none(PORT_UNUSED.with_params(port=port), NOT_USED))
    for key, column in (("tls", _tls), ("http", _http), ("latency", _latency)):
        cells[key] = _measure(column, host, endpoint, checks)
    necessary = endpoint.get("necessary", True) is not False
    if not necessary:  # a server the client can do without never shows red
        for cell in cells.values():
            if cell["state"] == "fail":
                cell["state"] = "warn"
    row = {
        "host": host,
        "product": endpoint.get("product"),
        "necessary": necessary,
        "source": endpoint.get("source", "config"),
        "state": max((c["state"] for c in cells.values()), key=ORDER.__getitem__, default="none"),
        "cells": cells,
    }
    if endpoint.get("universal_domain"):
        row["universal_domain"] = endpoint["universal_domain"]
    return row


# -- cells -----------------------------------------------------------------------------


def _cell(state: str, text: Text, **values: Any) -> dict[str, Any]:
    return {"state": state, "text": text.both(), **values}


def _none(note: Text, text: Text | None = None, **values: Any) -> dict[str, Any]:
    """Not measured: the cell says "—" (or `text`), the note why."""
    shown = text.both() if text is not None else {"en": DASH, "zh": DASH}
    return {"state": "none", "text": shown, "note": note.both(), **values}


def _check_text(check: Mapping[str, Any], key: str, fallback: str = "") -> Text:
    """A check's title or summary in both languages (Chinese falls back to English)."""
    i18n = check.get("i18n") or {}
    en = (i18n.get("en") or {}).get(key) or check.get(key) or fallback
    return Text(str(en), str((i18n.get("zh") or {}).get(key) or en))


class _Unmeasured(Exception):
    """A cell that cannot be filled, with the reason a person reads."""

    def __init__(self, note: Text, **values: Any) -> None:
        super().__init__(note.en)
        self.note, self.values = note, values


def _measure(column: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    try:
        return column(*args)
    except _Unmeasured as why:
        return _none(why.note, **why.values)


def _evidence(checks: dict[Any, Any], check_id: str) -> Mapping[str, Any]:
    """The check's evidence, or _Unmeasured saying why there is none."""
    check = checks.get(check_id)
    if check is None:
        raise _Unmeasured(NOT_RUN.with_params(title=check_id))
    name = _check_text(check, "title", check_id)
    evidence = check.get("evidence")
    if check.get("status") == Status.SKIPPED.value:
        raise _Unmeasured(SKIPPED.with_params(title=name, why=_check_text(check, "summary")))
    if not isinstance(evidence, Mapping) or set(evidence) <= {"failure"}:
        # An overrun, a crash or a cancel leaves only the failure code.
        why = _check_text(check, "summary")
        raise _Unmeasured(NOT_POSSIBLE.with_params(title=name, why=why))
    return evidence


def _records(evidence: Mapping[str, Any], key: str, host: str) -> list[Mapping[str, Any]]:
    items = evidence.get(key)
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, Mapping) and str(i.get("host", "")).lower() == host.lower()]


def _found(evidence: Mapping[str, Any], key: str, host: str, checks: dict[Any, Any],
           check_id: str) -> list[Mapping[str, Any]]:
    records = _records(evidence, key, host)
    if not records:
        title = _check_text(checks[check_id], "title", check_id)
        raise _Unmeasured(NOT_IN_EVIDENCE.with_params(title=title))
    return records


def _problem_hosts(checks: dict[Any, Any], check_id: str) -> set[str]:
    check = checks.get(check_id) or {}
    return {str(p.get("host")).lower() for p in check.get("problems") or []
            if isinstance(p, Mapping) and p.get("host")}


def _finding_state(checks: dict[Any, Any], check_id: str) -> str:
    status = (checks.get(check_id) or {}).get("status")
    return status if status in ("warn", "fail") else "warn"


def _system_dns(host: str, endpoint: Mapping[str, Any], checks: dict[Any, Any]) -> dict[str, Any]:
    if is_address(host):
        raise _Unmeasured(AN_ADDRESS)
    answer = _found(_evidence(checks, "dns"), "answers", host, checks, "dns")[0]
    found = [a for rtype in ("A", "AAAA") for a in ((answer.get(rtype) or {}).get("addresses") or [])]
    error = answer.get("error")
    if error or not found:
        error = error or codes.DNS_NO_ANSWER
        return _cell("fail", w.failure(error), error=error, addresses=[], ms=answer.get("ms"))
    return _cell("ok", w.join([w.addresses(found), w.ms(answer.get("ms"))]),
                 addresses=found, ms=answer.get("ms"))


# dns_pollution's decision -> (state, words, whether trusted DNS agrees with the system's)
FROM_HOSTS_FILE = t("differs: the system answer comes from the hosts file",
                    "不同：系统的解析结果来自 hosts 文件")
_DECISIONS: dict[str, tuple[str, Text, bool | None]] = {
    "consistent": ("ok", SAME, True),
    "differs_unverified": ("info", DIFFERS_UNPROVEN, False),
    "mismatch": ("fail", DIFFERS_WRONG, False),
    "mismatch_unconfirmed": ("warn", DIFFERS_WRONG, False),
    "bogus": ("fail", DIFFERS_BOGUS, False),
    "fake_ip": ("warn", FAKE_IP, False),
    "system_failed": ("info", SYSTEM_NONE, None),
    # The system's answer comes from the hosts file: the hosts check speaks for it.
    "hosts_file": ("fail", FROM_HOSTS_FILE, False),
}


def _trusted_dns(host: str, endpoint: Mapping[str, Any], checks: dict[Any, Any]) -> dict[str, Any]:
    if is_address(host):
        raise _Unmeasured(AN_ADDRESS)
    evidence = _evidence(checks, "dns_pollution")
    decisions = _found(evidence, "decisions", host, checks, "dns_pollution")
    trusted = sorted({str(a) for r in _records(evidence, "hosts", host)
                      for s in r.get("trusted") or [] if isinstance(s, Mapping) and s.get("answered")
                      for a in s.get("addresses") or []})
    decision = str(decisions[0].get("decision") or "")
    values: dict[str, Any] = {"addresses": trusted, "decision": decision or None}
    if decision not in _DECISIONS:
        raise _Unmeasured(PENDING_TLS if decision == "needs_tls" else NO_TRUSTED_ANSWER,
                          agrees=None, **values)
    state, verdict, agrees = _DECISIONS[decision]
    # Agreement needs no addresses repeated; a difference shows what trusted DNS said.
    text = verdict if agrees else w.join([w.addresses(trusted), verdict])
    return _cell(state, text, agrees=agrees, **values)


def _tcp(host: str, port: int, checks: dict[Any, Any]) -> dict[str, Any]:
    found = _found(_evidence(checks, "tcp"), "probes", host, checks, "tcp")
    probe = next((p for p in found if p.get("port") == port), None)
    if probe is None:
        title = _check_text(checks["tcp"], "title", "tcp")
        raise _Unmeasured(NOT_IN_EVIDENCE.with_params(title=title))
    failure = probe.get("failure")
    values = {"ok": bool(probe.get("ok")), "ms": probe.get("ms"), "failure": failure,
              "address": probe.get("address")}
    if failure == codes.NOT_RESOLVED:
        raise _Unmeasured(NOT_RESOLVED, **values)
    if probe.get("ok") and not failure:
        return _cell("ok", w.ms(probe.get("ms")), **values)
    return _cell("fail", w.failure(failure or codes.TCP_TIMEOUT), **values)


def _tls(host: str, endpoint: Mapping[str, Any], checks: dict[Any, Any]) -> dict[str, Any]:
    if is_address(host):
        raise _Unmeasured(ADDRESS_TCP_ONLY)
    if endpoint.get("tls") is False:
        raise _Unmeasured(NO_TLS)
    evidence = _evidence(checks, "tls")
    probe = _found(evidence, "probes", host, checks, "tls")[0]
    failure = probe.get("failure")
    cert = w.sub(probe, "cert")
    issuer, version = w.issuer_name(cert), str(probe.get("version") or "")
    values = {"port": probe.get("port"), "version": version or None, "issuer": issuer or None,
              "valid": bool(probe.get("verified")) and not failure, "failure": failure}
    if failure == codes.NOT_RESOLVED:
        raise _Unmeasured(NOT_RESOLVED, **values)
    if str(failure or "").startswith("tcp_"):
        raise _Unmeasured(NO_CONNECTION, **values)
    parts = [w.plain(x) for x in (version, issuer) if x]
    if failure:
        state = "warn" if failure == codes.TLS_OLD_VERSION else "fail"
        return _cell(state, w.join([*parts, w.failure(failure)]), **values)
    if not _issuer_expected(cert, evidence.get("expected_issuers")):
        return _cell("warn", w.join([*parts, UNEXPECTED_ISSUER]), **values)
    return _cell("ok", w.join([*parts, VALID]), **values)


def _issuer_expected(cert: Mapping[str, Any], expected: Any) -> bool:
    wanted = [str(e).lower() for e in expected or [] if str(e).strip()]
    issuer = w.sub(cert, "issuer")
    haystack = " ".join(str(issuer.get(k, "")) for k in ("O", "CN")).lower()
    return not wanted or any(e in haystack for e in wanted)


def _http(host: str, endpoint: Mapping[str, Any], checks: dict[Any, Any]) -> dict[str, Any]:
    """The HTTPS request over the TLS check's connection (5xx: the service itself fails)
    and the plain-HTTP hijack probe on port 80, whichever were made."""
    https_missing: _Unmeasured | None = None
    try:
        https = _https(host, checks)
    except _Unmeasured as exc:  # no TLS check: the port-80 probe still speaks
        https, https_missing = None, exc
    try:
        plain = _plain_http(host, checks)
    except _Unmeasured as plain_missing:
        if https is None:
            raise https_missing or plain_missing from None
        return https
    if https is None:
        return plain
    state = max((https["state"], plain["state"]), key=lambda st: ORDER.get(st, 0))
    text = {lang: f"{https['text'][lang]} · {plain['text'][lang]}" for lang in ("en", "zh")}
    return {**plain, "https_status": https["https_status"], "state": state, "text": text}


HTTPS_STATUS = t("HTTPS {status}", "HTTPS {status}")


def _https(host: str, checks: dict[Any, Any]) -> dict[str, Any] | None:
    probes = _records(_evidence(checks, "tls"), "probes", host)
    answer = w.sub(probes[0], "http") if probes else {}
    status = answer.get("status")
    if not isinstance(status, int):
        return None
    return _cell("fail" if status >= 500 else "ok",
                 HTTPS_STATUS.with_params(status=w.http_status(answer)), https_status=status)


def _plain_http(host: str, checks: dict[Any, Any]) -> dict[str, Any]:
    found = _records(_evidence(checks, "http_hijack"), "probes", host)
    if not found:
        raise _Unmeasured(HTTP_NOT_PROBED)
    probe = found[0]
    status, failure = probe.get("status"), probe.get("failure")
    values = {"port": probe.get("port"), "status": status, "failure": failure,
              "location": probe.get("location")}
    if failure == codes.NOT_RESOLVED:
        raise _Unmeasured(NOT_RESOLVED, **values)
    if status is None:
        return _cell("info", w.failure(failure or codes.HTTP_NO_ANSWER), **values)
    parts = [w.plain(w.http_status(probe))]
    if host.lower() not in _problem_hosts(checks, "http_hijack"):
        return _cell("ok", parts[0], **values)
    parts.append(HIJACKED)
    if probe.get("location"):
        parts.append(REDIRECT.with_params(location=str(probe["location"])))
    return _cell(_finding_state(checks, "http_hijack"), w.join(parts), **values)


def _latency(host: str, endpoint: Mapping[str, Any], checks: dict[Any, Any]) -> dict[str, Any]:
    series = _found(_evidence(checks, "latency"), "series", host, checks, "latency")[0]
    summary = w.sub(series, "summary")
    median, loss = summary.get("median_ms"), summary.get("loss_pct")
    values = {"port": series.get("port"), "median_ms": median, "loss_pct": loss,
              "jitter_ms": summary.get("jitter_ms")}
    if series.get("failure") == codes.NOT_RESOLVED:
        raise _Unmeasured(NOT_RESOLVED, **values)
    if median is None:  # never connected: the TCP column says why
        raise _Unmeasured(NEVER_CONNECTED if summary.get("sent") else
                          w.failure(series.get("failure") or codes.SLOW_NOT_MEASURED), **values)
    text = w.join([w.ms(median), LOSS.with_params(pct=float(loss or 0.0))])
    if host.lower() in _problem_hosts(checks, "latency"):
        return _cell(_finding_state(checks, "latency"), text, **values)
    return _cell("ok", text, **values)


