"""Windows: reset the Winsock catalog (removes broken layered providers).

This is the one fix that cannot be undone: Windows rebuilds the catalog from
scratch and software that had added itself (some VPNs, "accelerators", security
tools) must be repaired or reinstalled. It is offered only as a last resort,
the preview says so plainly, and the old catalog is saved in the journal.
"""

from __future__ import annotations

from typing import Any

from checks.engine import check_ids, fix_ids
from checks.fixes._commands import run_action
from checks.fixes.actions import Action, FixError, Plan, Step
from checks.fixes.env import FixEnv
from checks.fixes.fix import Fix, register
from checks.platform.system_tools import windows_tool
from checks.shared.i18n import Text, t

WINSOCK_RESET = [windows_tool("netsh"), "winsock", "reset"]


@register
class ResetWinsock(Fix):
    id = fix_ids.RESET_WINSOCK
    title = t("Reset Windows networking (Winsock)", "重置 Windows 网络（Winsock）")
    order = 80
    platforms = ("windows",)
    needs_admin = True
    risk = "high"
    can_undo = False
    needs_restart = True
    drops_connection = True
    admin_commands = (tuple(WINSOCK_RESET),)
    affects = (check_ids.NETWORK, check_ids.DNS, check_ids.TCP)

    def plan(self, env: FixEnv) -> Plan:
        plan = Plan(
            self.id,
            t("Reset the Winsock catalog to its clean state; Windows must restart afterwards.",
              "把 Winsock 目录重置为初始状态；之后需要重启 Windows。"),
            actions=[Action("run", t("Reset the Winsock catalog", "重置 Winsock 目录"),
                            argv=list(WINSOCK_RESET), needs_admin=True)],
            warnings=[
                t("This cannot be undone. VPN, proxy or security software that hooks into Windows networking may need to be repaired or reinstalled afterwards.",
                  "此操作无法撤销。接入 Windows 网络的 VPN、代理或安全软件之后可能需要修复或重新安装。"),
                t("Restart Windows afterwards for the reset to take effect.",
                  "完成后需要重启 Windows 才会生效。"),
            ],
            needs_admin=True,
            reversible=self.can_undo,
            undo=t("Cannot be undone; the previous catalog is saved in the journal for a technician.",
                   "无法撤销；原来的目录清单保存在修复日志中，供技术人员查看。"),
            env=env,
        )
        reason = self.applicable()
        if reason is not None:
            plan.blocked = reason
        return plan

    def backup(self, action: Action, env: FixEnv) -> dict[str, Any]:
        # Not restorable, but a technician can see which providers were installed.
        result = env.run([windows_tool("netsh"), "winsock", "show", "catalog"], timeout=30)
        return {"catalog": result.stdout[-200_000:]}

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        run_action(action, step, env)
        step.restart_needed = True

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        raise FixError(t("A Winsock reset cannot be undone.", "Winsock 重置无法撤销。"))
