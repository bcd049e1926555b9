"""Path MTU, measured: the largest packet that reaches a server without being fragmented.

Every candidate size is sent at once with "don't fragment" (twice, a moment apart,
over an ICMP socket), and a round ends as soon as the answers are in: sizes still
silent well after the others replied are lost or too big. The second round narrows
the boundary and asks again the sizes that got no reply, so a black hole is only
called after the first round's sizes above the path MTU went unanswered in two
rounds (one lost packet is not a black hole); a third round only narrows further. On
a path seen losing echoes, every round asks the silent sizes again, twice as often.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from checks import platform
from checks.engine import codes
from checks.engine.context import Context
from checks.engine.path_wait import Wait
from checks.probes import connections, system_dns, tls_probe

# Common link MTUs: Ethernet, PPPoE, DS-Lite/GRE, VXLAN, WireGuard, IPv6 minimum.
FIRST_ROUND = (576, 1000, 1200, 1280, 1360, 1400, 1420, 1440, 1450, 1460, 1472, 1480, 1492, 1500)
MAX_REFINE = 24  # probes in one refinement round
REFINE_ROUNDS = 2
COPIES_S = 0.1  # the second echo of a size follows this much later (ICMP sockets only)
# A round waits this long after the first reply, or this many times the slowest reply:
# the second copy of an echo leaves COPIES_S after the first, and its reply gets the
# rest (0.2 s, for a busy machine's late thread) before its size counts as silent.
SETTLE_MIN_S, SETTLE_RTTS = 0.3, 4.0
# How long the probe waits to learn which of a server's addresses answers TCP.
REACH_WAIT_S = 1.0
TRIES_FOR_SILENCE = 2  # echoes a size must have had unanswered before it counts as vanished


def _ipv4_of(ctx: Context, target: str) -> tuple[str | None, str | None]:
    try:
        ip = ipaddress.ip_address(target)
    except ValueError:
        pass
    else:
        return (str(ip), None) if ip.version == 4 else (None, codes.NO_IPV4)
    answer = system_dns.resolve(ctx, target)
    v4 = answer.get("A", {}).get("addresses", [])
    endpoint = next((e for e in ctx.config.endpoints if e.host == target), None)
    if len(v4) > 1 and endpoint is not None:
        # Of several addresses, the one the run's connect reached (one of them may be
        # dead); waiting for it is short, since it is decided as soon as one answers.
        reached = connections.reach_within(ctx, target, tls_probe.tls_port(endpoint),
                                           REACH_WAIT_S)
        if reached is not None and reached["ok"] and reached["address"] in v4:
            return reached["address"], None
    if v4:
        return v4[0], None
    return None, codes.NO_IPV4 if system_dns.addresses(answer) else codes.NOT_RESOLVED


def _unreachable_for_tcp(ctx: Context, target: str, address: str) -> Callable[[], bool]:
    """Whether the run's `tcp` connect to this endpoint has been told "unreachable" by a
    router (then no echo will pass either): looked at while the echoes wait."""
    endpoint = next((e for e in ctx.config.endpoints if e.host == target), None)
    if endpoint is None:
        return lambda: False
    port = tls_probe.tls_port(endpoint)

    def told() -> bool:
        outcome = connections.peek(ctx, address, port)
        return outcome is not None and outcome["failure"] == codes.TCP_UNREACHABLE

    return told


def probe_target(ctx: Context, target: str, method: str) -> dict[str, Any]:
    address, failure = _ipv4_of(ctx, target)
    result: dict[str, Any] = {"target": target, "address": address, "failure": failure,
                              "sizes": {}, "path_mtu": None, "reported_mtu": None}
    if address is None:
        return result
    unreachable = _unreachable_for_tcp(ctx, target, address)
    route = platform.route_for(socket.AF_INET, address)
    result["interface"] = route.interface
    result["interface_mtu"] = platform.interface_mtu(route.interface)
    sizes: dict[int, dict[str, Any]] = {}
    tries: dict[int, int] = {}
    candidates = list(FIRST_ROUND)
    copies = 1 if method == "ping_command" else 2  # a ping process per echo is costly
    lossy = False  # echoes were seen lost: silence alone says less, so ask more
    for _round in range(1 + REFINE_ROUNDS):
        if not candidates or ctx.cancelled.is_set() or ctx.deadline.remaining() < 0.3:
            break
        if unreachable():
            result["failure"] = codes.TCP_UNREACHABLE
            return result
        # Each round gets at most half of what is left, so a refinement round still fits,
        # and waits for silence as long as the measured path needs (engine.path_wait).
        per_probe = min(ctx.timeout(ctx.config.mtu.timeout_s),
                        max(0.2, ctx.deadline.remaining() / 2 - 0.3))
        answers = _round_of(address, candidates, ctx.wait("mtu", per_probe), method,
                            copies * 2 if lossy else copies, unreachable)
        for answer in answers.values():
            ctx.path.record("echo", address, answer.get("rtt_ms"))
        if unreachable():
            result["failure"] = codes.TCP_UNREACHABLE
            return result
        for size, answer in answers.items():
            tries[size] = tries.get(size, 0) + answer.pop("tries")
            if answer["result"] == "passed" and sizes.get(size, {}).get("result") == "no_reply":
                lossy = True  # silent in one round, answered in another
            if sizes.get(size, {}).get("result") != "passed":
                sizes[size] = answer
        if not any(v["result"] == "passed" for v in sizes.values()):
            break  # ICMP blocked or host down: refining cannot help
        lossy = lossy or lost_below_limit(sizes) or ctx.path.lost() > 0
        # The first round's silent sizes are asked once more (a black hole rests on them,
        # silent twice); a refinement's are not: their silence only places the limit. On
        # a path that loses packets every round asks them again, with twice the echoes.
        retry = unconfirmed_silence(sizes) if _round == 0 or lossy else []
        candidates = sorted(set(next_candidates(sizes)) | set(retry))
        low = largest_passed(sizes)
        if candidates and low is not None:
            # The largest size that passed goes along: its reply times the round's end.
            candidates = sorted({*candidates, low})
    result["sizes"] = {str(k): sizes[k]["result"] for k in sorted(sizes)}
    result["tries"] = {str(k): tries[k] for k in sorted(tries)}
    reported = [v["mtu"] for v in sizes.values() if v["result"] == "too_big" and v.get("mtu")]
    result["reported_mtu"] = min(reported) if reported else None
    result["path_mtu"] = path_mtu(result["sizes"])
    errors = sorted({v.get("error", "") for v in sizes.values() if v["result"] == "error"})
    if result["path_mtu"] is None:
        result["failure"] = codes.MTU_PROBE_ERROR if errors and len(errors) == len(sizes) else codes.ICMP_BLOCKED
        if errors:
            result["errors"] = errors
    return result


def unconfirmed_silence(sizes: dict[int, dict[str, Any]]) -> list[int]:
    """Sizes above the largest passing one that got no reply: asked again while rounds
    are left, so a black hole is not called on lost packets."""
    low = largest_passed(sizes)
    if low is None:
        return []
    return sorted(s for s, v in sizes.items() if s > low and v["result"] == "no_reply")


def _round_of(address: str, sizes: list[int], wait: Wait, method: str, copies: int,
              give_up: Callable[[], bool]) -> dict[int, dict[str, Any]]:
    """Echo every size (`copies` times, staggered) at once; the first definite answer of
    a size counts (with "rtt_ms", its round trip, when it passed). Ends when every size
    answered, when the silent ones have had the settle time beyond the first reply, or
    when `wait` (live) ends."""
    cond = threading.Condition()
    answers: dict[int, dict[str, Any]] = {}
    sent: dict[int, int] = dict.fromkeys(sizes, 0)
    slowest = [0.0]
    first_reply: list[float] = []

    def echo(size: int, delay: float) -> None:
        time.sleep(delay)
        with cond:
            if size in answers:
                return
            sent[size] += 1
        began = time.monotonic()
        try:
            answer: dict[str, Any] = platform.icmp_echo_df(
                address, size, max(0.05, wait.left()), method)
        except Exception as exc:  # a probe's failure is data
            answer = {"result": "error", "error": type(exc).__name__}
        with cond:
            if answer["result"] != "no_reply" and size not in answers:
                answers[size] = answer
                if answer["result"] == "passed":
                    took = time.monotonic() - began
                    answer["rtt_ms"] = round(took * 1000, 1)
                    slowest[0] = max(slowest[0], took)
                    if not first_reply:
                        first_reply.append(time.monotonic())
            cond.notify_all()

    for size in sizes:
        for copy in range(copies):
            threading.Thread(target=echo, args=(size, copy * COPIES_S), daemon=True).start()
    with cond:
        while len(answers) < len(sizes):
            now = time.monotonic()
            end = wait.end()
            if first_reply:
                settle = max(SETTLE_MIN_S, SETTLE_RTTS * slowest[0]) + COPIES_S * (copies - 1)
                end = min(end, first_reply[0] + settle)
            if now >= end or give_up():
                break
            cond.wait(min(end - now, 0.1))
        return {size: {**answers.get(size, {"result": "no_reply"}), "tries": max(1, sent[size])}
                for size in sizes}


def lost_below_limit(sizes: dict[int, dict[str, Any]]) -> bool:
    """A size smaller than one that passed went unanswered: its echoes were lost, not
    too big (a path drops big packets, never small ones alone)."""
    low = largest_passed(sizes) or 0
    return any(s < low and v["result"] == "no_reply" for s, v in sizes.items())


def next_candidates(sizes: dict[int, dict[str, Any]]) -> list[int]:
    """Sizes strictly between the largest passing one and the next failing one above it."""
    low = largest_passed(sizes)
    if low is None:
        return []
    above = [s for s in sizes if s > low]
    if not above:
        return []
    high = min(above)
    gap = list(range(low + 1, high))
    if len(gap) <= MAX_REFINE:
        return gap
    step = len(gap) / MAX_REFINE
    return sorted({gap[int(i * step)] for i in range(MAX_REFINE)})


def largest_passed(sizes: dict[int, dict[str, Any]]) -> int | None:
    """The largest size answered so far (each size's first definite answer)."""
    return path_mtu({str(k): v["result"] for k, v in sizes.items()})


def path_mtu(sizes: dict[str, str]) -> int | None:
    passed = [int(s) for s, r in sizes.items() if r == "passed"]
    return max(passed) if passed else None
