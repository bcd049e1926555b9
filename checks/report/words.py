"""Measurements in words, in both languages: times, sizes, failure codes, yes/no.

Shared by the endpoint matrix and the readable evidence, so a connect time or a
failure reads the same in every table of every output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from checks.engine import codes
from checks.shared.i18n import Text, t

YES = t("yes", "是")
NO = t("no", "否")
NONE = t("none", "无")
UNKNOWN = t("unknown", "未知")
MORE = t("+{n} more", "等 {n} 个")


def plain(text: str) -> Text:
    """Text that reads the same in both languages (names, addresses, numbers)."""
    return Text(text, text)


def number(value: float) -> str:
    return f"{value:.1f}" if abs(value) < 10 and value != int(value) else f"{value:.0f}"


def ms(value: Any) -> Text:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return UNKNOWN
    value = float(value)
    if value < 0.1:
        return t("<0.1 ms", "<0.1 毫秒")
    if value >= 1000:  # "2.1 s" reads faster than "2100 ms"
        return t("{s:.1f} s", "{s:.1f} 秒", s=value / 1000)
    n = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return t("{n} ms", "{n} 毫秒", n=n)


def seconds(value: Any) -> Text:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return UNKNOWN
    value = float(value)
    if abs(value) >= 86400:
        return t("{d:.1f} days", "{d:.1f} 天", d=value / 86400)
    if abs(value) >= 3600:
        return t("{h:.1f} hours", "{h:.1f} 小时", h=value / 3600)
    if abs(value) < 1:
        return ms(value * 1000)
    return t("{s} s", "{s} 秒", s=number(value))


def size(value: Any) -> Text:
    """Bytes as B/KB/MB/GB (1024-based, as file managers show them)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return UNKNOWN
    amount = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if amount < 1024 or unit == "GB":
            return plain(f"{number(amount)} {unit}" if unit != "B" else f"{int(amount)} B")
        amount /= 1024
    return plain(f"{amount:.0f} TB")


def sub(record: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A nested object of the evidence, or an empty one when it is missing or not one."""
    value = record.get(key)
    return value if isinstance(value, Mapping) else {}


# What the common HTTP statuses mean, for a reader of Chinese (the server's reason phrase
# is English); another status shows its code with the phrase the server sent.
_HTTP_ZH = {200: "成功", 204: "无内容（正常）", 301: "永久重定向", 302: "重定向", 303: "重定向",
            307: "临时重定向", 308: "永久重定向", 400: "请求错误", 401: "需要登录", 403: "禁止访问",
            404: "未找到", 407: "代理需要登录", 500: "服务器内部错误", 502: "网关错误",
            503: "服务不可用", 504: "网关超时"}


def http_status(answer: Mapping[str, Any]) -> Text:
    """`404 Not Found` / `404 未找到`: an HTTP answer's status code and what it means."""
    status = answer.get("status")
    en = f"{status} {answer.get('reason') or ''}".strip()
    zh = f"{status} {_HTTP_ZH[status]}" if isinstance(status, int) and status in _HTTP_ZH else en
    return Text(en, zh)


def yes_no(value: Any) -> Text:
    if value is None:
        return UNKNOWN
    return YES if value else NO


def failure(code: Any) -> Text:
    """A failure code in words; a code this version does not know is shown as it is."""
    if not code:
        return NONE
    return codes.meaning(str(code))


def addresses(items: Sequence[Any], shown: int = 1) -> Text:
    """`10.0.0.1 +2 more`: the first address(es) and how many others."""
    items = [str(a) for a in items]
    if not items:
        return NONE
    head = ", ".join(items[:shown])
    rest = len(items) - shown
    if rest <= 0:
        return plain(head)
    return Text("{head} {more}", "{head} {more}", {"head": head, "more": MORE.with_params(n=rest)})


def join(parts: Sequence[Text], sep: str = " · ") -> Text:
    """Parts of one cell, each rendered in the language the whole is rendered in."""
    keys = {f"p{i}": p for i, p in enumerate(parts)}
    template = sep.join("{" + k + "}" for k in keys)
    return Text(template, template, keys)


def issuer_name(cert: Any) -> str:
    issuer = (cert or {}).get("issuer") if isinstance(cert, dict) else None
    if not isinstance(issuer, dict):
        return ""
    return str(issuer.get("CN") or issuer.get("O") or "")


def local_time(iso: str) -> str:
    """An ISO time in this computer's local time, with its offset from UTC."""
    try:
        when = datetime.fromisoformat(iso).astimezone()
    except (TypeError, ValueError):
        return iso
    offset = when.strftime("%z")
    return f"{when:%Y-%m-%d %H:%M:%S} (UTC{offset[:3]}:{offset[3:]})"
