"""Numbers in a report that identify a line, a device or an account, made anonymous.

- Public IP addresses are reduced to their network (IPv4 /24, IPv6 /48), so the
  provider stays visible; also where they touch other text (`服务器58.250.137.36无法连接`,
  `ip_58.250.137.36`), inside IPv6 (`::ffff:58.250.137.36` becomes
  `::ffff:58.250.137.0/120`, NAT64 likewise; 6to4 `2002:…` keeps /40, which holds the
  IPv4 /24). Private, loopback, link-local and documentation addresses and well-known
  public DNS resolvers are kept, except that an IPv6 interface id made from a network
  card's address (EUI-64, `…ff:fe…`) keeps only the card maker's part (/104).
- A MAC address keeps its maker's part: `a8:5e:45:12:34:56` becomes `a8:5e:45:xx:xx:xx`.
- A Windows account's security id keeps its account number but not its machine or
  domain: `S-1-5-21-1004336348-1177238915-682003330-1001` becomes `S-1-5-21-<sid>-1001`.

A version number that looks like an address (`WeChat 3.9.12.51`) is not one: after a
product name or the word version, and in a field named for a version, it stays. All of
it is idempotent: redacting redacted text changes nothing.
"""

from __future__ import annotations

import ipaddress
import re

# Public resolvers that appear in advice texts ("change the DNS to 119.29.29.29").
KEEP_PUBLIC = frozenset(
    {"119.29.29.29", "182.254.116.116", "223.5.5.5", "223.6.6.6", "114.114.114.114",
     "114.114.115.115", "180.76.76.76", "1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4",
     "9.9.9.9", "2400:3200::1", "2400:3200:baba::1", "2402:4e00::", "2001:4860:4860::8888"}
)
SID = "<sid>"

# One pattern for both kinds, so the leftmost wins: an IPv4 address inside an IPv6 one
# (::ffff:58.250.137.36) is read as part of it. Hex digits, `:` and `.` never touch an
# IPv6 address; digits and dots never touch an IPv4 one, letters, Chinese and `_` may.
_QUAD = r"\d{1,3}(?:\.\d{1,3}){3}"
_ADDRESS = re.compile(
    r"(?<![0-9A-Fa-f:.])(?P<v6>(?:[0-9A-Fa-f]{0,4}:){2,7}"
    rf"(?:{_QUAD}|[0-9A-Fa-f]{{0,4}}))(?:/(?P<v6_bits>\d{{1,3}}))?(?![0-9A-Fa-f:]|\.\d)"
    rf"|(?<![\d.])(?P<v4>{_QUAD})(?:/(?P<v4_bits>\d{{1,2}}))?(?!\d|\.\d)")
_MAC = re.compile(r"(?<![0-9A-Fa-f:-])([0-9A-Fa-f]{2})([:-])([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})"
                  r"\2[0-9A-Fa-f]{2}\2[0-9A-Fa-f]{2}\2[0-9A-Fa-f]{2}(?![0-9A-Fa-f:-])")
_SID = re.compile(r"\b(S-1-5-21)-\d+-\d+-\d+(-\d+)?\b|\b(S-1-12-1)-\d+-\d+-\d+-\d+\b",
                  re.IGNORECASE)
_VERSION_BEFORE = re.compile(r"(?:wechat|weixin|wecom|wxwork|微信|企业微信|version|版本|\bv)"
                             r"[\s:：=]*$", re.IGNORECASE)
_VERSION_SHAPE = re.compile(r"\d\.")  # WeChat 3.9.12.51, 4.0.6.33: a one-digit major
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_version_field(field: str) -> bool:
    return "version" in field.lower()


def redact_numbers(text: str, *, version_field: bool = False) -> str:
    """`text` with public addresses reduced, MACs and SIDs hidden (see the module doc)."""
    text = _SID.sub(_sid, text)
    text = _MAC.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{m.group(2)}{m.group(4)}"
                    f"{m.group(2)}xx{m.group(2)}xx{m.group(2)}xx", text)
    return _ADDRESS.sub(lambda m: _address(m, version_field), text)


def _sid(match: re.Match[str]) -> str:
    if match.group(3):  # an Entra ID (Azure AD) account: every part names the person
        return f"{match.group(3)}-{SID}"
    return f"{match.group(1)}-{SID}{match.group(2) or ''}"


def _address(match: re.Match[str], version_field: bool) -> str:
    if match.group("v6"):
        text, bits = match.group("v6"), match.group("v6_bits")
    else:
        text, bits = match.group("v4"), match.group("v4_bits")
        before = match.string[max(0, match.start() - 24):match.start()]
        if version_field or (_VERSION_SHAPE.match(text) and _VERSION_BEFORE.search(before)):
            return match.group(0)  # WeChat 3.9.12.51 is a version
    network = reduce_address(text, int(bits) if bits else None)
    return match.group(0) if network is None else network


def reduce_address(text: str, prefix: int | None = None) -> str | None:
    """The network an address (or a network, with `prefix`) is shown as; None to keep it."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if prefix is None:
        prefix = address.max_prefixlen
    if not 0 <= prefix <= address.max_prefixlen:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        return _reduce_v6(address, prefix)
    if not address.is_global or str(address) in KEEP_PUBLIC or address.is_multicast:
        return None
    return _network(address, min(prefix, 24))


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside ::ffff:a.b.c.d (mapped) or 64:ff9b::a.b.c.d (NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _reduce_v6(address: ipaddress.IPv6Address, prefix: int) -> str | None:
    embedded = _embedded_v4(address)
    if embedded is not None:  # the IPv4 address inside counts
        reduced = reduce_address(str(embedded), max(0, prefix - 96))
        if reduced is None:
            return None
        v4, bits = reduced.split("/")
        head = "::ffff:" if address.ipv4_mapped else "64:ff9b::"
        return f"{head}{v4}/{96 + int(bits)}"
    if address.sixtofour is not None:  # 2002:AABB:CCDD::/48 holds the whole IPv4 address
        return None if not address.sixtofour.is_global else _network(address, min(prefix, 40))
    if address.is_global and str(address) not in KEEP_PUBLIC and not address.is_multicast:
        return _network(address, min(prefix, 48))
    if prefix > 104 and (int(address) >> 24) & 0xFFFF == 0xFFFE:
        return _network(address, 104)  # EUI-64: the card's own part goes, its maker's stays
    return None


def _network(address: ipaddress.IPv4Address | ipaddress.IPv6Address, prefix: int) -> str:
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
