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


# ---- broken and hostile servers: their answers are rejected, never believed -----------

HOSTILE = {
    "unsynchronised": ("ntp_unsynchronised", "unsynchronised"),
    "stratum16": ("ntp_unsynchronised", "bad_stratum"),
    "kiss": ("ntp_bad_reply", "kiss_of_death"),
    "zero_transmit": ("ntp_bad_reply", "zero_transmit"),
    "wrong_origin": ("ntp_bad_reply", "origin_mismatch"),
    "garbage": ("ntp_bad_reply", None),  # random bytes: usually "not a server reply"
    "short": ("ntp_bad_reply", "short_packet"),
    "ancient": ("ntp_bad_reply", "absurd_server_time"),
    "backwards": ("ntp_bad_reply", "inconsistent_timestamps"),
}


@pytest.mark.parametrize("mode", sorted(HOSTILE))
def test_invalid_replies_are_rejected(lab: Lab, mode: str) -> None:
    # Two such servers, so without validation the median would make the light red.
    servers = [start_ntp(lab, 197 * 86400, mode=mode) for _ in range(2)]
    result = _clock(lab, servers)
    assert result["status"] == "error", result
    assert result["cause"] is None and result["evidence"]["offset_s"] is None
    failure, reason = HOSTILE[mode]
    rows = result["evidence"]["servers"]
    assert [r["failure"] for r in rows] == [failure, failure]
    if reason is not None:
        assert [r["reason"] for r in rows] == [reason, reason]
    assert "not valid" in result["i18n"]["en"]["summary"]
    assert "无效" in result["i18n"]["zh"]["summary"]


def test_a_spoofed_reply_is_skipped_for_the_real_one(lab: Lab) -> None:
    result = _clock(lab, [start_ntp(lab, 300, mode="spoof_first"), start_ntp(lab, 300)])
    assert result["status"] == "fail", result
    assert [r["ok"] for r in result["evidence"]["servers"]] == [True, True]


def test_one_server_alone_cannot_make_the_clock_red(lab: Lab) -> None:
    far = start_ntp(lab, 197 * 86400)  # a valid-looking reply, 197 days ahead
    result = _clock(lab, [far, "10.201.2.250"])  # nobody answers at the second one
    assert result["status"] == "warn", result
    assert result["cause"] == "clock_skew"
    en = result["i18n"]["en"]["summary"]
    assert "One time server says the clock is 197.0 days behind" in en
    assert "no second server confirms it (1 of 2 answered" in en
    assert "没有第二个服务器证实" in result["i18n"]["zh"]["summary"]


def test_one_far_server_against_a_right_one_is_only_a_warning(lab: Lab) -> None:
    result = _clock(lab, [start_ntp(lab, 0), start_ntp(lab, 197 * 86400)])
    assert result["status"] == "warn", result  # median of two is 98 days: red before
    assert result["evidence"]["answered"] == 2
