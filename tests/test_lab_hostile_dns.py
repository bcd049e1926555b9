"""DNS servers that answer badly (tests/lab/hostile_dns.py): garbage bytes, answers to
another question, a truncated answer with TCP closed, an answer cut in half, and 4,000
A records. Both the system's resolver and the trusted one behave so; a time server
answers. The doctor must name what the DNS servers did, never call the computer
offline, and keep its report small."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.lab import Lab
from tests.lab.hostile_dns import MANY
from tests.lab.services import start_ntp

SCRIPT = Path(__file__).resolve().parent / "lab" / "hostile_dns.py"
NAME = "login.wecom.lab.test"


def _run(lab: Lab, mode: str) -> dict[str, Any]:
    lab.stop_dns()  # the system's resolver address now answers as the mode says
    lab.spawn_server(SCRIPT, "--addr", lab.dns_ip, "--mode", mode, listen=[("udp", 53)],
                     addr=lab.dns_ip)
    trusted = lab.add_address()
    lab.spawn_server(SCRIPT, "--addr", trusted, "--mode", mode, listen=[("udp", 53)],
                     addr=trusted)
    ntp = start_ntp(lab)
    config = {"deadline_s": 8,
              "endpoints": [{"host": NAME, "ports": [443], "product": "wecom"}],
              "dns": {"trusted_resolvers": [trusted], "timeout_s": 2.0},
              "ntp": {"servers": [ntp]}}
    report, _, stderr = lab.check_json(config, "--only", "network,dns,dns_pollution,tcp,clock")
    assert report.get("schema") == "wxdoctor.report/1", stderr
    return report


def _check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["id"] == check_id)


@pytest.mark.parametrize(("mode", "bad"), [("garbage", "garbage"), ("wrong_id", "wrong_id"),
                                           ("truncated", "truncated"), ("cut", "garbage")])
def test_unusable_dns_answers_are_named_and_are_not_offline(lab: Lab, mode: str,
                                                             bad: str) -> None:
    report = _run(lab, mode)
    dns = _check(report, "dns")
    [answer] = dns["evidence"]["answers"]
    assert (dns["status"], answer["error"]) == ("fail", "dns_bad_response"), answer
    direct = answer["direct"]["A"]
    assert direct["error"] == "dns_bad_response" and direct["bad"].get(bad, 0) >= 1, direct
    assert "could not be used" in dns["summary"]
    assert _check(report, "clock")["evidence"]["answered"] == 1
    assert report["diagnosis"]["primary"] == "dns_failure"
    assert "offline" not in [c["code"] for c in report["diagnosis"]["causes"]]


def test_four_thousand_records_resolve_and_the_report_stays_small(lab: Lab) -> None:
    report = _run(lab, "many")
    [answer] = _check(report, "dns")["evidence"]["answers"]
    assert answer["error"] is None and 0 < len(answer["A"]["addresses"]) <= 64
    assert answer["A"]["addresses"] == sorted(answer["A"]["addresses"],
                                              key=lambda a: tuple(map(int, a.split("."))))
    # The trusted resolver's list is kept the same way, so the two agree.
    assert _check(report, "dns_pollution")["status"] == "ok"
    # 4,000 addresses would take more than 12 characters each.
    assert len(json.dumps(report)) < 40_000 < 12 * MANY
