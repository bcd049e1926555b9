"""One DNS question to one server, asked again while no answer comes.

A connected UDP socket (so ICMP "port unreachable" is seen), the query repeated
with a fresh id every `resend_every` seconds until an answer or the timeout, the
answer matched to the query it answers (its own round trip is recorded, which
tells a slow server from a lost packet), and TCP when the answer is truncated.
Used for the system's configured servers (next to getaddrinfo) and for the
trusted resolvers.

Whatever comes back that is no answer to the question (bytes that are not DNS, an
answer with another id or question, a truncated answer the server will not give
over TCP) is counted under `bad`, and the wait goes on for a real answer; if none
comes, the error is `dns_bad_response`, not a timeout: the server is there, its
answers are unusable. At most MAX_ADDRESSES addresses of an answer are kept.
"""

from __future__ import annotations

import ipaddress
import select
import socket
import time
from typing import Any

from checks.engine import codes
from checks.engine.path_wait import Wait, as_wait
from checks.probes import dnslib

# Answers the server gave (the name may simply not exist there): not a lost packet.
ANSWERED = (None, codes.DNS_NXDOMAIN)
SERVFAIL_RETRIES = 2
MAX_ADDRESSES = 64  # of one answer; a hostile server can send 4,000
LOOK_AGAIN_S = 0.05  # how often a waiting question looks at its live wait again


def ask(server: str, host: str, rtype: str, timeout: float | Wait,
        resend_every: float | None = None, resends: int | None = None) -> dict[str, Any]:
    """{"addresses", "error", "ms" (to the answer), "rtt_ms" (of the answered query),
    "sent" (queries sent), "servfails" (SERVFAIL answers before the last), "transport"}.
    NOERROR without records of the type is `error` None with no addresses (the name
    exists, without that record). A SERVFAIL is asked again (at most twice): an
    upstream that fails now and then shows as SERVFAIL followed by an answer.

    `timeout` may be a live wait (engine.path_wait), looked at again while no answer
    comes; `resends` then asks again every that share of it, as it stands."""
    dns = dnslib.load()
    wait = as_wait(timeout)
    start = time.monotonic()

    def every() -> float:
        if resend_every:
            return resend_every
        return wait.total() / resends if resends else float("inf")
    out: dict[str, Any] = {"addresses": [], "error": None, "ms": None, "rtt_ms": None,
                           "sent": 0, "servfails": 0, "transport": "udp"}
    bad: dict[str, int] = {}
    try:
        target = socket.getaddrinfo(server, 53, type=socket.SOCK_DGRAM)[0]
    except (socket.gaierror, UnicodeError, IndexError):
        out["error"] = codes.DNS_UNREACHABLE
        return _finish(out, start)
    family, _type, _proto, _name, sockaddr = target
    sent_at: dict[int, tuple[float, Any]] = {}
    reply = None
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect(sockaddr)
            last_send: float | None = None
            while reply is None:
                now = time.monotonic()
                end = wait.end()
                if now >= end:
                    out["error"] = codes.DNS_TIMEOUT
                    break
                if last_send is None or now >= last_send + every():
                    query = dns.message.make_query(host, rtype)
                    sock.send(query.to_wire())
                    sent_at[query.id] = (now, query)
                    out["sent"] += 1
                    last_send = now
                # A live wait can change: look again at least every LOOK_AGAIN_S.
                pause = min(end, last_send + every(), now + LOOK_AGAIN_S) - time.monotonic()
                readable, _, _ = select.select([sock], [], [], max(0.0, pause))
                if not readable:
                    continue
                wire = sock.recv(65535)
                try:
                    message = dns.message.from_wire(wire)
                except (dns.exception.DNSException, ValueError, EOFError):
                    _count(bad, "garbage")  # keep waiting for a real answer
                    continue
                if message.id not in sent_at or not sent_at[message.id][1].is_response(message):
                    _count(bad, "wrong_id")  # not an answer to anything we asked
                    continue
                asked_at, query = sent_at[message.id]
                out["rtt_ms"] = round((time.monotonic() - asked_at) * 1000, 1)
                if message.rcode() == dns.rcode.SERVFAIL and out["servfails"] < SERVFAIL_RETRIES:
                    out["servfails"] += 1
                    last_send = None  # ask again now
                    continue
                reply = message
            if reply is not None and reply.flags & dns.flags.TC:
                reply = _over_tcp(dns, query, server, wait.end(), out, bad)
    except dns.exception.Timeout:
        out["error"] = codes.DNS_TIMEOUT
        reply = None
    except OSError:
        out["error"] = codes.DNS_UNREACHABLE  # refused, no route, or a local firewall
        reply = None
    except (dns.exception.DNSException, ValueError, EOFError):
        out["error"] = codes.DNS_BAD_RESPONSE
        reply = None
    if reply is not None:
        out["error"] = rcode_error(reply.rcode())
        out["addresses"] = _addresses(dns, reply, rtype)
    elif bad and out["error"] in (codes.DNS_TIMEOUT, None):
        out["error"] = codes.DNS_BAD_RESPONSE  # it answered, only nothing usable
    if bad:
        out["bad"] = bad
    if out["error"] == codes.DNS_TIMEOUT:
        out["waited"] = wait.said()  # how long the silence was waited for, and why
    return _finish(out, start)


def _count(bad: dict[str, int], kind: str) -> None:
    bad[kind] = bad.get(kind, 0) + 1


def _over_tcp(dns: Any, query: Any, server: str, end: float, out: dict[str, Any],
              bad: dict[str, int]) -> Any:
    """The truncated answer asked again over TCP; None (counted as bad) if that fails."""
    out["transport"] = "tcp"
    try:
        reply = dns.query.tcp(query, server, timeout=max(0.05, end - time.monotonic()))
    except (dns.exception.DNSException, OSError, ValueError, EOFError):
        reply = None
    if reply is None or reply.flags & dns.flags.TC or not query.is_response(reply):
        _count(bad, "truncated")
        out["error"] = codes.DNS_BAD_RESPONSE
        return None
    return reply


def _addresses(dns: Any, reply: Any, rtype: str) -> list[str]:
    wanted = dns.rdatatype.from_text(rtype)
    found = [rdata.to_text() for rrset in reply.answer if rrset.rdtype == wanted
             for rdata in rrset]
    return capped(list(dict.fromkeys(found)))


def capped(addresses: list[str]) -> list[str]:
    """At most MAX_ADDRESSES addresses; of more, the lowest ones, so that two servers
    giving the same long list keep the same part of it (the answers are compared)."""
    if len(addresses) <= MAX_ADDRESSES:
        return addresses
    return sorted(addresses, key=_address_order)[:MAX_ADDRESSES]


def _address_order(text: str) -> tuple[int, int, str]:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return (2, 0, text)
    return (address.version, int(address), text)


def _finish(out: dict[str, Any], start: float) -> dict[str, Any]:
    out["ms"] = round((time.monotonic() - start) * 1000, 1)
    return out


def rcode_error(rcode: int) -> str | None:
    dns = dnslib.load()
    if rcode == dns.rcode.NOERROR:
        return None
    if rcode == dns.rcode.NXDOMAIN:
        return codes.DNS_NXDOMAIN
    if rcode == dns.rcode.SERVFAIL:
        return codes.DNS_SERVFAIL
    if rcode == dns.rcode.REFUSED:
        return codes.DNS_REFUSED
    return codes.DNS_BAD_RESPONSE


def system_nameservers() -> tuple[list[str], str | None]:
    """The DNS servers this computer is configured with, or why there are none."""
    dns = dnslib.load()
    try:
        found = dns.resolver.Resolver(configure=True).nameservers
    except (dns.resolver.NoResolverConfiguration, OSError):
        return [], codes.DNS_NO_RESOLVER
    servers = [ns for ns in found if isinstance(ns, str)]
    return servers, None if servers else codes.DNS_NO_RESOLVER
