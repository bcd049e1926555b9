"""Proxies: the one that is set and fails, the one that wants a password, and where a
person enters a proxy in WeChat and in WeCom."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.diagnosis.facts import Facts
from checks.diagnosis.sayings.base import Finding, Said, listed, says
from checks.engine import codes, fix_ids
from checks.report import words as w
from checks.shared.i18n import Text, t

# Where each client takes a proxy of its own (it does not always follow the system's).
IN_THE_CLIENTS = t("In WeCom: the login screen → 网络设置 → 代理. In WeChat: the login "
                   "window's 设置 → 网络代理.",
                   "企业微信：登录界面 → “网络设置” → “代理”；微信：登录窗口的“设置” → “网络代理”。")

ENV = t("the {variables} environment variable", "环境变量 {variables}")
ENVS = t("the {variables} environment variables", "环境变量 {variables}")
_WHERE: dict[str, Text] = {
    "gnome": t("GNOME's network proxy settings", "GNOME 的网络代理设置"),
    "kde": t("KDE's proxy settings", "KDE 的代理设置"),
    "macos": t("macOS Network settings → Proxies", "macOS 的“网络”设置 → “代理”"),
    "wininet": t("Windows Settings → Network & Internet → Proxy",
                 "Windows 设置 → 网络和 Internet → 代理"),
    "winhttp": t("the Windows WinHTTP proxy (netsh winhttp)", "Windows 的 WinHTTP 代理（netsh winhttp）"),
}


def where_set(sources: list[Any]) -> Text:
    places: list[Text] = []
    variables = [str(s).partition(":")[2] for s in sources if str(s).startswith("env:")]
    if variables:
        places.append((ENV if len(variables) == 1 else ENVS).with_params(
            variables=t("{v}", "{v}", v=variables)))
    for source in sources:
        kind = str(source).partition(":")[0]
        if kind != "env":
            places.append(_WHERE.get(kind, t("{s}", "{s}", s=str(source))))
    return listed(places or [t("the system settings", "系统设置")], 2)


def address(proxy: Mapping[str, Any]) -> str:
    return f"{proxy.get('host')}:{proxy.get('port')}"


_HOW = {
    codes.TCP_TIMEOUT: t("it does not answer", "它没有应答"),
    codes.TCP_REFUSED: t("nothing listens there (connection refused)", "那里没有代理程序在运行（连接被拒绝）"),
}


def _os_setting(proxy: Mapping[str, Any]) -> bool:
    return any(not str(s).startswith("env") for s in proxy.get("sources") or [])


@says(codes.PROXY_BROKEN)
def proxy_broken(finding: Finding, facts: Facts) -> Said | None:
    broken = [p for p in facts.proxies() if not (p.get("test") or {}).get("ok")
              and (p.get("test") or {}).get("failure") not in (codes.PROXY_AUTH_REQUIRED,
                                                              codes.PROXY_AUTH_REJECTED)]
    if not broken:
        return None
    first = broken[0]
    failure = str((first.get("test") or {}).get("failure") or "")
    how = _HOW.get(failure, t("it fails ({why})", "它无法使用（{why}）", why=w.failure(failure)))
    os_setting = _os_setting(first)
    advice = (t("Press Fix to turn the system proxy off (undo turns it back on), or start the "
                "proxy program it points to.",
                "请按“修复”关闭系统代理（可撤销），或启动它指向的代理程序。") if os_setting else
              t("Remove the variable (or start the proxy program it points to), then start "
                "WeChat/WeCom again.",
                "请删除该环境变量（或启动它指向的代理程序），然后重新启动微信/企业微信。"))
    return Said(
        t("The proxy {proxy} set in {where} does not work: {how}. Everything sent through it "
          "fails.", "在{where}中设置的代理 {proxy} 无法使用：{how}。经由它的连接都会失败。",
          proxy=address(first), where=where_set(first.get("sources") or []), how=how),
        advice,
        tuple(t("Proxy {proxy}: {why}", "代理 {proxy}：{why}", proxy=address(p),
                why=w.failure((p.get("test") or {}).get("failure"))) for p in broken[:3]),
        fixes=(fix_ids.DISABLE_PROXY,) if os_setting else ())


@says(codes.PROXY_AUTH)
def proxy_auth(finding: Finding, facts: Facts) -> Said | None:
    needs = [p for p in facts.proxies()
             if (p.get("test") or {}).get("failure") in (codes.PROXY_AUTH_REQUIRED,
                                                        codes.PROXY_AUTH_REJECTED)]
    if not needs:
        return None
    first = needs[0]
    rejected = (first.get("test") or {}).get("failure") == codes.PROXY_AUTH_REJECTED
    what = (t("rejects the user name and password given", "拒绝了所提供的用户名和密码") if rejected
            else t("asks for a user name and password", "要求提供用户名和密码"))
    return Said(
        t("The proxy {proxy} (set in {where}) {what}.", "代理 {proxy}（在{where}中设置）{what}。",
          proxy=address(first), where=where_set(first.get("sources") or []), what=what),
        t("Ask IT for the proxy's user name and password and enter them in the clients' proxy "
          "settings. {where}", "请向网络管理员索取代理的用户名和密码，并填写到客户端的代理设置中。{where}",
          where=IN_THE_CLIENTS),
        fixes=(), for_it=True)
