"""The default gateway's echo: the first round trip a run can measure.

Asked once per run in the background (the network check starts it and does not wait):
a gateway that answers says the local link works and how fast, so the waits of the
probes that follow are scaled from the start (engine.path_wait) instead of waiting the
configured timeouts until something farther answers. A gateway that ignores echoes
(many do) measures nothing; nothing is concluded from it.
"""

from __future__ import annotations

import ipaddress
import threading
import time

from checks import platform
from checks.engine.context import Context

ECHO_SIZE = 64  # bytes: small, nothing to do with the path MTU
WAIT_S = 1.0  # a gateway on the local link answers within milliseconds or not at all


def start_echo(ctx: Context, gateways: list[str]) -> None:
    """One echo to each IPv4 gateway, in the background, once per run."""
    def start() -> bool:
        for gateway in dict.fromkeys(gateways):
            threading.Thread(target=_echo, args=(ctx, gateway), daemon=True,
                             name=f"gateway-echo-{gateway}").start()
        return True

    ctx.shared("gateway:echo", start)


def _echo(ctx: Context, gateway: str) -> None:
    try:
        address = ipaddress.ip_address(gateway)
        if address.version != 4 or address.is_unspecified or address.is_loopback:
            return  # a device route (no gateway) or this computer: nothing to measure
        method = platform.icmp_method()
        began = time.monotonic()
        answer = platform.icmp_echo_df(gateway, ECHO_SIZE, ctx.timeout(WAIT_S), method)
    except Exception:  # no echo allowed here, or no such address: nothing measured
        return
    if answer.get("result") == "passed":
        # Through the ping command this includes starting it: a round trip measured
        # longer than it is, which only makes the waits longer.
        ctx.path.record("gateway", gateway, round((time.monotonic() - began) * 1000, 1))
