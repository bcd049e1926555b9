"""Waits scaled to the measured path, and the verdict as soon as it is certain, on the
lab as a user's machine has it (the product's timeouts, `matrix_world`).

Nothing here is timed: the waits are read from the evidence each probe records when
it gives up ("waited": the seconds, the round trip it followed, what answered it).
The benchmark (tests/bench/bench.py) measures the wall times.
"""

from __future__ import annotations

from typing import Any

from checks.engine.path_wait import RULES
from tests.lab import Lab
from tests.lab import faults as lab_faults
from tests.test_lab_diagnosis_matrix import LOGIN, drop_443, matrix_world, run_full


def _checks(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in report["checks"]}


def _dropped_443_waits(report: dict[str, Any]) -> list[dict[str, Any]]:
    probes = _checks(report)["tcp"]["evidence"]["probes"]
    waits = [p["waited"] for p in probes if p["port"] == 443 and not p["ok"]]
    assert waits and len(waits) == len([p for p in probes if p["port"] == 443]), probes
    return waits


def test_a_dropped_port_on_a_fast_path_waits_a_fraction_of_the_timeout(lab: Lab) -> None:
    world = matrix_world(lab)
    drop_443(lab, world)
    report, _rc = run_full(lab, world)
    assert report["diagnosis"]["primary"] == "tcp_blocked"
    for waited in _dropped_443_waits(report):
        # The configured 3 s stays the ceiling; the lab answers within milliseconds,
        # so the wait is the floor a hedged resend needs.
        assert waited["ceiling_s"] == 3.0
        assert waited["rtt_ms"] is not None and waited["rtt_ms"] < 100, waited
        assert waited["s"] <= 1.5, waited
    en = _checks(report)["tcp"]
    assert any(p.get("waited") for p in en["evidence"]["probes"])


def test_the_same_fault_on_a_slow_path_waits_longer(lab: Lab) -> None:
    """300 ms round trips (and 3 % loss): ten round trips is the configured 3 s."""
    world = matrix_world(lab)
    lab_faults.slow_path_300ms(lab, world)
    drop_443(lab, world)
    report, _rc = run_full(lab, world)
    assert report["diagnosis"]["primary"] == "tcp_blocked"
    for waited in _dropped_443_waits(report):
        assert waited["rtt_ms"] is not None and waited["rtt_ms"] >= 250, waited
        assert waited["s"] == 3.0, waited


def test_slow_path_ten_runs_in_a_row_without_a_red_light(lab: Lab) -> None:
    """One lost packet on a 300 ms path with 3 % loss is never a red light, with the
    waits scaled as they are (the slow path is measured, so they stay long)."""
    world = matrix_world(lab)
    lab_faults.slow_path_300ms(lab, world)
    for run in range(10):
        report, rc = run_full(lab, world)
        red = {c["id"]: [p["code"] for p in c["problems"]] for c in report["checks"]
               if c["status"] == "fail"}
        assert not red and rc in (0, 1), (run, red)
        assert report["diagnosis"]["primary"] in ("slow_network", "healthy"), (run, report[
            "diagnosis"]["primary"])


def test_heavy_loss_on_a_fast_path_keeps_its_verdict_and_leaves_room_for_resends(
        lab: Lab) -> None:
    """25 % of packets lost both ways on a path answering in milliseconds: the waits start
    at their floors, and once a connect or a DNS answer shows a packet was lost they
    leave room for resends (at the floors one run in four had a red connect, name or
    handshake that was still coming; now about one in twenty, which the benchmark's
    runs show, not this test). Every probe that gave up once loss was known waited the
    room it was given."""
    world = matrix_world(lab)
    lab_faults.loss_25(lab, world)
    for run in range(4):
        report, _rc = run_full(lab, world)
        assert report["diagnosis"]["primary"] == "slow_network", (run, report["diagnosis"])
        for check in report["checks"]:
            for record in check["evidence"].get("probes") or check["evidence"].get("answers") \
                    or []:
                said = record.get("waited") if isinstance(record, dict) else None
                if said and said.get("lost"):
                    kind = {"tcp": "tcp", "tls": "tls", "dns": "dns"}.get(check["id"])
                    if kind:
                        room = min(said["ceiling_s"], RULES[kind].lossy_floor_s or 0)
                        assert said["s"] >= room - 0.05, (run, check["id"], said)


def test_a_silent_dns_server_is_given_up_at_the_paths_pace(lab: Lab) -> None:
    """The system's DNS server answers nothing at all while the trusted one answers in
    milliseconds: each name is given up well before the configured time."""
    world = matrix_world(lab)
    for proto in ("udp", "tcp"):
        lab.drop(lab.dns_ip, 53, proto)
    report, _rc = run_full(lab, world)
    assert report["diagnosis"]["primary"] == "dns_failure"
    answers = _checks(report)["dns"]["evidence"]["answers"]
    for answer in answers:
        waited = answer["waited"]
        assert waited["from"] != "dns_server_working" and waited["rtt_ms"] is not None, waited
        assert waited["s"] < waited["ceiling_s"], waited


def test_a_slow_dns_server_that_answers_is_waited_for(lab: Lab) -> None:
    """A server that answers the liveness question at once but every name only after
    2.5 s is asking further, not gone: its answers are waited for (the configured time)
    and the verdict is a slow DNS server, not a dead one."""
    world = matrix_world(lab)
    lab_faults.dns_slow(lab, world)
    report, _rc = run_full(lab, world)
    assert report["diagnosis"]["primary"] == "dns_unreliable"
    assert all(not a.get("error") for a in _checks(report)["dns"]["evidence"]["answers"])


def test_the_run_ends_once_the_cause_is_certain(lab: Lab) -> None:
    """A name that does not exist is a DNS failure at once; the time server is silent,
    and nothing it could say would change that: the run does not wait for it, the
    clock check is 'not needed' (grey), and the JSON says so."""
    world = matrix_world(lab)
    lab.nxdomain(LOGIN)
    world.trusted_dns.nxdomain(LOGIN)
    ntp = world.config["ntp"]["servers"][0]
    lab.drop(ntp, 123, "udp")
    report, rc = run_full(lab, world)
    assert report["diagnosis"]["primary"] == "dns_failure" and rc == 2
    decided = report["decided_early"]
    assert decided["cause"] == "dns_failure" and "clock" in decided["not_needed"], decided
    clock = _checks(report)["clock"]
    assert clock["status"] == "skipped" and not clock["problems"]
    assert clock["evidence"] == {"not_needed": {"cause": "dns_failure",
                                                "after_s": decided["after_s"]}}
    assert clock["i18n"]["zh"]["summary"].startswith("无需检测")
    # --complete waits for every check: the clock's silence is then measured too.
    report, _rc = run_full(lab, world, extra=("--complete",))
    assert "decided_early" not in report
    assert _checks(report)["clock"]["status"] != "skipped"


def test_when_nothing_answers_at_all_each_wait_is_the_floor(lab: Lab) -> None:
    """Every packet dropped: nothing is ever measured, so no probe can learn the path's
    pace. Each gives up at its floor (not the configured timeout): on a path that works
    something answers within it, and the verdict (offline) is the same."""
    world = matrix_world(lab)
    lab.blackhole()
    report, _rc = run_full(lab, world)
    assert report["diagnosis"]["primary"] == "offline"
    answers = _checks(report)["dns"]["evidence"]["answers"]
    assert answers
    for answer in answers:
        waited = answer["waited"]
        assert waited["rtt_ms"] is None and waited["from"] is None, waited
        assert waited["s"] == 1.0 < waited["ceiling_s"], waited
