"""The commands a fix may run with administrator rights, as full argument vectors.

Each fix lists its commands as templates: a tuple of literal words and `Param`s,
where a `Param` accepts one word only if its validator does (an MTU number, an
interface name, the pid of the system's running dnsmasq). An argv is allowed only if it
matches one template word for word and has the same length. The elevated helper
and every administrator prompt check this, so whatever a (user-writable) journal
says, nothing outside these lists can run elevated.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MIN_MTU, MAX_MTU = 576, 9000


@dataclass(frozen=True)
class Param:
    """One word of a template that is filled in from validated parameters."""

    name: str
    accepts: Callable[[str], bool]


Template = tuple["str | Param", ...]


def matches(argv: Sequence[str], template: Template) -> bool:
    if len(argv) != len(template):
        return False
    for word, expected in zip(argv, template, strict=True):
        if isinstance(expected, Param):
            if not expected.accepts(word):
                return False
        elif word != expected:
            return False
    return True


def allowed(argv: Sequence[str], templates: Sequence[Template]) -> bool:
    return bool(argv) and any(matches(argv, template) for template in templates)


# ---- validators -------------------------------------------------------------------------

def ascii_int(word: str) -> int | None:
    """A plain decimal number ("1400"), never "²", "１４" or "+1"."""
    if not word or len(word) > 9 or not word.isascii() or not word.isdigit():
        return None
    return int(word)


def is_mtu(word: str) -> bool:
    value = ascii_int(word)
    return value is not None and MIN_MTU <= value <= MAX_MTU


def is_name(word: str) -> bool:
    """An adapter or network-service name as the OS shows it ("以太网 2", "Wi-Fi", "eth0"):
    printable, not an option, no path or control characters."""
    if not 0 < len(word) <= 256 or word[0] in "-/" or word != word.strip():
        return False
    return not any(unicodedata.category(c).startswith("C") or c in "\\/\"" for c in word)


def login_uid_range(login_defs: str) -> tuple[int, int]:
    """UID_MIN and UID_MAX of /etc/login.defs: the accounts people log in with
    (1000-60000 when the file does not say)."""
    values = {"UID_MIN": 1000, "UID_MAX": 60000}
    for line in login_defs.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) == 2 and fields[0] in values:
            number = ascii_int(fields[1])
            if number is not None:
                values[fields[0]] = number
    return values["UID_MIN"], values["UID_MAX"]


def is_system_pid_of(program: str) -> Callable[[str], bool]:
    """A pid that belongs, right now, to a running `program` of the system's: run by root
    or a system account (a service's, or nobody), never by a person's login account,
    another person's or the asking one's (who needs no administrator rights for it)."""

    def accepts(word: str) -> bool:
        pid = ascii_int(word)
        if pid is None or pid <= 1:
            return False
        import psutil

        try:
            proc = psutil.Process(pid)
            if proc.name() != program:
                return False
            uids = getattr(proc, "uids", None)  # POSIX only: no dnsmasq elsewhere
            if uids is None:
                return False
            uid = uids().real
        except (psutil.Error, OSError):
            return False
        try:
            with open("/etc/login.defs", encoding="utf-8", errors="replace") as fh:
                low, high = login_uid_range(fh.read(65536))
        except OSError:
            low, high = login_uid_range("")
        return not low <= uid <= high

    return accepts


def one_of(*words: str) -> Callable[[str], bool]:
    return lambda word: word in words


def prefixed(prefix: str, rest: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda word: word.startswith(prefix) and rest(word[len(prefix):])


MTU = Param("mtu", is_mtu)
NAME = Param("name", is_name)
