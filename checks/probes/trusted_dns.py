"""Ask trusted resolvers directly (dnspython), bypassing the system resolver.

Plain DNS over UDP (asked again while unanswered), over TCP when the answer is
truncated, and optionally
an HTTP DNS service (e.g. DNSPod's "http://119.29.29.29/d?dn={host}"), which a
polluting network cannot rewrite as easily as port 53.
"""

from __future__ import annotations

import ipaddress
import json
import re
import time
from typing import Any

from checks.engine import codes
from checks.engine.context import Context
from checks.engine.path_wait import Wait
from checks.probes import dns_wire

RTYPES = ("A", "AAAA")
ANSWERED = dns_wire.ANSWERED
RESENDS = 5  # queries within the timeout


def query(resolver: str, host: str, rtype: str, timeout: float | Wait) -> dict[str, Any]:
    """One question to one resolver, repeated while unanswered (a lost packet is not
    a silent resolver): {"addresses", "error", "transport", "ms", "rtt_ms", "sent"}.
    `timeout` may be a live wait (engine.path_wait)."""
    return dns_wire.ask(resolver, host, rtype, timeout, resends=RESENDS)


def ask(ctx: Context, source: str, host: str, rtype: str) -> dict[str, Any]:
    """One question of a run to a trusted source (a resolver's address, or "http_dns"):
    a resolver's wait is scaled to the measured path (engine.path_wait), and its answer's
    round trip is measured for the waits of the others."""
    if source == "http_dns":
        return http_dns(ctx.config.dns.http_dns_url, host, ctx.timeout(ctx.config.dns.timeout_s))
    answer = query(source, host, rtype, ctx.wait("dns", ctx.config.dns.timeout_s))
    ctx.path.record("trusted_dns", source, answer.get("rtt_ms"))
    return answer


def http_dns(url_template: str, host: str, timeout: float) -> dict[str, Any]:
    """GET the template with {host} filled in; the body lists addresses or is DNS JSON."""
    import urllib.error
    import urllib.parse
    import urllib.request  # ~0.1 s of imports, only for the optional HTTP DNS

    start = time.monotonic()
    out: dict[str, Any] = {"addresses": [], "error": None, "transport": "http", "ms": None}
    url = url_template.replace("{host}", urllib.parse.quote(host))
    # Straight to the service: a system proxy would hide what this network does.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as resp:
            body = resp.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError:
        out["error"] = codes.HTTP_DNS_ERROR
    except (TimeoutError, urllib.error.URLError, OSError, ValueError):
        out["error"] = codes.HTTP_DNS_UNREACHABLE
    else:
        out["addresses"] = parse_http_dns(body)
    out["ms"] = round((time.monotonic() - start) * 1000, 1)
    return out


def parse_http_dns(body: str) -> list[str]:
    """DNSPod style "1.2.3.4;5.6.7.8,600" or JSON {"Answer": [{"data": ...}]}."""
    candidates: list[str] = []
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("Answer"), list):
        candidates = [str(a.get("data", "")) for a in data["Answer"] if isinstance(a, dict)]
    else:
        candidates = re.split(r"[;,\s]+", body.strip())
    out: list[str] = []
    for item in candidates:
        try:
            addr = str(ipaddress.ip_address(item.strip()))
        except ValueError:
            continue
        if addr not in out:
            out.append(addr)
    return out


def merge_answers(source: str, got: list[tuple[str, Any]]) -> dict[str, Any]:
    """One resolver's answers to a name's record types (parallel_map outcomes) as one
    record: the addresses, the error per type, whether it answered completely."""
    addresses: list[str] = []
    errors: dict[str, str | None] = {}
    ms = 0.0
    transports = set()
    waited = None
    for rtype, outcome in got:
        value = outcome.value if outcome.done and outcome.value else {
            "addresses": [], "error": codes.DNS_TIMEOUT, "ms": None, "transport": None}
        addresses += [a for a in value["addresses"] if a not in addresses]
        errors[rtype] = value["error"]
        ms = max(ms, value.get("ms") or 0.0)
        if value.get("transport"):
            transports.add(value["transport"])
        waited = waited or value.get("waited")
    # Complete only if every record type was answered: a lost A reply next to an empty
    # AAAA answer would make the system's addresses look unknown to trusted DNS.
    answered = all(e in ANSWERED for e in errors.values())
    out = {"resolver": source, "addresses": addresses, "errors": errors,
           "answered": answered, "transport": sorted(transports), "ms": ms}
    if waited and not answered:
        out["waited"] = waited  # how long a silent question was waited for, and why
    return out
