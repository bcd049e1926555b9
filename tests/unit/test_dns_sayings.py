"""The DNS causes' advice and their fix button, for each kind of server, on runs
recorded in the lab (its DNS server 10.201.2.53 and router 10.201.1.1, swapped for
the server of the kind each case needs): the button offered is the one that does what
the advice says, and none where changing this computer's DNS servers is not the
remedy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from checks.diagnosis.correlate import diagnose
from checks.engine.results import CheckResult, Problem, Status
from checks.shared.i18n import t
from tests.fixtures.evidence.recorded import recording, recordings

TUNNEL = {"tunnels": [{"name": "tun0", "addresses": ["10.201.99.2"]}],
          "default_via_tunnel": ["tun0"], "processes": []}  # constructed: a VPN holding the route


def results(scenario: str, swap: dict[str, str], vpn: dict[str, Any] | None = None
            ) -> list[CheckResult]:
    found = []
    for check in sorted(c for s, c in recordings() if s == scenario):
        text = json.dumps(recording(scenario, check))
        for old, new in swap.items():
            text = text.replace(f'"{old}"', f'"{new}"')
        record = json.loads(text)
        found.append(CheckResult(
            check, t(check, check), "", Status(record["status"]), t("", ""),
            evidence=record["evidence"], cause=record.get("cause"),
            problems=tuple(Problem(p["code"], p.get("host"), p.get("port"), p.get("address"))
                           for p in record["problems"])))
    if vpn is not None:
        found.append(CheckResult("vpn", t("vpn", "vpn"), "", Status.WARN, t("", ""), evidence=vpn))
    return found


ROUTER = {"10.201.1.1": "192.168.1.1", "10.201.2.53": "192.168.1.1"}
PROVIDER = {"10.201.2.53": "202.96.134.133"}
PUBLIC = {"10.201.2.53": "223.5.5.5"}
LOCAL = {}
VPN = {"10.201.2.53": "10.201.99.1"}
PROGRAM = {"10.201.2.53": "127.0.0.53"}
SWITCH = ("set_dns_servers",)


@pytest.mark.parametrize("scenario", ["dns_server_down", "dns_slow", "polluted_dns"])
@pytest.mark.parametrize(("swap", "vpn", "fixes", "says"), [
    (ROUTER, None, SWITCH, "Press Fix to set this computer's DNS servers to a public service"),
    (PROVIDER, None, SWITCH, "Press Fix to set this computer's DNS servers to a public service"),
    (PUBLIC, None, SWITCH, "Press Fix to set this computer's DNS servers back to automatic"),
    (LOCAL, None, (), "Copy for IT"),
    (VPN, TUNNEL, (), "disconnect the VPN"),
    (PROGRAM, None, (), "Restart or quit that program"),
], ids=["router", "provider", "public", "local_network", "vpn", "program"])
def test_the_button_does_what_the_advice_says(scenario: str, swap: dict[str, str],
                                               vpn: dict[str, Any] | None,
                                               fixes: tuple[str, ...], says: str) -> None:
    cause = diagnose(results(scenario, swap, vpn)).causes[0]
    assert cause.code in ("dns_failure", "dns_unreliable", "dns_pollution")
    assert cause.fixes == fixes, cause.advice.render("en")
    assert says in cause.advice.render("en")
    zh = cause.advice.render("zh")
    assert ("请按“修复”" in zh) == bool(fixes)
    if fixes:
        assert "flush_dns" not in cause.fixes  # a cache flush would change nothing


@pytest.mark.parametrize(("swap", "fixes"), [(ROUTER, SWITCH), (PUBLIC, SWITCH), (LOCAL, ()),
                                              (PROGRAM, ())])
def test_a_dns_filter_is_gone_around_only_where_the_fix_can(swap: dict[str, str],
                                                            fixes: tuple[str, ...]) -> None:
    cause = diagnose(results("adblock_dns", swap)).causes[0]
    assert cause.code == "dns_pollution"
    assert cause.fixes == fixes
    advice = cause.advice.render("en")
    assert ("Or: Press Fix" in advice) == bool(fixes)


def test_a_server_whose_direct_answers_came_too_late_is_named_from_getaddrinfo() -> None:
    """Only one DNS server is set and none of its direct answers is in the evidence (a
    busy machine): getaddrinfo had only that server to ask, so the names' failures are
    its failures, and the sentence still names it and how it failed."""
    found = results("dns_server_down", ROUTER)
    dns = next(r for r in found if r.id == "dns")
    for answer in dns.evidence["answers"]:
        answer["direct"] = {**answer["direct"], "A": None, "AAAA": None}
    cause = diagnose(found).causes[0]
    assert cause.code == "dns_failure"
    summary = cause.summary.render("en")
    assert "Your router (192.168.1.1)" in summary, summary
    assert "cannot be looked up" in summary
    assert cause.fixes == SWITCH
