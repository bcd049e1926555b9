"""How the clock fix sets the time: measured again from NTP where it runs, never taken
from the journal, and decided by the pure functions below.

Windows Time refuses a correction beyond MaxPosPhaseCorrection / MaxNegPhaseCorrection
(54000 s, 15 hours, on a PC outside a domain) and only logs an event; a flat CMOS
battery or a clock years off is exactly that case, and it breaks TLS. So: within the
limit the time service is asked to resync; beyond it the helper sets the time itself
(SetSystemTime), but only when two time servers agree on the offset (one server alone
could be the broken one). Either way Windows Time is then pointed at the servers that
answered, and the clock is measured again afterwards.
"""

from __future__ import annotations

import statistics
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from checks.fixes.allowlist import Param, prefixed
from checks.platform.system_tools import windows_tool
from checks.shared.i18n import Text, t

W32TIME_CONFIG = r"SYSTEM\CurrentControlSet\Services\W32Time\Config"
W32TIME_PARAMETERS = r"SYSTEM\CurrentControlSet\Services\W32Time\Parameters"
W32TIME_BACKUP = r"SOFTWARE\wxdoctor\W32TimeBackup"  # HKLM: only administrators write it
STANDALONE_LIMIT_S = 54000  # both limits on a PC outside a domain
UNLIMITED = 0xFFFFFFFF  # "always correct" (domain members)
AGREE_WITHIN_S = 2.0  # answers that agree this closely name the same time
RIGHT_WITHIN_S = 2.0  # what counts as right when the clock is measured again
NTP_PORT = 123  # Windows Time's peers cannot name a port
CLIENT_MODE = "0x8"  # NtpServer flag: ask the peer as a client (w32tm /config)

W32TM = windows_tool("w32tm")


@dataclass(frozen=True)
class Answer:
    """One time server's valid answer: add `offset_s` to the local clock to be right."""

    server: str
    host: str
    port: int
    offset_s: float


@dataclass(frozen=True)
class Limits:
    """MaxPosPhaseCorrection / MaxNegPhaseCorrection of Windows Time, in seconds."""

    positive_s: int = STANDALONE_LIMIT_S
    negative_s: int = STANDALONE_LIMIT_S

    def allows(self, offset_s: float) -> bool:
        limit = self.positive_s if offset_s > 0 else self.negative_s
        return limit == UNLIMITED or abs(offset_s) <= limit


@dataclass(frozen=True)
class Decision:
    mode: str  # "resync" (ask the time service) | "set" (set the time here) | "refuse"
    offset_s: float | None = None
    answers: tuple[Answer, ...] = ()  # the agreeing answers the decision rests on
    reason: Text | None = None

    @property
    def servers(self) -> list[str]:
        return [a.server for a in self.answers]


def decide(answers: Sequence[Answer], configured: int, limits: Limits) -> Decision:
    """Resync within Windows Time's limits; beyond them set the time, when at least two
    servers (or the only one configured) agree on the offset."""
    if not answers:
        return Decision("refuse", reason=t(
            "No time server answered, so the right time is not known; nothing was changed.",
            "没有时间服务器响应，无法得知正确的时间；没有做任何改动。"))
    median = statistics.median(a.offset_s for a in answers)
    agreeing = tuple(a for a in answers if abs(a.offset_s - median) <= AGREE_WITHIN_S)
    offset = statistics.median(a.offset_s for a in agreeing) if agreeing else median
    if limits.allows(offset):
        return Decision("resync", offset, agreeing or tuple(answers))
    if len(agreeing) < min(2, configured):
        return Decision("refuse", offset, agreeing, t(
            "The clock seems {hours:.1f} hours off, more than Windows Time corrects, and no second time server confirms it; the time was not set.",
            "电脑时间似乎差了 {hours:.1f} 小时，超出 Windows 时间服务能校正的范围，但没有第二个时间服务器证实；没有修改时间。",
            hours=abs(offset) / 3600))
    return Decision("set", offset, agreeing)


def limits_from(read: Callable[[str], Any]) -> Limits:
    """Windows Time's limits from `read(value name)` (the registry's DWORD, or None)."""
    def value(name: str) -> int:
        found = read(name)
        return found if type(found) is int and found >= 0 else STANDALONE_LIMIT_S

    return Limits(value("MaxPosPhaseCorrection"), value("MaxNegPhaseCorrection"))


def measure(servers: Sequence[str], timeout: float) -> list[Answer]:
    """Ask every server at once (the clock check's validated SNTP query); valid answers."""
    from checks.catalog.clock import query
    from checks.shared.concurrency import gather

    results = gather(lambda s: query(s, timeout), list(servers), timeout + 0.5,
                     lambda s: {"server": s, "ok": False})
    return answers_from(results)


def answers_from(results: Sequence[dict[str, Any]]) -> list[Answer]:
    """The clock check's per-server records (or the helper's own) -> valid answers."""
    from checks.catalog.clock import parse_server

    found = []
    for result in results:
        offset = result.get("offset_s")
        if result.get("ok") and isinstance(offset, (int, float)):
            host, port = parse_server(str(result["server"]))
            found.append(Answer(str(result["server"]), host, port, float(offset)))
    return found


# ---- Windows Time's servers -----------------------------------------------------------

def peer_list(answers: Sequence[Answer]) -> str:
    """NtpServer's form: "ntp.tencent.com,0x8 ntp1.aliyun.com,0x8" (port 123 only)."""
    hosts = dict.fromkeys(a.host for a in answers if a.port == NTP_PORT and is_host(a.host))
    return " ".join(f"{host},{CLIENT_MODE}" for host in hosts)


def w32tm_config_argv(peers: str) -> list[str]:
    return [W32TM, "/config", f"/manualpeerlist:{peers}", "/syncfromflags:manual", "/update"]


W32TM_UPDATE = [W32TM, "/config", "/update"]


def is_host(word: str) -> bool:
    """A server name or address as NTP and w32tm take it: ASCII letters, digits, dots,
    hyphens and colons (IPv6), not an option, no spaces, quotes or commas."""
    if not 0 < len(word) <= 253 or word[0] in "-/" or not word.isascii():
        return False
    return all(c.isalnum() or c in ".-:" for c in word) and not any(
        unicodedata.category(c).startswith("C") for c in word)


def trusted_hosts() -> set[str]:
    """The time servers the fix may set the clock from with administrator rights: the
    built-in list and IT's machine-wide settings, never the person's own config."""
    from checks.catalog.clock import parse_server
    from checks.fixes.env import trusted_config

    return {parse_server(server)[0] for server in trusted_config().ntp.servers}


def is_trusted_host(word: str) -> bool:
    return is_host(word) and word in trusted_hosts()


def is_peer_list(word: str) -> bool:
    entries = word.split(" ")
    trusted = trusted_hosts()
    return 0 < len(entries) <= 16 and all(
        host and is_host(host) and host in trusted and flag == CLIENT_MODE
        for host, _, flag in (e.partition(",") for e in entries))


PEER_LIST = Param("/manualpeerlist:HOST,0x8 …", prefixed("/manualpeerlist:", is_peer_list))
NTP_HOST = Param("time server", is_trusted_host)
