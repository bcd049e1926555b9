"""Which failure a name without any address gets, from what each source said (pure: the
lookup's recorded answers, no network)."""

from __future__ import annotations

from typing import Any

import pytest

from checks.engine.config import Config
from checks.engine.context import make_context
from checks.probes import system_dns
from checks.probes.dns_wire import MAX_ADDRESSES, capped


def _lookup(direct: dict[str, list[str | None]], gai: dict[str, str | None]) -> Any:
    lookup = system_dns._Lookup(make_context(Config()), "login.example")
    lookup.servers = ["10.0.0.53"]
    for rtype, errors in direct.items():
        lookup.direct[rtype] = [{"server": "10.0.0.53", "addresses": [], "error": e}
                                for e in errors]
    for rtype, error in gai.items():
        lookup.system[rtype] = {"addresses": [], "error": error, "ms": 5.0}
    return lookup


@pytest.mark.parametrize(("direct", "gai", "failure"), [
    # The server answered both families without records: the name has no address.
    ({"A": [None], "AAAA": [None]}, {}, "dns_no_answer"),
    # An empty AAAA says nothing about A, which never came: not "no address".
    ({"A": [], "AAAA": [None]}, {"AAAA": "dns_nxdomain_or_nodata"}, "dns_timeout"),
    ({"A": ["dns_timeout"], "AAAA": [None]}, {"AAAA": "dns_nxdomain_or_nodata"}, "dns_timeout"),
    # NXDOMAIN is about the name: one family says it for both.
    ({"A": [], "AAAA": ["dns_nxdomain"]}, {}, "dns_nxdomain"),
    # getaddrinfo's "no such name or record" for both families, no server said more.
    ({}, {"A": "dns_nxdomain_or_nodata", "AAAA": "dns_nxdomain_or_nodata"}, "dns_nxdomain"),
    ({}, {"A": "dns_nxdomain_or_nodata", "AAAA": "dns_timeout"}, "dns_timeout"),
    # An unusable answer is an answer: not silence, and not a nonexistent name.
    ({"A": ["dns_bad_response"], "AAAA": ["dns_bad_response"]},
     {"A": "dns_nxdomain_or_nodata", "AAAA": "dns_nxdomain_or_nodata"}, "dns_bad_response"),
])
def test_the_failure_of_a_name(direct: dict[str, list[str | None]], gai: dict[str, str | None],
                               failure: str) -> None:
    assert _lookup(direct, gai)._failure() == failure


def test_a_long_address_list_keeps_its_lowest_part() -> None:
    addresses = [f"10.0.{i // 200}.{i % 200}" for i in range(4000)][::-1]
    kept = capped(addresses)
    assert len(kept) == MAX_ADDRESSES and kept[0] == "10.0.0.0" and kept == capped(addresses[::-1])
    assert capped(["10.0.0.9", "10.0.0.1"]) == ["10.0.0.9", "10.0.0.1"]  # short: as given


def test_a_server_asked_late_is_waited_for_as_long_as_the_system_lookup_took() -> None:
    """The system's lookup answered after 0.6 s; the server's own questions left 0.5 s
    later than its (dnspython still loading) and are answered as slowly. Its answer is
    still part of the name's evidence: it is what shows a slow server (dns_slow)."""
    import threading
    import time

    lookup = system_dns._Lookup(make_context(Config()), "login.example")
    lookup.servers = ["10.0.0.53"]
    lookup.asked_at = time.monotonic() - 0.1  # asked 0.5 s after the system's lookup began

    def answers() -> None:
        time.sleep(0.5)  # 0.6 s after they were asked, as slow as the system's lookup
        for rtype in ("A", "AAAA"):
            lookup._store(lambda r=rtype: lookup.direct[r].append(
                {"server": "10.0.0.53", "addresses": ["10.0.0.1"] if r == "A" else [],
                 "error": None, "ms": 600.0, "rtt_ms": 600.0}))

    threading.Thread(target=answers, daemon=True).start()
    answer = {"host": "login.example", "error": None, "ms": 600.0,
              "A": {"addresses": ["10.0.0.1"]}, "AAAA": {"addresses": []}}
    lookup._hold_asks(0.6)  # as run() does once the system's lookup answered
    assert lookup.wait.left() > 0.7  # the questions to the server go on
    out = lookup.with_servers(answer, 0.3)  # the grace alone would end after 0.3 s
    assert out["direct"]["A"] is not None and out["direct"]["A"]["rtt_ms"] == 600.0, out
