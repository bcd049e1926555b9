"""The DNS fix's steps on each OS, and what they accept from the journal.

Each sets the servers it is given (from the fix's own list, by choice id) and reads them
back; each undo sets back what its backup holds, which the elevated helper takes only
from where nobody else can write: the administrator-only copy (Windows) or the file's
own marks (resolv.conf). The journal's words are checked before use: a method for this
OS, a GUID, a UUID, a name that is no option, addresses that are addresses.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from checks.fixes import dns_adapter as adapter
from checks.fixes import dns_windows as win
from checks.fixes import resolv_conf
from checks.fixes._commands import run_checked
from checks.fixes._files import CHANGED, b64, read_regular, replace_checked, sha256_bytes
from checks.fixes.actions import Action, FixError, Step
from checks.fixes.allowlist import is_name
from checks.fixes.dns_adapter import FILE, NETSH, NETWORKSETUP, NM, NMCLI, RESOLVECTL, RESOLVED
from checks.fixes.dns_choices import ALL_ADDRESSES
from checks.fixes.env import FixEnv
from checks.platform import NAME as PLATFORM
from checks.platform.parsers import dns_settings as parse
from checks.shared.i18n import Text, t

MAX_SERVERS = 12  # a longer hand-set list is left to the adapter's settings
METHODS = {NETSH: "windows", adapter.NETWORKSETUP_METHOD: "macos", NM: "linux",
           RESOLVED: "linux", FILE: "linux"}
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


def is_service(word: str) -> bool:
    """A macOS network service name as networksetup shows it: "USB 10/100/1000 LAN 2" has
    slashes, so it is any printable name that is not an option."""
    return (0 < len(word) <= 256 and word[0] != "-" and word == word.strip()
            and all(unicodedata.category(c)[0] != "C" for c in word))


NOT_HELPER = t("This step is not one the fix would carry out with administrator rights.",
               "这一步不是此修复会以管理员权限执行的操作。")
CURRENT_AUTO_UNKNOWN = t("automatic", "自动获取")
NO_BACKUP = t("The journal holds no copy of the earlier DNS servers.",
              "修复日志中没有原来的 DNS 服务器记录。")


# ---- per method ------------------------------------------------------------------------------

def set_argv(method: str, target: str, servers: list[str]) -> list[str]:
    if method == RESOLVED:
        return [RESOLVECTL, "dns", target, *servers]
    return [NETWORKSETUP, "-setdnsservers", target, *(servers or ["Empty"])]


def run_set(action: Action, step: Step, env: FixEnv, servers: list[str]) -> None:
    """macOS networksetup or resolvectl: one command, then read back."""
    method = method_of(action)
    if env.in_helper:
        raise FixError(NOT_HELPER)
    target = name_of(action, "device" if method == RESOLVED else "service")
    run_checked(set_argv(method, target, servers), step, env, admin=True)
    if live(action, env) != servers:
        raise FixError(NOT_TAKEN)


NOT_TAKEN = t("The DNS servers did not change as asked.", "DNS 服务器没有按要求改变。")


def live(action: Action, env: FixEnv) -> list[str]:
    """The servers set now (macOS: by hand, [] = automatic; resolvectl: the link's)."""
    if method_of(action) == RESOLVED:
        device = name_of(action, "device")
        got = env.run([RESOLVECTL, "dns", device], timeout=15)
        found = parse.parse_resolvectl_dns(got.stdout, device) if got.returncode == 0 else None
    else:
        got = env.run([NETWORKSETUP, "-getdnsservers", name_of(action, "service")], timeout=15)
        found = parse.parse_getdnsservers(got.stdout) if got.returncode == 0 else None
    if found is None:
        raise FixError(t("Cannot read the DNS servers now.", "现在无法读取 DNS 服务器。"))
    return found


def nm_commands(uuid: str, device: str, servers: list[str], ignore: str) -> list[list[str]]:
    return [[NMCLI, "connection", "modify", uuid, "ipv4.ignore-auto-dns", ignore,
             "ipv4.dns", ",".join(servers)],
            [NMCLI, "device", "reapply", device]]


def nm_now(action: Action, env: FixEnv) -> dict[str, Any]:
    got = env.run([NMCLI, "-t", "-f", "ipv4.dns,ipv4.ignore-auto-dns", "connection", "show",
                   uuid_of(action)], timeout=15)
    values = parse.parse_terse_settings(got.stdout) if got.returncode == 0 else {}
    dns = parse.nm_dns_list(values.get("ipv4.dns", "--"))
    if dns is None or values.get("ipv4.ignore-auto-dns") not in ("yes", "no"):
        raise FixError(t("Cannot read the connection's DNS settings now.",
                         "现在无法读取该连接的 DNS 设置。"))
    return {"dns": dns, "ignore_auto_dns": values["ipv4.ignore-auto-dns"]}


def nm_set(action: Action, step: Step, env: FixEnv, servers: list[str], ignore: str) -> None:
    if env.in_helper:
        raise FixError(NOT_HELPER)
    for argv in nm_commands(uuid_of(action), name_of(action, "device"), servers, ignore):
        run_checked(argv, step, env, admin=False)
    if nm_now(action, env) != {"dns": servers, "ignore_auto_dns": ignore}:
        raise FixError(NOT_TAKEN)


def netsh_set(action: Action, step: Step, env: FixEnv, servers: list[str]) -> None:
    """Keep the adapter's list where only administrators can write, then set it."""
    guid, name = guid_of(action), win.backup_name(action.data.get("backup_name"))
    alias = win.alias_of(guid)
    static, _dhcp_servers, _dhcp, register = win.setting(win.interface_values(guid))
    win.keep(name, guid, static)
    netsh_apply(alias, guid, servers, register, step, env)


def netsh_restore(action: Action, step: Step, env: FixEnv) -> Text:
    got = win.kept(win.backup_name(action.data.get("backup_name")))
    if got is None:
        return t("The DNS servers were not changed by this fix.", "此修复没有改动 DNS 服务器。")
    guid, static = got
    alias = win.alias_of(guid)
    register = win.setting(win.interface_values(guid))[3]
    netsh_apply(alias, guid, static, register, step, env)
    win.forget(win.backup_name(action.data.get("backup_name")))
    return t("DNS servers of “{name}” set back to {servers}.", "网卡“{name}”的 DNS 服务器已恢复为{servers}。",
             name=alias, servers=static or [CURRENT_AUTO_UNKNOWN])


def netsh_apply(alias: str, guid: str, servers: list[str], register: str, step: Step,
                 env: FixEnv) -> None:
    for argv in win.netsh_commands(alias, servers, register):
        run_checked(argv, step, env, admin=True)
    if win.setting(win.interface_values(guid))[0] != servers:
        raise FixError(NOT_TAKEN)
    step.record(env.run([win.IPCONFIG, "/flushdns"], timeout=30, admin=True))


def read_file() -> bytes:
    try:
        return read_regular(Path(adapter.RESOLV_CONF), adapter.RESOLV_LIMIT)
    except OSError as exc:
        raise FixError(t("Cannot read {path}: {e}", "无法读取 {path}：{e}", path=adapter.RESOLV_CONF,
                         e=exc.strerror or str(exc))) from None


def file_set(action: Action, step: Step, servers: list[str]) -> None:
    """The system's resolv.conf, whatever path the journal names, only while it still
    holds exactly what the plan read."""
    expected = str(action.data.get("sha256_before") or "")
    current = read_file()
    if sha256_bytes(current) != expected:
        raise FixError(CHANGED.with_params(path=adapter.RESOLV_CONF))
    if not servers:
        raise FixError(t("A plain resolv.conf has no automatic servers to go back to.",
                         "普通的 resolv.conf 没有可恢复的自动服务器。"))
    new = resolv_conf.switched(current, servers)
    replace_checked(Path(adapter.RESOLV_CONF), new, expected, adapter.RESOLV_LIMIT)
    if read_file() != new:
        raise FixError(NOT_TAKEN)
    step.facts["sha256_after"] = sha256_bytes(new)


def file_restore(step: Step) -> Text:
    current = read_file()
    original = resolv_conf.restored(current, set(ALL_ADDRESSES))
    if original == current:
        return t("{path} was already as before.", "{path} 本来就是原样。", path=adapter.RESOLV_CONF)
    replace_checked(Path(adapter.RESOLV_CONF), original, sha256_bytes(current), adapter.RESOLV_LIMIT)
    if read_file() != original:
        raise FixError(t("Restoring {path} did not take.", "恢复 {path} 未成功。",
                         path=adapter.RESOLV_CONF))
    if sha256_bytes(original) == step.backup.get("sha256"):
        return t("{path} restored byte for byte.", "{path} 已逐字节恢复。", path=adapter.RESOLV_CONF)
    step.facts["replaced_content_b64"] = b64(current)  # edited since: their edit stays
    return t("{path}: the earlier DNS servers are back; other changes made since are kept.",
             "{path}：原来的 DNS 服务器已恢复；之后的其他修改均保留。", path=adapter.RESOLV_CONF)


# ---- what the journal may say, checked -----------------------------------------------------

def method_of(action: Action) -> str:
    method = action.data.get("method")
    if not isinstance(method, str) or METHODS.get(method) != PLATFORM:
        raise FixError(t("This step was planned for another system.", "这一步是为其他系统准备的。"))
    return method


def guid_of(action: Action) -> str:
    guid = action.data.get("guid")
    if not win.is_guid(guid):
        raise FixError(t("The journal names no network adapter.", "修复日志中没有网卡。"))
    return str(guid)


def uuid_of(action: Action) -> str:
    uuid = action.data.get("uuid")
    if not isinstance(uuid, str) or not UUID_PATTERN.match(uuid):
        raise FixError(t("The journal names no connection.", "修复日志中没有连接。"))
    return uuid


def name_of(action: Action, key: str) -> str:
    value = action.data.get(key)
    valid = is_service if key == "service" else is_name
    if not isinstance(value, str) or not valid(value):
        raise FixError(t("The journal names no usable network adapter.",
                         "修复日志中没有可用的网卡名称。"))
    return value


def addresses_of(value: object) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_SERVERS:
        raise FixError(NO_BACKUP)
    found = parse.addresses([str(v) for v in value])
    if found is None or found != value:
        raise FixError(NO_BACKUP)
    return found
