"""TCP connect probes with failures named by stable codes.

`connect` is one plain attempt (the watch's samples), `connect_many` many at once
(the latency check's samples). `connect_hedged` is what every other probe uses:
when the first attempt gets no answer within a sixth of the wait, a second
connection is started, at half of it a third, and the first to connect wins. One
lost SYN then costs a fraction of the wait instead of a failure, while a server
that never answers still fails after exactly one wait. An answer that says no
(refused, unreachable) ends the probe at once. In a run the wait is scaled to the
measured path (engine.path_wait) and looked at again as the probe waits.
"""

from __future__ import annotations

import errno
import os
import selectors
import socket
import time
from typing import Any

from checks.engine import codes
from checks.engine.path_wait import Wait, as_wait

_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL}
# Windows reports the same conditions with WSA codes.
_WSA_REFUSED, _WSA_TIMEDOUT, _WSA_NETUNREACH, _WSA_HOSTUNREACH = 10061, 10060, 10051, 10065
_WSA_WOULDBLOCK = 10035
_IN_PROGRESS = {0, errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, _WSA_WOULDBLOCK}
HEDGES = (1 / 6, 1 / 2)  # when further attempts start, as shares of the timeout
LOOK_AGAIN_S = 0.05  # how often a waiting connect looks at its live wait again


def connect(address: str, port: int, timeout: float) -> dict[str, Any]:
    """One connect; returns {"address", "port", "ok", "ms", "failure"}."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    start = time.monotonic()
    failure: str | None = None
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect((address, port))
    except OSError as exc:
        failure = failure_code(exc)
    ms = round((time.monotonic() - start) * 1000, 1)
    return {"address": address, "port": port, "ok": failure is None, "ms": ms, "failure": failure}


def failure_code(exc: OSError) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return codes.TCP_TIMEOUT
    if isinstance(exc, ConnectionRefusedError):
        return codes.TCP_REFUSED
    if isinstance(exc, ConnectionResetError):
        return codes.TCP_RESET
    code = getattr(exc, "winerror", None) or exc.errno
    if code in _UNREACHABLE or code in (_WSA_NETUNREACH, _WSA_HOSTUNREACH):
        return codes.TCP_UNREACHABLE
    if code == _WSA_REFUSED:
        return codes.TCP_REFUSED
    if code in (errno.ETIMEDOUT, _WSA_TIMEDOUT):
        return codes.TCP_TIMEOUT
    return f"tcp_error_{code}"


def _start(address: str, port: int, opened: list[socket.socket]
           ) -> tuple[socket.socket, str | None]:
    """A non-blocking connect under way (its socket added to `opened`, for the caller to
    close), or the failure it met at once."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    opened.append(sock)
    err = sock.connect_ex((address, port))
    return sock, None if err in _IN_PROGRESS else _errno_failure(err)


def _errno_failure(err: int) -> str:
    return failure_code(OSError(err, os.strerror(err)))


def connect_hedged(address: str, port: int, timeout: float | Wait,
                   hedges: tuple[float, ...] = HEDGES
                   ) -> tuple[dict[str, Any], socket.socket | None]:
    """Connect with hedged attempts; returns the result (as `connect`, plus "attempts":
    how many connections were started, "rtt_ms": the round trip of the attempt that
    connected, and "waited" when it gave up on silence: the wait and why, see
    engine.path_wait) and the connected socket (blocking), or None. A live wait is
    looked at again as it runs, the hedges' times with it."""
    wait = as_wait(timeout)
    start = time.monotonic()
    launched: dict[socket.socket, float] = {}
    hedged = 0  # hedges started so far
    selector = selectors.DefaultSelector()
    attempts: list[socket.socket] = []
    winner: socket.socket | None = None
    failure: str | None = None

    def launch() -> str | None:
        sock, failed = _start(address, port, attempts)
        launched[sock] = time.monotonic()
        if failed is None:
            selector.register(sock, selectors.EVENT_WRITE)
        return failed

    try:
        failure = launch()
        while failure is None and winner is None:
            now = time.monotonic()
            end = wait.end()
            if now >= end:
                failure = codes.TCP_TIMEOUT
                break
            total = end - wait.start
            due = [wait.start + total * share for share in hedges[hedged:hedged + 1]]
            # A live wait can change: look again at least every LOOK_AGAIN_S.
            wake = min([end, now + LOOK_AGAIN_S, *due])
            for key, _events in selector.select(max(0.0, wake - now)):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                selector.unregister(sock)
                err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err == 0:
                    winner = sock
                    break
                # Refused or unreachable is an answer, not a lost packet: no point waiting.
                failure = _errno_failure(err)
                break
            if failure is None and winner is None and due and time.monotonic() >= due[0]:
                hedged += 1
                failure = launch()
    finally:
        selector.close()
        for sock in attempts:
            if sock is not winner:
                sock.close()
    done = time.monotonic()
    ms = round((done - start) * 1000, 1)
    result: dict[str, Any] = {
        "address": address, "port": port, "ok": winner is not None, "ms": ms,
        "failure": None if winner is not None else failure, "attempts": len(attempts)}
    if winner is not None:
        result["rtt_ms"] = round((done - launched[winner]) * 1000, 1)
        # A later attempt connecting first: the SYN or answer of an earlier one was lost.
        result["resent"] = attempts.index(winner)
        winner.setblocking(True)
    elif failure == codes.TCP_TIMEOUT:
        result["waited"] = wait.said()
    return result, winner


def connect_many(address: str, port: int, count: int, timeout: float | Wait,
                 lost_after_s: float | None = None) -> list[dict[str, Any]]:
    """`count` plain connects at once (samples of the connect time), each on its own:
    [{"ms", "failure"}] in the order they were started. One thread, no retries.

    `lost_after_s`: once one has answered, the others are waited for at most this much
    longer than it took (the caller counts a later answer as lost anyway); those given
    up then are timeouts marked "late"."""
    wait = as_wait(timeout)
    start = time.monotonic()
    cut: float | None = None
    samples: list[dict[str, Any]] = [{"ms": None, "failure": None} for _ in range(count)]
    selector = selectors.DefaultSelector()
    open_socks: list[socket.socket] = []
    try:
        for index in range(count):
            sock, failed = _start(address, port, open_socks)
            if failed is not None:
                samples[index]["failure"] = failed
            else:
                selector.register(sock, selectors.EVENT_WRITE, index)
        while selector.get_map():
            left = wait.left() if cut is None else min(wait.left(), cut - time.monotonic())
            if left <= 0:
                break
            for key, _events in selector.select(min(left, LOOK_AGAIN_S)):
                done = key.fileobj
                assert isinstance(done, socket.socket)
                selector.unregister(done)
                err = done.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                sample = samples[key.data]
                sample["ms"] = round((time.monotonic() - start) * 1000, 1) if err == 0 else None
                sample["failure"] = None if err == 0 else _errno_failure(err)
                if err == 0 and cut is None and lost_after_s is not None:
                    cut = time.monotonic() + lost_after_s
        given_up_early = cut is not None and wait.left() > 0
        for key in list(selector.get_map().values()):
            samples[key.data]["failure"] = codes.TCP_TIMEOUT
            if given_up_early:
                samples[key.data]["late"] = True
    finally:
        selector.close()
        for sock in open_socks:
            sock.close()
    return samples
