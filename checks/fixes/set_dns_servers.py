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
from the journal.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from pathlib import Path
from typing import Any

from checks import platform
from checks.engine import check_ids, fix_ids
from checks.fixes import dns_adapter as adapter
from checks.fixes import dns_windows as win
from checks.fixes import resolv_conf
from checks.fixes._commands import run_checked
from checks.fixes._files import CHANGED, b64, can_write, read_regular, replace_checked, sha256_bytes
from checks.fixes.actions import Action, FixError, Plan, Step
from checks.fixes.allowlist import NAME, Param, Template, ascii_int, is_name, one_of, prefixed
from checks.fixes.dns_adapter import FILE, NETSH, NETWORKSETUP, NM, NMCLI, RESOLVECTL, RESOLVED
from checks.fixes.dns_choices import (
    ALL_ADDRESSES,
    choice_words,
    facts_of,
    failing_kind,
    failing_servers,
    offered,
    servers_for,
)
from checks.fixes.env import FixEnv
from checks.fixes.fix import Choice, Fix, register
from checks.platform import NAME as PLATFORM
from checks.platform.parsers import dns_settings as parse
from checks.shared.i18n import Text, t

MAX_SERVERS = 12  # a longer hand-set list is left to the adapter's settings
_METHODS = {NETSH: "windows", adapter.NETWORKSETUP_METHOD: "macos", NM: "linux",
            RESOLVED: "linux", FILE: "linux"}
_UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")

IP = Param("address", lambda w: parse.dns_address(w) is not None)
IPV4 = Param("address=IPv4", prefixed("address=", lambda w: parse.dns_address(w) is not None
                                      and "." in w))
NETSH_NAME = Param("name=NAME", prefixed("name=", is_name))


def is_service(word: str) -> bool:
    """A macOS network service name as networksetup shows it: "USB 10/100/1000 LAN 2" has
    slashes, so it is any printable name that is not an option."""
    return (0 < len(word) <= 256 and word[0] != "-" and word == word.strip()
            and all(unicodedata.category(c)[0] != "C" for c in word))


SERVICE = Param("service", is_service)
REGISTER = Param("register=", one_of("register=none", "register=primary", "register=both"))
INDEX = Param("index=N", prefixed("index=", lambda w: (ascii_int(w) or 0) in range(2, 17)))

NOT_HELPER = t("This step is not one the fix would carry out with administrator rights.",
               "这一步不是此修复会以管理员权限执行的操作。")
NOTHING_ELSE = t("{adapter} already uses every server this fix could set.",
                 "{adapter}已在使用此修复可设置的服务器。")
CURRENT_STATIC = t("{servers} (set by hand)", "{servers}（手动设置）")
CURRENT_AUTO = t("automatic ({servers})", "自动获取（{servers}）")
CURRENT_AUTO_UNKNOWN = t("automatic", "自动获取")
NO_SERVER = t("no server", "没有服务器")


def _lists(head: Template) -> list[Template]:
    """`head` followed by 1 to MAX_SERVERS addresses."""
    return [(*head, *(IP,) * n) for n in range(1, MAX_SERVERS + 1)]


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
        if len(setting.static) > MAX_SERVERS:
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
        return NOT_HELPER

    def backup(self, action: Action, env: FixEnv) -> dict[str, Any]:
        method = _method(action)
        if method == NETSH:
            return {"name_server": win.interface_values(_guid(action)).get("NameServer")}
        if method == FILE:
            raw = _read_file()
            if sha256_bytes(raw) != action.data.get("sha256_before"):
                raise FixError(CHANGED.with_params(path=adapter.RESOLV_CONF))
            return {"content_b64": b64(raw), "sha256": sha256_bytes(raw)}
        if method == NM:
            return _nm_now(action, env)
        return {"previous": _live(action, env)}

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        method, servers = _method(action), servers_for(action.data.get("choice"))
        if method == NETSH:
            _netsh_set(action, step, env, servers)
        elif method == FILE:
            _file_set(action, step, servers)
        elif method == NM:
            _nm_set(action, step, env, servers, "yes" if servers else "no")
        else:
            _run_set(action, step, env, servers)

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        method = _method(action)
        if method == NETSH:
            return _netsh_restore(action, step, env)
        if method == FILE:
            return _file_restore(step)
        if env.in_helper:
            raise FixError(NOT_HELPER)
        if method == NM:
            previous = _addresses(step.backup.get("dns"))
            ignore = step.backup.get("ignore_auto_dns")
            if ignore not in ("yes", "no"):
                raise FixError(NO_BACKUP)
            _nm_set(action, step, env, previous, str(ignore))
        else:
            previous = _addresses(step.backup.get("previous"))
            if method == RESOLVED:
                # Back to what the link's own configuration gives; set explicitly only if
                # that is not what was there.
                run_checked([RESOLVECTL, "revert", _name(action, "device")], step, env, admin=True)
                if previous and _live(action, env) != previous:
                    _run_set(action, step, env, previous)
            else:
                _run_set(action, step, env, previous)
        return t("DNS servers set back to {servers}.", "DNS 服务器已恢复为{servers}。",
                 servers=previous or [CURRENT_AUTO_UNKNOWN])


NO_BACKUP = t("The journal holds no copy of the earlier DNS servers.",
              "修复日志中没有原来的 DNS 服务器记录。")


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
    return CURRENT_AUTO_UNKNOWN


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
        return Action("run", description, batch=_nm_commands(setting.target, setting.device,
                                                             servers, "yes" if servers else "no"),
                      data=data)
    data["service"] = setting.target
    return Action("run", description, argv=_set_argv(setting.method, setting.target, servers),
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


# ---- per method ------------------------------------------------------------------------------

def _set_argv(method: str, target: str, servers: list[str]) -> list[str]:
    if method == RESOLVED:
        return [RESOLVECTL, "dns", target, *servers]
    return [NETWORKSETUP, "-setdnsservers", target, *(servers or ["Empty"])]


def _run_set(action: Action, step: Step, env: FixEnv, servers: list[str]) -> None:
    """macOS networksetup or resolvectl: one command, then read back."""
    method = _method(action)
    if env.in_helper:
        raise FixError(NOT_HELPER)
    target = _name(action, "device" if method == RESOLVED else "service")
    run_checked(_set_argv(method, target, servers), step, env, admin=True)
    if _live(action, env) != servers:
        raise FixError(NOT_TAKEN)


NOT_TAKEN = t("The DNS servers did not change as asked.", "DNS 服务器没有按要求改变。")


def _live(action: Action, env: FixEnv) -> list[str]:
    """The servers set now (macOS: by hand, [] = automatic; resolvectl: the link's)."""
    if _method(action) == RESOLVED:
        device = _name(action, "device")
        got = env.run([RESOLVECTL, "dns", device], timeout=15)
        found = parse.parse_resolvectl_dns(got.stdout, device) if got.returncode == 0 else None
    else:
        got = env.run([NETWORKSETUP, "-getdnsservers", _name(action, "service")], timeout=15)
        found = parse.parse_getdnsservers(got.stdout) if got.returncode == 0 else None
    if found is None:
        raise FixError(t("Cannot read the DNS servers now.", "现在无法读取 DNS 服务器。"))
    return found


def _nm_commands(uuid: str, device: str, servers: list[str], ignore: str) -> list[list[str]]:
    return [[NMCLI, "connection", "modify", uuid, "ipv4.ignore-auto-dns", ignore,
             "ipv4.dns", ",".join(servers)],
            [NMCLI, "device", "reapply", device]]


def _nm_now(action: Action, env: FixEnv) -> dict[str, Any]:
    got = env.run([NMCLI, "-t", "-f", "ipv4.dns,ipv4.ignore-auto-dns", "connection", "show",
                   _uuid(action)], timeout=15)
    values = parse.parse_terse_settings(got.stdout) if got.returncode == 0 else {}
    dns = parse.nm_dns_list(values.get("ipv4.dns", "--"))
    if dns is None or values.get("ipv4.ignore-auto-dns") not in ("yes", "no"):
        raise FixError(t("Cannot read the connection's DNS settings now.",
                         "现在无法读取该连接的 DNS 设置。"))
    return {"dns": dns, "ignore_auto_dns": values["ipv4.ignore-auto-dns"]}


def _nm_set(action: Action, step: Step, env: FixEnv, servers: list[str], ignore: str) -> None:
    if env.in_helper:
        raise FixError(NOT_HELPER)
    for argv in _nm_commands(_uuid(action), _name(action, "device"), servers, ignore):
        run_checked(argv, step, env, admin=False)
    if _nm_now(action, env) != {"dns": servers, "ignore_auto_dns": ignore}:
        raise FixError(NOT_TAKEN)


def _netsh_set(action: Action, step: Step, env: FixEnv, servers: list[str]) -> None:
    """Keep the adapter's list where only administrators can write, then set it."""
    guid, name = _guid(action), win.backup_name(action.data.get("backup_name"))
    alias = win.alias_of(guid)
    static, _dhcp_servers, _dhcp, register = win.setting(win.interface_values(guid))
    win.keep(name, guid, static)
    _netsh_apply(alias, guid, servers, register, step, env)


def _netsh_restore(action: Action, step: Step, env: FixEnv) -> Text:
    got = win.kept(win.backup_name(action.data.get("backup_name")))
    if got is None:
        return t("The DNS servers were not changed by this fix.", "此修复没有改动 DNS 服务器。")
    guid, static = got
    alias = win.alias_of(guid)
    register = win.setting(win.interface_values(guid))[3]
    _netsh_apply(alias, guid, static, register, step, env)
    win.forget(win.backup_name(action.data.get("backup_name")))
    return t("DNS servers of “{name}” set back to {servers}.", "网卡“{name}”的 DNS 服务器已恢复为{servers}。",
             name=alias, servers=static or [CURRENT_AUTO_UNKNOWN])


def _netsh_apply(alias: str, guid: str, servers: list[str], register: str, step: Step,
                 env: FixEnv) -> None:
    for argv in win.netsh_commands(alias, servers, register):
        run_checked(argv, step, env, admin=True)
    if win.setting(win.interface_values(guid))[0] != servers:
        raise FixError(NOT_TAKEN)
    step.record(env.run([win.IPCONFIG, "/flushdns"], timeout=30, admin=True))


def _read_file() -> bytes:
    try:
        return read_regular(Path(adapter.RESOLV_CONF), adapter.RESOLV_LIMIT)
    except OSError as exc:
        raise FixError(t("Cannot read {path}: {e}", "无法读取 {path}：{e}", path=adapter.RESOLV_CONF,
                         e=exc.strerror or str(exc))) from None


def _file_set(action: Action, step: Step, servers: list[str]) -> None:
    """The system's resolv.conf, whatever path the journal names, only while it still
    holds exactly what the plan read."""
    expected = str(action.data.get("sha256_before") or "")
    current = _read_file()
    if sha256_bytes(current) != expected:
        raise FixError(CHANGED.with_params(path=adapter.RESOLV_CONF))
    if not servers:
        raise FixError(t("A plain resolv.conf has no automatic servers to go back to.",
                         "普通的 resolv.conf 没有可恢复的自动服务器。"))
    new = resolv_conf.switched(current, servers)
    replace_checked(Path(adapter.RESOLV_CONF), new, expected, adapter.RESOLV_LIMIT)
    if _read_file() != new:
        raise FixError(NOT_TAKEN)
    step.facts["sha256_after"] = sha256_bytes(new)


def _file_restore(step: Step) -> Text:
    current = _read_file()
    original = resolv_conf.restored(current, set(ALL_ADDRESSES))
    if original == current:
        return t("{path} was already as before.", "{path} 本来就是原样。", path=adapter.RESOLV_CONF)
    replace_checked(Path(adapter.RESOLV_CONF), original, sha256_bytes(current), adapter.RESOLV_LIMIT)
    if _read_file() != original:
        raise FixError(t("Restoring {path} did not take.", "恢复 {path} 未成功。",
                         path=adapter.RESOLV_CONF))
    if sha256_bytes(original) == step.backup.get("sha256"):
        return t("{path} restored byte for byte.", "{path} 已逐字节恢复。", path=adapter.RESOLV_CONF)
    step.facts["replaced_content_b64"] = b64(current)  # edited since: their edit stays
    return t("{path}: the earlier DNS servers are back; other changes made since are kept.",
             "{path}：原来的 DNS 服务器已恢复；之后的其他修改均保留。", path=adapter.RESOLV_CONF)


# ---- what the journal may say, checked -----------------------------------------------------

def _method(action: Action) -> str:
    method = action.data.get("method")
    if not isinstance(method, str) or _METHODS.get(method) != PLATFORM:
        raise FixError(t("This step was planned for another system.", "这一步是为其他系统准备的。"))
    return method


def _guid(action: Action) -> str:
    guid = action.data.get("guid")
    if not win.is_guid(guid):
        raise FixError(t("The journal names no network adapter.", "修复日志中没有网卡。"))
    return str(guid)


def _uuid(action: Action) -> str:
    uuid = action.data.get("uuid")
    if not isinstance(uuid, str) or not _UUID.match(uuid):
        raise FixError(t("The journal names no connection.", "修复日志中没有连接。"))
    return uuid


def _name(action: Action, key: str) -> str:
    value = action.data.get(key)
    valid = is_service if key == "service" else is_name
    if not isinstance(value, str) or not valid(value):
        raise FixError(t("The journal names no usable network adapter.",
                         "修复日志中没有可用的网卡名称。"))
    return value


def _addresses(value: object) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_SERVERS:
        raise FixError(NO_BACKUP)
    found = parse.addresses([str(v) for v in value])
    if found is None or found != value:
        raise FixError(NO_BACKUP)
    return found
