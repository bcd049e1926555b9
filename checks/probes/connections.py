"""The run's TCP connections, made once and shared by every check that needs them.

A connect to (address, port) happens once per run, whichever check asks first
(usually `tcp`); `tls`, `latency`, `http_hijack` and `captive` wait for the same
outcome instead of trying again, so a server that timed out is waited for once.
The connected socket is kept and handed to the first probe that wants to talk
over it (the TLS handshake and its HTTPS request, a plain HTTP GET); whatever is
not taken is closed when the run ends.

A name with several addresses is reached the way a client reaches it (`reach`):
every address of the family it would use is connected to at once, and the first
that answers is the one the probes talk to. So one dead address among working ones
is a finding of its own (the tcp check compares the addresses), not a red light
on every check that talks to that server; and waiting for it costs no more time,
since it is tried at the same moment as the others.
"""

from __future__ import annotations

import queue
import select
import socket
import threading
from collections.abc import Iterator
from typing import Any

from checks.engine import codes
from checks.engine.context import Context
from checks.probes import system_dns, tcp
from checks.shared.concurrency import call_with_timeout

# Addresses of one family tried per name: enough for the names Tencent serves from a
# few addresses, few enough that a name with dozens costs no flood of connects.
PER_FAMILY = 4


class _Pool:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sockets: dict[tuple[str, int], socket.socket] = {}

    def put(self, key: tuple[str, int], sock: socket.socket) -> None:
        with self.lock:
            old = self.sockets.pop(key, None)
            self.sockets[key] = sock
        if old is not None:
            old.close()

    def take(self, key: tuple[str, int]) -> socket.socket | None:
        with self.lock:
            return self.sockets.pop(key, None)

    def close(self) -> None:
        with self.lock:
            sockets, self.sockets = list(self.sockets.values()), {}
        for sock in sockets:
            sock.close()


def _pool(ctx: Context) -> _Pool:
    def make() -> _Pool:
        pool = _Pool()
        ctx.on_close(pool.close)
        return pool

    return ctx.shared("connections:pool", make)


def _key(address: str, port: int) -> str:
    return f"tcp:{address}:{port}"


def connect(ctx: Context, address: str, port: int) -> dict[str, Any]:
    """The run's one hedged connect to address:port (see probes.tcp); JSON-able."""

    def make() -> dict[str, Any]:
        result, sock = hedged(ctx, address, port)
        if sock is not None:
            _pool(ctx).put((address, port), sock)
        return result

    return ctx.shared(_key(address, port), make)


def hedged(ctx: Context, address: str, port: int
           ) -> tuple[dict[str, Any], socket.socket | None]:
    """A hedged connect with the run's TCP wait (scaled to the measured path); its round
    trip, when it connects, is measured for the waits that follow."""
    result, sock = tcp.connect_hedged(address, port, ctx.wait("tcp", ctx.config.tcp.timeout_s))
    ctx.path.record("connect", address, result.get("rtt_ms"), port)
    if result.get("resent"):
        ctx.path.record_loss(address)
    return result, sock


def every_address(answer: dict[str, Any]) -> list[str]:
    """The addresses of a name worth a connect: at most PER_FAMILY of each family,
    IPv4 first, in the resolver's order."""
    return [a for rtype in ("A", "AAAA")
            for a in list(answer.get(rtype, {}).get("addresses", []))[:PER_FAMILY]]


def client_addresses(answer: dict[str, Any]) -> list[str]:
    """The addresses a client tries for a name: its IPv4 ones when it has any (what
    most networks here route best), else its IPv6 ones; at most PER_FAMILY."""
    v4 = list(answer.get("A", {}).get("addresses", []))
    return (v4 or list(answer.get("AAAA", {}).get("addresses", [])))[:PER_FAMILY]


def connect_all(ctx: Context, addresses: list[str], port: int) -> list[dict[str, Any]]:
    """The run's connect to each address on port, all at once; in the given order."""
    found = dict(_as_done(ctx, addresses, port))
    return [found.get(a) or _unfinished(a, port) for a in addresses]


def reach(ctx: Context, host: str, port: int) -> dict[str, Any]:
    """The run's connection to a name on a port, as a client makes it (see the module
    doc and `first_answering`); "address" None and `not_resolved` when the name has no
    address. Once per run."""

    def make() -> dict[str, Any]:
        addresses = client_addresses(system_dns.resolve(ctx, host))
        if not addresses:
            return {"address": None, "port": port, "ok": False, "ms": None,
                    "failure": codes.NOT_RESOLVED}
        return first_answering(ctx, addresses, port)

    return ctx.shared(f"reach:{host.lower()}:{port}", make)


def first_answering(ctx: Context, addresses: list[str], port: int) -> dict[str, Any]:
    """The run's connect to every address at once: the result of the first that connects
    (as soon as it does), else, once all have failed, that of the first address."""
    if len(addresses) == 1:
        return connect(ctx, addresses[0], port)
    found: dict[str, dict[str, Any]] = {}
    for address, result in _as_done(ctx, addresses, port):
        if result["ok"]:
            return result
        found[address] = result
    return found.get(addresses[0]) or _unfinished(addresses[0], port)


def reach_within(ctx: Context, host: str, port: int, wait: float) -> dict[str, Any] | None:
    """`reach`, if it is decided within `wait` seconds (at once when an address answers);
    None when it is not, so a probe that can go on without it is not held up."""
    outcome = call_with_timeout(lambda: reach(ctx, host, port), wait)
    return outcome.value if outcome.done else None


def _as_done(ctx: Context, addresses: list[str], port: int
             ) -> Iterator[tuple[str, dict[str, Any]]]:
    """(address, result) of each connect as it finishes."""
    done = _launch(ctx, addresses, port)
    for _ in addresses:
        # Every connect ends by its own timeout; the deadline guards against a stuck one.
        try:
            yield done.get(timeout=ctx.deadline.remaining() + 0.5)
        except queue.Empty:
            return


def _launch(ctx: Context, addresses: list[str], port: int
            ) -> queue.Queue[tuple[str, dict[str, Any]]]:
    done: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()

    def one(address: str) -> None:
        try:
            result = connect(ctx, address, port)
        except Exception:  # another caller's connect outlived the deadline
            result = _unfinished(address, port)
        done.put((address, result))

    for address in addresses:
        threading.Thread(target=one, args=(address,), daemon=True,
                         name=f"connect-{address}:{port}").start()
    return done


def _unfinished(address: str, port: int) -> dict[str, Any]:
    return {"address": address, "port": port, "ok": False, "ms": None,
            "failure": codes.TCP_TIMEOUT}


def peek(ctx: Context, address: str, port: int) -> dict[str, Any] | None:
    """The outcome if that connect already finished, without waiting."""
    return ctx.peek(_key(address, port))  # type: ignore[no-any-return]


def open_socket(ctx: Context, address: str, port: int
                ) -> tuple[dict[str, Any], socket.socket | None]:
    """A connected (blocking) socket to talk over: the run's pooled one if nobody took
    it yet, else a fresh hedged connect; the caller sets its timeout. A server the
    run's connect failed on is not tried again: its result comes back with no socket."""
    result = connect(ctx, address, port)
    if not result["ok"]:
        return result, None
    sock = _pool(ctx).take((address, port))
    if sock is not None and _still_open(sock):
        return result, sock
    if sock is not None:
        sock.close()
    return hedged(ctx, address, port)


def _still_open(sock: socket.socket) -> bool:
    """The client speaks first on every protocol here: anything to read on an idle
    connection means the server closed or reset it meanwhile."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
