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
  addresses, and well-known public DNS resolvers, are kept; MAC addresses (and IPv6
  interface ids made from one) keep only their maker's part, Windows account ids
  (SIDs) only their account number (checks/report/redact_addresses.py).

Every output is redacted from what it contains, never from what it says about
itself: a report that was redacted before (an export, with fresh results merged in
after a fix) is redacted again, which changes nothing in what was already hidden.

`redact` is pure: it returns a redacted copy and says what it did in
`report["redaction"]`.
"""

from __future__ import annotations

import getpass
import os
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from checks.report.redact_addresses import is_version_field, redact_numbers
from checks.report.redact_addresses import reduce_address as _reduce
from checks.report.tokens import replace_tokens

ITEMS = ("user_name", "host_name", "public_addresses")
USER = "<user>"
HOST = "<host>"

# Folder names under the users directory that name no person.
_GENERIC_USERS = frozenset(
    {"public", "default", "default user", "all users", "shared", "guest", "administrator",
     "admin", "user", "root", "<user>", "~"}
)
# A users folder and the name in it: a name may hold spaces when a separator follows it
# (`C:\\Users\\Zhang San\\AppData`); at the end of a path it stops at a space.
_NAME_SPACED = r"[^\\/\s\"'<>:;,|*?][^\\/\"'<>:;,|*?\r\n\t]*?[^\\/\s\"'<>:;,|*?](?=\\|/)"
_NAME_PLAIN = r"[^\\/\s\"'<>:;,|*?]+"
_UNIX_HOME = re.compile(rf"(?<![\w.~-])/(home|Users)/({_NAME_SPACED}|{_NAME_PLAIN})")
_WIN_HOME = re.compile(
    rf"(?i)\b([A-Z]:(?:\\\\|\\|/))(Users|Documents and Settings)(\\\\|\\|/)({_NAME_SPACED}|{_NAME_PLAIN})"
)
# A run of text that holds a path separator: where path components are looked for.
_PATHLIKE = re.compile(r"[^\s\"'<>|]*[\\/][^\s\"'<>|]*")
# Evidence keys whose value is a user or a host name as a whole.
USER_FIELDS = frozenset({"user", "username", "user_name", "owner", "login", "account"})
HOST_FIELDS = frozenset({"hostname", "host_name", "computer", "computer_name", "machine_name"})
# Names this short are only redacted in paths and in the fields above.
SHORT_NAME = 1


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
        # A name with a space ("Zhang San") first: a users folder at the end of a path
        # would otherwise take only its first word.
        value = self._names(value, [u for u in self._by_length() if " " in u], USER, False)
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
        value = self._names(value, self._by_length(), USER, key in USER_FIELDS)
        if value != before_users or before_hosts != original:
            self.found.add("user_name")
        before_numbers = value
        value = redact_numbers(value, version_field=is_version_field(key))
        if value != before_numbers:
            self.found.add("public_addresses")
        return value

    def _by_length(self) -> list[str]:
        return sorted(self.users, key=len, reverse=True)

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
    return _reduce(text)


def redact(report: dict[str, Any], identity: Identity | None = None) -> dict[str, Any]:
    """A copy of `report` without user names, host names and public addresses, judged
    from what it holds: a report that says it was redacted already is redacted again
    (what an earlier pass hid stays as it is; whatever was added since is hidden)."""
    identity = identity or Identity.current()
    system = report.get("system") or {}
    report_hosts = [system["hostname"]] if isinstance(system.get("hostname"), str) else []
    redactor = _Redactor(identity, report_hosts)
    body = {k: v for k, v in report.items() if k != "redaction"}
    redactor.discover(body)
    result: dict[str, Any] = redactor.walk(body)
    if isinstance(result.get("system"), dict) and "hostname" in result["system"]:
        result["system"]["hostname"] = HOST
    before = report.get("redaction")
    if isinstance(before, dict) and before.get("applied") and isinstance(before.get("found"), list):
        redactor.found.update(str(i) for i in before["found"])  # what the earlier pass hid
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
