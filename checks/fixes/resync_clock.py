"""Set the clock right from the network, even when it is hours or years off.

Windows, one administrator step in the elevated helper, which measures the offset
again itself from the time servers it trusts (the built-in list and IT's machine-wide
settings: `clock_setting`): within what Windows Time corrects it asks the service to
resync; beyond that (or when the service left it off) it sets the time with
SetSystemTime, if two servers agree. It points Windows Time at the servers that
answered (the previous servers are kept under HKLM, where only administrators write,
for undo) and measures again: the step succeeds only when the clock is right.

macOS: `sntp -sS SERVER` with a configured server that answered the clock check: sntp
asks it over NTP (no certificate involved) and steps the clock whatever the offset
(slews below its step limit); `date` would need a time computed outside the prompt.
Linux: chrony steps at once, else timedatectl switches network time on.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, ClassVar

from checks import platform
from checks.engine import check_ids, fix_ids
from checks.fixes import clock_setting as clock
from checks.fixes._commands import process_running, run_action, run_checked, which
from checks.fixes.actions import Action, FixError, Plan, Step
from checks.fixes.env import FixEnv, trusted_config
from checks.fixes.fix import Fix, register
from checks.platform import NAME as PLATFORM
from checks.platform.commands import CommandResult
from checks.platform.system_tools import macos_tool, windows_tool
from checks.shared.i18n import Text, t

# `sc start` of a service that already runs: ERROR_SERVICE_ALREADY_RUNNING.
ALREADY_RUNNING = 1056
SC_START = [windows_tool("sc"), "start", "w32time"]
W32TM_RESYNC = [clock.W32TM, "/resync", "/force"]
SNTP = macos_tool("sntp")
REG_SZ = 1
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


def resync_actions(os_name: str, have_chrony: bool, have_timedatectl: bool,
                   answered: list[clock.Answer] | None = None,
                   limits: clock.Limits | None = None,
                   offset_s: float | None = None, domain: bool = False) -> list[Action]:
    """The step for this OS; `answered` are the time servers that answered the clock
    check, `offset_s` what it measured (only to say in the preview what will happen)."""
    answered = answered or []
    if os_name == "windows":
        peers = "" if domain else clock.peer_list(answered)
        beyond = offset_s is not None and not (limits or clock.Limits()).allows(offset_s)
        servers = (t("Windows Time keeps following the domain's time",
                     "Windows 时间服务继续使用域的时间") if domain else
                   t("point Windows Time at the servers that answer{now}",
                     "让 Windows 时间服务改用有响应的时间服务器{now}",
                     now=t(" (now: {s})", "（目前：{s}）", s=peers.replace(",0x8", ""))
                     if peers else t("", "")))
        return [Action("run", t(
            "Start Windows Time if it is stopped; measure the clock again from the time servers; {how}; {servers}; measure again to confirm",
            "如果 Windows 时间服务未运行则启动它；重新向时间服务器测量时间；{how}；{servers}；再次测量以确认",
            how=t("the clock is further off than Windows Time corrects, so set it directly",
                  "电脑时间的偏差超出 Windows 时间服务能校正的范围，因此直接设置时间")
            if beyond else t("ask Windows Time to set it now", "让 Windows 时间服务立即校准"),
            servers=servers),
            batch=[SC_START, *([clock.w32tm_config_argv(peers)] if peers else []), W32TM_RESYNC],
            needs_admin=True, data={"backup_name": secrets.token_hex(8)})]
    if os_name == "macos":
        host = next((a.host for a in answered if a.port == clock.NTP_PORT
                     and clock.is_host(a.host)), None)
        if host is None:
            return []
        return [Action("run", t("Set the clock from {host} now", "立即从 {host} 校准时钟", host=host),
                       argv=[SNTP, "-sS", host], needs_admin=True)]
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


def windows_limits() -> clock.Limits:
    """Windows Time's MaxPos/NegPhaseCorrection (HKLM, readable by everyone)."""
    def read(name: str) -> Any:
        try:
            found = platform.read_registry_value("HKLM", clock.W32TIME_CONFIG, name)
        except OSError:
            return None
        return found[0] if found else None

    return clock.limits_from(read)


@register
class ResyncClock(Fix):
    id = fix_ids.RESYNC_CLOCK
    title = t("Set the clock from the network", "从网络校准时钟")
    order = 30
    needs_admin = True
    risk = "medium"
    admin_commands = (
        tuple(SC_START), tuple(W32TM_RESYNC), tuple(clock.W32TM_UPDATE),
        (clock.W32TM, "/config", clock.PEER_LIST, "/syncfromflags:manual", "/update"),
        (SNTP, "-sS", clock.NTP_HOST),
        ("chronyc", "makestep"),
        ("timedatectl", "set-ntp", "true"), ("timedatectl", "set-ntp", "false"),
        ("timedatectl", "show", "-p", "NTP", "--value"),
    )
    affects = (check_ids.CLOCK,)
    needs_checks = (check_ids.CLOCK,)
    # Seconds to wait before each new try of a resync the time service was not ready for.
    retry_delays_s: ClassVar[tuple[float, ...]] = (2.0, 4.0, 8.0)

    def plan(self, env: FixEnv) -> Plan:
        evidence = env.evidence("clock") or {}
        offset = evidence.get("offset_s")
        offset = float(offset) if isinstance(offset, (int, float)) else None
        answered = clock.answers_from([r for r in evidence.get("servers") or []
                                       if isinstance(r, dict)])
        # Only servers of the built-in list and IT's settings set the clock as administrator.
        trusted = set(trusted_config().ntp.servers)
        answered = [a for a in answered if a.server in trusted]
        actions = resync_actions(
            PLATFORM, bool(process_running("chronyd")) and which("chronyc") is not None,
            which("timedatectl") is not None, answered,
            windows_limits() if PLATFORM == "windows" else None, offset,
            PLATFORM == "windows" and _domain_time())
        summary = (t("The clock is {s:+.0f} s off; set it from the network now.",
                     "时钟偏差 {s:+.0f} 秒；现在从网络校准。", s=offset)
                   if offset is not None else
                   t("Set the clock from the network now.", "现在从网络校准时钟。"))
        plan = Plan(self.id, summary, actions=actions, env=env, needs_admin=bool(actions),
                    undo=UNDO_WINDOWS if PLATFORM == "windows" else UNDO_OTHERS)
        if not actions:
            plan.blocked = (t("None of the built-in or IT-configured time servers answered the clock check on port 123; sntp can only ask those.",
                              "时钟检测时，内置或 IT 设置的时间服务器都没有在 123 端口响应；本修复只会向这些服务器校时。")
                            if PLATFORM == "macos" else
                            t("No time service found on this computer (chrony or systemd-timesyncd).",
                              "这台电脑上没有找到时间同步服务（chrony 或 systemd-timesyncd）。"))
        return plan

    def backup(self, action: Action, env: FixEnv) -> dict[str, Any]:
        if action.data.get("restore_ntp"):
            result = env.run(["timedatectl", "show", "-p", "NTP", "--value"], timeout=10)
            return {"ntp": parse_timedatectl_ntp(result.stdout)}
        return {}

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        if action.commands() and action.commands()[0] == SC_START:
            self._windows(action, step, env)
        elif action.argv and action.argv[0] == SNTP:
            run_action(action, step, env)
            self._confirm(step, env, self._measure(env, env.config.ntp.servers))
        else:
            run_action(action, step, env)

    def _measure(self, env: FixEnv, servers: Any) -> list[clock.Answer]:
        measure = env.ntp or clock.measure
        return measure(list(servers), env.config.ntp.timeout_s)

    def _windows(self, action: Action, step: Step, env: FixEnv) -> None:
        """In the helper: everything from the helper's own config and measurements."""
        run_checked(SC_START, step, env, admin=True, ok_codes=(0, ALREADY_RUNNING))
        servers = env.config.ntp.servers
        decision = clock.decide(self._measure(env, servers), len(servers), windows_limits())
        step.facts["measured"] = {"mode": decision.mode, "offset_s": decision.offset_s,
                                  "servers": decision.servers}
        if decision.mode == "refuse" or decision.offset_s is None:
            raise FixError(decision.reason or t("", ""))
        if decision.mode == "set":
            platform.set_system_time(time.time() + decision.offset_s)
        peers = clock.peer_list(decision.answers)
        if peers and not _domain_time():
            self._keep_w32time_settings(action)
            run_checked(clock.w32tm_config_argv(peers), step, env, admin=True)
        try:
            self._resync_windows(step, env)
        except FixError:
            if decision.mode != "set":
                raise  # the clock is as it was: say why
        after = self._measure(env, servers)
        again = clock.decide(after, len(servers), clock.Limits(0, 0))
        if again.offset_s is not None and abs(again.offset_s) > clock.RIGHT_WITHIN_S \
                and again.mode == "set":
            # Windows Time left it off (it slews small offsets slowly): set it.
            platform.set_system_time(time.time() + again.offset_s)
            after = self._measure(env, servers)
        self._confirm(step, env, after)

    def _confirm(self, step: Step, env: FixEnv, after: list[clock.Answer]) -> None:
        """Measure again: the step counts only if the clock is now right."""
        check = clock.decide(after, len(env.config.ntp.servers), clock.Limits())
        step.facts["after_s"] = check.offset_s
        if check.offset_s is None:
            raise FixError(t("No time server answered afterwards, so it is not known whether the clock is right now.",
                             "之后没有时间服务器响应，无法确认时间现在是否准确。"))
        if abs(check.offset_s) > clock.RIGHT_WITHIN_S:
            raise FixError(t("The clock is still {s:+.1f} s off afterwards.",
                             "校准后时钟仍偏差 {s:+.1f} 秒。", s=check.offset_s))

    def _keep_w32time_settings(self, action: Action) -> None:
        """Windows Time's servers and mode, kept once where only administrators write."""
        name = _backup_name(action)
        if platform.read_registry_value("HKLM", clock.W32TIME_BACKUP, f"{name}.Type") is not None:
            return
        for value in ("NtpServer", "Type"):
            found = platform.read_registry_value("HKLM", clock.W32TIME_PARAMETERS, value)
            kept = (str(found[0]), REG_SZ) if found is not None else ("", REG_SZ)
            platform.write_registry_value("HKLM", clock.W32TIME_BACKUP, f"{name}.{value}", kept)

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
            "w32tm could not set the clock: {out} If this persists, check that the time servers (UDP port 123) can be reached.",
            "w32tm 未能校准时钟：{out} 如果一直如此，请检查能否访问时间服务器（UDP 123 端口）。",
            out=w32tm_reason(result)))

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        if action.data.get("restore_ntp") and step.backup.get("ntp") is False:
            off = Action("run", action.description, argv=["timedatectl", "set-ntp", "false"],
                         needs_admin=True)
            run_action(off, step, env)
            return t("Network time synchronisation switched off again, as before.",
                     "已按原样重新关闭网络时间同步。")
        if action.commands() and action.commands()[0] == SC_START:
            return self._restore_w32time(action, step, env)
        return t("Nothing to put back: the clock stays right.", "无需恢复：时钟保持正确。")

    def _restore_w32time(self, action: Action, step: Step, env: FixEnv) -> Text:
        """Windows Time's previous servers and mode, from the helper's own copy."""
        name = _backup_name(action)
        kept = {v: platform.read_registry_value("HKLM", clock.W32TIME_BACKUP, f"{name}.{v}")
                for v in ("NtpServer", "Type")}
        if kept["Type"] is None:
            return t("The clock is not set back (it was wrong); Windows Time's settings were not changed by this fix.",
                     "时钟不会改回原来的错误时间；此修复没有改动 Windows 时间服务的设置。")
        for value, found in kept.items():
            if found is not None and str(found[0]):
                platform.write_registry_value("HKLM", clock.W32TIME_PARAMETERS, value,
                                              (str(found[0]), REG_SZ))
        run_checked(clock.W32TM_UPDATE, step, env, admin=True)
        for value in kept:
            platform.write_registry_value("HKLM", clock.W32TIME_BACKUP, f"{name}.{value}", None)
        servers = str(kept["NtpServer"][0]) if kept["NtpServer"] else "-"
        return t("Windows Time uses its previous servers again ({servers}). The clock itself is not set back: it was wrong, and the time it showed then cannot be restored.",
                 "Windows 时间服务已改回原来的时间服务器（{servers}）。时钟本身不会改回：原来的时间是错的，也无法恢复。",
                 servers=servers)


UNDO_WINDOWS = t(
    "Undo gives Windows Time back its previous time servers and mode; it does not set the clock back to the wrong time.",
    "撤销会让 Windows 时间服务改回原来的时间服务器和同步方式；不会把时钟改回错误的时间。")
UNDO_OTHERS = t(
    "Undo does not set the clock back to a wrong time; it only switches network time off again if it was off.",
    "撤销不会把时钟改回错误的时间，只会在原来关闭网络校时的情况下重新关闭它。")


def _domain_time() -> bool:
    """A domain member follows the domain's time (Type NT5DS): its servers stay as IT set
    them, and only the clock itself is put right."""
    try:
        found = platform.read_registry_value("HKLM", clock.W32TIME_PARAMETERS, "Type")
    except OSError:
        return False
    return found is not None and str(found[0]).strip().upper() == "NT5DS"


def _backup_name(action: Action) -> str:
    name = action.data.get("backup_name")
    if not isinstance(name, str) or not 8 <= len(name) <= 64 or not all(
            c in "0123456789abcdef" for c in name):
        raise FixError(t("The journal names no saved time-service setting.",
                         "修复日志中没有已保存的时间服务设置。"))
    return name
