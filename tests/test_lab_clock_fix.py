"""The clock fix's own measurement, against real NTP servers in the lab: what the elevated
helper re-derives (never the journal's number) and what it decides from it. The clock of
this machine is never set: SetSystemTime exists only on Windows, and the Windows step
around it is tested in tests/fixes/test_clock_fix.py."""

from __future__ import annotations

import json
import sys

from tests.lab import Lab
from tests.lab.services import start_ntp
from tests.lab.topology import REPO_ROOT

SILENT = "10.201.2.250"  # no server there


def _decide(lab: Lab, servers: list[str]) -> dict:
    code = (
        "import json\n"
        "from checks.fixes import clock_setting as c\n"
        f"answers = c.measure({servers!r}, 1.5)\n"
        f"d = c.decide(answers, {len(servers)}, c.Limits())\n"
        "print(json.dumps({'mode': d.mode, 'offset': d.offset_s, 'servers': d.servers,"
        " 'answered': [a.server for a in answers], 'peers': c.peer_list(d.answers)}))\n"
    )
    proc = lab.client.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=False, timeout=20)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_twenty_hours_off_two_servers_agree_the_time_is_set(lab: Lab) -> None:
    a, b = start_ntp(lab, 20 * 3600), start_ntp(lab, 20 * 3600)
    result = _decide(lab, [a, b, SILENT])
    assert result["mode"] == "set"
    assert abs(result["offset"] - 72000) < 2
    assert result["answered"] == [a, b] and result["servers"] == [a, b]  # the silent one left out
    assert result["peers"] == f"{a},0x8 {b},0x8"


def test_ten_minutes_off_is_left_to_the_time_service(lab: Lab) -> None:
    a, b = start_ntp(lab, 600), start_ntp(lab, 600)
    result = _decide(lab, [a, b])
    assert result["mode"] == "resync" and abs(result["offset"] - 600) < 2


def test_one_server_a_year_off_against_a_right_one_sets_nothing(lab: Lab) -> None:
    """A broken or hostile server alone cannot move the clock by a year."""
    right, far = start_ntp(lab, 0), start_ntp(lab, 365 * 86400)
    result = _decide(lab, [far, right])
    assert result["mode"] != "set"
    assert result["answered"] == [far, right]


def test_an_unsynchronised_server_is_not_an_answer(lab: Lab) -> None:
    bad = start_ntp(lab, 20 * 3600, mode="unsynchronised")
    good_a, good_b = start_ntp(lab, 20 * 3600), start_ntp(lab, 20 * 3600)
    result = _decide(lab, [bad, good_a, good_b])
    assert result["answered"] == [good_a, good_b] and result["mode"] == "set"
