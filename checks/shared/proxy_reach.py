"""Direct or through the proxy: which way reaches the servers.

When a proxy is set, the proxy check connects to the servers' main ports both ways:
directly (the run's shared connects, evidence `direct`) and through each proxy
(evidence `through` of each proxy). Two situations matter to the person at the
computer, and these pure functions find them in the evidence, read defensively:

- direct connections fail while a proxy reaches the same servers: a network where
  only the proxy goes out, and the clients must be told to use it;
- the proxy fails while direct connections work: the proxy is in the way.

The proxy check's verdict and the diagnosis' sentences both use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []


def target(row: Mapping[str, Any]) -> str:
    return f"{row.get('server')}:{row.get('port')}"


def direct(evidence: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return _rows(evidence.get("direct"))


def proxies(evidence: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The proxies that are set: in the settings, and those a PAC script names."""
    return [*_rows(evidence.get("proxies")),
            *(p for pac in _rows(evidence.get("pac")) for p in _rows(pac.get("proxies")))]


def direct_works(evidence: Mapping[str, Any]) -> bool:
    """Every server the check connected to directly answered (and there was one)."""
    rows = direct(evidence)
    return bool(rows) and all(r.get("ok") for r in rows)


def rescued(proxy: Mapping[str, Any], direct_rows: list[Mapping[str, Any]]
            ) -> list[Mapping[str, Any]]:
    """The proxy's tunnels that reached a server whose direct connect failed."""
    failed = {target(r) for r in direct_rows if not r.get("ok")}
    return [r for r in _rows(proxy.get("through")) if r.get("ok") and target(r) in failed]


def best_rescue(evidence: Mapping[str, Any]
                ) -> tuple[Mapping[str, Any], list[Mapping[str, Any]]] | None:
    """The proxy that reaches the most servers direct connections do not, with those
    tunnels; None when direct connections work or no proxy reaches what they miss."""
    rows = direct(evidence)
    found = [(p, rescued(p, rows)) for p in proxies(evidence)]
    found = [(p, r) for p, r in found if r]
    if not found:
        return None
    return max(found, key=lambda pr: len(pr[1]))
