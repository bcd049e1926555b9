"""Ask trusted resolvers directly (dnspython), bypassing the system resolver.

Plain DNS over UDP, retried over TCP when the answer is truncated, and optionally
an HTTP DNS service (e.g. DNSPod's "http://119.29.29.29/d?dn={host}"), which a
polluting network cannot rewrite as easily as port 53.
"""

from __future__ import annotations

import ipaddress
import json
import re
import time
from typing import Any

from checks import codes
from checks.probes import dnslib

RTYPES = ("A", "AAAA")
# Codes meaning the resolver did answer (the name may simply not exist there).
ANSWERED = (None, codes.DNS_NXDOMAIN)


def query(resolver: str, host: str, rtype: str, timeout: float) -> dict[str, Any]:
    """One question to one resolver: {"addresses", "error", "transport", "ms"}."""
    dns = dnslib.load()
    start = time.monotonic()
    out: dict[str, Any] = {"addresses": [], "error": None, "transport": "udp", "ms": None}
    try:
        request = dns.message.make_query(host, rtype)
        response = dns.query.udp(request, resolver, timeout=timeout, ignore_unexpected=True)
        if response.flags & dns.flags.TC:
            out["transport"] = "tcp"
            left = max(0.05, timeout - (time.monotonic() - start))
            response = dns.query.tcp(request, resolver, timeout=left)
    except dns.exception.Timeout:
        out["error"] = codes.DNS_TIMEOUT
    except (ConnectionRefusedError, ConnectionResetError):
        out["error"] = codes.DNS_UNREACHABLE
    except OSError:
        out["error"] = codes.DNS_UNREACHABLE
    except (dns.exception.DNSException, ValueError, EOFError):
        out["error"] = codes.DNS_BAD_RESPONSE
    else:
        out["error"] = _rcode_error(response.rcode())
        wanted = dns.rdatatype.from_text(rtype)
        for rrset in response.answer:
            if rrset.rdtype == wanted:
                for rdata in rrset:
                    addr = rdata.to_text()
                    if addr not in out["addresses"]:
                        out["addresses"].append(addr)
    out["ms"] = round((time.monotonic() - start) * 1000, 1)
    return out


def _rcode_error(rcode: int) -> str | None:
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
