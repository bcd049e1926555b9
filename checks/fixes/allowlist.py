"""The commands a fix may run with administrator rights, as full argument vectors.

Each fix lists its commands as templates: a tuple of literal words and `Param`s,
where a `Param` accepts one word only if its validator does (an MTU number, an
interface name, the pid of a running dnsmasq). An argv is allowed only if it
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


def is_pid_of(program: str) -> Callable[[str], bool]:
    """A pid that belongs, right now, to a running process called `program`."""

    def accepts(word: str) -> bool:
        pid = ascii_int(word)
        if pid is None or pid <= 1:
            return False
        import psutil

        try:
            return psutil.Process(pid).name() == program
        except (psutil.Error, OSError):
            return False

    return accepts


def one_of(*words: str) -> Callable[[str], bool]:
    return lambda word: word in words


def prefixed(prefix: str, rest: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda word: word.startswith(prefix) and rest(word[len(prefix):])


MTU = Param("mtu", is_mtu)
NAME = Param("name", is_name)
