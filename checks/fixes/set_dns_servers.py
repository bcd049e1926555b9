"""Switch the DNS servers of the adapter that carries the default route: back to the
ones the network hands out, or to a public service the person picks; undo sets back
exactly what was there (the hand-set list in its order, or automatic).

Windows: `netsh interface ipv4 set/add dnsservers` (IPv4), in the elevated helper,
which first keeps the old list where only administrators can write
(checks.fixes.dns_windows). macOS: `networksetup -setdnsservers SERVICE …|Empty`, one
command under one administrator prompt. Linux: NetworkManager's connection (`nmcli
connection modify … ipv4.dns … ipv4.ignore-auto-dns …` and `nmcli device reapply`;
NetworkManager asks for a password itself where its policy wants one), else
systemd-resolved's link (`resolvectl dns`, until the link or the computer restarts),
else a plain /etc/resolv.conf (checks.fixes.resolv_conf). Where none of these applies
the fix says why and changes nothing.

What is set always comes from this fix's own list by the choice's id
(checks.fixes.dns_choices); inside the elevated helper, what is restored comes from
the administrator-only copy (Windows) or the file's own marks (resolv.conf), never
from the journal. The steps themselves are in checks.fixes.dns_steps.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from checks import platform
from checks.engine import check_ids, fix_ids
from checks.fixes import dns_adapter as adapter
from checks.fixes import dns_steps as steps
from checks.fixes import dns_windows as win
from checks.fixes._commands import run_checked
from checks.fixes._files import CHANGED, b64, can_write, sha256_bytes
from checks.fixes.actions import Action, FixError, Plan, Step
from checks.fixes.allowlist import NAME, Param, Template, ascii_int, is_name, one_of, prefixed
from checks.fixes.dns_adapter import FILE, NETSH, NETWORKSETUP, NM, RESOLVECTL, RESOLVED
from checks.fixes.dns_choices import (
    choice_words,
    facts_of,
    failing_kind,
    failing_servers,
    offered,
    servers_for,
)
from checks.fixes.env import FixEnv
from checks.fixes.fix import Choice, Fix, register
from checks.platform.parsers import dns_settings as parse
from checks.shared.i18n import Text, t

IP = Param("address", lambda w: parse.dns_address(w) is not None)
IPV4 = Param("address=IPv4", prefixed("address=", lambda w: parse.dns_address(w) is not None
                                      and "." in w))
NETSH_NAME = Param("name=NAME", prefixed("name=", is_name))
SERVICE = Param("service", steps.is_service)
REGISTER = Param("register=", one_of("register=none", "register=primary", "register=both"))
INDEX = Param("index=N", prefixed("index=", lambda w: (ascii_int(w) or 0) in range(2, 17)))

NOTHING_ELSE = t("{adapter} already uses every server this fix could set.",
                 "{adapter}已在使用此修复可设置的服务器。")
CURRENT_STATIC = t("{servers} (set by hand)", "{servers}（手动设置）")
CURRENT_AUTO = t("automatic ({servers})", "自动获取（{servers}）")
NO_SERVER = t("no server", "没有服务器")


def _lists(head: Template) -> list[Template]:
    """`head` followed by 1 to MAX_SERVERS addresses."""
    return [(*head, *(IP,) * n) for n in range(1, steps.MAX_SERVERS + 1)]


@register
class SetDnsServers(Fix):
    id = fix_ids.SET_DNS_SERVERS
    title = t("Change the DNS servers", "更换 DNS 服务器")
    order = 55
    needs_admin = True
    risk = "medium"
    drops_connection = False  # open connections stay; only new names go to the new servers
    admin_commands = (
        (win.NETSH, "interface", "ipv4", "set", "dnsservers", NETSH_NAME, "source=dhcp"),
        (win.NETSH, "interface", "ipv4", "set", "dnsservers", NETSH_NAME, "source=static", IPV4,
         REGISTER, "validate=no"),
        (win.NETSH, "interface", "ipv4", "add", "dnsservers", NETSH_NAME, IPV4, INDEX,
         "validate=no"),
        (win.IPCONFIG, "/flushdns"),
        (NETWORKSETUP, "-setdnsservers", SERVICE, "Empty"),
        *_lists((NETWORKSETUP, "-setdnsservers", SERVICE)),
        (RESOLVECTL, "revert", NAME),
        *_lists((RESOLVECTL, "dns", NAME)),
    )
    affects = (check_ids.DNS, check_ids.DNS_POLLUTION, check_ids.TCP)
    needs_checks = (check_ids.NETWORK, check_ids.DNS, check_ids.VPN)

    def __init__(self) -> None:
        self._read: dict[int, adapter.DnsSetting | adapter.Unavailable] = {}

    # ---- looking -------------------------------------------------------------------------

    def _setting(self, env: FixEnv) -> adapter.DnsSetting:
        """The default route's adapter and its DNS setting, read once per environment."""
        if id(env) not in self._read:
            try:
                found: adapter.DnsSetting | adapter.Unavailable = adapter.read(env, _device(env))
            except adapter.Unavailable as exc:
                found = exc
            self._read[id(env)] = found
        found = self._read[id(env)]
        if isinstance(found, adapter.Unavailable):
            raise found
        return found

    def choices(self, env: FixEnv) -> list[Choice]:
        try:
            setting = self._setting(env)
        except adapter.Unavailable:
            return []  # the plan says why
        facts = facts_of(env.report)
        failing = failing_servers(facts)
        return offered(setting, failing, failing_kind(facts, failing))

    def plan(self, env: FixEnv) -> Plan:
        plan = Plan(self.id, t("Change this computer's DNS servers.", "更换这台电脑的 DNS 服务器。"),
                    env=env)
        tunnel = facts_of(env.report).tunnel_holding_default()
        if tunnel is not None:
            plan.blocked = t("The default route goes through the VPN adapter {name}: its DNS "
                             "servers are the VPN's to set. Disconnect the VPN and check again.",
                             "默认路由经由 VPN 网卡 {name}：它的 DNS 服务器由 VPN 设置。请断开 VPN 后重新检测。",
                             name=str(tunnel.get("name") or "VPN"))
            return plan
        try:
            setting = self._setting(env)
        except adapter.Unavailable as exc:
            plan.blocked = exc.text
            return plan
        ids = [c.id for c in self.choices(env)]
        choice = env.choice or (ids[0] if ids else None)
        if choice is None:
            plan.blocked = NOTHING_ELSE.with_params(adapter=setting.adapter)
            return plan
        if choice not in ids:
            plan.blocked = t("“{choice}” is not one of the choices here ({valid}).",
                             "“{choice}”不是这里可选的一项（可选：{valid}）。", choice=choice,
                             valid=", ".join(ids))
            return plan
        if len(setting.static) > steps.MAX_SERVERS:
            plan.blocked = t("{adapter} has {n} DNS servers set by hand; change them in its "
                             "settings.", "{adapter}手动设置了 {n} 个 DNS 服务器，请在它的设置中修改。",
                             adapter=setting.adapter, n=len(setting.static))
            return plan
        now, new = _current_words(setting), choice_words(choice)
        plan.summary = t("Change the DNS servers of {adapter} from {now} to {new}.",
                         "把{adapter}的 DNS 服务器从{now}改为{new}。",
                         adapter=setting.adapter, now=now, new=new)
        action = _action(setting, choice, t("Set the DNS servers of {adapter} to {new}",
                                            "把{adapter}的 DNS 服务器设为{new}",
                                            adapter=setting.adapter, new=new))
        plan.actions.append(action)
        plan.needs_admin = action.needs_admin
        plan.undo = t("Undo sets the DNS servers of {adapter} back to {now}, exactly as they were.",
                      "撤销会把{adapter}的 DNS 服务器恢复为{now}，与原来完全一致。",
                      adapter=setting.adapter, now=now)
        plan.warnings.extend(_warnings(setting))
        return plan

    # ---- carrying it out -------------------------------------------------------------------

    def helper_refusal(self, action: Action) -> Text | None:
        """Only two steps ever go to the elevated helper: netsh on Windows and the edit of
        the system's resolv.conf; each derives what it writes again."""
        method = action.data.get("method")
        if method == NETSH and action.kind == "run" and win.is_guid(action.data.get("guid")):
            return None
        if method == FILE and action.kind == "edit_file" and action.paths == [adapter.RESOLV_CONF]:
            return None
        return steps.NOT_HELPER

    def backup(self, action: Action, env: FixEnv) -> dict[str, Any]:
        method = steps.method_of(action)
        if method == NETSH:
            return {"name_server": win.interface_values(steps.guid_of(action)).get("NameServer")}
        if method == FILE:
            raw = steps.read_file()
            if sha256_bytes(raw) != action.data.get("sha256_before"):
                raise FixError(CHANGED.with_params(path=adapter.RESOLV_CONF))
            return {"content_b64": b64(raw), "sha256": sha256_bytes(raw)}
        if method == NM:
            return steps.nm_now(action, env)
        return {"previous": steps.live(action, env)}

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        method, servers = steps.method_of(action), servers_for(action.data.get("choice"))
        if method == NETSH:
            steps.netsh_set(action, step, env, servers)
        elif method == FILE:
            steps.file_set(action, step, servers)
        elif method == NM:
            steps.nm_set(action, step, env, servers, "yes" if servers else "no")
        else:
            steps.run_set(action, step, env, servers)

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        method = steps.method_of(action)
        if method == NETSH:
            return steps.netsh_restore(action, step, env)
        if method == FILE:
            return steps.file_restore(step)
        if env.in_helper:
            raise FixError(steps.NOT_HELPER)
        if method == NM:
            previous = steps.addresses_of(step.backup.get("dns"))
            ignore = step.backup.get("ignore_auto_dns")
            if ignore not in ("yes", "no"):
                raise FixError(steps.NO_BACKUP)
            steps.nm_set(action, step, env, previous, str(ignore))
        else:
            previous = steps.addresses_of(step.backup.get("previous"))
            if method == RESOLVED:
                # Back to what the link's own configuration gives; set explicitly only if
                # that is not what was there.
                run_checked([RESOLVECTL, "revert", steps.name_of(action, "device")], step, env, admin=True)
                if previous and steps.live(action, env) != previous:
                    steps.run_set(action, step, env, previous)
            else:
                steps.run_set(action, step, env, previous)
        return t("DNS servers set back to {servers}.", "DNS 服务器已恢复为{servers}。",
                 servers=previous or [steps.CURRENT_AUTO_UNKNOWN])


# ---- the plan's pieces ---------------------------------------------------------------------

def _device(env: FixEnv) -> str | None:
    """The default route's interface: as the run measured it, else as the system says now."""
    route = facts_of(env.report).default_route()
    if route is not None and route.interface:
        return route.interface
    for info in platform.default_routes():
        if info.interface:
            return info.interface
    return None


def _current_words(setting: adapter.DnsSetting) -> Text:
    if setting.method in (FILE, RESOLVED):
        return t("{servers}", "{servers}", servers=list(setting.static) or [NO_SERVER])
    if setting.hand_set:
        return CURRENT_STATIC.with_params(servers=list(setting.static) or [NO_SERVER])
    if setting.automatic:
        return CURRENT_AUTO.with_params(servers=list(setting.automatic))
    return steps.CURRENT_AUTO_UNKNOWN


def _action(setting: adapter.DnsSetting, choice: str, description: Text) -> Action:
    servers = servers_for(choice)
    data: dict[str, Any] = {"method": setting.method, "choice": choice,
                            "previous": list(setting.static)}
    if setting.method == NETSH:
        data.update(guid=setting.data["guid"], backup_name=secrets.token_hex(8))
        commands = win.netsh_commands(setting.target, servers, setting.data["register"])
        return Action("run", description, batch=[*commands, [win.IPCONFIG, "/flushdns"]],
                      needs_admin=True, data=data,
                      paths=[f"HKLM\\{win.INTERFACES}\\{setting.data['guid']}"])
    if setting.method == FILE:
        data["sha256_before"] = setting.data["sha256"]
        return Action("edit_file", description, paths=[adapter.RESOLV_CONF], data=data,
                      needs_admin=not can_write(Path(adapter.RESOLV_CONF)))
    data["device"] = setting.device
    if setting.method == NM:
        data.update(uuid=setting.target, previous_ignore=setting.data["ignore_auto_dns"])
        return Action("run", description, batch=steps.nm_commands(setting.target, setting.device,
                                                             servers, "yes" if servers else "no"),
                      data=data)
    data["service"] = setting.target
    return Action("run", description, argv=steps.set_argv(setting.method, setting.target, servers),
                  needs_admin=True, data=data)


def _warnings(setting: adapter.DnsSetting) -> list[Text]:
    if setting.method == NETSH:
        return [t("Only the IPv4 DNS servers change; IPv6 DNS servers of the adapter, if any, "
                  "stay as they are.", "只更改 IPv4 的 DNS 服务器；网卡的 IPv6 DNS 服务器（如有）保持不变。")]
    if setting.method == NM:
        return [t("NetworkManager may ask for an administrator's password to change the "
                  "connection.", "NetworkManager 可能会要求输入管理员密码来修改该连接。")]
    if setting.method == RESOLVED:
        return [t("systemd-resolved keeps this only until the adapter reconnects or the computer "
                  "restarts; to keep it, set it in the network settings.",
                  "systemd-resolved 只会保留这一设置到网卡重新连接或电脑重启为止；如需长期使用，请在网络设置中修改。")]
    if setting.method == FILE:
        return [t("{path} is a plain file no network program manages; if a DHCP client on this "
                  "computer rewrites it, the old servers come back.",
                  "{path} 是没有网络程序管理的普通文件；如果这台电脑上有程序在联网时自动改写它，原来的服务器会回来。",
                  path=adapter.RESOLV_CONF)]
    return []


