"""What a run measured, read once for the sentences built from it.

The checks record raw evidence (JSON-able facts); this is a read-only view over it that
answers the questions a technician asks before saying anything: which adapter and
gateway carry the traffic, which DNS servers are configured and what each of them did,
which tunnel holds the default route, which proxy is set and whether it works, which
certificate issuer came back, which sites that are not Tencent's answered. Every
accessor reads defensively (a saved report of another version may lack a key) and
returns nothing rather than a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checks.engine import check_ids, codes
from checks.engine.results import CheckResult, Status
from checks.shared import server_addresses

# Failures that mean "this DNS server did not answer at all" (versus answering badly).
DNS_SILENT = frozenset({codes.DNS_TIMEOUT, codes.DNS_UNREACHABLE})


@dataclass(frozen=True)
class Route:
    interface: str
    gateway: str | None
    source: str | None
    family: str


@dataclass(frozen=True)
class ServerAnswer:
    """What one configured DNS server said about one name, asked directly."""

    server: str
    host: str
    error: str | None
    ms: float | None
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Connect:
    host: str
    port: int | None
    address: str | None
    failure: str | None
    ms: float | None
    # How long silence was waited for, and why (engine.path_wait), when it gave up.
    waited: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.failure is None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class Facts:
    def __init__(self, results: Iterable[CheckResult]) -> None:
        self.by_id: dict[str, CheckResult] = {r.id: r for r in results}

    # ---- any check ---------------------------------------------------------------------

    def result(self, check_id: str) -> CheckResult | None:
        return self.by_id.get(check_id)

    def evidence(self, check_id: str) -> Mapping[str, Any]:
        result = self.by_id.get(check_id)
        return _map(result.evidence) if result is not None else {}

    def status(self, check_id: str) -> Status | None:
        result = self.by_id.get(check_id)
        return result.status if result is not None else None

    def problems(self, check_id: str, codes_: Iterable[str] | None = None) -> list[Any]:
        result = self.by_id.get(check_id)
        if result is None:
            return []
        wanted = set(codes_) if codes_ is not None else None
        return [p for p in result.problems if wanted is None or p.code in wanted]

    # ---- the local network -------------------------------------------------------------

    def routes(self) -> list[Route]:
        out = []
        for route in _list(self.evidence(check_ids.NETWORK).get("routes")):
            route = _map(route)
            if route.get("error") or not route.get("source_address"):
                continue
            out.append(Route(str(route.get("interface") or ""), _text(route.get("gateway")),
                             _text(route.get("source_address")), str(route.get("family") or "")))
        return out

    def default_route(self) -> Route | None:
        """The IPv4 default route if there is one (the clients' traffic), else IPv6's."""
        routes = self.routes()
        return next((r for r in routes if r.family == "ipv4"), routes[0] if routes else None)

    def gateways(self) -> set[str]:
        return {r.gateway for r in self.routes() if r.gateway}

    def interface_addresses(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for item in _list(self.evidence(check_ids.NETWORK).get("interfaces")):
            item = _map(item)
            if item.get("loopback") or not item.get("name"):
                continue
            out[str(item["name"])] = [str(a) for a in [*_list(item.get("ipv4")),
                                                        *_list(item.get("ipv6"))]]
        return out

    # ---- name resolution ---------------------------------------------------------------

    def dns_servers(self) -> list[str]:
        """The DNS servers this computer is configured with (as the dns check asked them)."""
        found: list[str] = []
        for answer in _list(self.evidence(check_ids.DNS).get("answers")):
            for server in _list(_map(_map(answer).get("direct")).get("servers")):
                if isinstance(server, str) and server not in found:
                    found.append(server)
        return found

    def server_answers(self) -> list[ServerAnswer]:
        """Each configured server's own answer per name and record type, asked directly."""
        out = []
        for answer in _list(self.evidence(check_ids.DNS).get("answers")):
            answer = _map(answer)
            host = str(answer.get("host") or "")
            direct = _map(answer.get("direct"))
            for rtype in ("A", "AAAA"):
                got = _map(direct.get(rtype))
                server = _text(got.get("server"))
                if server is None:
                    continue
                out.append(ServerAnswer(server, host, _text(got.get("error")), _number(got.get("ms")),
                                        tuple(str(a) for a in _list(got.get("addresses")))))
        return out

    def name_failures(self) -> dict[str, str]:
        """Name -> the system resolver's failure, for the names that did not resolve."""
        out = {}
        for answer in _list(self.evidence(check_ids.DNS).get("answers")):
            answer = _map(answer)
            if answer.get("error") and answer.get("host"):
                out[str(answer["host"])] = str(answer["error"])
        return out

    def dns_slowest_ms(self) -> float | None:
        times = [_number(_map(a).get("ms")) for a in _list(self.evidence(check_ids.DNS).get("answers"))
                 if not _map(a).get("error")]
        known = [t for t in times if t is not None]
        return max(known) if known else None

    def trusted_answers(self) -> dict[str, list[str]]:
        """Trusted resolver -> the addresses it gave (over every name); empty when it gave
        none. A resolver that never answered is left out."""
        out: dict[str, list[str]] = {}
        for record in _list(self.evidence(check_ids.DNS_POLLUTION).get("hosts")):
            for source in _list(_map(record).get("trusted")):
                source = _map(source)
                if not source.get("answered"):
                    continue
                got = out.setdefault(str(source.get("resolver")), [])
                got += [str(a) for a in _list(source.get("addresses")) if str(a) not in got]
        return out

    def trusted_resolvers(self) -> list[str]:
        return [str(s) for s in _list(self.evidence(check_ids.DNS_POLLUTION).get("sources"))]

    def decisions(self) -> list[Mapping[str, Any]]:
        return [_map(d) for d in _list(self.evidence(check_ids.DNS_POLLUTION).get("decisions"))]

    # ---- connections ---------------------------------------------------------------------

    def connects(self) -> list[Connect]:
        out = []
        for probe in _list(self.evidence(check_ids.TCP).get("probes")):
            probe = _map(probe)
            if probe.get("failure") == codes.NOT_RESOLVED:
                continue  # not a connect: the name did not resolve
            out.append(_connect(probe))
        return out

    def address_connects(self, host: str | None = None) -> list[Connect]:
        """The connect to every address of each server (of one, any case) on its main port."""
        return [_connect(r) for r in server_addresses.rows_of(self.evidence(check_ids.TCP), host)]

    def dead_addresses(self) -> list[Connect]:
        """Addresses that failed on a server's main port while another address of the same
        server and family worked (see shared.server_addresses)."""
        rows = server_addresses.rows_of(self.evidence(check_ids.TCP))
        return [_connect(r) for r in server_addresses.dead(rows)]

    def tls_probes(self) -> list[Mapping[str, Any]]:
        return [_map(p) for p in _list(self.evidence(check_ids.TLS).get("probes"))]

    def expected_issuers(self) -> list[str]:
        return [str(e) for e in _list(self.evidence(check_ids.TLS).get("expected_issuers"))]

    # ---- tunnels, proxies, programs ----------------------------------------------------

    def tunnels(self) -> list[Mapping[str, Any]]:
        return [_map(t) for t in _list(self.evidence(check_ids.VPN).get("tunnels"))]

    def tunnel_holding_default(self) -> Mapping[str, Any] | None:
        names = [str(n) for n in _list(self.evidence(check_ids.VPN).get("default_via_tunnel"))]
        return next((t for t in self.tunnels() if t.get("name") in names), None) if names else None

    def programs(self) -> list[str]:
        """VPN and proxy programs running (their labels: Clash, EasyConnect ...)."""
        names = []
        for proc in _list(self.evidence(check_ids.VPN).get("processes")):
            proc = _map(proc)
            label = _text(proc.get("label")) or _text(proc.get("name"))
            if label and label not in names:
                names.append(label)
        return names

    def proxies(self) -> list[Mapping[str, Any]]:
        return [_map(p) for p in _list(self.evidence(check_ids.PROXY).get("proxies"))]

    # ---- this computer -----------------------------------------------------------------

    def clock_offset_s(self) -> float | None:
        return _number(self.evidence(check_ids.CLOCK).get("offset_s"))

    def time_servers_answered(self) -> int:
        value = self.evidence(check_ids.CLOCK).get("answered")
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    # ---- sites that are not Tencent's ------------------------------------------------------

    def portal_url(self) -> str | None:
        return _text(self.evidence(check_ids.CAPTIVE).get("portal_url"))

    def control_probes_answered(self) -> list[str]:
        """Connectivity probes (not Tencent's) that gave the answer expected of them."""
        out = []
        for probe in _list(self.evidence(check_ids.CAPTIVE).get("probes")):
            probe = _map(probe)
            status, expected = probe.get("status"), probe.get("expected_status")
            if isinstance(status, int) and status == expected and not probe.get("failure"):
                out.append(str(probe.get("url") or ""))
        return out


def _connect(probe: Mapping[str, Any]) -> Connect:
    port = probe.get("port")
    return Connect(str(probe.get("host") or ""), port if isinstance(port, int) else None,
                   _text(probe.get("address")),
                   None if probe.get("ok") else str(probe.get("failure") or codes.TCP_TIMEOUT),
                   _number(probe.get("ms")), _map(probe.get("waited")) or None)


def names_of(items: Sequence[str], limit: int = 3) -> tuple[list[str], int]:
    """The first `limit` items and how many more there are."""
    unique = list(dict.fromkeys(items))
    return unique[:limit], max(0, len(unique) - limit)
