"""The Windows part of switching the proxy off for one person: every connection whose
own settings use a proxy or PAC, each changed through WinINet
(InternetSetOption with INTERNET_PER_CONN_OPTION_LIST), the way the Internet Options
dialog does, never by writing its binary registry values. A dial-up, PPPoE or VPN
connection has settings of its own that WinINet uses while it is connected, whatever
the LAN's say (the captured `.reg` of a Netkeeper campus dialer shows exactly that).

Undo sets each connection's four options (flags, proxy, bypass list, PAC address)
back to what they were. When policy makes the settings machine-wide
(ProxySettingsPerUser = 0), they are IT's: the fix says so and changes nothing.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

from checks import platform
from checks.fixes.actions import Action, FixError, Step
from checks.platform import ConnectionProxy
from checks.platform.parsers.proxy_settings import FLAG_AUTO_URL, FLAG_DIRECT, FLAG_PROXY, LAN
from checks.shared.i18n import Text, t

CONNECTIONS_KEY = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections"

MACHINE_WIDE = t(
    "The proxy is set for the whole computer by a policy (“Make proxy settings per-machine”): only IT can switch it off. Ask them whether WeChat/WeCom should go through it.",
    "代理是通过策略为整台电脑设置的（“按计算机设置代理”），只有 IT 能关闭。请询问他们微信/企业微信是否应经过它。")


def connection_name(name: str) -> Text:
    return (t("the LAN", "局域网") if not name else
            t("the connection “{name}”", "连接“{name}”", name=name))


def wininet_action(connections: list[dict[str, Any]]) -> Action | None:
    """One step for every connection that has a proxy or PAC on; None when none has."""
    if not connections:
        return None
    shown = [t("{conn} ({server}{pac})", "{conn}（{server}{pac}）",
               conn=connection_name(c["connection"]), server=c["proxy"] or "-",
               pac=f", PAC {c['pac_url']}" if c["pac_url"] else "") for c in connections]
    return Action(
        "set_value",
        t("Switch off the Windows proxy of {what}; the addresses are kept for undo",
          "关闭{what}的 Windows 代理；地址保留以便撤销", what=shown),
        paths=[f"HKCU\\{CONNECTIONS_KEY}\\{c['connection'] or LAN}" for c in connections],
        data={"connections": [c["connection"] for c in connections]})


def switched_off(options: ConnectionProxy) -> ConnectionProxy:
    """Direct, with "automatically detect settings" as it was and the addresses kept."""
    flags = (options.flags & ~(FLAG_PROXY | FLAG_AUTO_URL)) | FLAG_DIRECT
    return dataclasses.replace(options, flags=flags)


def names_of(action: Action) -> list[str]:
    """The journal's connection names, only as plain names."""
    names = action.data.get("connections")
    if not isinstance(names, list) or not names or not all(
            isinstance(n, str) and len(n) <= 256
            and not any(unicodedata.category(c).startswith("C") for c in n) for n in names):
        raise FixError(t("The journal names no connection to change.",
                         "修复日志中没有要修改的网络连接。"))
    return list(dict.fromkeys(names))


def backup(action: Action) -> dict[str, Any]:
    return {"connections": {name: platform.internet_options(name).to_json()
                            for name in names_of(action)}}


def execute(action: Action) -> None:
    for name in names_of(action):
        current = platform.internet_options(name)
        if current.flags & (FLAG_PROXY | FLAG_AUTO_URL):
            platform.set_internet_options(name, switched_off(current))


def revert(action: Action, step: Step) -> Text:
    saved = step.backup.get("connections")
    if not isinstance(saved, dict):
        raise FixError(t("No saved proxy settings to restore.", "没有可恢复的已保存代理设置。"))
    restored = []
    for name in names_of(action):
        if name in saved:
            try:
                options = ConnectionProxy.from_json(saved[name])
            except ValueError:
                raise FixError(t("The saved proxy settings are damaged.",
                                 "保存的代理设置已损坏。")) from None
            platform.set_internet_options(name, options)
            restored.append(connection_name(name))
    return t("Windows proxy settings restored for {what}.", "已恢复{what}的 Windows 代理设置。",
             what=restored)
