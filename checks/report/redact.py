"""Remove what identifies a person from a report before it leaves the machine.

Three kinds of data are redacted, everywhere in the report (keys and values of
evidence, texts in both languages, the system section):

- user names: the home folder becomes `~`; other users' folders become
  `/home/<user>`, `/Users/<user>`, `C:\\Users\\<user>`; the bare name becomes `<user>`
  wherever it stands as a token (checks/report/tokens.py: next to Chinese text, `_`,
  `-`, punctuation or a path separator, not inside another word);
- the computer's host name becomes `<host>`, by the same rule;
- a one-character name (`伟`) would match inside any word, so it is replaced only
  as a path component (or a token of one: `伟_backup`) and in fields that hold a
  user or host name (`hostname`, `user` ...), never in free text;
- public IP addresses are reduced to their network (IPv4 /24, IPv6 /48), so the
  provider stays visible; private, loopback, link-local and documentation
  addresses, and well-known public DNS resolvers, are kept.

`redact` is pure: it returns a redacted copy and says what it did in
`report["redaction"]`.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from checks.report.tokens import replace_tokens

ITEMS = ("user_name", "host_name", "public_addresses")
USER = "<user>"
HOST = "<host>"

# Folder names under the users directory that name no person.
_GENERIC_USERS = frozenset(
    {"public", "default", "default user", "all users", "shared", "guest", "administrator",
     "admin", "user", "root", "<user>", "~"}
)
# Public resolvers that appear in advice texts ("change the DNS to 119.29.29.29").
KEEP_PUBLIC = frozenset(
    {"119.29.29.29", "182.254.116.116", "223.5.5.5", "223.6.6.6", "114.114.114.114",
     "114.114.115.115", "180.76.76.76", "1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4",
     "9.9.9.9", "2400:3200::1", "2400:3200:baba::1", "2402:4e00::", "2001:4860:4860::8888"}
)

_UNIX_HOME = re.compile(r"(?<![\w.~-])/(home|Users)/([^/\s\"'<>:;,|]+)")
_WIN_HOME = re.compile(
    r"(?i)\b([A-Z]:(?:\\\\|\\|/))(Users|Documents and Settings)(\\\\|\\|/)([^\\/\s\"'<>:;,|*?]+)"
)
# A run of text that holds a path separator: where path components are looked for.
_PATHLIKE = re.compile(r"[^\s\"'<>|]*[\\/][^\s\"'<>|]*")
# Evidence keys whose value is a user or a host name as a whole.
USER_FIELDS = frozenset({"user", "username", "user_name", "owner", "login", "account"})
HOST_FIELDS = frozenset({"hostname", "host_name", "computer", "computer_name", "machine_name"})
# Names this short are only redacted in paths and in the fields above.
SHORT_NAME = 1
_IPV4 = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?!\w|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w:])")


@dataclass(frozen=True)
class Identity:
    """Who and what to hide: the current user and machine unless a test says otherwise."""

    users: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    homes: tuple[str, ...] = ()
    extra: tuple[str, ...] = field(default_factory=tuple)

    @staticmethod
    def current() -> Identity:
        users: list[str] = []
        for getter in (getpass.getuser, lambda: os.environ.get("USERNAME", ""),
                       lambda: os.environ.get("USER", "")):
            try:
                name = getter()
            except (OSError, KeyError, ImportError):
                name = ""
            if name:
                users.append(name)
        homes = [os.path.expanduser("~"), os.environ.get("USERPROFILE", "")]
        for home in homes:
            base = os.path.basename(home.rstrip("/\\"))
            if base:
                users.append(base)
        hosts = [socket.gethostname()]
        try:
            hosts.append(socket.getfqdn())
        except OSError:
            pass
        return Identity(
            users=_unique(users), hosts=_unique(hosts), homes=_unique(h for h in homes if h)
        )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


class _Redactor:
    def __init__(self, identity: Identity, report_hosts: Iterable[str]) -> None:
        self.users = {u for u in identity.users if _personal(u)}
        hosts: set[str] = set()
        for host in [*identity.hosts, *report_hosts]:
            host = host.strip()
            if host and host.lower() not in ("localhost", "localhost.localdomain"):
                hosts.add(host)
                hosts.add(host.split(".")[0])
        hosts.discard("")
        self.hosts = sorted(hosts, key=len, reverse=True)
        # A home folder is replaced as a path prefix, longest first; "/" is never a home.
        self.homes = sorted(
            {h.rstrip("/\\") for h in identity.homes if len(h.rstrip("/\\")) > 2},
            key=len, reverse=True,
        )
        self.found: set[str] = set()

    def discover(self, value: Any) -> None:
        """Learn user names from any users-folder path anywhere in the report."""
        for text in _strings(value):
            for match in _UNIX_HOME.finditer(text):
                if _personal(match.group(2)):
                    self.users.add(match.group(2))
            for match in _WIN_HOME.finditer(text):
                if _personal(match.group(4)):
                    self.users.add(match.group(4))

    def text(self, value: str, field: str = "") -> str:
        """`value` redacted; `field` is the key it is stored under, if any."""
        original = value
        for home in self.homes:
            value = re.sub(re.escape(home) + r"(?=$|[\\/\s\"'<>:;,|)])", "~", value)
        value = _UNIX_HOME.sub(
            lambda m: f"/{m.group(1)}/{USER}" if _personal(m.group(2)) else m.group(0), value
        )
        value = _WIN_HOME.sub(
            lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{USER}"
            if _personal(m.group(4)) else m.group(0),
            value,
        )
        key = field.lower()
        # Host names first: "zhang-pc" is the computer, not the user "zhang" plus "-pc".
        before_hosts = value
        value = self._names(value, self.hosts, HOST, key in HOST_FIELDS)
        if value != before_hosts:
            self.found.add("host_name")
        before_users = value
        value = self._names(value, sorted(self.users, key=len, reverse=True), USER,
                            key in USER_FIELDS)
        if value != before_users or before_hosts != original:
            self.found.add("user_name")
        before_ips = value
        value = _IPV4.sub(self._address, value)
        value = _IPV6.sub(self._address, value)
        if value != before_ips:
            self.found.add("public_addresses")
        return value

    @staticmethod
    def _names(value: str, names: list[str], marker: str, name_field: bool) -> str:
        """Names as tokens; short names only in path components or a name field."""
        for name in names:
            if len(name) > SHORT_NAME:
                value = replace_tokens(value, name, marker)
            elif name_field:
                value = replace_tokens(value, name, marker, strict=True)
            else:
                value = _PATHLIKE.sub(_in_path(name, marker), value)
        return value

    def _address(self, match: re.Match[str]) -> str:
        return reduce_address(match.group(1)) or match.group(0)

    def walk(self, value: Any, field: str = "") -> Any:
        if isinstance(value, str):
            return self.text(value, field)
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.walk(v, str(k))
                    for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.walk(v, field) for v in value]
        return value


def _in_path(name: str, marker: str) -> Callable[[re.Match[str]], str]:
    """A replacement for path-like runs: `name` as a strict token of a component."""
    def replace(match: re.Match[str]) -> str:
        return replace_tokens(match.group(0), name, marker, strict=True)
    return replace


def _personal(name: str) -> bool:
    return bool(name) and name.lower() not in _GENERIC_USERS


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def reduce_address(text: str) -> str | None:
    """The network of a public address (`203.0.113.0/24`), None to keep the address."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if not address.is_global or str(address) in KEEP_PUBLIC or address.is_multicast:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def redact(report: dict[str, Any], identity: Identity | None = None) -> dict[str, Any]:
    """A copy of `report` without user names, host names and public addresses."""
    if report.get("redaction", {}).get("applied"):
        return _copy(report)
    identity = identity or Identity.current()
    system = report.get("system") or {}
    report_hosts = [system["hostname"]] if isinstance(system.get("hostname"), str) else []
    redactor = _Redactor(identity, report_hosts)
    body = {k: v for k, v in report.items() if k != "redaction"}
    redactor.discover(body)
    result: dict[str, Any] = redactor.walk(body)
    if isinstance(result.get("system"), dict) and "hostname" in result["system"]:
        result["system"]["hostname"] = HOST
    result["redaction"] = {
        "applied": True,
        "items": list(ITEMS),
        "found": [i for i in ITEMS if i in redactor.found],
    }
    return result


def unredacted(report: dict[str, Any]) -> dict[str, Any]:
    """Mark a report as deliberately exported in full (`--no-redact`)."""
    result = _copy(report)
    result.setdefault("redaction", {"applied": False, "items": [], "found": []})
    return result


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
