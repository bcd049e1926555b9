"""Switch off the system proxy, keeping its settings so undo restores them exactly.

Windows: the per-user WinINet values (ProxyEnable, ProxyServer, ProxyOverride,
AutoConfigURL) are backed up; ProxyEnable becomes 0 and AutoConfigURL is
removed; the address is kept. macOS: `networksetup -set...state SERVICE off`
for each service whose proxy is on. GNOME: gsettings proxy mode 'none'.
Proxy environment variables are explained, not edited.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from checks import platform
from checks.fixes._commands import run_action, which
from checks.fixes.base import Fix
from checks.fixes.env import FixEnv
from checks.fixes.model import Action, FixError, Plan, Step
from checks.i18n import Text, t
from checks.platform import NAME as PLATFORM

WININET_KEY = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
WININET_VALUES = ("ProxyEnable", "ProxyServer", "ProxyOverride", "AutoConfigURL")
REG_SZ, REG_DWORD = 1, 4
ENV_PROXIES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")

# (getter flag, setter flag, what it is)
MAC_KINDS = (
    ("-getwebproxy", "-setwebproxystate", t("web proxy", "网页代理")),
    ("-getsecurewebproxy", "-setsecurewebproxystate", t("secure web proxy", "安全网页代理")),
    ("-getautoproxyurl", "-setautoproxystate", t("automatic proxy configuration", "自动代理配置")),
)

Values = Mapping[str, "tuple[Any, int] | None"]


# ---- pure planning, tested as data -------------------------------------------------------

def wininet_action(current: Values) -> Action | None:
    """The registry change for the current WinINet values, or None when no proxy is on."""
    enabled = (current.get("ProxyEnable") or (0, REG_DWORD))[0] not in (0, None)
    pac = current.get("AutoConfigURL")
    if not enabled and not pac:
        return None
    changes: dict[str, Any] = {}
    delete: list[str] = []
    if enabled:
        changes["ProxyEnable"] = [0, REG_DWORD]
    if pac:
        delete.append("AutoConfigURL")
    server = (current.get("ProxyServer") or ("", REG_SZ))[0]
    return Action(
        "set_value",
        t("Switch off the Windows proxy (was {server}{pac}); the address is kept for undo",
          "关闭 Windows 代理（原为 {server}{pac}）；地址保留以便撤销",
          server=server or "-", pac=f", PAC {pac[0]}" if pac else ""),
        paths=[f"HKCU\\{WININET_KEY}"],
        data={"hive": "HKCU", "key": WININET_KEY, "set": changes, "delete": delete},
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


def mac_action(service: str, getter: str, setter: str, what: Text) -> Action:
    return Action(
        "run",
        t("Switch off the {what} of {service}", "关闭 {service} 的{what}", what=what, service=service),
        argv=["networksetup", setter, service, "off"],
        needs_admin=True,
        data={"restore_argv": ["networksetup", setter, service, "on"]},
    )


def parse_gsettings_mode(output: str) -> str | None:
    value = output.strip().strip("'\"")
    return value if value in ("none", "manual", "auto") else None


def gnome_action(mode: str) -> Action:
    return Action(
        "run",
        t("Switch the GNOME proxy setting from '{mode}' to 'none'",
          "把 GNOME 代理设置从“{mode}”改为“无”", mode=mode),
        argv=["gsettings", "set", "org.gnome.system.proxy", "mode", "none"],
        data={"restore_argv": ["gsettings", "set", "org.gnome.system.proxy", "mode", mode]},
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


class DisableProxy(Fix):
    id = "disable_proxy"
    title = t("Switch off the system proxy", "关闭系统代理")
    order = 40
    needs_admin = False
    helper_programs = ("networksetup",)
    affects = ("proxy", "tcp", "tls")

    def plan(self, env: FixEnv) -> Plan:
        plan = Plan(self.id, t("Switch off the system proxy so WeChat/WeCom connect directly.",
                               "关闭系统代理，让微信/企业微信直接联网。"), env=env,
                    undo=t("Undo switches the proxy back on with exactly the previous settings.",
                           "撤销会按原来的设置重新打开代理。"))
        try:
            plan.actions.extend(self._actions(env))
        except OSError as exc:
            plan.blocked = t("Cannot read the proxy settings: {e}", "无法读取代理设置：{e}", e=str(exc))
            return plan
        warning = env_proxy_warning(os.environ)
        if warning is not None:
            plan.warnings.append(warning)
        plan.needs_admin = any(a.needs_admin for a in plan.actions)
        if not plan.actions:
            plan.blocked = t("No system proxy is switched on: nothing to change.",
                             "没有开启系统代理，无需修改。")
        return plan

    def _actions(self, env: FixEnv) -> list[Action]:
        if PLATFORM == "windows":
            action = wininet_action(platform.read_wininet(WININET_VALUES))
            return [action] if action else []
        if PLATFORM == "macos":
            actions = []
            services = env.run(["networksetup", "-listallnetworkservices"], timeout=15)
            for service in parse_mac_services(services.stdout):
                for getter, setter, what in MAC_KINDS:
                    out = env.run(["networksetup", getter, service], timeout=15)
                    if parse_mac_enabled(out.stdout):
                        actions.append(mac_action(service, getter, setter, what))
            return actions
        if env.runner is None and which("gsettings") is None:
            return []
        result = env.run(["gsettings", "get", "org.gnome.system.proxy", "mode"], timeout=15)
        mode = parse_gsettings_mode(result.stdout) if result.returncode == 0 else None
        return [gnome_action(mode)] if mode and mode != "none" else []

    def backup(self, action: Action, env: FixEnv) -> dict[str, Any]:
        if action.kind == "set_value":
            return {"values": {k: list(v) if v else None
                               for k, v in platform.read_wininet(WININET_VALUES).items()}}
        return {"restore_argv": action.data.get("restore_argv")}

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        if action.kind == "set_value":
            platform.write_wininet({k: (v[0], v[1]) for k, v in action.data["set"].items()},
                                  action.data["delete"])
        else:
            run_action(action, step, env)

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        if action.kind == "set_value":
            values = step.backup["values"]
            platform.write_wininet({k: (v[0], v[1]) for k, v in values.items() if v},
                                   [k for k, v in values.items() if not v])
            return t("Windows proxy settings restored.", "Windows 代理设置已恢复。")
        argv = step.backup.get("restore_argv")
        if not argv:
            raise FixError(t("No saved setting to restore.", "没有可恢复的已保存设置。"))
        run_action(Action("run", action.description, argv=argv, needs_admin=action.needs_admin),
                   step, env)
        return t("Proxy switched back on: {cmd}", "代理已重新打开：{cmd}", cmd=" ".join(argv))


FIX = DisableProxy
