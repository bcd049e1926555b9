"""The run's TCP connections, made once and shared by every check that needs them.

A connect to (address, port) happens once per run, whichever check asks first
(usually `tcp`); `tls`, `latency`, `http_hijack` and `captive` wait for the same
outcome instead of trying again, so a server that timed out is waited for once.
The connected socket is kept and handed to the first probe that wants to talk
over it (the TLS handshake and its HTTPS request, a plain HTTP GET); whatever is
not taken is closed when the run ends.
"""

from __future__ import annotations

import select
import socket
import threading
from typing import Any

from checks.engine.context import Context
from checks.probes import tcp


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
        result, sock = tcp.connect_hedged(address, port, ctx.timeout(ctx.config.tcp.timeout_s))
        if sock is not None:
            _pool(ctx).put((address, port), sock)
        return result

    return ctx.shared(_key(address, port), make)


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
    return tcp.connect_hedged(address, port, ctx.timeout(ctx.config.tcp.timeout_s))


def _still_open(sock: socket.socket) -> bool:
    """The client speaks first on every protocol here: anything to read on an idle
    connection means the server closed or reset it meanwhile."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
