"""Name resolution the way applications do it (getaddrinfo), with this computer's
own DNS servers asked directly at the same time.

getaddrinfo is what WeChat and WeCom use (it reads the hosts file too), so its
answer wins whenever it comes in time. Its errors are coarse and its retries slow
(glibc waits 5 s before asking again), so the same questions go to the configured
servers with dnspython in parallel, repeated every tenth of their wait. That
names a failure precisely (NXDOMAIN, SERVFAIL, silence), gives the verdict on a
silent server within 0.9 x timeout, and still gives the addresses when it was
getaddrinfo's packet that got lost.

One answer per name and run, shared by every check; probes that need a name start
the moment it is decided.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from checks.engine import codes
from checks.engine.context import Context
from checks.engine.path_wait import HeldWait, Measured
from checks.probes import dns_wire, dnslib
from checks.probes.dns_server_state import LIVENESS, server_state

FAMILIES = {"A": socket.AF_INET, "AAAA": socket.AF_INET6}
GIVE_UP_SHARE = 0.9  # of [dns] timeout_s: a name nothing answered by then is silent
RESENDS = 10  # direct queries within the wait: ten tries at its floor, for a lossy path
ASKS_MARGIN_S = 0.5
GRACE_S = 0.3  # how long getaddrinfo may lag behind the server's own answer
LOOK_AGAIN_S = 0.05  # how often a waiting lookup looks at its live wait again
NEWS = float("inf")  # wait until a source reports
# getaddrinfo failing only after this long failed by its own timeout, not by an answer.
GAI_TIMED_OUT_MS = 900.0
# Which failure a name gets when the answers disagree: the best any server managed.
FAILURE_ORDER = (codes.DNS_NXDOMAIN, codes.DNS_NO_ANSWER, codes.DNS_SERVFAIL, codes.DNS_REFUSED,
                 codes.DNS_BAD_RESPONSE, codes.DNS_TIMEOUT, codes.DNS_UNREACHABLE,
                 codes.DNS_NO_RESOLVER, codes.DNS_LOOKUP_FAILED, codes.DNS_BAD_NAME,
                 codes.DNS_INTERNAL_ERROR)


def prepare() -> None:
    """Load dnspython now (checks' `prepare`): every lookup asks the servers with it."""
    dnslib.load()


def _key(host: str) -> str:
    return f"system_dns:{host}"


def resolve(ctx: Context, host: str) -> dict[str, Any]:
    """A and AAAA for one host, shared by every check of the run."""
    return ctx.shared(_key(host), lambda: _lookup(ctx, host).run())


def resolve_with_servers(ctx: Context, host: str) -> dict[str, Any]:
    """The same answer, once the servers asked directly have had their say too (at most
    GRACE_S more): the dns check's evidence, e.g. a SERVFAIL the server had to be asked
    past while getaddrinfo had already answered."""
    answer = resolve(ctx, host)
    return _lookup(ctx, host).with_servers(answer, GRACE_S)


def _lookup(ctx: Context, host: str) -> _Lookup:
    return ctx.shared(f"system_dns:lookup:{host}", lambda: _Lookup(ctx, host))


def peek(ctx: Context, host: str) -> dict[str, Any] | None:
    """The answer if the lookup already finished, without waiting for it."""
    return ctx.peek(_key(host))  # type: ignore[no-any-return]


def addresses(answer: dict[str, Any]) -> list[str]:
    """IPv4 first: it is what most networks here route best."""
    return list(answer.get("A", {}).get("addresses", [])) + list(
        answer.get("AAAA", {}).get("addresses", [])
    )


def answered_on_resend(result: dict[str, Any]) -> bool:
    """An answer that came quickly, but only to a resend: the earlier questions (or their
    answers) were lost. A slow server answering late is not that: its round trip is long."""
    rtt, ms = result.get("rtt_ms"), result.get("ms")
    return (result.get("sent", 1) > 1 and isinstance(rtt, (int, float))
            and isinstance(ms, (int, float)) and ms > 2 * rtt + 100)


def unreachable_servers(ctx: Context) -> dict[str, float]:
    """Configured servers this run found unreachable (port or host unreachable), with
    when. Routers rate-limit ICMP errors (a few at once, then about one a second), so
    most questions to a dead server get silence: one error speaks for all of them."""
    return ctx.shared("system_dns:unreachable", dict)


def nameservers(ctx: Context) -> tuple[list[str], str | None]:
    """The configured DNS servers (read once per run), or why there are none."""
    return ctx.shared("system_dns:nameservers", _nameservers)


def ask_liveness(ctx: Context, servers: list[str]) -> None:
    """The liveness question to each configured server, once per run, in the background
    (see LIVENESS)."""
    def start() -> bool:
        for server in servers:
            def ask(server: str = server) -> None:
                try:
                    result = dns_wire.ask(server, *LIVENESS, ctx.wait(
                        "dns", ctx.config.dns.timeout_s * GIVE_UP_SHARE), resends=RESENDS)
                except Exception:
                    return
                if result.get("rtt_ms") is not None:
                    server_state(ctx).answered(server, result["rtt_ms"], liveness=True)
                    ctx.path.record("dns_server", server, result["rtt_ms"])
                elif result.get("error") == codes.DNS_UNREACHABLE:
                    unreachable_servers(ctx).setdefault(server, time.monotonic())

            threading.Thread(target=ask, daemon=True, name=f"dns-alive-{server}").start()
        return True

    ctx.shared("system_dns:liveness", start)


def _nameservers() -> tuple[list[str], str | None]:
    try:
        return dns_wire.system_nameservers()
    except Exception:  # dnspython missing or broken: getaddrinfo alone still works
        return [], codes.DNS_INTERNAL_ERROR


class _Lookup:
    """getaddrinfo per family and direct queries per (server, family), all at once;
    `run` returns as soon as the answers decide the name (see the module doc)."""

    def __init__(self, ctx: Context, host: str) -> None:
        self.ctx = ctx
        self.host = host
        # When a name nothing answered is given up: GIVE_UP_SHARE of [dns] timeout_s at
        # most, scaled to what the servers showed (`basis`); the direct questions stop
        # waiting then too, unless the system's lookup answered (held open, see run).
        self.wait = HeldWait("dns", ctx.config.dns.timeout_s * GIVE_UP_SHARE, self.basis,
                             ctx.deadline.at, ctx.cancelled)
        self.cond = threading.Condition()
        self.system: dict[str, dict[str, Any]] = {}
        self.direct: dict[str, list[dict[str, Any]]] = {rtype: [] for rtype in FAMILIES}
        self.servers: list[str] | None = None
        self.servers_error: str | None = None
        self.first_address_at: float | None = None
        self.asked_at: float | None = None  # when the servers were asked for the name
        self.gave_up = False

    def basis(self) -> Measured | None:
        """A configured server that answers sets the pace (the slowest answer it gave to
        a name, or the configured time while it gave none: it may be asking further).
        Where none answers at all, the path's round trip (the trusted resolvers, the
        gateway ...): a server silent well past it is not coming."""
        found = server_state(self.ctx).basis()
        if found is None:
            return self.ctx.path.measured()
        return replace(found, lost=self.ctx.path.lost()) if found.rtt_ms is not None else found

    def _spawn(self, fn: Callable[[], None]) -> None:
        # Daemon threads: a lookup stuck in getaddrinfo must not keep the process alive.
        threading.Thread(target=fn, daemon=True, name=f"dns-{self.host}").start()

    def _store(self, update: Callable[[], None]) -> None:
        with self.cond:
            update()
            if self.first_address_at is None and self._any_address():
                self.first_address_at = time.monotonic()
            self.cond.notify_all()

    def run(self) -> dict[str, Any]:
        start = time.monotonic()
        for rtype in FAMILIES:
            self._spawn(functools.partial(self._gai, rtype))
        self._spawn(self._ask_servers)
        with self.cond:
            while True:
                now = time.monotonic()
                wake = self._decided(now)
                give_up = self.wait.end()
                if wake is None:
                    break
                if now >= give_up:
                    self.gave_up = True
                    break
                # Reports wake this up; the live wait is looked at again every 0.05 s.
                self.cond.wait(max(0.01, min(wake, give_up, now + LOOK_AGAIN_S) - now))
            elapsed = time.monotonic() - start
            answer = self._answer(elapsed)
            if self.gave_up and answer["error"] is not None:
                answer["waited"] = self.wait.said()
            elif not self.gave_up:
                self._hold_asks(elapsed)
            return answer

    def _hold_asks(self, took: float) -> None:
        """The system's lookup answered after `took`: a server as slow still gets to
        answer, counted from when it was asked (its questions may leave later, while
        dnspython loads); its answer is what shows a slow server."""
        asked = self.asked_at if self.asked_at is not None else time.monotonic()
        self.wait.hold(asked + took + GRACE_S)

    # ---- the two sources ----------------------------------------------------------------

    def _gai(self, rtype: str) -> None:
        result = _getaddrinfo(self.host, rtype)
        self._store(lambda: self.system.__setitem__(rtype, result))

    def _ask_servers(self) -> None:
        servers, error = nameservers(self.ctx)
        with self.cond:
            self.servers, self.servers_error = servers, error
            self.cond.notify_all()
        ask_liveness(self.ctx, servers)
        with self.cond:
            self.asked_at = time.monotonic()
        for server in servers:
            for rtype in FAMILIES:
                def ask(server: str = server, rtype: str = rtype) -> None:
                    try:
                        result = dns_wire.ask(server, self.host, rtype, self.wait,
                                              resends=RESENDS)
                    except Exception:
                        result = {"addresses": [], "error": codes.DNS_INTERNAL_ERROR}
                    result["server"] = server
                    result["at"] = time.monotonic()
                    if result.get("error") == codes.DNS_UNREACHABLE:
                        unreachable_servers(self.ctx).setdefault(server, time.monotonic())
                    server_state(self.ctx).answered(server, result.get("rtt_ms"))
                    self.ctx.path.record("dns_server", server, result.get("rtt_ms"))
                    if answered_on_resend(result):
                        self.ctx.path.record_loss(server)
                    self._store(lambda: self.direct[rtype].append(result))

                self._spawn(ask)

    # ---- deciding -------------------------------------------------------------------------

    def _any_address(self) -> bool:
        return any(r.get("addresses") for r in self.system.values()) or any(
            r.get("addresses") for results in self.direct.values() for r in results)

    def _direct_done(self, rtype: str) -> bool:
        """Every configured server has answered this family, or is known to be
        unreachable (ICMP errors are rate-limited: not every query gets its own)."""
        if self.servers is None:
            return False
        answered = {r.get("server") for r in self.direct[rtype]}
        dead = unreachable_servers(self.ctx)
        return all(server in answered or server in dead for server in self.servers)

    def _direct_addresses(self, rtype: str) -> dict[str, Any] | None:
        return next((r for r in self.direct[rtype] if r.get("addresses")), None)

    def _family_wait(self, rtype: str, now: float) -> float | None:
        """None once this family is decided, else when to look again."""
        gai = self.system.get(rtype)
        if gai is not None and gai["addresses"]:
            return None  # getaddrinfo's answer is what the clients get
        if gai is not None and gai["error"] == codes.DNS_NXDOMAIN_OR_NODATA and any(
                r["addresses"] for r in self.system.values()):
            return None  # no record of this family, and the other one resolved
        answered = self._direct_addresses(rtype)
        if answered is None and self._direct_done(rtype) and self.direct[rtype]:
            answered = self.direct[rtype][-1]
        if answered is not None:
            if gai is not None:
                return None
            # The server answered; getaddrinfo (hosts file, local cache) may still say
            # otherwise for a moment.
            until = float(answered["at"]) + GRACE_S
            return None if now >= until else until
        if gai is not None and self._direct_done(rtype):
            return None  # both sources said no
        dead = unreachable_servers(self.ctx)
        if self.servers and all(server in dead for server in self.servers):
            # Every server is unreachable: getaddrinfo gets a moment for the hosts file.
            until = max(dead[server] for server in self.servers) + GRACE_S
            return None if now >= until else until
        return NEWS

    def _decided(self, now: float) -> float | None:
        waits = [self._family_wait(rtype, now) for rtype in FAMILIES]
        if all(w is None for w in waits):
            return None
        # One family has addresses: the other gets a short grace, not the full timeout.
        if self.first_address_at is not None and now >= self.first_address_at + GRACE_S:
            return None
        pending = [w for w in waits if w is not None]
        if self.first_address_at is not None:
            pending.append(self.first_address_at + GRACE_S)
        return min(pending)

    def with_servers(self, answer: dict[str, Any], wait: float) -> dict[str, Any]:
        """`answer` with the direct answers that came in meanwhile (waiting at most `wait`
        for the rest); what the name resolved to stays as decided. For a name that did
        not resolve, the questions still out are waited for to their end, and the failure
        is named again from everything they got (a server answering only garbage is
        `dns_bad_response`, not silence)."""
        # A server as slow as the system's lookup is waited for (see run).
        end = max(time.monotonic() + wait, self.wait.held_until or 0.0)
        failed = answer.get("error") is not None
        if failed and self.servers is not None:
            # The asks end by themselves when the lookup's wait does: the margin only
            # covers a busy machine's late threads, and is not waited for once every ask
            # is in.
            end = max(end, self.wait.end() + ASKS_MARGIN_S)
        with self.cond:
            while not all(self._direct_done(rtype) for rtype in FAMILIES):
                left = end - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            out = {**answer, "direct": self._direct_evidence()}
            if failed:
                out["error"] = self._failure()
            return out

    def _direct_evidence(self) -> dict[str, Any]:
        return {"servers": list(self.servers or []), "error": self.servers_error,
                **{rtype: _best(self.direct[rtype]) for rtype in FAMILIES}}

    def _answer(self, elapsed_s: float) -> dict[str, Any]:
        answer: dict[str, Any] = {"host": self.host}
        for rtype in FAMILIES:
            answer[rtype] = self._family(rtype)
        if answer["A"]["addresses"] or answer["AAAA"]["addresses"]:
            answer["error"] = None
        else:
            answer["error"] = self._failure()
        answer["ms"] = round(elapsed_s * 1000, 1)
        answer["system"] = {rtype: _public(self.system.get(rtype)) for rtype in FAMILIES}
        answer["direct"] = self._direct_evidence()
        return answer

    def _family(self, rtype: str) -> dict[str, Any]:
        """What the probes use: getaddrinfo's addresses, else the server's."""
        gai = self.system.get(rtype)
        if gai is not None and gai["addresses"]:
            return {"addresses": list(gai["addresses"]), "error": None, "ms": gai["ms"],
                    "source": "system"}
        found = self._direct_addresses(rtype)
        if found is not None:
            return {"addresses": list(found["addresses"]), "error": None,
                    "ms": found.get("ms"), "source": "dns_server"}
        error = gai["error"] if gai is not None else codes.DNS_TIMEOUT
        return {"addresses": [], "error": error, "ms": gai.get("ms") if gai else None,
                "source": None}

    def _failure(self) -> str:
        """One code for a name without any address: what the servers answered names it
        (NOERROR without records for both families is `dns_no_answer`); getaddrinfo's
        coarse error only when no server gave a definite answer. "No record of this
        type" for one family says nothing about the other: while a family got no definite
        answer, the name is neither empty nor nonexistent for that reason, and
        getaddrinfo's "no such name or record" counts as no such name only when it said
        so for both families."""
        per_family = {rtype: [codes.DNS_NO_ANSWER if r.get("error") is None else r["error"]
                              for r in self.direct[rtype]] for rtype in FAMILIES}
        direct = [c for found in per_family.values() for c in found]
        direct += [codes.DNS_UNREACHABLE for server in self.servers or []
                   if server in unreachable_servers(self.ctx)]
        definite = [c for c in direct if c not in _NOT_AN_ANSWER]
        both_answered = all(any(c not in _NOT_AN_ANSWER for c in found)
                            for found in per_family.values())
        if definite and (both_answered or _best_code(definite) != codes.DNS_NO_ANSWER):
            return _best_code(definite)
        gai = {rtype: g["error"] for rtype, g in self.system.items()}
        found = [c for c in direct if c != codes.DNS_NO_ANSWER]
        if [gai.get(rtype) for rtype in FAMILIES] == [codes.DNS_NXDOMAIN_OR_NODATA] * 2:
            found.append(codes.DNS_NXDOMAIN)  # no server could say more: no such name
        found += [_GAI_MEANS.get(e, e) for e in gai.values()
                  if e is not None and e != codes.DNS_NXDOMAIN_OR_NODATA]
        if self.servers_error == codes.DNS_NO_RESOLVER:
            found.append(codes.DNS_NO_RESOLVER)
        return _best_code(found) if found else codes.DNS_TIMEOUT


_NOT_AN_ANSWER = (codes.DNS_TIMEOUT, codes.DNS_UNREACHABLE, codes.DNS_INTERNAL_ERROR)


def _best_code(found: list[str]) -> str:
    return min(found, key=lambda c: FAILURE_ORDER.index(c) if c in FAILURE_ORDER
               else len(FAILURE_ORDER))


# getaddrinfo's coarse codes, and what they mean when no server can say more.
_GAI_MEANS = {
    codes.DNS_NXDOMAIN_OR_NODATA: codes.DNS_NXDOMAIN,
    codes.DNS_LOOKUP_FAILED: codes.DNS_LOOKUP_FAILED,
}


def _public(result: dict[str, Any] | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {"addresses": list(result["addresses"]), "error": result["error"], "ms": result["ms"]}


def _best(results: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The most useful server answer of one family, for the evidence."""
    if not results:
        return None
    ranked = sorted(results, key=lambda r: (not r.get("addresses"), r.get("error") is not None))
    best = ranked[0]
    out = {"server": best.get("server"), "addresses": list(best.get("addresses") or []),
           "error": best.get("error"), "ms": best.get("ms"), "rtt_ms": best.get("rtt_ms"),
           "sent": best.get("sent"), "servfails": max(r.get("servfails") or 0 for r in results)}
    if best.get("bad"):  # what came back unusable (dns_wire)
        out["bad"] = dict(best["bad"])
    return out


def _getaddrinfo(host: str, rtype: str) -> dict[str, Any]:
    result = _gai_lookup(host, rtype)
    result["at"] = time.monotonic()
    return result


_NO_SUCH = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


def _gai_lookup(host: str, rtype: str) -> dict[str, Any]:
    start = time.monotonic()
    try:
        infos = socket.getaddrinfo(host, None, FAMILIES[rtype], socket.SOCK_STREAM)
    except socket.gaierror as exc:
        ms = round((time.monotonic() - start) * 1000, 1)
        code = codes.DNS_NXDOMAIN_OR_NODATA if exc.errno in _NO_SUCH else (
            codes.DNS_TIMEOUT if ms >= GAI_TIMED_OUT_MS else codes.DNS_LOOKUP_FAILED)
        return {"addresses": [], "error": code, "ms": ms}
    except (UnicodeError, OSError):
        return {"addresses": [], "error": codes.DNS_BAD_NAME, "ms": None}
    ms = round((time.monotonic() - start) * 1000, 1)
    seen = dns_wire.capped(list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos)))
    return {"addresses": seen, "error": None, "ms": ms}
