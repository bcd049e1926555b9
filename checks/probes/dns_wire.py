"""One DNS question to one server, asked again while no answer comes.

A connected UDP socket (so ICMP "port unreachable" is seen), the query repeated
with a fresh id every `resend_every` seconds until an answer or the timeout, the
answer matched to the query it answers (its own round trip is recorded, which
tells a slow server from a lost packet), and TCP when the answer is truncated.
Used for the system's configured servers (next to getaddrinfo) and for the
trusted resolvers.
"""

from __future__ import annotations

import select
import socket
import time
from typing import Any

from checks.engine import codes
from checks.probes import dnslib

# Answers the server gave (the name may simply not exist there): not a lost packet.
ANSWERED = (None, codes.DNS_NXDOMAIN)
SERVFAIL_RETRIES = 2


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
                except dns.exception.DNSException:
                    continue  # garbage from a hostile peer: keep waiting for a real answer
                if message.id in sent_at:
                    asked_at, query = sent_at[message.id]
                    out["rtt_ms"] = round((time.monotonic() - asked_at) * 1000, 1)
                    if message.rcode() == dns.rcode.SERVFAIL and out["servfails"] < SERVFAIL_RETRIES:
                        out["servfails"] += 1
                        next_send = time.monotonic()
                        continue
                    reply = message
            if reply is not None and reply.flags & dns.flags.TC:
                out["transport"] = "tcp"
                left = max(0.05, end - time.monotonic())
                reply = dns.query.tcp(query, server, timeout=left)
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
        wanted = dns.rdatatype.from_text(rtype)
        for rrset in reply.answer:
            if rrset.rdtype == wanted:
                for rdata in rrset:
                    addr = rdata.to_text()
                    if addr not in out["addresses"]:
                        out["addresses"].append(addr)
    return _finish(out, start)


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
