"""Clock check against real NTP servers in the lab."""

from __future__ import annotations

import pytest

from tests.lab import Lab
from tests.lab.services import result_of, start_ntp


def _clock(lab: Lab, servers: list[str]) -> dict:
    report, _rc, _err = lab.check_json(
        {"deadline_s": 6, "endpoints": [], "ntp": {"servers": servers, "timeout_s": 1.5}},
        "--only", "clock")
    return result_of(report, "clock")


@pytest.mark.parametrize(("offset", "status"), [(300, "fail"), (40, "warn"), (-40, "warn")])
def test_skewed_clock(lab: Lab, offset: float, status: str) -> None:
    a = start_ntp(lab, offset)
    b = start_ntp(lab, offset)
    result = _clock(lab, [a, f"{b}:123"])
    assert result["status"] == status, result
    assert result["cause"] == "clock_skew"
    assert result["fixes"] == ["resync_clock"]
    assert result["evidence"]["answered"] == 2
    assert abs(result["evidence"]["offset_s"] - offset) < 2


def test_healthy_clock_with_custom_port(lab: Lab) -> None:
    good = start_ntp(lab, 0, port=10123)
    lab.dns.set("time.lab.test", a=good)
    result = _clock(lab, ["time.lab.test:10123", "10.201.2.250"])  # second one: nobody there
    assert result["status"] == "ok", result
    ev = result["evidence"]
    assert ev["answered"] == 1 and ev["asked"] == 2
    assert abs(ev["offset_s"]) < 2
    assert ev["timezone"]["utc_offset"].startswith(("+", "-"))


def test_median_outvotes_one_bad_server(lab: Lab) -> None:
    servers = [start_ntp(lab, 0), start_ntp(lab, 0), start_ntp(lab, 3600)]
    result = _clock(lab, servers)
    assert result["status"] == "ok", result


def test_blocked_ntp_is_grey(lab: Lab) -> None:
    addr = start_ntp(lab, 300)
    lab.drop(addr, 123, proto="udp")
    result = _clock(lab, [addr])
    assert result["status"] == "error", result
    assert result["cause"] is None
    assert result["problems"][0]["code"] == "ntp_timeout"
