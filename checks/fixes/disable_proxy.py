"""Switch off the system proxy, keeping its settings so undo restores them exactly.

Windows, per user (no administrator rights): every connection whose own settings use
a proxy or PAC (the LAN, a dial-up/PPPoE/VPN connection) is switched to direct
through WinINet itself (`proxy_connections`); undo sets each one's options back.
Settings a policy made machine-wide are IT's and are left alone. Windows,
machine-wide: a WinHTTP proxy (used by Windows services) is reset with
`netsh winhttp reset proxy` as its own administrator step; the elevated helper first
keeps the old `WinHttpSettings` value under HKLM\\SOFTWARE\\wxdoctor (which only
administrators can write), and undo restores it from there, never from the journal.

macOS: `networksetup -set...state SERVICE off` for each service and kind (web,
secure web, SOCKS, automatic configuration) that is on, all in one step, so the
administrator password is asked for once. GNOME: gsettings proxy mode 'none'.
Proxy environment variables are explained, not edited.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any

from checks import platform
from checks.engine import check_ids, fix_ids
from checks.fixes import proxy_connections as windows_proxy
from checks.fixes._commands import run_checked, which
from checks.fixes._files import b64
from checks.fixes.actions import Action, FixError, Plan, Step
from checks.fixes.allowlist import NAME, Param, one_of
from checks.fixes.env import FixEnv
from checks.fixes.fix import Fix, register
from checks.platform import NAME as PLATFORM
from checks.platform.parsers.proxy_settings import (
    connections_with_proxy,
    is_winhttp_blob,
    parse_connection_blob,
)
from checks.platform.system_tools import macos_tool, windows_tool
from checks.shared.i18n import Text, t

CONNECTIONS_KEY = windows_proxy.CONNECTIONS_KEY  # HKLM: WinHTTP's value
WINHTTP_VALUE = "WinHttpSettings"
BACKUP_KEY = r"SOFTWARE\wxdoctor\WinHttpBackup"  # HKLM: only administrators may write it
REG_BINARY = 3
WINHTTP_RESET = [windows_tool("netsh"), "winhttp", "reset", "proxy"]
NETWORKSETUP = macos_tool("networksetup")
ENV_PROXIES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")

# (getter flag, setter flag, what it is)
MAC_KINDS = (
    ("-getwebproxy", "-setwebproxystate", t("web proxy", "网页代理")),
    ("-getsecurewebproxy", "-setsecurewebproxystate", t("secure web proxy", "安全网页代理")),
    ("-getsocksfirewallproxy", "-setsocksfirewallproxystate", t("SOCKS proxy", "SOCKS 代理")),
    ("-getautoproxyurl", "-setautoproxystate", t("automatic proxy configuration", "自动代理配置")),
)
MAC_SETTERS = tuple(setter for _, setter, _ in MAC_KINDS)
GNOME_MODES = ("manual", "auto")

# ---- pure planning, tested as data -------------------------------------------------------

def winhttp_action(blob: bytes | None) -> Action | None:
    """The machine-wide reset when WinHTTP has a proxy set, else None."""
    parsed = parse_connection_blob(blob) if blob else None
    if parsed is None or not parsed["uses_proxy"]:
        return None
    return Action(
        "run",
        t("Reset the machine-wide WinHTTP proxy ({server}, used by Windows services) to direct access",
          "把全机 WinHTTP 代理（{server}，供 Windows 服务使用）重置为直接连接",
          server=parsed["proxy"]),
        argv=list(WINHTTP_RESET), needs_admin=True,
        paths=[f"HKLM\\{CONNECTIONS_KEY}\\{WINHTTP_VALUE}"],
        data={"backup_name": secrets.token_hex(8)},
    )


def parse_mac_services(output: str) -> list[str]:
    """`networksetup -listallnetworkservices`: enabled services (a leading * means disabled)."""
    lines = output.splitlines()
    if lines and "asterisk" in lines[0].lower():
        lines = lines[1:]
    return [line.strip() for line in lines if line.strip() and not line.startswith("*")]


def parse_mac_enabled(output: str) -> bool:
    """`networksetup -getwebproxy S` and friends: the "Enabled: Yes" line."""
    for line in output.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Enabled":
            return value.strip().lower() == "yes"
    return False


def mac_commands(targets: list[dict[str, str]], state: str) -> list[list[str]]:
    return [[NETWORKSETUP, target["setter"], target["service"], state] for target in targets]


def mac_action(targets: list[tuple[str, str, Text]]) -> Action:
    """One step switching off every (service, setter) that is on: one password prompt."""
    data = [{"service": service, "setter": setter} for service, setter, _ in targets]
    what = [t("the {what} of {service}", "{service} 的{what}", what=w, service=s)
            for s, _, w in targets]
    commands = mac_commands(data, "off")
    return Action("run", t("Switch off {what}", "关闭{what}", what=what),
                  argv=commands[0] if len(commands) == 1 else None,
                  batch=commands if len(commands) > 1 else [],
                  needs_admin=True, data={"targets": data})


def parse_gsettings_mode(output: str) -> str | None:
    value = output.strip().strip("'\"")
    return value if value in ("none", "manual", "auto") else None


def gnome_command(mode: str) -> list[str]:
    return ["gsettings", "set", "org.gnome.system.proxy", "mode", mode]


def gnome_action(mode: str) -> Action:
    return Action(
        "run",
        t("Switch the GNOME proxy setting from '{mode}' to 'none'",
          "把 GNOME 代理设置从“{mode}”改为“无”", mode=mode),
        argv=gnome_command("none"),
        data={"mode": mode},
    )


def env_proxy_warning(environ: Mapping[str, str]) -> Text | None:
    found = [f"{k}={environ[k]}" for k in ENV_PROXIES if environ.get(k)]
    if not found:
        return None
    return t(
        "Proxy environment variables are set ({vars}); they are not changed here. They come from your shell profile or system settings: remove them there if WeChat/WeCom should not use them.",
        "设置了代理环境变量（{vars}），这里不会修改。它们来自终端配置文件或系统设置：如果微信/企业微信不应使用它们，请在那里删除。",
        vars=found,
    )


WINHTTP_WARNING = t(
    "The WinHTTP proxy is set for the whole computer (Windows services use it). If your company's IT set it on purpose, ask them before switching it off.",
    "WinHTTP 代理是对整台电脑设置的（Windows 服务会使用它）。如果这是公司 IT 有意设置的，请先咨询他们再关闭。")


@register
class DisableProxy(Fix):
    id = fix_ids.DISABLE_PROXY
    title = t("Switch off the system proxy", "关闭系统代理")
    order = 40
    needs_admin = False
    risk = "medium"
    admin_commands = (
        tuple(WINHTTP_RESET),
        (NETWORKSETUP, Param("setter", one_of(*MAC_SETTERS)), NAME,
         Param("on|off", one_of("on", "off"))),
    )
    affects = (check_ids.PROXY, check_ids.TCP, check_ids.TLS)

    def plan(self, env: FixEnv) -> Plan:
        plan = Plan(self.id, t("Switch off the system proxy so WeChat/WeCom connect directly.",
                               "关闭系统代理，让微信/企业微信直接联网。"), env=env,
                    undo=t("Undo switches the proxy back on with exactly the previous settings.",
                           "撤销会按原来的设置重新打开代理。"))
        try:
            plan.actions.extend(self._actions(env))
        except _MachineWide:
            plan.blocked = windows_proxy.MACHINE_WIDE
            return plan
        except OSError as exc:
            plan.blocked = t("Cannot read the proxy settings: {e}", "无法读取代理设置：{e}", e=str(exc))
            return plan
        warning = env_proxy_warning(os.environ)
        if warning is not None:
            plan.warnings.append(warning)
        if any(a.commands() == [WINHTTP_RESET] for a in plan.actions):
            plan.warnings.append(WINHTTP_WARNING)
        plan.needs_admin = any(a.needs_admin for a in plan.actions)
        if not plan.actions:
            plan.blocked = t("No system proxy is switched on: nothing to change.",
                             "没有开启系统代理，无需修改。")
        return plan

    def _actions(self, env: FixEnv) -> list[Action]:
        if PLATFORM == "windows":
            scope, blobs = platform.proxy_connections()
            connections = connections_with_proxy(blobs)
            if scope == "machine" and connections:
                raise _MachineWide
            found = [windows_proxy.wininet_action(connections),
                     winhttp_action(_blob("HKLM", WINHTTP_VALUE))]
            return [action for action in found if action is not None]
        if PLATFORM == "macos":
            targets = []
            services = env.run([NETWORKSETUP, "-listallnetworkservices"], timeout=15)
            for service in parse_mac_services(services.stdout):
                for getter, setter, what in MAC_KINDS:
                    out = env.run([NETWORKSETUP, getter, service], timeout=15)
                    if parse_mac_enabled(out.stdout):
                        targets.append((service, setter, what))
            return [mac_action(targets)] if targets else []
        if env.runner is None and which("gsettings") is None:
            return []
        result = env.run(["gsettings", "get", "org.gnome.system.proxy", "mode"], timeout=15)
        mode = parse_gsettings_mode(result.stdout) if result.returncode == 0 else None
        return [gnome_action(mode)] if mode and mode != "none" else []

    # ---- carrying it out ----------------------------------------------------------------

    def backup(self, action: Action, env: FixEnv) -> dict[str, Any]:
        if action.kind == "set_value":
            return windows_proxy.backup(action)
        if action.commands() == [WINHTTP_RESET]:
            blob = _blob("HKLM", WINHTTP_VALUE)  # for the record; undo uses the helper's copy
            return {"winhttp_b64": b64(blob) if blob is not None else None}
        return {}

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        if action.kind == "set_value":
            windows_proxy.execute(action)
        elif action.commands() == [WINHTTP_RESET]:
            name = _backup_name(action)
            current = _blob("HKLM", WINHTTP_VALUE)
            if current is not None:
                platform.write_registry_value("HKLM", BACKUP_KEY, name, (current, REG_BINARY))
            run_checked(WINHTTP_RESET, step, env, admin=True)
            after = _blob("HKLM", WINHTTP_VALUE)  # what Windows holds, in any language
            if after is not None and parse_connection_blob(after)["uses_proxy"]:
                raise FixError(t(
                    "WinHTTP still has a proxy after the reset ({server}); a policy may set it again.",
                    "重置后 WinHTTP 仍设有代理（{server}）；可能有策略会重新设置它。",
                    server=parse_connection_blob(after)["proxy"]))
        elif "targets" in action.data:
            for argv in mac_commands(_mac_targets(action), "off"):
                run_checked(argv, step, env, admin=True)
        else:
            run_checked(gnome_command("none"), step, env, admin=False)

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        if action.kind == "set_value":
            return windows_proxy.revert(action, step)
        if action.commands() == [WINHTTP_RESET]:
            return self._restore_winhttp(action)
        if "targets" in action.data:
            for argv in mac_commands(_mac_targets(action), "on"):
                run_checked(argv, step, env, admin=True)
            return t("Proxy switched back on.", "代理已重新打开。")
        mode = action.data.get("mode")
        if mode not in GNOME_MODES:
            raise FixError(t("No saved setting to restore.", "没有可恢复的已保存设置。"))
        run_checked(gnome_command(str(mode)), step, env, admin=False)
        return t("GNOME proxy mode set back to '{mode}'.", "GNOME 代理模式已恢复为“{mode}”。",
                 mode=mode)

    @staticmethod
    def _restore_winhttp(action: Action) -> Text:
        name = _backup_name(action)
        saved = platform.read_registry_value("HKLM", BACKUP_KEY, name)
        if saved is None:
            return t("The WinHTTP proxy was not changed by this fix.",
                     "此修复没有改动 WinHTTP 代理。")
        blob = saved[0]
        if not isinstance(blob, bytes) or not is_winhttp_blob(blob):
            raise FixError(t(
                "The saved WinHTTP setting is damaged; IT can set it again with “netsh winhttp set proxy”.",
                "保存的 WinHTTP 设置已损坏；IT 可以用“netsh winhttp set proxy”重新设置。"))
        platform.write_registry_value("HKLM", CONNECTIONS_KEY, WINHTTP_VALUE, (blob, REG_BINARY))
        platform.write_registry_value("HKLM", BACKUP_KEY, name, None)
        return t("WinHTTP proxy restored ({server}).", "WinHTTP 代理已恢复（{server}）。",
                 server=parse_connection_blob(blob)["proxy"] or "-")


def _blob(hive: str, name: str) -> bytes | None:
    value = platform.read_registry_value(hive, CONNECTIONS_KEY, name)
    return value[0] if value is not None and isinstance(value[0], bytes) else None


def _backup_name(action: Action) -> str:
    name = action.data.get("backup_name")
    if not isinstance(name, str) or not 8 <= len(name) <= 64 or not all(
            c in "0123456789abcdef" for c in name):
        raise FixError(t("The journal names no saved WinHTTP setting.",
                         "修复日志中没有已保存的 WinHTTP 设置。"))
    return name


def _mac_targets(action: Action) -> list[dict[str, str]]:
    """The journal's (service, setter) pairs; the allowlist checks every word again."""
    targets = action.data.get("targets")
    if not isinstance(targets, list) or not targets or not all(
            isinstance(x, dict) and isinstance(x.get("service"), str)
            and x.get("setter") in MAC_SETTERS for x in targets):
        raise FixError(t("The journal names no proxy setting to change.",
                         "修复日志中没有要修改的代理设置。"))
    return [{"service": x["service"], "setter": x["setter"]} for x in targets]


class _MachineWide(Exception):
    """Policy makes the proxy settings the whole computer's: IT's to change."""
