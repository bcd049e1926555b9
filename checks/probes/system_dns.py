"""Name resolution the way applications do it (getaddrinfo), with failures classified.

getaddrinfo is what WeChat and WeCom use, so it decides whether a name works. Its
errors are coarse (glibc reports SERVFAIL and timeouts alike), so when it fails
the same question goes to the system's configured nameservers with dnspython to
name the failure precisely.
"""

from __future__ import annotations

import socket
import time
from typing import Any

from checks import codes
from checks.concurrency import call_with_timeout, parallel_map
from checks.context import Context
from checks.probes import dnslib

FAMILIES = {"A": socket.AF_INET, "AAAA": socket.AF_INET6}


def _key(host: str) -> str:
    return f"system_dns:{host}"


def resolve(ctx: Context, host: str) -> dict[str, Any]:
    """A and AAAA for one host, shared by every check of the run."""
    return ctx.shared(_key(host), lambda: _resolve_uncached(ctx, host))


def peek(ctx: Context, host: str) -> dict[str, Any] | None:
    """The answer if the lookup already finished, without waiting for it."""
    return ctx.peek(_key(host))  # type: ignore[no-any-return]


def _resolve_uncached(ctx: Context, host: str) -> dict[str, Any]:
    timeout = ctx.timeout(ctx.config.dns.timeout_s)
    start = time.monotonic()
    outcomes = parallel_map(lambda rtype: _lookup(host, rtype), list(FAMILIES), timeout)
    answer: dict[str, Any] = {"host": host}
    for rtype, outcome in zip(FAMILIES, outcomes, strict=True):
        if not outcome.done:
            answer[rtype] = {"addresses": [], "error": codes.DNS_TIMEOUT, "ms": round(timeout * 1000)}
        elif outcome.error is not None:
            answer[rtype] = {"addresses": [], "error": codes.DNS_INTERNAL_ERROR, "ms": None}
        else:
            answer[rtype] = outcome.value
    if not answer["A"]["addresses"] and not answer["AAAA"]["addresses"]:
        raw = answer["A"]["error"] or answer["AAAA"]["error"] or codes.DNS_NO_ANSWER
        fallback = _FALLBACK.get(raw, raw)
        if raw in _FALLBACK:
            budget = ctx.timeout(min(2.0, ctx.config.dns.timeout_s))
            answer["error"] = classify_failure(host, budget, fallback)
        else:
            answer["error"] = raw
    else:
        answer["error"] = None
    answer["ms"] = round((time.monotonic() - start) * 1000, 1)
    return answer


# getaddrinfo's coarse codes, and what they mean when the direct query cannot say more.
_FALLBACK = {
    codes.DNS_NXDOMAIN_OR_NODATA: codes.DNS_NXDOMAIN,
    codes.DNS_LOOKUP_FAILED: codes.DNS_LOOKUP_FAILED,
    codes.DNS_TIMEOUT: codes.DNS_TIMEOUT,
}


def addresses(answer: dict[str, Any]) -> list[str]:
    """IPv4 first: it is what most networks here route best."""
    return list(answer.get("A", {}).get("addresses", [])) + list(
        answer.get("AAAA", {}).get("addresses", [])
    )


def _lookup(host: str, rtype: str) -> dict[str, Any]:
    start = time.monotonic()
    try:
        infos = socket.getaddrinfo(host, None, FAMILIES[rtype], socket.SOCK_STREAM)
    except socket.gaierror as exc:
        ms = round((time.monotonic() - start) * 1000, 1)
        return {"addresses": [], "error": _gai_code(exc), "ms": ms}
    except (UnicodeError, OSError):
        return {"addresses": [], "error": codes.DNS_BAD_NAME, "ms": None}
    ms = round((time.monotonic() - start) * 1000, 1)
    seen: list[str] = []
    for info in infos:
        addr = str(info[4][0]).split("%")[0]
        if addr not in seen:
            seen.append(addr)
    return {"addresses": seen, "error": None, "ms": ms}


def _gai_code(exc: socket.gaierror) -> str:
    if exc.errno == socket.EAI_NONAME:
        return codes.DNS_NXDOMAIN_OR_NODATA
    return codes.DNS_LOOKUP_FAILED


def classify_failure(host: str, timeout: float, fallback: str) -> str:
    """Ask the system's nameservers directly to tell NXDOMAIN, SERVFAIL and timeouts apart."""
    outcome = call_with_timeout(lambda: _classify(host, timeout), timeout + 0.2)
    if outcome.done and outcome.value:
        return outcome.value
    return fallback


def _classify(host: str, timeout: float) -> str | None:
    dns = dnslib.load()  # only failures need dnspython: healthy runs never import it
    try:
        nameservers = [
            ns for ns in dns.resolver.Resolver(configure=True).nameservers if isinstance(ns, str)
        ]
    except (dns.resolver.NoResolverConfiguration, OSError):
        return codes.DNS_NO_RESOLVER
    if not nameservers:
        return codes.DNS_NO_RESOLVER
    answers = parallel_map(lambda ns: _ask(ns, host, timeout), nameservers, timeout + 0.1)
    found = [a.value if a.done and a.value else codes.DNS_TIMEOUT for a in answers]
    # The best any server managed decides: one good answer means the others do not matter.
    for code in ("ok", codes.DNS_NXDOMAIN, codes.DNS_NO_ANSWER, codes.DNS_SERVFAIL, codes.DNS_TIMEOUT,
                 codes.DNS_UNREACHABLE):
        if code in found:
            return None if code == "ok" else code
    return found[0]


def _ask(nameserver: str, host: str, timeout: float) -> str:
    """One A query on a *connected* UDP socket, so ICMP "port unreachable" is seen."""
    dns = dnslib.load()
    query = dns.message.make_query(host, "A")
    family = socket.AF_INET6 if ":" in nameserver else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.settimeout(timeout)
            sock.connect((nameserver, 53))
            sock.send(query.to_wire())
            while True:
                wire = sock.recv(65535)
                try:
                    reply = dns.message.from_wire(wire)
                except dns.exception.DNSException:
                    continue  # garbage from a hostile peer: keep waiting for a real answer
                if reply.id == query.id:
                    break
    except TimeoutError:
        return codes.DNS_TIMEOUT
    except OSError:
        return codes.DNS_UNREACHABLE  # refused or no route: nothing answers there
    rcode = reply.rcode()
    if rcode == dns.rcode.NXDOMAIN:
        return codes.DNS_NXDOMAIN
    if rcode == dns.rcode.NOERROR:
        return "ok" if reply.answer else codes.DNS_NO_ANSWER
    return codes.DNS_SERVFAIL  # SERVFAIL, REFUSED and the rest: the server would not answer
