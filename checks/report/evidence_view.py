"""The pieces every check's readable evidence is made of: labelled lines, small tables,
the labels several checks share, and the generic view of keys nobody knows.

`1472 bytes: no reply`, `DNS 10.0.0.53: 2.1 s, no answer` — with units and words
in both languages, never key paths like `hosts[0].trusted[0].errors.AAAA`. Each check
renders its own evidence from these (`Check.show`, in its module); report.readable
picks the renderer and draws the result in one language for the window and the PDF.
The raw JSON stays in the report (and behind the window's "Copy raw evidence").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checks.engine import codes
from checks.report import words as w
from checks.shared.i18n import Text, t

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


def clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


# -- labels shared by several checks ----------------------------------------------------

L_FAILURE = t("Failure", "失败原因")
H_SERVER = t("Server", "服务器")
H_PORT = t("Port", "端口")
H_ADDRESS = t("Address", "地址")
H_RESULT = t("Result", "结果")
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
MTU = t("MTU {n} bytes", "MTU {n} 字节")
VALID_CERT = t("valid certificate", "证书有效")


def text_of(value: Any) -> Text:
    return w.plain("—" if value is None or value == "" else str(value))


def list_text(values: Any) -> Text:
    values = [str(v) for v in values or [] if v not in (None, "")]
    return w.plain(", ".join(values)) if values else w.NONE


def records(evidence: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = evidence.get(key) or []
    if not isinstance(value, list):
        raise ValueError(f"{key}: not a list")  # another shape: the generic view shows it
    return [r for r in value if isinstance(r, Mapping)]


def result_text(failure: Any, ok_text: Text = OK) -> Text:
    return w.failure(failure) if failure else ok_text


def table(title: Text, headers: Sequence[Text], rows: Sequence[Sequence[Text]]) -> Table:
    return Table(title, tuple(headers), tuple(tuple(r) for r in rows))


def seconds_line(evidence: Mapping[str, Any], key: str = "timeout_s",
                  label: Text = TIMEOUT) -> list[Item]:
    return [Line(label, w.seconds(evidence[key]))] if key in evidence else []


NET_ROUTES = t("Default routes", "默认路由")
H_FAMILY = t("Family", "协议")
H_GATEWAY = t("Gateway", "网关")
H_FROM = t("From address", "本机地址")


def routes_table(evidence: Mapping[str, Any]) -> Table:
    rows = []
    for route in records(evidence, "routes"):
        family = w.plain("IPv6" if route.get("family") == "ipv6" else "IPv4")
        if route.get("error"):
            rows.append((family, w.failure(route["error"]), text_of(None), text_of(None)))
        else:
            rows.append((family, text_of(route.get("gateway")), text_of(route.get("interface")),
                         text_of(route.get("source_address"))))
    return table(NET_ROUTES, (H_FAMILY, H_GATEWAY, H_ADAPTER, H_FROM), rows)


H_NAME = t("Name", "域名")


SIZE = t("Size", "大小")


OF = t("{ok} of {sent}", "{ok}/{sent}")


H_VERSION = t("Version", "版本")


H_ANSWER = t("Answer", "应答")
H_LOCATION = t("Redirects to", "重定向到")


def http_answer(p: Mapping[str, Any]) -> Text:
    if p.get("status") is None:
        return w.failure(p.get("failure") or codes.HTTP_NO_ANSWER)
    return w.join([w.http_status(p), w.ms(p.get("ms"))])


H_KIND = t("Kind", "类型")


# -- any other check ------------------------------------------------------------------------


def generic(evidence: Mapping[str, Any]) -> list[Item]:
    """Keys as they are, values in words; a list of records becomes a small table."""
    out: list[Item] = []
    for key, value in evidence.items():
        label = w.plain(str(key))
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            columns = list(dict.fromkeys(k for v in value for k in v))[:6]
            rows = [tuple(_value(v.get(c)) for c in columns) for v in value]
            out.append(table(label, tuple(w.plain(str(c)) for c in columns), rows))
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


