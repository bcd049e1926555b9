"""How long a probe waits for an answer: a multiple of the round trip this run has
measured on the path, between a floor and the configured timeout.

A fixed timeout is right for one kind of network only. A SYN that a path answering in
5 ms leaves unanswered for a second, after hedged resends, is not coming; on a 300 ms
path with loss three seconds is right. So every probe that waits on silence takes its
wait from here (`Context.wait`), and the wait follows what the run has measured:

- Measured: the round trips of the answers this run got (the gateway's echo, the DNS
  servers' and trusted resolvers' answers, TCP connects that were answered, time
  servers, path-MTU echoes). Per target the quickest answer counts (a lost packet only
  makes one answer later); the path's round trip is the slowest of those targets, so
  the farthest thing that answered sets the pace. A server on this computer (a DNS
  stub on 127.0.0.53) says nothing about the path and is not counted.
- The wait: `multiple` x that round trip, never below the kind's floor (what a lost
  packet's resend needs, see RULES), never above the configured timeout, which stays
  the ceiling (`[tcp] timeout_s` ...). Until anything is measured the wait is the
  floor: on any path that works, something among the run's many probes answers within
  it (and then the waits follow that answer, see Live), so a run where nothing answers
  at all (every packet dropped, a tunnel swallowing everything) ends at the floor
  instead of the configured timeouts.
- Loss: a path that has lost a packet this run (a connect, or a DNS question, answered
  quickly but only to a resend) gives a DNS question more tries, and a handshake or a
  request the room TCP needs to resend a lost segment a few
  times (`lossy_floor_s`): on a fast path with heavy loss a second is not enough for
  that, and a handshake that was still coming is no red light.
- Live: a waiting probe asks again as it waits (`Wait.left`), so an answer arriving
  meanwhile shortens (or, from a slower target, lengthens) the waits already running.

Each wait can say what it was and why (`Wait.said`): the evidence of a probe that
gave up records it, and the report says "waited 1.1 s: the path answers in 6 ms".
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    multiple: float  # the wait, in round trips of the path
    floor_s: float  # never less, whatever the path
    lossy_floor_s: float | None = None  # never less once the path has lost a packet


RULES: dict[str, Rule] = {
    # A SYN. The hedged connect sends its own resends at a sixth and at half of the wait
    # (probes.tcp), each with time left for the answer; Linux resends a lost SYN itself
    # after 1 s, so at 1.1 s that resend is still answered on a path of up to 100 ms.
    # (Windows resends only after 3 s: there the hedges are the resends.) On a path known
    # to lose packets a SYN and its answer are lost together often enough that three
    # tries are not enough: 3 s lets the hedges, spread over it, and two resends in.
    "tcp": Rule(10.0, 1.1, 3.0),
    # A latency sample: one plain connect, resent only by the kernel. Answered after the
    # kernel's first resend (1 s) or never, it is a lost packet all the same
    # (catalog/latency.py: RETRANSMIT_MS), so a lossy path needs no more room here.
    "sample": Rule(10.0, 1.1),
    # A handshake or a request on an open connection: TCP resends a lost segment after
    # its minimum retransmission timeout (200 ms on Linux, 300 ms on Windows); a second
    # lets two such resends in, besides the work of the handshake itself. On a path that
    # loses packets the resends of one segment back off (0.2 + 0.4 + 0.8 + 1.6 s on
    # Linux) and a handshake has several segments: with 25 % loss 2.5 s still left one
    # run in eight with a handshake that was coming; 4 s (the configured time) lets a
    # segment lost four times through.
    "tls": Rule(12.0, 1.0, 4.0),
    "http": Rule(12.0, 1.0, 4.0),
    # The system's DNS servers are asked again every tenth of the wait: ten tries at the
    # floor (a path losing a quarter of its packets leaves five unanswered one time in
    # sixty), more once the path is known to lose packets (the wait grows, the tries too).
    "dns": Rule(10.0, 1.0, 2.0),
    # One NTP question, one echo per size and copy: no resend to make room for, but a
    # busy machine's late threads (the second copy of an echo leaves 0.1 s later).
    "ntp": Rule(10.0, 1.0),
    "mtu": Rule(10.0, 1.0),
}


@dataclass(frozen=True)
class Measured:
    """The path's round trip as measured so far: the slowest target's quickest answer.
    `rtt_ms` None: something answered, but gave no round trip to scale by (a DNS
    server that answers, and is still asking further for the names): the ceiling."""

    rtt_ms: float | None
    source: str  # what answered: gateway, dns_server, trusted_dns, connect, ntp, echo
    target: str  # its address (address:port for a connect)
    lost: int = 0  # packets the run knows were lost on the path (answered only on a resend)


Basis = Callable[[], "Measured | None"]


class PathTimes:
    """The round trips one run has measured, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._quickest: dict[tuple[str, str], float] = {}
        self._lost = 0

    def record(self, source: str, address: str, rtt_ms: Any, port: int | None = None) -> None:
        if not isinstance(rtt_ms, (int, float)) or isinstance(rtt_ms, bool) or rtt_ms < 0:
            return
        if _on_this_computer(address):
            return
        target = address if port is None else (
            f"[{address}]:{port}" if ":" in address else f"{address}:{port}")
        key = (source, target)
        with self._lock:
            known = self._quickest.get(key)
            if known is None or rtt_ms < known:
                self._quickest[key] = float(rtt_ms)

    def record_loss(self, address: str) -> None:
        """A packet to address was lost: its answer came only to a resend."""
        if not _on_this_computer(address):
            with self._lock:
                self._lost += 1

    def lost(self) -> int:
        with self._lock:
            return self._lost

    def measured(self) -> Measured | None:
        with self._lock:
            if not self._quickest:
                return None
            (source, target), rtt = max(self._quickest.items(), key=lambda kv: kv[1])
            lost = self._lost
        return Measured(round(rtt, 1), source, target, lost)


def _on_this_computer(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return address.lower() == "localhost"


def scaled(kind: str, ceiling_s: float, measured: Measured | None) -> float:
    """The wait for a probe of this kind: `multiple` x the measured round trip, at least
    the floor, at most the ceiling; the floor while nothing is measured, the ceiling when
    what answered gave no round trip to scale by."""
    rule = RULES[kind]
    if measured is None:
        return min(ceiling_s, rule.floor_s)
    if measured.rtt_ms is None:
        return ceiling_s
    floor = rule.lossy_floor_s if measured.lost and rule.lossy_floor_s else rule.floor_s
    return min(ceiling_s, max(floor, rule.multiple * measured.rtt_ms / 1000.0))


class Wait:
    """One probe's live wait, started when it is made. `left()` is what remains of it
    now; `said()` what it came to and why, for the evidence."""

    def __init__(self, kind: str, ceiling_s: float, basis: PathTimes | Basis | None = None,
                 deadline_at: float | None = None, stop: threading.Event | None = None
                 ) -> None:
        self.kind, self.ceiling_s = kind, ceiling_s
        # What the wait is scaled by: the run's path, or a probe's own rule.
        self.basis: Basis | None = basis.measured if isinstance(basis, PathTimes) else basis
        self.deadline_at, self.stop = deadline_at, stop
        self.start = time.monotonic()
        self._last: Measured | None = None

    def total(self) -> float:
        """The whole wait as it stands now (from the start)."""
        self._last = self.basis() if self.basis is not None else None
        return scaled(self.kind, self.ceiling_s, self._last)

    def end(self) -> float:
        """When the wait ends, as it stands now (monotonic clock)."""
        if self.stop is not None and self.stop.is_set():
            return self.start  # the run no longer needs the answer
        end = self.start + self.total()
        return min(end, self.deadline_at) if self.deadline_at is not None else end

    def left(self) -> float:
        return self.end() - time.monotonic()

    def said(self) -> dict[str, Any]:
        """The wait as it stands, and why: for the evidence of a probe that gave up."""
        seconds = round(self.total(), 2)
        measured = self._last
        out: dict[str, Any] = {"s": seconds, "ceiling_s": self.ceiling_s,
                               "rtt_ms": None, "from": None, "target": None}
        if measured is not None:
            out.update(rtt_ms=measured.rtt_ms, **{"from": measured.source},
                       target=measured.target)
            if measured.lost and RULES[self.kind].lossy_floor_s:  # room was left for resends
                out["lost"] = measured.lost
        return out


class HeldWait(Wait):
    """A live wait that, once `hold` is called, lasts at least until that moment (never
    past the deadline, and not once the run no longer needs the answer)."""

    held_until: float | None = None

    def hold(self, until: float) -> None:
        self.held_until = until

    def end(self) -> float:
        end = super().end()
        if self.held_until is None or (self.stop is not None and self.stop.is_set()):
            return end
        held = self.held_until
        return max(end, min(held, self.deadline_at) if self.deadline_at is not None else held)


class _Fixed(Wait):
    """Not scaled: outside a run nothing is measured, and the floor is no answer there."""

    def total(self) -> float:
        return self.ceiling_s


def fixed(seconds: float) -> Wait:
    """A wait of exactly `seconds` (a caller outside a run: the watch, a fix's test)."""
    return _Fixed("tcp", seconds)


def as_wait(timeout: float | Wait) -> Wait:
    return timeout if isinstance(timeout, Wait) else fixed(timeout)
