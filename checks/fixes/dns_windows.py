"""Windows: an adapter's IPv4 DNS servers, read from the registry and set with netsh.

The adapter is found by its interface GUID (GetAdaptersAddresses' AdapterName, the
key under Tcpip\\Parameters\\Interfaces); netsh is given its alias (FriendlyName).
Hand-set servers are `NameServer` (comma-separated), the ones DHCP gave
`DhcpNameServer`; `EnableDHCP` says whether the adapter gets its address (and so its
DNS servers) from DHCP.

Before changing anything, the step (in the elevated helper, or in an app that is
already administrator) keeps the adapter's `NameServer` under
HKLM\\SOFTWARE\\wxdoctor\\DnsBackup, which only administrators can write; undo restores
from there, never from the journal, which is the person's to write. What is set is
derived from the fix's own list of services by the choice's id. Only IPv4 servers are
touched: `netsh interface ipv4` takes IPv4 addresses, and the adapter's IPv6 DNS
servers (Tcpip6) stay as they are.
"""

from __future__ import annotations

import json
import re
from typing import Any

from checks import platform
from checks.fixes.actions import FixError
from checks.platform.parsers.dns_settings import register_word, registry_servers
from checks.platform.system_tools import windows_tool
from checks.shared.i18n import t

INTERFACES = r"SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces"
BACKUP_KEY = r"SOFTWARE\wxdoctor\DnsBackup"  # HKLM: only administrators may write it
REG_SZ = 1
NETSH, IPCONFIG = windows_tool("netsh"), windows_tool("ipconfig")
_GUID = re.compile(r"^\{[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\}$")
_BACKUP_NAME = re.compile(r"^[0-9a-f]{16}$")


def is_guid(word: object) -> bool:
    return isinstance(word, str) and bool(_GUID.match(word))


def interface_values(guid: str) -> dict[str, Any]:
    """The DNS-related values of one interface's key (absent ones left out)."""
    key = f"{INTERFACES}\\{guid}"
    found: dict[str, Any] = {}
    for name in ("NameServer", "DhcpNameServer", "EnableDHCP", "RegistrationEnabled",
                 "RegisterAdapterName"):
        value = platform.read_registry_value("HKLM", key, name)
        if value is not None:
            found[name] = value[0]
    return found


def setting(values: dict[str, Any]) -> tuple[list[str], list[str], bool, str]:
    """(hand-set servers, DHCP's servers, gets DHCP, register word) from those values."""
    return (registry_servers(values.get("NameServer")),
            registry_servers(values.get("DhcpNameServer")),
            values.get("EnableDHCP") == 1,
            register_word(values.get("RegistrationEnabled"), values.get("RegisterAdapterName")))


def netsh_commands(alias: str, servers: list[str], register: str) -> list[list[str]]:
    """Back to DHCP's servers ([]), or exactly `servers` in order: the first with `set`
    (which clears the list), each further one `add`ed at its place. `validate=no`: the
    validating form queries every server first, a wait on a line where DNS is the
    problem."""
    name = f"name={alias}"
    if not servers:
        return [[NETSH, "interface", "ipv4", "set", "dnsservers", name, "source=dhcp"]]
    commands = [[NETSH, "interface", "ipv4", "set", "dnsservers", name, "source=static",
                 f"address={servers[0]}", f"register={register}", "validate=no"]]
    for index, server in enumerate(servers[1:], start=2):
        commands.append([NETSH, "interface", "ipv4", "add", "dnsservers", name,
                         f"address={server}", f"index={index}", "validate=no"])
    return commands


def alias_of(guid: str) -> str:
    """The adapter's alias (what netsh names it) from GetAdaptersAddresses, by GUID."""
    for adapter in platform.adapter_details():
        if adapter.guid.lower() == guid.lower() and adapter.name:
            return adapter.name
    raise FixError(t("The network adapter {guid} is gone.", "网卡 {guid} 已不存在。", guid=guid))


# ---- the copy only administrators can write -----------------------------------------------

def backup_name(value: object) -> str:
    if not isinstance(value, str) or not _BACKUP_NAME.match(value):
        raise FixError(t("The journal names no saved DNS setting.",
                         "修复日志中没有已保存的 DNS 设置。"))
    return value


def keep(name: str, guid: str, static: list[str]) -> None:
    """Keep the adapter's hand-set servers ([] = automatic) where undo will look."""
    record = json.dumps({"guid": guid, "static": static})
    platform.write_registry_value("HKLM", BACKUP_KEY, name, (record, REG_SZ))


def kept(name: str) -> tuple[str, list[str]] | None:
    """(GUID, hand-set servers) as `keep` saved them; None when nothing was kept (the
    step never changed anything)."""
    value = platform.read_registry_value("HKLM", BACKUP_KEY, name)
    if value is None:
        return None
    try:
        record = json.loads(value[0]) if isinstance(value[0], str) else None
    except ValueError:
        record = None
    static = record.get("static") if isinstance(record, dict) else None
    guid = record.get("guid") if isinstance(record, dict) else None
    if (not is_guid(guid) or not isinstance(static, list)
            or registry_servers(",".join(str(s) for s in static)) != static):
        raise FixError(t("The saved DNS setting is damaged; set the DNS servers by hand in the "
                         "adapter's settings.",
                         "保存的 DNS 设置已损坏；请在网卡设置中手动设置 DNS 服务器。"))
    return str(guid), [str(s) for s in static]


def forget(name: str) -> None:
    platform.write_registry_value("HKLM", BACKUP_KEY, name, None)
