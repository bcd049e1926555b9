"""Proxies: the one that is set and fails (while direct connections may work), the one
that wants a password, the one that is the only way out, and where a person enters a
proxy in WeChat and in WeCom."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from checks.diagnosis.facts import Connect, Facts
from checks.diagnosis.sayings.base import FAILURE_HOW, Finding, Said, listed, says
from checks.diagnosis.sayings.connections import connect_line
from checks.engine import check_ids, codes, fix_ids
from checks.report import words as w
from checks.shared import proxy_reach
from checks.shared.i18n import Text, t

# Where each client takes a proxy of its own (it does not always follow the system's).
# The clients' menus are in Chinese whatever the reader's language: name them as shown.
IN_THE_CLIENTS = t("In WeCom: the login screen → 网络设置 (Network settings) → 代理 (Proxy). "
                   "In WeChat: the login window's 设置 (Settings) → 网络代理 (Network proxy).",
                   "企业微信：登录界面 → “网络设置” → “代理”；微信：登录窗口的“设置” → “网络代理”。")

ENV = t("the {variables} environment variable", "环境变量“{variables}”")
ENVS = t("the {variables} environment variables", "环境变量“{variables}”")
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
        kind, _, rest = str(source).partition(":")
        if kind == "pac":
            places.append(t("the proxy script {url}", "代理脚本 {url}", url=rest))
        elif kind != "env":
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
    direct_ok = _direct_works(facts)
    advice = (t("Press Fix to turn the system proxy off (undo turns it back on), or start the "
                "proxy program it points to.",
                "请按“修复”关闭系统代理（可撤销），或启动它指向的代理程序。") if os_setting else
              t("Remove the variable (or start the proxy program it points to), then start "
                "WeChat/WeCom again.",
                "请删除该环境变量（或启动它指向的代理程序），然后重新启动微信/企业微信。"))
    proof = [t("Proxy {proxy}: {why}", "代理 {proxy}：{why}", proxy=address(p),
               why=w.failure((p.get("test") or {}).get("failure"))) for p in broken[:3]]
    where = where_set(first.get("sources") or [])
    if direct_ok:
        summary = t("The proxy {proxy} set in {where} does not work: {how}. Direct "
                    "connections to Tencent's servers work: turn the proxy off.",
                    "在{where}中设置的代理 {proxy} 无法使用：{how}。直接连接腾讯服务器是正常的："
                    "请关闭这个代理。", proxy=address(first), where=where, how=how)
        proof.append(t("Direct connections work: {servers}", "直接连接正常：{servers}",
                       servers=listed(direct_ok, 3)))
    else:
        summary = t("The proxy {proxy} set in {where} does not work: {how}. Everything sent "
                    "through it fails.", "在{where}中设置的代理 {proxy} 无法使用：{how}。经由它的连接都会失败。",
                    proxy=address(first), where=where, how=how)
    return Said(summary, advice, tuple(proof),
                fixes=(fix_ids.DISABLE_PROXY,) if os_setting else ())


def _direct_works(facts: Facts) -> list[str]:
    """The servers direct connections reached, when every one tried did (the proxy
    check's own comparison, else the tcp check's connects); empty otherwise."""
    evidence = facts.evidence(check_ids.PROXY)
    rows = proxy_reach.direct(evidence)
    if rows:
        return [proxy_reach.target(r) for r in rows] if proxy_reach.direct_works(evidence) else []
    connects = facts.connects()
    if connects and all(c.ok for c in connects):
        return [f"{c.host}:{c.port}" for c in connects]
    return []


_KINDS = {"http": "HTTP", "https": "HTTP", "socks5": "SOCKS5", "socks4": "SOCKS4"}


@says(codes.PROXY_REQUIRED)
def proxy_required(finding: Finding, facts: Facts) -> Said | None:
    evidence = facts.evidence(check_ids.PROXY)
    rescue = proxy_reach.best_rescue(evidence)
    if rescue is None:
        return None
    proxy, reached = rescue
    direct = proxy_reach.direct(evidence)
    failed = [d for d in direct if not d.get("ok")]
    common = Counter(str(d.get("failure")) for d in failed).most_common(1)[0][0]
    how = FAILURE_HOW.get(common, t("fail", "连不上"))
    summary = t("Direct connections to Tencent's servers are blocked on this network ({failed} "
                "of {total} {how}), but the proxy set on this computer, {proxy} (in {where}), "
                "reaches them: "
                "WeChat/WeCom must be told to use it.",
                "这个网络拦截了到腾讯服务器的直接连接（{total} 台中有 {failed} 台{how}），但这台电脑"
                "设置的代理 {proxy}（在{where}中设置）可以连上这些服务器：需要让微信/企业微信也使用它。",
                failed=len(failed), total=len(direct), how=how, proxy=address(proxy),
                where=where_set(proxy.get("sources") or []))
    account = (proxy.get("test") or {}).get("credentials") is True
    advice = t("Enter {proxy} as the {kind} proxy{account} in the clients. {where}",
               "请在客户端中把 {proxy} 填为 {kind} 代理{account}。{where}",
               proxy=address(proxy), kind=_KINDS.get(str(proxy.get("kind")), "HTTP"),
               account=t(", with its user name and password", "，并填写它的用户名和密码")
               if account else t("", ""), where=IN_THE_CLIENTS)
    proof = [t("Through the proxy {proxy}: {servers} reached", "经代理 {proxy}：{servers} 可以连上",
               proxy=address(proxy), servers=listed([proxy_reach.target(r) for r in reached]))]
    proof += [_direct_line(d) for d in failed[:3]]
    return Said(summary, advice, tuple(proof), fixes=())


def _direct_line(row: Mapping[str, Any]) -> Text:
    if row.get("failure") == codes.NOT_RESOLVED:
        return t("{server}: the name does not resolve on this network, directly",
                 "{server}：在这个网络上直接解析不到这个域名", server=row.get("server"))
    return connect_line(_connect(row))


def _connect(row: Mapping[str, Any]) -> Connect:
    port, ms = row.get("port"), row.get("ms")
    return Connect(str(row.get("server") or ""), port if isinstance(port, int) else None,
                   row.get("address") if isinstance(row.get("address"), str) else None,
                   str(row.get("failure") or codes.TCP_TIMEOUT),
                   float(ms) if isinstance(ms, (int, float)) else None)


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
