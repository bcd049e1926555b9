"""Ask the operating system's time service to set the clock from the network now.

On Windows one administrator step starts the time service and resyncs; a service
that has only just started often answers "no time data was available" (or "the
service has not been started"), so the resync is retried a few times, seconds
apart, before the fix gives up.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from checks.engine import check_ids, fix_ids
from checks.fixes._commands import process_running, run_action, run_checked, which
from checks.fixes.actions import Action, FixError, Plan, Step
from checks.fixes.env import FixEnv
from checks.fixes.fix import Fix, register
from checks.platform import NAME as PLATFORM
from checks.platform.commands import CommandResult
from checks.platform.system_tools import macos_tool, windows_tool
from checks.shared.i18n import Text, t

# `sc start` of a service that already runs: ERROR_SERVICE_ALREADY_RUNNING.
ALREADY_RUNNING = 1056
SC_START = [windows_tool("sc"), "start", "w32time"]
W32TM_RESYNC = [windows_tool("w32tm"), "/resync", "/force"]
# What w32tm prints while the service is not ready yet (tests/fixtures/platform/windows/w32tm-*):
# "The computer did not resync because no time data was available." /
# "此计算机没有重新同步，因为没有可用的时间数据。", and 0x80070426 "The service has not been started."
_NOT_READY = ("no time data was available", "没有可用的时间数据", "0x80070426")


def w32tm_not_ready(result: CommandResult) -> bool:
    """Whether w32tm failed only because the time service is not ready yet."""
    text = f"{result.stdout}\n{result.stderr}".lower()
    return any(marker in text for marker in _NOT_READY)


def w32tm_reason(result: CommandResult) -> str:
    """The line of w32tm's output that says what went wrong."""
    for line in f"{result.stdout}\n{result.stderr}".splitlines():
        if any(marker in line.lower() for marker in _NOT_READY) or "error" in line.lower():
            return line.strip()
    return result.last_line()


def resync_actions(os_name: str, have_chrony: bool, have_timedatectl: bool) -> list[Action]:
    if os_name == "windows":
        return [Action("run", t(
            "Start the Windows Time service if it is stopped, then set the clock from the time server now",
            "如果 Windows Time 服务未运行则启动它，然后立即从时间服务器校准时钟"),
            batch=[SC_START, W32TM_RESYNC], needs_admin=True)]
    if os_name == "macos":
        return [Action("run", t("Set the clock from time.apple.com now",
                                "立即从 time.apple.com 校准时钟"),
                       argv=[macos_tool("sntp"), "-sS", "time.apple.com"], needs_admin=True)]
    if have_chrony:
        return [Action("run", t("Make chrony step the clock to the right time now",
                                "让 chrony 立即把时钟调到正确时间"),
                       argv=["chronyc", "makestep"], needs_admin=True)]
    if have_timedatectl:
        return [Action("run", t("Switch on network time synchronisation", "开启网络时间同步"),
                       argv=["timedatectl", "set-ntp", "true"], needs_admin=True,
                       data={"restore_ntp": True})]
    return []


def parse_timedatectl_ntp(output: str) -> bool | None:
    """`timedatectl show -p NTP --value` -> yes/no."""
    value = output.strip().lower()
    return {"yes": True, "no": False}.get(value)


@register
class ResyncClock(Fix):
    id = fix_ids.RESYNC_CLOCK
    title = t("Set the clock from the network", "从网络校准时钟")
    order = 30
    needs_admin = True
    risk = "medium"
    admin_commands = (
        tuple(SC_START), tuple(W32TM_RESYNC),
        (macos_tool("sntp"), "-sS", "time.apple.com"),
        ("chronyc", "makestep"),
        ("timedatectl", "set-ntp", "true"), ("timedatectl", "set-ntp", "false"),
        ("timedatectl", "show", "-p", "NTP", "--value"),
    )
    affects = (check_ids.CLOCK,)
    needs_checks = (check_ids.CLOCK,)
    # Seconds to wait before each new try of a resync the time service was not ready for.
    retry_delays_s: ClassVar[tuple[float, ...]] = (2.0, 4.0, 8.0)

    def plan(self, env: FixEnv) -> Plan:
        actions = resync_actions(PLATFORM, bool(process_running("chronyd")) and which("chronyc") is not None,
                                 which("timedatectl") is not None)
        evidence = env.evidence("clock") or {}
        offset = evidence.get("offset_s")
        summary = (t("The clock is {s:+.0f} s off; set it from the network now.",
                     "时钟偏差 {s:+.0f} 秒；现在从网络校准。", s=float(offset))
                   if isinstance(offset, (int, float)) else
                   t("Set the clock from the network now.", "现在从网络校准时钟。"))
        plan = Plan(self.id, summary, actions=actions, env=env, needs_admin=bool(actions),
                    undo=t("Undo does not set the clock back to a wrong time; it only switches network time off again if it was off.",
                           "撤销不会把时钟改回错误的时间，只会在原来关闭网络校时的情况下重新关闭它。"))
        if not actions:
            plan.blocked = t("No time service found on this computer (chrony or systemd-timesyncd).",
                             "这台电脑上没有找到时间同步服务（chrony 或 systemd-timesyncd）。")
        return plan

    def backup(self, action: Action, env: FixEnv) -> dict[str, Any]:
        if action.data.get("restore_ntp"):
            result = env.run(["timedatectl", "show", "-p", "NTP", "--value"], timeout=10)
            return {"ntp": parse_timedatectl_ntp(result.stdout)}
        return {}

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        if action.commands() == [SC_START, W32TM_RESYNC]:
            run_checked(SC_START, step, env, admin=True, ok_codes=(0, ALREADY_RUNNING))
            self._resync_windows(step, env)
        else:
            run_action(action, step, env)

    def _resync_windows(self, step: Step, env: FixEnv) -> None:
        for delay in (0.0, *self.retry_delays_s):
            time.sleep(delay)
            result = env.run(W32TM_RESYNC, timeout=60, admin=True)
            step.record(result)
            if result.ok and not w32tm_not_ready(result):
                return
            if not w32tm_not_ready(result):
                break
        raise FixError(t(
            "w32tm could not set the clock: {out} If this persists, check that time.windows.com (UDP port 123) can be reached.",
            "w32tm 未能校准时钟：{out} 如果一直如此，请检查能否访问 time.windows.com（UDP 123 端口）。",
            out=w32tm_reason(result)))

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        if action.data.get("restore_ntp") and step.backup.get("ntp") is False:
            off = Action("run", action.description, argv=["timedatectl", "set-ntp", "false"],
                         needs_admin=True)
            run_action(off, step, env)
            return t("Network time synchronisation switched off again, as before.",
                     "已按原样重新关闭网络时间同步。")
        return t("Nothing to put back: the clock stays right.", "无需恢复：时钟保持正确。")
