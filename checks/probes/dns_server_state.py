"""What a run learned of the configured DNS servers, shared by every system lookup:
which answered a liveness question, and the slowest answer each gave to a name (the
pace a name's wait follows, see probes.system_dns)."""

from __future__ import annotations

import threading
from typing import Any

from checks.engine.context import Context
from checks.engine.path_wait import Measured

# A question any working DNS server answers at once, from its own data or the root's
# (a name reserved for this computer): an answer says the server is there and working,
# so silence about the servers' names means it is still asking further, not that it is
# gone (see `_Lookup.basis`).
LIVENESS = ("localhost", "A")


class ServerState:
    """What this run learned of the configured DNS servers, shared by every lookup:
    which answered the liveness question, and the slowest answer each gave to a name."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.alive: dict[str, float] = {}  # server -> round trip of its liveness answer
        self.names: dict[str, float] = {}  # server -> slowest round trip of a name's answer

    def answered(self, server: str, rtt_ms: Any, liveness: bool = False) -> None:
        if not isinstance(rtt_ms, (int, float)):
            return
        with self.lock:
            if liveness:
                self.alive.setdefault(server, float(rtt_ms))
            else:
                self.alive.setdefault(server, float(rtt_ms))
                self.names[server] = max(self.names.get(server, 0.0), float(rtt_ms))

    def basis(self) -> Measured | None:
        """What a name's wait is scaled by: the slowest answer a server gave to a name;
        a server that answers but has given no name yet gets the configured time (no
        round trip: it may be asking further); None while no server answered at all."""
        with self.lock:
            if self.names:
                server, rtt = max(self.names.items(), key=lambda kv: kv[1])
                return Measured(round(rtt, 1), "dns_server_names", server)
            if self.alive:
                return Measured(None, "dns_server_working", next(iter(self.alive)))
        return None


def server_state(ctx: Context) -> ServerState:
    return ctx.shared("system_dns:servers", ServerState)
