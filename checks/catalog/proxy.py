"""Is a proxy configured, and does it work?

Proxies come from environment variables and the operating system's settings
(WinINet/WinHTTP, macOS System Configuration, GNOME, KDE). Each distinct proxy gets
a TCP connect and a tunnel request to a server; a PAC file is downloaded. A dead
proxy breaks every app that follows the system settings.

When a proxy is set, every server's main port is also asked for through it, and the
same servers are connected to directly (the run's shared connects, no extra ones),
all at once: direct connections failing where the proxy gets through is a network
where only the proxy goes out (the clients must be told to use it); a proxy failing
where direct connections work is a proxy in the way. A proxy nobody set (a program
merely running) is not tried.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from checks import platform
from checks.engine import check_ids, codes, fix_ids
from checks.engine.check import Check, register
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.platform.parsers.numbers import parse_port
from checks.platform.parsers.proxy_settings import parse_address, proxies_from_env
from checks.probes import connections, tls_probe
from checks.probes import proxy_tunnel as proxy_probe
from checks.report import words as w
from checks.report.evidence_view import (
    H_ADDRESS,
    H_RESULT,
    H_SERVER,
    L_FAILURE,
    Item,
    Line,
    list_text,
    records,
    result_text,
    table,
    text_of,
)
from checks.report.wait_words import waits_line
from checks.shared import proxy_reach
from checks.shared.concurrency import call_with_timeout, parallel_map
from checks.shared.i18n import Text, t

DEFAULT_TARGET = ("login.work.weixin.qq.com", 443)
MAX_THROUGH = 16  # servers asked for through each proxy: bounded, a list can be long


@register
class ProxyCheck(Check):
    id = check_ids.PROXY
    title = t("Proxy settings", "代理设置")
    group = "network"
    order = 50
    evidence_keys = ("target", "settings", "settings_error", "proxies", "pac", "direct")
    causes = (codes.PROXY_BROKEN, codes.PROXY_AUTH, codes.PROXY_REQUIRED)

    def collect(self, ctx: Context) -> dict[str, Any]:
        env = proxies_from_env(dict(os.environ))
        settings: list[dict[str, Any]] = [
            {"source": "env", "pac_url": None, "auto_detect": False, **env}]
        outcome = call_with_timeout(platform.system_proxy, ctx.timeout(4.0))
        settings_error = None
        if outcome.done and outcome.value is not None:
            settings += outcome.value
        else:
            settings_error = codes.SETTINGS_TIMEOUT if not outcome.done else codes.SETTINGS_UNREADABLE
        host, port = connect_target(ctx)
        proxies = distinct_proxies(settings)
        accounts = env_credentials(dict(os.environ))
        pacs = distinct_pacs(settings)
        timeout = ctx.timeout(ctx.config.proxy.timeout_s)
        servers = main_targets(ctx) if proxies or pacs else []
        tunnels = list(dict.fromkeys([(host, port), *servers]))
        jobs: list[tuple[str, Any]] = [("proxy", (p, t)) for p in proxies for t in tunnels]
        jobs += [("pac", p) for p in pacs]
        jobs += [("direct", t) for t in servers]

        def run(job: tuple[str, Any]) -> dict[str, Any]:
            kind, item = job
            if kind == "pac":
                return _pac_and_its_proxies(ctx, item["url"], servers, timeout)
            if kind == "direct":  # the run's own connect, shared with the tcp check
                return connections.reach(ctx, *item)
            proxy, (server, server_port) = item
            key = (proxy["kind"], proxy["host"].lower(), proxy["port"])
            # A wait scaled to the measured path, [proxy] timeout_s at most (path_wait).
            return proxy_probe.tunnel(proxy["kind"], proxy["host"], proxy["port"], server,
                                      server_port, ctx.wait("tcp", ctx.config.proxy.timeout_s),
                                      accounts.get(key), ctx.path)

        direct_budget = ctx.config.dns.timeout_s + ctx.config.tcp.timeout_s if servers else 0.0
        outcomes = parallel_map(run, jobs, ctx.timeout(max(timeout, direct_budget) + 0.5))
        tested: dict[tuple[int, str, int], dict[str, Any]] = {}
        direct: list[dict[str, Any]] = []
        for (kind, item), out in zip(jobs, outcomes, strict=True):
            value = out.value if out.done and out.value is not None else None
            if kind == "pac":
                item["test"] = value or {"ok": False, "failure": codes.PAC_UNREACHABLE,
                                         "tcp_ok": None}
                named = item["test"].pop("named", None)
                if named:
                    item["proxies"] = [{**p, "sources": [f"pac:{item['url']}"]} for p in named]
            elif kind == "direct":
                value = value or {"address": None, "ok": False, "ms": None,
                                  "failure": codes.TCP_TIMEOUT}
                direct.append({"server": item[0], "port": item[1], "address": value.get("address"),
                               "ok": bool(value.get("ok")), "failure": value.get("failure"),
                               "ms": value.get("ms"),
                               **({"waited": value["waited"]} if value.get("waited") else {})})
            else:
                proxy, server = item
                tested[(id(proxy), *server)] = value or {
                    "ok": False, "failure": codes.PROXY_NO_ANSWER, "tcp_ok": None}
        for proxy in proxies:
            proxy["test"] = tested[(id(proxy), host, port)]
            if servers:
                proxy["through"] = [_through(server, tested[(id(proxy), *server)])
                                    for server in servers]
        evidence: dict[str, Any] = {"target": f"{host}:{port}", "settings": settings,
                                    "settings_error": settings_error, "proxies": proxies,
                                    "pac": pacs}
        if servers:
            evidence["direct"] = direct
        return evidence

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_proxy(evidence)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def _pac_and_its_proxies(ctx: Context, url: str, servers: list[tuple[str, int]],
                         timeout: float) -> dict[str, Any]:
    """The PAC file fetched and, for each proxy it names, the servers asked for through it
    in the time left (under "named"): only to learn whether they reach what direct
    connections do not. A proxy in a script is not judged broken on its own."""
    start = time.monotonic()
    fetched = proxy_probe.fetch_pac(url, timeout)
    named = [dict(p) for p in fetched.pop("proxies", None) or []]
    left = timeout - (time.monotonic() - start)
    if not named or not servers or left <= 0.1:
        return fetched
    jobs = [(p, server) for p in named for server in servers]
    # Each wait scaled to the measured path, what is left of the PAC's time at most.
    outcomes = parallel_map(lambda job: proxy_probe.tunnel(
        job[0]["kind"], job[0]["host"], job[0]["port"], *job[1], ctx.wait("tcp", left),
        path=ctx.path), jobs, left + 0.2)
    for proxy in named:
        proxy["through"] = []
    for (proxy, server), out in zip(jobs, outcomes, strict=True):
        result = out.value if out.done and out.value is not None else {
            "ok": False, "failure": codes.PROXY_NO_ANSWER}
        proxy["through"].append(_through(server, result))
    fetched["named"] = named
    return fetched


def main_targets(ctx: Context) -> list[tuple[str, int]]:
    """Each necessary server's main port (443 when listed), at most MAX_THROUGH."""
    found = dict.fromkeys((e.host, tls_probe.tls_port(e)) for e in ctx.config.endpoints
                          if e.necessary)
    return list(found)[:MAX_THROUGH]


def _through(server: tuple[str, int], result: dict[str, Any]) -> dict[str, Any]:
    return {"server": server[0], "port": server[1], "ok": bool(result.get("ok")),
            "failure": result.get("failure"), "status": result.get("status"),
            "ms": result.get("ms"), **({"waited": result["waited"]} if result.get("waited") else {})}


def env_credentials(environ: dict[str, str]) -> dict[tuple[str, str, int], tuple[str, str]]:
    """user:password@ in the proxy variables, per (kind, host, port): sent to the proxy
    when it is tested, never written into the evidence."""
    found: dict[tuple[str, str, int], tuple[str, str]] = {}
    for key, value in environ.items():
        if key.lower() not in ("http_proxy", "https_proxy", "all_proxy") or "@" not in value:
            continue
        entry = parse_address(value)
        authority = value.strip().split("://", 1)[-1].split("/", 1)[0]
        userinfo = authority.rsplit("@", 1)[0]
        if entry is None or authority == userinfo:
            continue
        user, _, password = userinfo.partition(":")
        found.setdefault((entry["kind"], entry["host"].lower(), entry["port"]),
                         (unquote(user), unquote(password)))
    return found


def connect_target(ctx: Context) -> tuple[str, int]:
    configured = ctx.config.proxy.connect_target.strip()
    if configured:
        host, _, port = configured.rpartition(":")
        number = parse_port(port)
        if host and number is not None:
            return host.strip("[]"), number
        return configured, 443
    for endpoint in ctx.config.endpoints:
        if endpoint.tls and 443 in endpoint.ports:
            return endpoint.host, 443
    if ctx.config.endpoints:
        return ctx.config.endpoints[0].host, ctx.config.endpoints[0].ports[0]
    return DEFAULT_TARGET


def distinct_proxies(settings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (kind, host, port), remembering every setting that names it."""
    found: dict[tuple[str, str, int], dict[str, Any]] = {}
    for setting in settings:
        for entry in setting.get("proxies", []):
            key = (entry["kind"], entry["host"].lower(), entry["port"])
            item = found.setdefault(key, {"kind": entry["kind"], "host": entry["host"],
                                          "port": entry["port"], "sources": [],
                                          "protocols": []})
            label = setting["source"] + (f":{entry['variable']}" if "variable" in entry else "")
            if label not in item["sources"]:
                item["sources"].append(label)
            if entry["protocol"] not in item["protocols"]:
                item["protocols"].append(entry["protocol"])
    return list(found.values())


def distinct_pacs(settings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for setting in settings:
        url = setting.get("pac_url")
        if url:
            found.setdefault(url, {"url": url, "sources": []})["sources"].append(setting["source"])
    return list(found.values())


_SOURCE_NAMES = {
    "env": t("environment variable", "环境变量"),
    "wininet": t("Windows proxy settings", "Windows 代理设置"),
    "winhttp": t("WinHTTP proxy", "WinHTTP 代理"),
    "macos": t("macOS network settings", "macOS 网络设置"),
    "gnome": t("GNOME proxy settings", "GNOME 代理设置"),
    "kde": t("KDE proxy settings", "KDE 代理设置"),
    "pac": t("proxy script", "代理脚本"),
}



def source_text(source: object) -> Text:
    """Where a proxy is set, in words: `env:https_proxy` is the environment variable
    https_proxy, `pac:URL` the proxy script at URL, `gnome` GNOME's proxy settings."""
    kind, _, rest = str(source).partition(":")
    name = _SOURCE_NAMES.get(kind)
    if name is None:
        return w.plain(str(source))
    return t("{name} {rest}", "{name} {rest}", name=name, rest=rest) if rest else name


def _failure_name(code: str) -> Text:
    return codes.meaning(code)


def _describe(item: dict[str, Any]) -> Text:
    source = item["sources"][0].split(":", 1)
    name = _SOURCE_NAMES.get(source[0], t(source[0], source[0]))
    var = f" {source[1]}" if len(source) > 1 else ""
    return t("{addr} ({name}{var})", "{addr}（{name}{var}）", addr=_addr(item), name=name, var=var)


def _addr(item: dict[str, Any]) -> str:
    host = f"[{item['host']}]" if ":" in item["host"] else item["host"]
    return f"{host}:{item['port']}"


def _os_setting(item: dict[str, Any]) -> bool:
    return any(not s.startswith("env") for s in item["sources"])


def assess_proxy(evidence: Evidence) -> Verdict:
    proxies = evidence.get("proxies", [])
    pacs = evidence.get("pac", [])
    auth_codes = (codes.PROXY_AUTH_REQUIRED, codes.PROXY_AUTH_REJECTED)
    broken = [p for p in proxies if not p["test"]["ok"] and p["test"]["failure"] not in auth_codes]
    needs_auth = [p for p in proxies if p["test"].get("failure") in auth_codes]
    bad_pac = [p for p in pacs if not p["test"]["ok"]]
    if broken or bad_pac:
        problems = tuple(
            [Problem(p["test"]["failure"], host=p["host"], port=p["port"]) for p in broken]
            + [Problem(p["test"]["failure"], host=p["url"]) for p in bad_pac])
        fixes = (fix_ids.DISABLE_PROXY,) if any(_os_setting(p) for p in broken) or bad_pac else ()
        parts = [t("{what}: {why}", "{what}：{why}", what=_describe(p),
                   why=_failure_name(p["test"]["failure"])) for p in broken]
        parts += [t("proxy script {url} {why}", "代理脚本 {url} {why}", url=p["url"],
                    why=_failure_name(p["test"]["failure"])) for p in bad_pac]
        env_only = not fixes
        direct_note = (t(" Direct connections to the servers work.", "直接连接服务器是正常的。")
                       if proxy_reach.direct_works(evidence) else t("", ""))
        return Verdict(
            Status.FAIL if broken else Status.WARN,
            t("A proxy is set but does not work: {parts}.{direct}",
              "已设置代理，但无法使用：{parts}。{direct}", parts=parts, direct=direct_note),
            t("Remove the proxy environment variables (http_proxy, https_proxy, all_proxy) or "
              "start the proxy program they point to.",
              "请删除代理环境变量（http_proxy、https_proxy、all_proxy），或启动它们指向的代理程序。")
            if env_only else
            t("Turn off the system proxy (or start the proxy program it points to), then try "
              "again.",
              "请关闭系统代理（或启动它所指向的代理程序），然后重试。"),
            problems=problems,
            cause=codes.PROXY_BROKEN,
            fixes=fixes,
        )
    if needs_auth:
        rejected = [p for p in needs_auth if p["test"]["failure"] == codes.PROXY_AUTH_REJECTED]
        return Verdict(
            Status.WARN,
            t("The proxy {what} did not accept the user name and password it was given.",
              "代理 {what} 不接受所提供的用户名和密码。", what=[_describe(p) for p in rejected])
            if rejected else
            t("The proxy {what} asks for a user name and password.",
              "代理 {what} 要求输入用户名和密码。", what=[_describe(p) for p in needs_auth]),
            t("The proxy's password may have changed: enter the current user name and password "
              "in WeChat/WeCom's proxy settings (and in the proxy variables), or ask IT.",
              "代理密码可能已更改：请在微信/企业微信的代理设置（以及代理环境变量）中填写当前的用户名和密码，"
              "或联系 IT 部门。")
            if rejected else
            t("Enter the proxy account in WeChat/WeCom's network proxy settings, or ask IT.",
              "请在微信/企业微信的网络代理设置中填写代理账号，或联系 IT 部门。"),
            problems=tuple(Problem(p["test"]["failure"], host=p["host"], port=p["port"])
                           for p in needs_auth),
            cause=codes.PROXY_AUTH,
        )
    rescue = proxy_reach.best_rescue(evidence)
    if rescue is not None:
        return _required(*rescue, proxy_reach.direct(evidence))
    if proxies or pacs:
        items: list[Text | str] = [_describe(p) for p in proxies]
        items += [t("proxy script {url}", "代理脚本 {url}", url=p["url"]) for p in pacs]
        return Verdict(
            Status.INFO,
            t("A proxy is set and works: {items}. WeChat/WeCom may still connect directly.",
              "已设置代理且可以使用：{items}。微信/企业微信可能仍会直接连接。", items=items),
        )
    if evidence.get("settings_error"):
        return Verdict(
            Status.INFO,
            t("No proxy in the environment; the system proxy settings could not be read.",
              "环境变量中没有代理；无法读取系统代理设置。"),
            problems=(Problem(evidence["settings_error"]),),
        )
    return Verdict(Status.OK, t("No proxy is set.", "未设置代理。"))


def _required(proxy: Mapping[str, Any], reached: list[Mapping[str, Any]],
              direct: list[Mapping[str, Any]]) -> Verdict:
    servers = [proxy_reach.target(r) for r in reached]
    return Verdict(
        Status.WARN,
        t("Direct connections to {servers} fail, but the proxy {what} reaches them.",
          "到 {servers} 的直接连接失败，但代理 {what}可以连上。",
          servers=servers, what=_describe(dict(proxy))),
        t("Enter this proxy in WeChat/WeCom's own network proxy settings: they do not always "
          "follow the system's.",
          "请在微信/企业微信自己的网络代理设置中填写这个代理：它们不一定使用系统的代理设置。"),
        problems=tuple(Problem(str(d.get("failure") or codes.TCP_TIMEOUT),
                               host=str(d.get("server")), port=d.get("port"),
                               address=d.get("address"))
                       for d in direct if proxy_reach.target(d) in servers),
        cause=codes.PROXY_REQUIRED,
    )


# -- what a person reads ---------------------------------------------------------------

PROXY_TARGET = t("Asked for through each proxy", "经代理请求的目标")
PROXY_SETTINGS = t("Proxy settings found", "找到的代理设置")
PROXY_TESTS = t("Proxies tested", "已测试的代理")
PAC_TESTS = t("Proxy scripts (PAC)", "代理脚本（PAC）")
H_SOURCE = t("Where", "来源")
H_PROXIES = t("Proxies", "代理")
H_BYPASS = t("Bypass", "例外")
H_PROXY = t("Proxy", "代理")
WORKS = t("works", "可用")
THROUGH = t("Servers asked for through {proxy}", "经代理 {proxy} 请求的服务器")
DIRECT = t("The same servers, connected to directly", "直接连接同样的服务器")
REACHED = t("reached", "可以连上")
AUTO_DETECT = t("auto-detect", "自动检测")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    out: list[Item] = []
    if evidence.get("target"):
        out.append(Line(PROXY_TARGET, text_of(evidence["target"])))
    if evidence.get("settings_error"):
        out.append(Line(L_FAILURE, w.failure(evidence["settings_error"])))
    settings = []
    for s in records(evidence, "settings"):
        proxies = [(f"{p['protocol']}: " if p.get("protocol") else "")
                   + f"{p.get('kind')}://{p.get('host')}:{p.get('port')}"
                   for p in s.get("proxies") or [] if isinstance(p, Mapping)]
        extra = [w.plain(f"PAC {s['pac_url']}")] if s.get("pac_url") else []
        if s.get("auto_detect"):
            extra.append(AUTO_DETECT)
        settings.append((source_text(s.get("source")), w.join([list_text(proxies), *extra], "; "),
                         list_text(s.get("bypass"))))
    out.append(table(PROXY_SETTINGS, (H_SOURCE, H_PROXIES, H_BYPASS), settings))
    tested = []
    for p in records(evidence, "proxies"):
        test = w.sub(p, "test")
        tested.append((w.plain(f"{p.get('kind')}://{p.get('host')}:{p.get('port')}"),
                       w.join([source_text(x) for x in p["sources"]], ", ")
                       if isinstance(p.get("sources"), list) and p["sources"] else w.NONE,
                       w.join([result_text(test.get("failure"), WORKS), w.ms(test.get("ms"))])))
    if tested:
        out.append(table(PROXY_TESTS, (H_PROXY, H_SOURCE, H_RESULT), tested))
    for p in proxy_reach.proxies(evidence):
        through = [(text_of(proxy_reach.target(r)),
                    w.join([result_text(r.get("failure"), REACHED), w.ms(r.get("ms"))]))
                   for r in records(p, "through")]
        if through:
            out.append(table(THROUGH.with_params(proxy=f"{p.get('host')}:{p.get('port')}"),
                             (H_SERVER, H_RESULT), through))
    direct = [(text_of(proxy_reach.target(r)), text_of(r.get("address")),
               w.join([result_text(r.get("failure"), REACHED), w.ms(r.get("ms"))]))
              for r in records(evidence, "direct")]
    if direct:
        out.append(table(DIRECT, (H_SERVER, H_ADDRESS, H_RESULT), direct))
    pacs = [(text_of(p.get("url")), result_text(p.get("failure"), WORKS)) for p in records(evidence, "pac")]
    if pacs:
        out.append(table(PAC_TESTS, (w.plain("URL"), H_RESULT), pacs))
    return out + waits_line([*(w.sub(p, "test") for p in records(evidence, "proxies")),
                             *(r for p in proxy_reach.proxies(evidence) for r in records(p, "through")),
                             *records(evidence, "direct")])
