"""An adapter's DNS servers as each OS tells them: the Windows registry values of the
interface (NameServer, DhcpNameServer, EnableDHCP, RegistrationEnabled), macOS
`networksetup`, NetworkManager's `nmcli -t` and systemd-resolved's `resolvectl dns`.

Pure functions; the captures they are tested on are in tests/fixtures/platform/ (sources
in SOURCES.md).
"""

from __future__ import annotations

import ipaddress
import re


def dns_address(word: str) -> str | None:
    """`word` as a DNS server address (IPv4, or IPv6 without a zone), else None."""
    if not word or len(word) > 45 or not word.isascii() or "%" in word:
        return None
    try:
        return str(ipaddress.ip_address(word))
    except ValueError:
        return None


def addresses(words: list[str]) -> list[str] | None:
    """Every word as an address, in order, duplicates dropped; None if one is not one."""
    found: list[str] = []
    for word in words:
        address = dns_address(word)
        if address is None:
            return None
        if address not in found:
            found.append(address)
    return found


# ---- Windows: HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces\{GUID} ----

def registry_servers(value: object) -> list[str]:
    """NameServer / DhcpNameServer: Windows writes the static list comma-separated and
    the DHCP one space-separated (and has been seen to use either); empty = none."""
    if not isinstance(value, str):
        return []
    words = [w for w in re.split(r"[,\s]+", value) if w]
    return addresses(words) or []


def register_word(enabled: object, adapter_name: object) -> str:
    """`netsh … set dnsservers … register=` that keeps the interface's Dynamic DNS
    registration as it is (RegistrationEnabled, RegisterAdapterName): naming `primary`
    regardless would switch registration on where it was off."""
    if enabled == 0:
        return "none"
    return "both" if adapter_name == 1 else "primary"


# ---- macOS: networksetup ---------------------------------------------------------------

NO_SERVERS = "There aren't any DNS Servers set on"


def parse_getdnsservers(output: str) -> list[str] | None:
    """`networksetup -getdnsservers SERVICE`: the servers set by hand, in order; [] when
    none is ("There aren't any DNS Servers set on Wi-Fi.": automatic); None when the
    answer is neither (an error such as an unknown service)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if len(lines) == 1 and lines[0].startswith(NO_SERVERS):
        return []
    return addresses(lines) if lines else None


_ORDER_NAME = re.compile(r"^\((?P<number>\d+|\*)\)\s?(?P<name>.*)$")
_ORDER_PORT = re.compile(r"^\(Hardware Port: (?P<port>.*), Device: (?P<device>[^)]*)\)$")


def parse_service_order(output: str) -> dict[str, str]:
    """`networksetup -listnetworkserviceorder`: device -> the first enabled network service
    on it. The service's own name is taken, not its Hardware Port: a second "USB
    10/100/1000 LAN" adapter is the service "USB 10/100/1000 LAN 2" on port "USB
    10/100/1000 LAN". A disabled service ("(*) X" or "(n) *X") is left out."""
    found: dict[str, str] = {}
    service: str | None = None
    for line in output.splitlines():
        line = line.strip()
        name = _ORDER_NAME.match(line)
        if name:
            disabled = name.group("number") == "*" or name.group("name").startswith("*")
            service = None if disabled else name.group("name").strip()
            continue
        port = _ORDER_PORT.match(line)
        if port and service:
            device = port.group("device").strip()
            if device:
                found.setdefault(device, service)
            service = None
    return found


def parse_getinfo_method(output: str) -> str | None:
    """`networksetup -getinfo SERVICE`: "dhcp" for "DHCP Configuration" (DNS servers can
    come from the network), "manual" for "Manual Configuration", "bootp", else None."""
    for line in output.splitlines():
        line = line.strip()
        if not line:
            continue
        first = line.lower()
        if first.startswith("dhcp configuration"):
            return "dhcp"
        if first.startswith("manual configuration"):
            return "manual"
        if first.startswith("bootp configuration"):
            return "bootp"
        return None
    return None


# ---- Linux: nmcli -t, resolvectl -----------------------------------------------------------

def split_terse(line: str) -> list[str]:
    """One line of `nmcli -t` output: fields separated by ':', where a ':' or '\\' inside
    a value is escaped with '\\' (a connection named "a:b" is printed "a\\:b")."""
    fields, current, escaped = [], [], False
    for char in line:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ":":
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
    fields.append("".join(current))
    return fields


def parse_active_connections(output: str) -> list[tuple[str, str, str]]:
    """`nmcli -t -f NAME,UUID,DEVICE connection show --active`: (name, uuid, device)."""
    found = []
    for line in output.splitlines():
        if not line.strip():
            continue
        fields = split_terse(line)
        if len(fields) == 3 and fields[1] and fields[2]:
            found.append((fields[0], fields[1], fields[2]))
    return found


def parse_terse_settings(output: str) -> dict[str, str]:
    """`nmcli -t -f ipv4.method,ipv4.dns,… connection show UUID`: one "name:value" line
    per setting (only the first ':' separates: an IPv6 value keeps its colons)."""
    found: dict[str, str] = {}
    for line in output.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            found[name.strip()] = value.replace("\\:", ":").replace("\\\\", "\\").strip()
    return found


def nm_dns_list(value: str) -> list[str] | None:
    """ipv4.dns as nmcli prints it: "223.5.5.5,223.6.6.6" (older versions: spaces); ""
    or "--" = none."""
    if value in ("", "--"):
        return []
    return addresses([w for w in re.split(r"[,\s]+", value) if w])


_LINK = re.compile(r"^Link\s+\d+\s+\((?P<device>[^)]+)\):(?P<servers>.*)$")


def parse_resolvectl_dns(output: str, device: str) -> list[str] | None:
    """`resolvectl dns [DEVICE]`: the servers of `device` ("Link 2 (eth0): 10.0.2.3
    fe80::5"), [] for a link without any, None when the device is not listed. A server
    may carry a port or an interface ("1.1.1.1:53", "fe80::5%3"): only the address is
    kept."""
    for line in output.splitlines():
        match = _LINK.match(line.strip())
        if match is None or match.group("device") != device:
            continue
        servers: list[str] = []
        for word in match.group("servers").split():
            address = dns_address(_bare(word))
            if address is not None and address not in servers:
                servers.append(address)
        return servers
    return None


def _bare(word: str) -> str:
    word = word.split("#", 1)[0].split("%", 1)[0]
    if word.startswith("["):  # [2001:db8::1]:53
        return word[1:].split("]", 1)[0]
    if word.count(":") == 1:  # 1.1.1.1:53
        return word.split(":", 1)[0]
    return word
