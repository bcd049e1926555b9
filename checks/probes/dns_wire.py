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
from checks.probes import dnslib

# Answers the server gave (the name may simply not exist there): not a lost packet.
ANSWERED = (None, codes.DNS_NXDOMAIN)
SERVFAIL_RETRIES = 2
MAX_ADDRESSES = 64  # of one answer; a hostile server can send 4,000


def ask(server: str, host: str, rtype: str, timeout: float,
        resend_every: float | None = None) -> dict[str, Any]:
    """{"addresses", "error", "ms" (to the answer), "rtt_ms" (of the answered query),
    "sent" (queries sent), "servfails" (SERVFAIL answers before the last), "transport"}.
    NOERROR without records of the type is `error` None with no addresses (the name
    exists, without that record). A SERVFAIL is asked again (at most twice): an
    upstream that fails now and then shows as SERVFAIL followed by an answer."""
    dns = dnslib.load()
    start = time.monotonic()
    end = start + timeout
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
            next_send = start
            while reply is None:
                now = time.monotonic()
                if now >= end:
                    out["error"] = codes.DNS_TIMEOUT
                    break
                if now >= next_send:
                    query = dns.message.make_query(host, rtype)
                    sock.send(query.to_wire())
                    sent_at[query.id] = (now, query)
                    out["sent"] += 1
                    next_send = now + resend_every if resend_every else end
                wait = max(0.0, min(end, next_send) - time.monotonic())
                readable, _, _ = select.select([sock], [], [], wait)
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
                    next_send = time.monotonic()
                    continue
                reply = message
            if reply is not None and reply.flags & dns.flags.TC:
                reply = _over_tcp(dns, query, server, end, out, bad)
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
