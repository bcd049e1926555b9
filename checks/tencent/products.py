"""What wxdoctor knows about the two clients themselves: names, processes, folders.

The one home of product knowledge: the product codes, their display names, the
process names of the running clients and how a name or a folder path tells which
client it belongs to. Pure tables and functions; depends only on `checks.shared.i18n`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from checks.shared.i18n import Text, t

WECOM, WECHAT = "wecom", "wechat"
PRODUCTS = (WECOM, WECHAT)
CHOICES = ("both", WECOM, WECHAT)  # what a run can be restricted to

NAMES: dict[str, Text] = {
    WECOM: t("WeCom", "企业微信"),
    WECHAT: t("WeChat", "微信"),
    "both": t("WeChat and WeCom", "微信和企业微信"),
}


def display_name(product: str) -> Text:
    return NAMES.get(product) or t(product, product)


# Process names (psutil's name() or the executable's file name, compared without case)
# of the desktop clients' main process: "is WeCom running".
CLIENT_PROCESSES: dict[str, tuple[str, ...]] = {
    WECOM: ("WXWork.exe", "企业微信", "企业微信.exe", "WeWorkMac", "WeWork", "WeCom", "wxwork"),
    WECHAT: ("WeChat.exe", "Weixin.exe", "WeChat", "Weixin", "微信", "wechat"),
}
# Their helper processes (embedded browsers, mini programs): not the client, but they
# hold the cache files open, so the cache fix waits for them too.
HELPER_PROCESSES: dict[str, tuple[str, ...]] = {
    WECOM: ("WXWorkWeb.exe",),
    WECHAT: ("WeChatAppEx.exe",),
}


def running_clients(
    processes: Iterable[Mapping[str, Any]],
    names: Mapping[str, tuple[str, ...]] | None = None,
    *,
    helpers: bool = False,
) -> dict[str, list[dict[str, Any]]]:
    """product -> [{"pid", "name"}] from a process snapshot of {"pid", "name", "exe_name"};
    with `helpers`, the processes that hold the client's files open count too."""
    tables = [names or CLIENT_PROCESSES, *([HELPER_PROCESSES] if helpers else [])]
    wanted = {n.lower(): p for table in tables for p, group in table.items() for n in group}
    found: dict[str, list[dict[str, Any]]] = {p: [] for p in PRODUCTS}
    for proc in processes:
        for candidate in (proc.get("name"), proc.get("exe_name")):
            product = wanted.get((candidate or "").lower())
            if product:
                found.setdefault(product, []).append({"pid": proc.get("pid"),
                                                      "name": proc.get("name")})
                break
    return found


# ---- names and folders ---------------------------------------------------------------

# Not the clients themselves, though their names contain 微信/WeChat.
_NOT_CLIENTS = ("开发者工具", "devtools", "输入法", "wetype", "web开发者", "小程序")
_WECOM_NAMES = ("wxwork", "wework", "wecom", "企业微信", "weixin.work", "weixin-work")
_WECHAT_NAMES = ("wechat", "weixin", "微信", "xinwechat")
_WECOM_PATHS = ("wxwork", "wework", "wecom", "企业微信", "qiyeweixin")
_WECHAT_PATHS = ("wechat", "weixin", "xwechat", "微信")


def product_of_name(name: str) -> str | None:
    """wecom | wechat | None for a display, bundle or package name."""
    low = name.lower()
    if any(x in low for x in _NOT_CLIENTS):
        return None
    # WeCom first: 企业微信 contains 微信.
    if any(x in low for x in _WECOM_NAMES):
        return WECOM
    if any(x in low for x in _WECHAT_NAMES):
        return WECHAT
    return None


def infer_product(path: str) -> str | None:
    """Which client a data folder belongs to, judged by its path."""
    name = path.lower()
    if any(m in name for m in _WECOM_PATHS):
        return WECOM
    if any(m in name for m in _WECHAT_PATHS):
        return WECHAT
    return None


def parse_override(entry: str) -> tuple[str, str]:
    """A `[client] data_dirs` entry, "wecom:PATH" / "wechat:PATH" / "PATH", as
    (product, raw path). ValueError("data_dirs: ...") when the product is unknown."""
    prefix, sep, rest = entry.partition(":")
    if sep and prefix.strip().lower() in PRODUCTS:
        if not rest.strip():
            raise ValueError(f"data_dirs: {entry!r} names no folder")
        return prefix.strip().lower(), rest.strip()
    if not entry.strip():
        raise ValueError("data_dirs: expected folder paths, got an empty string")
    product = infer_product(entry)
    if product is None:
        raise ValueError(
            f"data_dirs: cannot tell whether {entry!r} is WeCom or WeChat; "
            "write it as 'wecom:PATH' or 'wechat:PATH'"
        )
    return product, entry.strip()
