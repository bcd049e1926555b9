"""Each check's evidence as a person reads it: short labelled lines and small tables.

`1472 bytes: no reply`, `DNS 10.0.0.53: 2.1 s, no answer` — with units and words
in both languages, never key paths like `hosts[0].trusted[0].errors.AAAA`. The
window's Details, the PDF and any other reader render these items; the raw JSON
stays in the report (and behind the window's "Copy raw evidence").

One renderer per check id, in one place each, reading its evidence defensively:
a missing key shows as "unknown" or is left out, never an exception. A check this
version does not know gets the generic renderer (keys as they are, values in
words, lists of records as tables).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checks.engine import codes
from checks.platform.parsers.numbers import ascii_int
from checks.report import words as w
from checks.shared.i18n import Text, t
from checks.tencent.products import display_name

MAX_ROWS = 12  # table rows shown; the JSON has everything
MAX_TEXT = 160  # characters of one value


@dataclass(frozen=True)
class Line:
    label: Text
    value: Text


@dataclass(frozen=True)
class Table:
    title: Text
    headers: tuple[Text, ...]
    rows: tuple[tuple[Text, ...], ...]
    more: int = 0  # rows left out


Item = Line | Table


@dataclass(frozen=True)
class Shown:
    """Items rendered in one language: what the window and the PDF draw."""

    lines: list[tuple[str, str]] = field(default_factory=list)
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    order: list[tuple[str, int]] = field(default_factory=list)  # ("line"|"table", index)

    def texts(self) -> list[str]:
        out = [x for pair in self.lines for x in pair]
        for title, headers, rows in self.tables:
            out += [title, *headers, *(c for r in rows for c in r)]
        return out


MORE_ROWS = t("… {n} more rows (in the JSON report)", "……另有 {n} 行（见 JSON 报告）")


def items(check: Mapping[str, Any]) -> list[Item]:
    """The readable evidence of one check result (a report's `checks[]` entry)."""
    evidence = check.get("evidence")
    if not isinstance(evidence, Mapping) or not evidence:
        return []
    if set(evidence) == {"failure"}:  # an overrun or a crash: only the reason is known
        return [Line(L_FAILURE, w.failure(evidence["failure"]))]
    check_id = str(check.get("id"))
    renderer = RENDERERS.get(check_id)
    if renderer is None:
        return generic(evidence)
    try:
        shown = renderer(evidence)
    except (KeyError, TypeError, ValueError, AttributeError):
        # Evidence of another shape (a newer or older report): still readable.
        return generic(evidence)
    # Keys this version does not know yet (a newer report) are shown as they are.
    extra = {k: v for k, v in evidence.items() if k not in KNOWN.get(check_id, ())}
    return shown + generic(extra)


def render(check: Mapping[str, Any], lang: str) -> Shown:
    shown = Shown()
    for item in items(check):
        if isinstance(item, Table) and not item.rows:  # an empty table says so in a line
            item = Line(item.title, w.NONE)
        if isinstance(item, Line):
            shown.order.append(("line", len(shown.lines)))
            shown.lines.append((item.label.render(lang), _clip(item.value.render(lang))))
        else:
            rows = [[_clip(c.render(lang)) for c in row] for row in item.rows[:MAX_ROWS]]
            more = item.more + max(0, len(item.rows) - MAX_ROWS)
            if more:
                rows.append([MORE_ROWS.with_params(n=more).render(lang)]
                            + [""] * (len(item.headers) - 1))
            shown.order.append(("table", len(shown.tables)))
            shown.tables.append((item.title.render(lang), [h.render(lang) for h in item.headers],
                                 rows))
    return shown


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


# -- labels shared by several checks ----------------------------------------------------

L_FAILURE = t("Failure", "失败原因")
H_SERVER = t("Server", "服务器")
H_PORT = t("Port", "端口")
H_ADDRESS = t("Address", "地址")
H_RESULT = t("Result", "结果")
H_TIME = t("Time", "用时")
H_ADAPTER = t("Adapter", "网卡")
H_PACKET_SIZE = t("Packet size", "包大小")
H_STATE = t("State", "状态")
H_ADDRESSES = t("Addresses", "地址")
H_PRODUCT = t("Product", "产品")
H_FOLDER = t("Folder", "文件夹")
OK = t("ok", "正常")
UP = t("up", "已连接")
DOWN = t("down", "未连接")
TIMEOUT = t("Timeout", "超时时间")
BYTES = t("{n} bytes", "{n} 字节")
MTU = t("MTU {n} bytes", "MTU {n} 字节")
VALID_CERT = t("valid certificate", "证书有效")


def _s(value: Any) -> Text:
    return w.plain("—" if value is None or value == "" else str(value))


def _list(values: Any) -> Text:
    values = [str(v) for v in values or [] if v not in (None, "")]
    return w.plain(", ".join(values)) if values else w.NONE


def _records(evidence: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = evidence.get(key) or []
    if not isinstance(value, list):
        raise ValueError(f"{key}: not a list")  # another shape: the generic view shows it
    return [r for r in value if isinstance(r, Mapping)]


def _result(failure: Any, ok_text: Text = OK) -> Text:
    return w.failure(failure) if failure else ok_text


def _table(title: Text, headers: Sequence[Text], rows: Sequence[Sequence[Text]]) -> Table:
    return Table(title, tuple(headers), tuple(tuple(r) for r in rows))


def _seconds_line(evidence: Mapping[str, Any], key: str = "timeout_s",
                  label: Text = TIMEOUT) -> list[Item]:
    return [Line(label, w.seconds(evidence[key]))] if key in evidence else []


# -- network ----------------------------------------------------------------------------

NET_ADAPTERS = t("Network adapters", "网卡")
NET_ROUTES = t("Default routes", "默认路由")
H_FAMILY = t("Family", "协议")
H_GATEWAY = t("Gateway", "网关")
H_FROM = t("From address", "本机地址")
NO_ROUTE = t("no route", "没有路由")


def network(evidence: Mapping[str, Any]) -> list[Item]:
    adapters = [
        (_s(i.get("name")), UP if i.get("up") else DOWN,
         MTU.with_params(n=i["mtu"]) if i.get("mtu") else w.UNKNOWN,
         _list([*(i.get("ipv4") or []), *(i.get("ipv6") or [])]))
        for i in _records(evidence, "interfaces") if not i.get("loopback")
    ]
    out: list[Item] = [_table(NET_ADAPTERS, (H_ADAPTER, H_STATE, H_PACKET_SIZE,
                                             H_ADDRESSES), adapters)]
    out.append(_routes(evidence))
    return out


def _routes(evidence: Mapping[str, Any]) -> Table:
    rows = []
    for route in _records(evidence, "routes"):
        family = w.plain("IPv6" if route.get("family") == "ipv6" else "IPv4")
        if route.get("error"):
            rows.append((family, w.failure(route["error"]), _s(None), _s(None)))
        else:
            rows.append((family, _s(route.get("gateway")), _s(route.get("interface")),
                         _s(route.get("source_address"))))
    return _table(NET_ROUTES, (H_FAMILY, H_GATEWAY, H_ADAPTER, H_FROM), rows)


# -- name resolution ----------------------------------------------------------------------

DNS_ANSWERS = t("System resolver answers", "系统 DNS 解析结果")
H_NAME = t("Name", "域名")


def dns(evidence: Mapping[str, Any]) -> list[Item]:
    rows = []
    for answer in _records(evidence, "answers"):
        v4 = (answer.get("A") or {}).get("addresses") or []
        v6 = (answer.get("AAAA") or {}).get("addresses") or []
        rows.append((_s(answer.get("host")), w.plain("—") if not v4 else _list(v4),
                     w.plain("—") if not v6 else _list(v6), w.ms(answer.get("ms")),
                     _result(answer.get("error"))))
    return [_table(DNS_ANSWERS, (H_NAME, w.plain("IPv4"), w.plain("IPv6"), H_TIME, H_RESULT), rows)]


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


def dns_pollution(evidence: Mapping[str, Any]) -> list[Item]:
    decisions = {str(d.get("host")): d for d in _records(evidence, "decisions")}
    rows = []
    for record in _records(evidence, "hosts"):
        host = str(record.get("host"))
        system = record.get("system") or {}
        shown_system = (_list(system.get("addresses")) if system.get("addresses")
                        else w.failure(system.get("error") or codes.DNS_NO_ANSWER))
        trusted = [_trusted_answer(s) for s in record.get("trusted") or [] if isinstance(s, Mapping)]
        decision = str((decisions.get(host) or {}).get("decision") or "")
        rows.append((w.plain(host), shown_system, w.join(trusted, "; ") if trusted else w.NONE,
                     DECISIONS.get(decision, w.plain(decision or "—")),
                     _proof(record.get("tls_probe"))))
    sources = [HTTP_DNS.en if s == "http_dns" else str(s) for s in evidence.get("sources") or []]
    return [Line(COMPARED_WITH, _list(sources)),
            _table(POLLUTION_TABLE, (H_NAME, H_SYSTEM, H_TRUSTED, H_VERDICT, H_PROOF), rows)]


def _trusted_answer(source: Mapping[str, Any]) -> Text:
    resolver = HTTP_DNS if source.get("resolver") == "http_dns" else w.plain(str(source.get("resolver")))
    if source.get("addresses"):
        answer = _list(source["addresses"])
    else:
        errors = [e for e in (source.get("errors") or {}).values() if e]
        answer = w.failure(errors[0]) if errors else NO_ANSWER
    return TRUSTED_SAYS.with_params(resolver=resolver, answer=answer, time=w.ms(source.get("ms")))


def _proof(probe: Any) -> Text:
    if not isinstance(probe, Mapping):
        return w.plain("—")
    issuer = w.issuer_name({"issuer": probe.get("issuer")})
    result = _result(probe.get("failure"), VALID_CERT)
    return w.join([w.plain(str(probe.get("address"))), result, *([w.plain(issuer)] if issuer else [])])


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
SIZE = t("Size", "大小")
UNDECODABLE = t("some bytes could not be decoded", "部分字节无法解码")


def hosts(evidence: Mapping[str, Any]) -> list[Item]:
    out: list[Item] = [Line(HOSTS_FILE, _s(evidence.get("path")))]
    if evidence.get("failure"):
        out.append(Line(L_FAILURE, w.failure(evidence["failure"])))
    if evidence.get("encoding"):
        out.append(Line(ENCODING, _s(evidence["encoding"])))
    if evidence.get("undecodable"):
        out.append(Line(ENCODING, UNDECODABLE))
    if "entries" in evidence:
        out.append(Line(ENTRIES, _s(evidence["entries"])))
    if "size" in evidence:
        out.append(Line(SIZE, w.size(evidence["size"])))
    answers = w.sub(evidence, "dns")
    rows = []
    for mapping in _records(evidence, "mappings"):
        names = [str(n) for n in mapping.get("names") or []]
        said = [_list((answers.get(n) or {}).get("addresses")) for n in names if n in answers]
        rows.append((_s(mapping.get("line_no")), _s(mapping.get("address")), _list(names),
                     REDIRECTS_LOGIN if mapping.get("critical") else OTHER_QQ,
                     w.join(said, "; ") if said else w.plain("—")))
    if rows:
        out.append(_table(HOSTS_LINES, (H_LINE, H_ADDRESS, H_NAMES, H_EFFECT, H_DNS_SAYS), rows))
    return out


# -- connections --------------------------------------------------------------------------

TCP_TABLE = t("TCP connects", "TCP 连接")
CONNECTED = t("connected in {time}", "{time} 内连上")
TCP_V6_TABLE = t("TCP connects over IPv6", "IPv6 TCP 连接")


def tcp(evidence: Mapping[str, Any]) -> list[Item]:
    rows = [(_s(p.get("host")), _s(p.get("port")), _s(p.get("address")),
             CONNECTED.with_params(time=w.ms(p.get("ms"))) if p.get("ok") else
             w.join([w.failure(p.get("failure")), w.ms(p.get("ms"))]) if p.get("ms") is not None
             else w.failure(p.get("failure")))
            for p in _records(evidence, "probes")]
    out: list[Item] = [*_seconds_line(evidence),
                       _table(TCP_TABLE, (H_SERVER, H_PORT, H_ADDRESS, H_RESULT), rows)]
    v6 = [(_s(p.get("host")), _s(p.get("port")), _s(p.get("address")),
           CONNECTED.with_params(time=w.ms(p.get("ms"))) if p.get("ok")
           else w.failure(p.get("failure") or codes.TCP_TIMEOUT))
          for p in _records(evidence, "ipv6")]
    if v6:
        out.append(_table(TCP_V6_TABLE, (H_SERVER, H_PORT, H_ADDRESS, H_RESULT), v6))
    return out


LATENCY_TABLE = t("Connect times", "连接用时")
H_MEDIAN = t("Median", "中位数")
H_JITTER = t("Jitter", "抖动")
H_LOSS = t("Lost", "丢失")
H_SAMPLES = t("Connected", "成功")
OF = t("{ok} of {sent}", "{ok}/{sent}")
COUNT = t("Connects per server", "每台服务器连接次数")
RUN_LOSS = t("Packets lost over the whole run", "整次检测的丢包")
RUN_LOSS_TEXT = t(
    "{lost} of {sent} exchanges ({pct}%): {retried} connects needed a second try, "
    "{repeated} DNS questions were answered only when asked again",
    "{sent} 次交互中 {lost} 次丢包（{pct}%）：{retried} 次连接需要重试，{repeated} 个 DNS 查询重发后才有应答")


def latency(evidence: Mapping[str, Any]) -> list[Item]:
    rows = []
    for series in _records(evidence, "series"):
        summary = w.sub(series, "summary")
        loss = summary.get("loss_pct")
        rows.append((_s(series.get("host")), _s(series.get("port")),
                     w.ms(summary.get("median_ms")) if summary.get("median_ms") is not None
                     else w.failure(series.get("failure") or codes.SLOW_NOT_MEASURED),
                     w.ms(summary.get("jitter_ms")) if summary.get("median_ms") is not None
                     else w.plain("—"),
                     w.plain(f"{loss:.0f}%") if isinstance(loss, (int, float)) else w.plain("—"),
                     OF.with_params(ok=summary.get("ok", 0), sent=summary.get("sent", 0))))
    out: list[Item] = []
    if "count" in evidence:
        out.append(Line(COUNT, _s(evidence["count"])))
    out += _seconds_line(evidence)
    loss = w.sub(evidence, "loss")
    if isinstance(loss.get("sent"), int) and loss["sent"]:
        out.append(Line(RUN_LOSS, RUN_LOSS_TEXT.with_params(
            lost=loss.get("lost", 0), sent=loss["sent"], pct=f"{loss.get('pct') or 0:.0f}",
            retried=loss.get("retried_connects", 0),
            repeated=loss.get("repeated_dns_questions", 0))))
    out.append(_table(LATENCY_TABLE, (H_SERVER, H_PORT, H_MEDIAN, H_JITTER, H_LOSS, H_SAMPLES), rows))
    return out


MTU_TARGET = t("Measured towards", "测量目标")
PATH_MTU = t("Largest packet that passes", "能通过的最大数据包")
METHOD = t("Method", "方法")
MTU_SIZES = t("Packet sizes tried (with “don't fragment”)", "尝试的数据包大小（禁止分片）")
MTU_TARGETS = t("Targets", "测量目标")
H_SIZES = t("Sizes", "大小")
SIZE_RESULTS = {
    "passed": t("passed", "通过"),
    "too_big": t("too big (a router said so)", "过大（路由器已告知）"),
    "no_reply": t("no reply", "无应答"),
    "failed": t("could not be sent", "无法发送"),
}
SIZE_RANGE = t("{low}–{high} bytes", "{low}–{high} 字节")
BLACK_HOLE = t("large packets vanish (black hole)", "大数据包消失（黑洞）")
METHODS = {"icmp_raw": t("ICMP echo (socket)", "ICMP 回显（套接字）"),
           "ping": t("ICMP echo (ping command)", "ICMP 回显（ping 命令）")}


def mtu(evidence: Mapping[str, Any]) -> list[Item]:
    out: list[Item] = []
    if evidence.get("target"):
        where = str(evidence["target"]) + (f" ({evidence['address']})" if evidence.get("address") else "")
        out.append(Line(MTU_TARGET, w.plain(where)))
    if evidence.get("path_mtu"):
        out.append(Line(PATH_MTU, BYTES.with_params(n=evidence["path_mtu"])))
    if evidence.get("interface"):
        adapter = f"{evidence['interface']}"
        shown = w.join([w.plain(adapter), MTU.with_params(n=evidence["interface_mtu"])]) \
            if evidence.get("interface_mtu") else w.plain(adapter)
        out.append(Line(H_ADAPTER, shown))
    if evidence.get("method"):
        out.append(Line(METHOD, METHODS.get(str(evidence["method"]), w.plain(str(evidence["method"])))))
    sizes = w.sub(evidence, "sizes")
    if sizes:
        out.append(_table(MTU_SIZES, (H_SIZES, H_RESULT), _size_ranges(sizes)))
    targets = _records(evidence, "targets")
    if len(targets) > 1 or any(t_.get("failure") for t_ in targets):
        rows = [(_s(x.get("target")), _s(x.get("address")),
                 BYTES.with_params(n=x["path_mtu"]) if x.get("path_mtu") else w.plain("—"),
                 w.failure(x["failure"]) if x.get("failure") else BLACK_HOLE if x.get("black_hole")
                 else OK) for x in targets]
        out.append(_table(MTU_TARGETS, (H_SERVER, H_ADDRESS, PATH_MTU, H_RESULT), rows))
    return out


def _size_ranges(sizes: Mapping[str, Any]) -> list[tuple[Text, Text]]:
    """Consecutive sizes with the same result as one row: `1281–1500 bytes: no reply`."""
    ordered = sorted((n, str(v)) for k, v in sizes.items()
                     if (n := ascii_int(str(k))) is not None)
    rows: list[tuple[Text, Text]] = []
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1][1] == ordered[start][1]:
            end += 1
        low, high = ordered[start][0], ordered[end][0]
        label = BYTES.with_params(n=low) if low == high else SIZE_RANGE.with_params(low=low, high=high)
        rows.append((label, SIZE_RESULTS.get(ordered[start][1], w.plain(ordered[start][1]))))
        start = end + 1
    return rows


TLS_TABLE = t("Secure connections", "安全连接")
H_VERSION = t("Version", "版本")
H_ISSUER = t("Issuer", "颁发者")
H_VALID_UNTIL = t("Valid until", "有效期至")
EXPECTED = t("Expected issuers", "预期的颁发者")
CA_PROBLEMS = t("Extra CA files not usable", "无法使用的额外 CA 文件")
HANDSHAKE = t("handshake {time}", "握手 {time}")


HTTPS_ANSWER = t("HTTPS answer {status}", "HTTPS 应答 {status}")


def tls(evidence: Mapping[str, Any]) -> list[Item]:
    rows = []
    for p in _records(evidence, "probes"):
        cert = w.sub(p, "cert")
        result = _result(p.get("failure"), VALID_CERT)
        if p.get("handshake_ms") is not None:
            result = w.join([result, HANDSHAKE.with_params(time=w.ms(p["handshake_ms"]))])
        answer = w.sub(p, "http")
        if isinstance(answer.get("status"), int):
            result = w.join([result, HTTPS_ANSWER.with_params(status=w.http_status(answer))])
        elif answer.get("failure"):
            result = w.join([result, HTTPS_ANSWER.with_params(status=w.failure(answer["failure"]))])
        until = str(cert.get("not_after") or "")[:10]
        rows.append((_s(p.get("host")), _s(p.get("address")), _s(p.get("version")),
                     _s(w.issuer_name(cert)), _s(until), result))
    out: list[Item] = []
    if evidence.get("expected_issuers"):
        out.append(Line(EXPECTED, _list(evidence["expected_issuers"])))
    problems = [t("{file} ({error})", "{file}（{error}）", file=w.plain(str(c.get("file"))),
                  error=w.failure(c.get("error")))
                for c in _records(evidence, "ca_file_problems")]
    if problems:
        out.append(Line(CA_PROBLEMS, w.join(problems, ", ")))
    out.append(_table(TLS_TABLE, (H_SERVER, H_ADDRESS, H_VERSION, H_ISSUER, H_VALID_UNTIL, H_RESULT),
                      rows))
    return out


# -- plain web traffic ------------------------------------------------------------------

HTTP_TABLE = t("Plain HTTP answers (port 80)", "HTTP 应答（80 端口）")
CAPTIVE_TABLE = t("Connectivity probes", "连通性探测")
H_ANSWER = t("Answer", "应答")
H_LOCATION = t("Redirects to", "重定向到")
H_EXPECTED = t("Expected", "预期")
PORTAL = t("Login page found", "发现的认证页面")


def _http_answer(p: Mapping[str, Any]) -> Text:
    if p.get("status") is None:
        return w.failure(p.get("failure") or codes.HTTP_NO_ANSWER)
    return w.join([w.plain(w.http_status(p)), w.ms(p.get("ms"))])


def http_hijack(evidence: Mapping[str, Any]) -> list[Item]:
    rows = [(_s(p.get("host")), _s(p.get("address")), _http_answer(p), _s(p.get("location")),
             _s(p.get("server"))) for p in _records(evidence, "probes")]
    return [_table(HTTP_TABLE, (H_SERVER, H_ADDRESS, H_ANSWER, H_LOCATION,
                                t("Server software", "服务器软件")), rows)]


def captive(evidence: Mapping[str, Any]) -> list[Item]:
    rows = []
    for p in _records(evidence, "probes"):
        expected = str(p.get("expected_status") or "")
        if p.get("expected_body"):
            expected += f" “{p['expected_body']}”"
        rows.append((_s(p.get("url")), _s(expected), _http_answer(p), _s(p.get("location"))))
    out: list[Item] = []
    if evidence.get("portal_url"):
        out.append(Line(PORTAL, _s(evidence["portal_url"])))
    out.append(_table(CAPTIVE_TABLE, (w.plain("URL"), H_EXPECTED, H_ANSWER, H_LOCATION), rows))
    return out


# -- proxies and tunnels ------------------------------------------------------------------

PROXY_TARGET = t("Asked for through each proxy", "经代理请求的目标")
PROXY_SETTINGS = t("Proxy settings found", "找到的代理设置")
PROXY_TESTS = t("Proxies tested", "已测试的代理")
PAC_TESTS = t("Proxy scripts (PAC)", "代理脚本（PAC）")
H_SOURCE = t("Where", "来源")
H_PROXIES = t("Proxies", "代理")
H_BYPASS = t("Bypass", "例外")
H_PROXY = t("Proxy", "代理")
WORKS = t("works", "可用")
AUTO_DETECT = t("auto-detect", "自动检测")


def proxy(evidence: Mapping[str, Any]) -> list[Item]:
    out: list[Item] = []
    if evidence.get("target"):
        out.append(Line(PROXY_TARGET, _s(evidence["target"])))
    if evidence.get("settings_error"):
        out.append(Line(L_FAILURE, w.failure(evidence["settings_error"])))
    settings = []
    for s in _records(evidence, "settings"):
        proxies = [(f"{p['protocol']}: " if p.get("protocol") else "")
                   + f"{p.get('kind')}://{p.get('host')}:{p.get('port')}"
                   for p in s.get("proxies") or [] if isinstance(p, Mapping)]
        extra = [w.plain(f"PAC {s['pac_url']}")] if s.get("pac_url") else []
        if s.get("auto_detect"):
            extra.append(AUTO_DETECT)
        settings.append((_s(s.get("source")), w.join([_list(proxies), *extra], "; "),
                         _list(s.get("bypass"))))
    out.append(_table(PROXY_SETTINGS, (H_SOURCE, H_PROXIES, H_BYPASS), settings))
    tested = []
    for p in _records(evidence, "proxies"):
        test = w.sub(p, "test")
        tested.append((w.plain(f"{p.get('kind')}://{p.get('host')}:{p.get('port')}"),
                       _list(p.get("sources")),
                       w.join([_result(test.get("failure"), WORKS), w.ms(test.get("ms"))])))
    if tested:
        out.append(_table(PROXY_TESTS, (H_PROXY, H_SOURCE, H_RESULT), tested))
    pacs = [(_s(p.get("url")), _result(p.get("failure"), WORKS)) for p in _records(evidence, "pac")]
    if pacs:
        out.append(_table(PAC_TESTS, (w.plain("URL"), H_RESULT), pacs))
    return out


VPN_TUNNELS = t("Tunnel adapters", "隧道网卡")
VPN_PROGRAMS = t("VPN and proxy programs running", "正在运行的 VPN 和代理程序")
VIA_TUNNEL = t("Default route through", "默认路由经过")
H_KIND = t("Kind", "类型")
NOT_THROUGH = t("no tunnel", "不经过隧道")


IDLE_TUNNELS = t("Idle tunnels (no address, no routes: not counted)",
                 "空闲隧道（无地址、无路由，不计入）")


def vpn(evidence: Mapping[str, Any]) -> list[Item]:
    tunnels = [(_s(x.get("name")), _s(x.get("label")), UP if x.get("up") else DOWN,
                MTU.with_params(n=x["mtu"]) if x.get("mtu") else w.UNKNOWN, _list(x.get("addresses")))
               for x in _records(evidence, "tunnels")]
    programs = sorted({str(p.get("label") or p.get("name")) for p in _records(evidence, "processes")})
    via = evidence.get("default_via_tunnel") or []
    out: list[Item] = [Line(VIA_TUNNEL, _list(via) if via else NOT_THROUGH),
                       Line(VPN_PROGRAMS, _list(programs))]
    if evidence.get("process_error"):
        out.append(Line(L_FAILURE, w.failure(evidence["process_error"])))
    if evidence.get("adapter_error"):
        out.append(Line(L_FAILURE, w.failure(evidence["adapter_error"])))
    idle = [str(x.get("name")) for x in _records(evidence, "idle_tunnels")]
    if idle:
        out.append(Line(IDLE_TUNNELS, _list(idle)))
    out.append(_table(VPN_TUNNELS, (H_ADAPTER, H_KIND, H_STATE, H_PACKET_SIZE,
                                    H_ADDRESSES), tunnels))
    out.append(_routes(evidence))
    return out


# -- this computer ------------------------------------------------------------------------

CLOCK_OFFSET = t("Clock compared with network time", "与网络时间相比")
BEHIND = t("{amount} behind", "慢了 {amount}")
AHEAD = t("{amount} ahead", "快了 {amount}")
IN_STEP = t("in step ({amount})", "一致（{amount}）")
ZONE = t("Time zone", "时区")
LOCAL_TIME = t("Local time", "本机时间")
ANSWERED = t("Time servers answering", "应答的时间服务器")
NTP_TABLE = t("Time servers", "时间服务器")
H_OFFSET = t("Offset", "偏差")
H_DELAY = t("Round trip", "往返")
H_STRATUM = t("Stratum", "层级")


def _offset(value: Any) -> Text:
    if not isinstance(value, (int, float)):
        return w.UNKNOWN
    amount = w.seconds(abs(value))
    if abs(value) < 1:
        return IN_STEP.with_params(amount=amount)
    # ntplib's offset is what to add to the local clock: positive means it is behind.
    return (BEHIND if value > 0 else AHEAD).with_params(amount=amount)


def clock(evidence: Mapping[str, Any]) -> list[Item]:
    zone = w.sub(evidence, "timezone")
    out: list[Item] = [Line(CLOCK_OFFSET, _offset(evidence.get("offset_s")))]
    if zone:
        out.append(Line(ZONE, w.plain(f"{zone.get('name') or zone.get('abbreviation') or '?'} "
                                      f"(UTC{zone.get('utc_offset') or ''})")))
    if evidence.get("local_time"):
        out.append(Line(LOCAL_TIME, _s(evidence["local_time"])))
    if "asked" in evidence:
        out.append(Line(ANSWERED, OF.with_params(ok=evidence.get("answered", 0), sent=evidence["asked"])))
    rows = [(_s(s.get("server")), _offset(s.get("offset_s")) if s.get("ok") else w.plain("—"),
             w.seconds(s["delay_s"]) if s.get("delay_s") is not None else w.plain("—"),
             _s(s.get("stratum")), _result(s.get("failure")))
            for s in _records(evidence, "servers")]
    out.append(_table(NTP_TABLE, (H_SERVER, H_OFFSET, H_DELAY, H_STRATUM, H_RESULT), rows))
    return out


DISK_TABLE = t("Disks of the client data folders", "客户端数据所在磁盘")
H_FREE = t("Free", "可用")
H_TOTAL = t("Total", "总容量")


def disk(evidence: Mapping[str, Any]) -> list[Item]:
    rows = [(_list(v.get("folders")), w.failure(v["error"]) if v.get("error") else w.size(v.get("free")),
             w.size(v.get("total")) if not v.get("error") else w.plain("—"))
            for v in _records(evidence, "volumes")]
    return [_table(DISK_TABLE, (H_FOLDER, H_FREE, H_TOTAL), rows)]


SECURITY_TABLE = t("Security software running", "正在运行的安全软件")
H_PROCESSES = t("Programs", "进程")
NONE_FOUND = t("none of the known suites", "未发现已知的安全软件")


def security_software(evidence: Mapping[str, Any]) -> list[Item]:
    found = _records(evidence, "found")
    if not found:
        return [Line(SECURITY_TABLE, NONE_FOUND)]
    rows = [(Text(str(f.get("product")), str(f.get("product_zh") or f.get("product"))),
             _list(f.get("processes"))) for f in found]
    return [_table(SECURITY_TABLE, (H_PRODUCT, H_PROCESSES), rows)]


INSTALLED = t("Installed clients", "已安装的客户端")
RUNNING = t("Running now", "正在运行")
MINIMUM = t("Oldest version that can log in", "可登录的最低版本")
H_NAME_APP = t("Name", "名称")
H_FOUND_IN = t("Found in", "发现位置")
NO_MINIMUM = t("no minimum known", "无已知最低版本")


DATA_FOUND = t("Data folders found", "找到的数据文件夹")


def _named_lists(by_product: Mapping[str, Any]) -> list[Text]:
    """`WeCom: WXWork.exe` / `企业微信：WXWork.exe`, for each product with something listed."""
    return [t("{name}: {items}", "{name}：{items}", name=display_name(str(k)),
              items=w.plain(", ".join(map(str, v)))) for k, v in by_product.items() if v]


def client_version(evidence: Mapping[str, Any]) -> list[Item]:
    out: list[Item] = [Line(L_FAILURE, w.failure(key))
                       for key in (codes.INSTALLED_ERROR, codes.RUNNING_ERROR) if key in evidence]
    running = w.sub(evidence, "running")
    names = _named_lists(running)
    out.append(Line(RUNNING, w.join(names, ", ") if names else w.NONE))
    minimum = w.sub(evidence, "min_versions")
    if minimum:
        parts = [w.join([display_name(str(k)), w.plain(str(v)) if v else NO_MINIMUM], " ")
                 for k, v in minimum.items()]
        out.append(Line(MINIMUM, w.join(parts, "; ")))
    folders = w.sub(evidence, "data_folders")
    found = _named_lists(folders)
    if found:
        out.append(Line(DATA_FOUND, w.join(found, ", ")))
    rows = [(display_name(str(i.get("product"))), _s(i.get("name")), _s(i.get("version")),
             _s(i.get("location") or i.get("source"))) for i in _records(evidence, "installed")]
    if rows:
        out.append(_table(INSTALLED, (H_PRODUCT, H_NAME_APP, H_VERSION, H_FOUND_IN), rows))
    else:
        out.append(Line(INSTALLED, w.NONE))
    return out


DATA_TABLE = t("Data folders", "数据文件夹")
DB_TABLE = t("Databases checked (read-only)", "已检查的数据库（只读）")
H_ACCESS = t("Access", "权限")
H_FILES = t("Files", "文件")
H_DB = t("Database", "数据库")
MISSING = t("does not exist", "不存在")
READ_WRITE = t("read and write", "可读写")
READ_ONLY = t("read only", "只读")
NO_ACCESS = t("no access", "无权限")
DB_STATES = {
    "ok": t("intact", "完好"), "corrupt": t("damaged", "已损坏"), "encrypted": t("encrypted (normal)", "已加密（正常）"),
    "in_use": t("in use", "使用中"), "empty": t("empty", "空"), "too_large": t("too large to check", "过大未检查"),
    "unreadable": t("unreadable", "无法读取"),
}
NOT_CHECKED = t("Databases not checked (limit)", "未检查的数据库（超出上限）")


def client_data(evidence: Mapping[str, Any]) -> list[Item]:
    folders, databases = [], []
    for f in _records(evidence, "folders"):
        if not f.get("exists"):
            access, files = MISSING, w.plain("—")
        else:
            access = READ_WRITE if f.get("writable") else READ_ONLY if f.get("readable") else NO_ACCESS
            files = w.join([_s(f.get("files")), w.size(f.get("bytes"))]) if "files" in f else w.plain("—")
        folders.append((display_name(str(f.get("product"))), _s(f.get("path")), access, files))
        for db in f.get("databases") or []:
            if isinstance(db, Mapping):
                state = str(db.get("state") or "")
                databases.append((_s(db.get("path")), _s(db.get("class")),
                                  DB_STATES.get(state, w.plain(state or "—")), w.size(db.get("size"))))
    out: list[Item] = [_table(DATA_TABLE, (H_PRODUCT, H_FOLDER, H_ACCESS, H_FILES), folders)]
    if databases:
        out.append(_table(DB_TABLE, (H_DB, H_KIND, H_STATE, SIZE), databases))
    if evidence.get(codes.DATABASES_NOT_CHECKED):
        out.append(Line(NOT_CHECKED, _s(evidence[codes.DATABASES_NOT_CHECKED])))
    return out


# -- any other check ------------------------------------------------------------------------


def generic(evidence: Mapping[str, Any]) -> list[Item]:
    """Keys as they are, values in words; a list of records becomes a small table."""
    out: list[Item] = []
    for key, value in evidence.items():
        label = w.plain(str(key))
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            columns = list(dict.fromkeys(k for v in value for k in v))[:6]
            rows = [tuple(_value(v.get(c)) for c in columns) for v in value]
            out.append(_table(label, tuple(w.plain(str(c)) for c in columns), rows))
        else:
            out.append(Line(label, _value(value)))
    return out


def _value(value: Any) -> Text:
    if isinstance(value, bool):
        return w.yes_no(value)
    if value is None:
        return w.plain("—")
    if isinstance(value, float):
        return w.plain(f"{value:g}")
    if isinstance(value, Mapping):
        if not value:
            return w.NONE
        return w.join([w.join([w.plain(str(k)), _value(v)], ": ") for k, v in value.items()], "; ")
    if isinstance(value, (list, tuple)):
        if not value:
            return w.NONE
        return w.join([_value(v) for v in value], ", ")
    return w.plain(str(value))


# Top-level evidence keys each renderer knows: shown, or left to the raw JSON on purpose
# (timeouts and limits come from the config; a file's line endings help nobody).
KNOWN: dict[str, tuple[str, ...]] = {
    "network": ("interfaces", "routes"),
    "dns": ("answers",),
    "dns_pollution": ("hosts", "decisions", "sources"),
    "hosts": ("path", "failure", "encoding", "undecodable", "newline", "size", "entries",
              "mappings", "dns"),
    "tcp": ("probes", "timeout_s", "ipv6"),
    # connects / dns_questions: the loss line counts them; the per-item list is in the JSON.
    "latency": ("series", "count", "timeout_s", "warn_ms", "loss_warn_pct", "loss", "connects",
                "dns_questions"),
    "mtu": ("method", "target", "address", "path_mtu", "interface", "interface_mtu", "sizes",
            "targets"),
    "tls": ("probes", "ca_file_problems", "expected_issuers", "timeout_s"),
    "http_hijack": ("probes", "endpoint_hosts"),
    "captive": ("probes", "portal_url"),
    "proxy": ("target", "settings", "settings_error", "proxies", "pac"),
    "vpn": ("tunnels", "routes", "processes", "process_error", "default_via_tunnel",
            "adapter_error", "idle_tunnels"),
    "clock": ("servers", "answered", "asked", "offset_s", "timezone", "local_time"),
    "disk": ("volumes",),
    "security_software": ("found",),
    "client_version": ("os", "installed", "running", "min_versions", codes.INSTALLED_ERROR,
                       codes.RUNNING_ERROR, "data_folders"),
    "client_data": ("folders", codes.DATABASES_NOT_CHECKED, "limits", "os"),
}

RENDERERS: dict[str, Callable[[Mapping[str, Any]], list[Item]]] = {
    "network": network, "dns": dns, "dns_pollution": dns_pollution, "hosts": hosts,
    "tcp": tcp, "latency": latency, "mtu": mtu, "tls": tls, "http_hijack": http_hijack,
    "captive": captive, "proxy": proxy, "vpn": vpn, "clock": clock, "disk": disk,
    "security_software": security_software, "client_version": client_version,
    "client_data": client_data,
}
