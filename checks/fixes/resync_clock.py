"""Ask the operating system's time service to set the clock from the network now."""

from __future__ import annotations

from typing import Any

from checks.fixes._commands import process_running, run_action, which
from checks.fixes.base import Fix
from checks.fixes.env import FixEnv
from checks.fixes.model import Action, Plan, Step
from checks.i18n import Text, t
from checks.platform import NAME as PLATFORM

# `sc start` of a service that already runs: ERROR_SERVICE_ALREADY_RUNNING.
ALREADY_RUNNING = 1056


def resync_actions(os_name: str, have_chrony: bool, have_timedatectl: bool) -> list[Action]:
    if os_name == "windows":
        return [
            Action("run", t("Start the Windows Time service if it is stopped",
                            "如果 Windows Time 服务未运行则启动它"),
                   argv=["sc", "start", "w32time"], needs_admin=True,
                   data={"ok_codes": [0, ALREADY_RUNNING]}),
            Action("run", t("Set the clock from the time server now", "立即从时间服务器校准时钟"),
                   argv=["w32tm", "/resync", "/force"], needs_admin=True),
        ]
    if os_name == "macos":
        return [Action("run", t("Set the clock from time.apple.com now",
                                "立即从 time.apple.com 校准时钟"),
                       argv=["sntp", "-sS", "time.apple.com"], needs_admin=True)]
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


class ResyncClock(Fix):
    id = "resync_clock"
    title = t("Set the clock from the network", "从网络校准时钟")
    order = 30
    needs_admin = True
    helper_programs = ("sc", "w32tm", "sntp", "chronyc", "timedatectl")
    affects = ("clock",)
    needs_checks = ("clock",)

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
        run_action(action, step, env)

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        if action.data.get("restore_ntp") and step.backup.get("ntp") is False:
            off = Action("run", action.description, argv=["timedatectl", "set-ntp", "false"],
                         needs_admin=True)
            run_action(off, step, env)
            return t("Network time synchronisation switched off again, as before.",
                     "已按原样重新关闭网络时间同步。")
        return t("Nothing to put back: the clock stays right.", "无需恢复：时钟保持正确。")


FIX = ResyncClock
