"""Which addresses of a server fail while another of its addresses works.

The tcp check connects to every address a name resolves to on the server's main port
(evidence `addresses`: one row per address). An address that fails while another of
the same family works is a finding of its own: the server is up, but a client that
picks that address waits (or is refused) before it tries the next one. The usual
reason is a firewall that allows Tencent's servers by a list of addresses that has
gone out of date, instead of by their domains. IPv6 failing while only IPv4 works is
a different finding (IPv6 itself), so families are compared only with themselves.

Pure functions over the evidence rows, read defensively (a saved report of another
version may lack keys): the check's verdict, its matrix cell and the diagnosis'
sentences all use these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def family(row: Mapping[str, Any]) -> str:
    known = row.get("family")
    if known in ("ipv4", "ipv6"):
        return str(known)
    return "ipv6" if ":" in str(row.get("address") or "") else "ipv4"


def rows_of(evidence: Mapping[str, Any], host: str | None = None) -> list[Mapping[str, Any]]:
    """The per-address rows (of one host, any case), each a mapping with an address."""
    rows = evidence.get("addresses")
    if not isinstance(rows, list):
        return []
    return [r for r in rows if isinstance(r, Mapping) and r.get("address")
            and (host is None or str(r.get("host") or "").lower() == host.lower())]


def _key(row: Mapping[str, Any]) -> tuple[str, str]:
    return str(row.get("host") or "").lower(), family(row)


def dead(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows that failed while another address of the same host and family worked."""
    rows = list(rows)
    working = {_key(r) for r in rows if r.get("ok")}
    return [r for r in rows if not r.get("ok") and _key(r) in working]


def siblings(rows: Iterable[Mapping[str, Any]], row: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every row of the same host and family as `row` (itself included)."""
    return [r for r in rows if _key(r) == _key(row)]
