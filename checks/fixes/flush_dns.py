"""Empty the computer's DNS cache, so stale or poisoned answers are asked again.

Where it takes administrator rights (macOS, Linux) every cache is flushed in one
step, so the password is asked for once.
"""

from __future__ import annotations

from checks.engine import check_ids, fix_ids
from checks.fixes._commands import process_running, run_action, which
from checks.fixes.actions import Action, Plan, Step
from checks.fixes.allowlist import Param, is_system_pid_of
from checks.fixes.env import FixEnv
from checks.fixes.fix import Fix, register
from checks.platform import NAME as PLATFORM
from checks.platform.system_tools import macos_tool, windows_tool
from checks.shared.i18n import Text, t

DSCACHEUTIL_FLUSH = (macos_tool("dscacheutil"), "-flushcache")
KILLALL_MDNS = (macos_tool("killall"), "-HUP", "mDNSResponder")


def flush_actions(os_name: str, have: dict[str, bool], dnsmasq_pids: list[int]) -> list[Action]:
    """The commands for this OS, given which tools/caches exist (pure, for tests)."""
    if os_name == "windows":
        return [Action("run", t("Empty the Windows DNS cache", "清空 Windows 的 DNS 缓存"),
                       argv=[windows_tool("ipconfig"), "/flushdns"])]
    if os_name == "macos":
        return [Action(
            "run", t("Empty the directory-service cache and make mDNSResponder drop its DNS cache",
                     "清空目录服务缓存，并让 mDNSResponder 丢弃 DNS 缓存"),
            batch=[list(DSCACHEUTIL_FLUSH), list(KILLALL_MDNS)],
            needs_admin=True)]
    commands, what = [], []
    if have.get("systemd-resolved"):
        commands.append(["resolvectl", "flush-caches"] if have.get("resolvectl")
                        else ["systemd-resolve", "--flush-caches"])
        what.append(t("the systemd-resolved cache", "systemd-resolved 缓存"))
    if have.get("nscd"):
        commands.append(["nscd", "-i", "hosts"])
        what.append(t("the nscd hosts cache", "nscd 的 hosts 缓存"))
    for pid in dnsmasq_pids:
        commands.append(["kill", "-HUP", str(pid)])
        what.append(t("the local dnsmasq (pid {pid})", "本机 dnsmasq（pid {pid}）", pid=pid))
    if not commands:
        return []
    return [Action("run", t("Empty {what}", "清空{what}", what=what),
                   argv=commands[0] if len(commands) == 1 else None,
                   batch=commands if len(commands) > 1 else [], needs_admin=True)]


def flushdns_succeeded(output: str) -> bool:
    """ipconfig /flushdns output, English or Chinese Windows."""
    return any(s in output for s in ("Successfully flushed", "已成功刷新", "成功刷新"))


@register
class FlushDns(Fix):
    id = fix_ids.FLUSH_DNS
    title = t("Flush the DNS cache", "刷新 DNS 缓存")
    order = 10
    needs_admin = True
    admin_commands = (
        ("resolvectl", "flush-caches"),
        ("systemd-resolve", "--flush-caches"),
        ("nscd", "-i", "hosts"),
        # Only the system's dnsmasq: a person's own (another's, or the asking one's) is
        # theirs to signal, never with administrator rights.
        ("kill", "-HUP", Param("dnsmasq pid", is_system_pid_of("dnsmasq"))),
        DSCACHEUTIL_FLUSH,
        KILLALL_MDNS,
    )
    affects = (check_ids.DNS, check_ids.TCP)

    def plan(self, env: FixEnv) -> Plan:
        have = {
            "systemd-resolved": bool(process_running("systemd-resolved")),
            "resolvectl": which("resolvectl") is not None,
            "nscd": bool(process_running("nscd")) and which("nscd") is not None,
        }
        system_dnsmasq = is_system_pid_of("dnsmasq")
        pids = [p for p in process_running("dnsmasq") if system_dnsmasq(str(p))] \
            if PLATFORM == "linux" else []
        actions = flush_actions(PLATFORM, have, pids)
        plan = Plan(self.id, t("Empty the DNS cache so every name is looked up afresh.",
                               "清空 DNS 缓存，让每个域名都重新解析。"),
                    actions=actions, env=env,
                    needs_admin=any(a.needs_admin for a in actions),
                    undo=t("Nothing to put back: the cache refills itself as names are looked up.",
                           "无需恢复：缓存会在之后的域名解析中自动重新生成。"))
        if not actions:
            plan.blocked = t("This computer keeps no DNS cache of its own: nothing to flush.",
                             "这台电脑本身没有 DNS 缓存，无需刷新。")
        return plan

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        run_action(action, step, env)

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        return t("The DNS cache has nothing to restore; it refills itself.",
                 "DNS 缓存无需恢复，会自动重新生成。")
