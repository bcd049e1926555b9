"""Set the egress interface's MTU to the measured path MTU (undo: the old value).

The mtu check's evidence gives `path_mtu` and `interface`. Setting the MTU is a per-OS
command; Windows reports the current one through GetAdaptersAddresses (netsh's table,
decoded in the console's code page, only when that call is not available). Their argv
and parsers are pure functions.
"""

from __future__ import annotations

import re
from typing import Any

from checks import platform
from checks.engine import check_ids, fix_ids
from checks.fixes.actions import Action, FixError, Plan, Step
from checks.fixes.allowlist import MAX_MTU, MIN_MTU, MTU, NAME, Param, is_mtu, is_name, prefixed
from checks.fixes.env import FixEnv
from checks.fixes.fix import Fix, register
from checks.platform import NAME as PLATFORM
from checks.platform.parsers.adapters import adapter_mtu, parse_netsh_mtus
from checks.platform.system_tools import macos_tool, windows_tool
from checks.shared.i18n import Text, t

NETSH_MTU = Param("mtu=N", prefixed("mtu=", is_mtu))
NETSH, NETWORKSETUP = windows_tool("netsh"), macos_tool("networksetup")


def get_mtu_argv(os_name: str, interface: str, service: str | None = None) -> list[str]:
    if os_name == "windows":
        return [NETSH, "interface", "ipv4", "show", "subinterfaces"]
    if os_name == "macos":
        return [NETWORKSETUP, "-getMTU", service or interface]
    return ["ip", "-o", "link", "show", "dev", interface]


def set_mtu_argv(os_name: str, interface: str, mtu: int, service: str | None = None) -> list[str]:
    if os_name == "windows":
        # netsh takes the interface name as one argument; no shell quoting is involved.
        return [NETSH, "interface", "ipv4", "set", "subinterface", interface, f"mtu={mtu}",
                "store=persistent"]
    if os_name == "macos":
        return [NETWORKSETUP, "-setMTU", service or interface, str(mtu)]
    return ["ip", "link", "set", "dev", interface, "mtu", str(mtu)]


def parse_mtu(os_name: str, output: str, interface: str) -> int | None:
    """The current MTU of `interface` from the output of `get_mtu_argv`."""
    if os_name == "windows":  # decoded in the console's code page by run_command
        return parse_netsh_mtus(output).get(interface)
    if os_name == "macos":
        # "Active MTU: 1500 (Current Setting: 1500)"
        m = re.search(r"Active MTU:\s*(\d+)", output) or re.search(r"MTU:\s*(\d+)", output)
        return int(m.group(1)) if m else None
    m = re.search(r"\smtu\s+(\d+)", output)
    return int(m.group(1)) if m else None


def parse_hardware_ports(output: str) -> dict[str, str]:
    """`networksetup -listallhardwareports`: device (en0) -> service name (Wi-Fi)."""
    result: dict[str, str] = {}
    port = None
    for line in output.splitlines():
        if line.startswith("Hardware Port:"):
            port = line.split(":", 1)[1].strip()
        elif line.startswith("Device:") and port:
            result[line.split(":", 1)[1].strip()] = port
            port = None
    return result


@register
class SetMtu(Fix):
    id = fix_ids.SET_MTU
    title = t("Lower the MTU to what the path carries", "把 MTU 调整为线路实际可通过的大小")
    order = 70
    needs_admin = True
    risk = "medium"
    drops_connection = True
    admin_commands = (
        ("ip", "-o", "link", "show", "dev", NAME),
        ("ip", "link", "set", "dev", NAME, "mtu", MTU),
        (NETWORKSETUP, "-listallhardwareports"),
        (NETWORKSETUP, "-getMTU", NAME),
        (NETWORKSETUP, "-setMTU", NAME, MTU),
        (NETSH, "interface", "ipv4", "show", "subinterfaces"),
        (NETSH, "interface", "ipv4", "set", "subinterface", NAME, NETSH_MTU, "store=persistent"),
    )
    affects = (check_ids.MTU, check_ids.TLS)
    needs_checks = (check_ids.MTU,)

    def _current(self, env: FixEnv, interface: str, service: str | None) -> int | None:
        if PLATFORM == "windows" and env.runner is None:
            # What Windows itself reports (GetAdaptersAddresses); netsh's table only when
            # that call is not available.
            mtu = adapter_mtu(platform.adapter_details(), interface)
            if mtu is not None:
                return mtu
        result = env.run(get_mtu_argv(PLATFORM, interface, service), timeout=15)
        return parse_mtu(PLATFORM, result.stdout, interface) if result.returncode == 0 else None

    def plan(self, env: FixEnv) -> Plan:
        evidence = env.evidence("mtu") or {}
        path_mtu, interface = evidence.get("path_mtu"), evidence.get("interface")
        plan = Plan(self.id, t("Set the network adapter's MTU to the size the path carries.",
                               "把网卡的 MTU 设为线路实际可通过的大小。"),
                    env=env, undo=t("Undo sets the previous MTU again.", "撤销会恢复原来的 MTU。"))
        if not isinstance(path_mtu, int) or not isinstance(interface, str) or not interface:
            plan.blocked = t("The path MTU has not been measured (run the MTU check first).",
                             "还没有测出线路 MTU（请先运行 MTU 检测）。")
            return plan
        if not MIN_MTU <= path_mtu <= MAX_MTU:
            plan.blocked = t("The measured path MTU {n} is implausible; not changing anything.",
                             "测得的线路 MTU {n} 不合理，不做改动。", n=path_mtu)
            return plan
        service = None
        if PLATFORM == "macos":
            ports = env.run([NETWORKSETUP, "-listallhardwareports"], timeout=15)
            service = parse_hardware_ports(ports.stdout).get(interface)
        current = self._current(env, interface, service)
        if current is None:
            plan.blocked = t("Cannot read the MTU of {iface}.", "无法读取 {iface} 的 MTU。",
                             iface=interface)
            return plan
        if current <= path_mtu:
            plan.blocked = t("{iface} already uses MTU {cur} (path carries {n}): nothing to change.",
                             "{iface} 的 MTU 已是 {cur}（线路可通过 {n}），无需修改。",
                             iface=interface, cur=current, n=path_mtu)
            return plan
        plan.actions.append(Action(
            kind="run",
            description=t("Change the MTU of {iface} from {cur} to {n}",
                          "把 {iface} 的 MTU 从 {cur} 改为 {n}", iface=interface, cur=current, n=path_mtu),
            argv=set_mtu_argv(PLATFORM, interface, path_mtu, service),
            needs_admin=True,
            data={"interface": interface, "service": service, "mtu": path_mtu, "previous": current},
        ))
        plan.needs_admin = True
        return plan

    def backup(self, action: Action, env: FixEnv) -> dict[str, Any]:
        iface, service, _mtu_set = _from_argv(action)
        current = self._current(env, iface, service)
        return {"previous": current if current is not None else action.data["previous"]}

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        self._set(action, _from_argv(action)[2], step, env)

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        previous = _mtu(step.backup.get("previous"))
        iface, service = _adapter(action)
        current = self._current(env, iface, service)
        if current is None or current == previous:
            # Never changed (a step that failed), or the adapter is gone: nothing to set.
            return t("MTU of {iface} unchanged ({n}).", "{iface} 的 MTU 未改变（{n}）。",
                     iface=iface, n=current if current is not None else "-")
        self._set(action, previous, step, env)
        return t("MTU of {iface} set back to {n}.", "{iface} 的 MTU 已恢复为 {n}。",
                 iface=iface, n=previous)

    def _set(self, action: Action, mtu: int, step: Step, env: FixEnv) -> None:
        iface, service = _adapter(action)
        argv = set_mtu_argv(PLATFORM, iface, mtu, service)
        result = env.run(argv, timeout=30, admin=action.needs_admin)
        step.record(result)
        if result.returncode != 0:
            raise FixError(t("Setting the MTU failed: {e}", "设置 MTU 失败：{e}",
                             e=(result.stderr or result.stdout).strip()))
        if self._current(env, iface, service) != mtu:
            raise FixError(t("{iface} does not show MTU {n} afterwards.",
                             "设置后 {iface} 的 MTU 不是 {n}。", iface=iface, n=mtu))


def _mtu(value: object) -> int:
    """An MTU from the journal, only if it is one this fix could have set."""
    if type(value) is not int or not MIN_MTU <= value <= MAX_MTU:
        raise FixError(t("{n} is not an MTU this fix sets ({lo}-{hi}).",
                         "{n} 不是此修复会设置的 MTU（{lo}-{hi}）。", n=str(value), lo=MIN_MTU,
                         hi=MAX_MTU))
    return value


def _adapter(action: Action) -> tuple[str, str | None]:
    iface, service, _mtu_set = _from_argv(action)
    return iface, service


def parse_set_mtu_argv(os_name: str, argv: list[str]) -> tuple[str, str | None, int] | None:
    """(interface, macOS service, MTU) of a command `set_mtu_argv` makes; None for
    anything else. On macOS the service is what the command names (and shown as the
    adapter)."""
    words = list(argv)
    if os_name == "windows" and len(words) == 8 and words[:5] == [
            "netsh", "interface", "ipv4", "set", "subinterface"] and words[7] == "store=persistent":
        iface, mtu_word = words[5], words[6].removeprefix("mtu=") if words[6].startswith("mtu=") else ""
        service = None
    elif os_name == "macos" and len(words) == 4 and words[:2] == ["networksetup", "-setMTU"]:
        iface, mtu_word, service = words[2], words[3], words[2]
    elif os_name not in ("windows", "macos") and len(words) == 7 and words[:4] == [
            "ip", "link", "set", "dev"] and words[5] == "mtu":
        iface, mtu_word, service = words[4], words[6], None
    else:
        return None
    if not is_name(iface) or not is_mtu(mtu_word):
        return None
    return iface, service, int(mtu_word)


def _from_argv(action: Action) -> tuple[str, str | None, int]:
    """The adapter and the MTU from the step's own command, the one the preview showed
    and the allow list checks, never from its data fields; a step whose data name
    another adapter or MTU was changed after the preview and is refused."""
    parsed = parse_set_mtu_argv(PLATFORM, list(action.argv or []))
    if parsed is None:
        raise FixError(t("The journal's command is not one this fix runs.",
                         "修复日志中的命令不是此修复会运行的命令。"))
    iface, service, mtu = parsed
    data = action.data
    named = (data.get("service") or data.get("interface")) if PLATFORM == "macos" \
        else data.get("interface")
    if named != iface or data.get("mtu") != mtu:
        raise FixError(t(
            "The journal's details ({named}, MTU {n}) do not match its command; it was changed after the preview. Nothing was run.",
            "修复日志中的内容（{named}，MTU {n}）与其命令不一致，预览后被改动过。没有执行任何操作。",
            named=str(named), n=str(data.get("mtu"))))
    return iface, service, mtu
