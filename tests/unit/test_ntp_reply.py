"""NTP replies are checked before they count, and one server cannot make the clock red."""

from __future__ import annotations

import struct

import pytest

from checks.catalog.clock import assess_clock, parse_server
from checks.engine.config import NtpConfig
from checks.engine.results import Status
from checks.probes import ntp

NOW = 1767225600.0  # 2026-01-01
LIMITS = NtpConfig(warn_offset_s=30.0, fail_offset_s=180.0)


def _stamp(t: float) -> bytes:
    seconds = int(t) + 2208988800
    return struct.pack("!II", seconds % 2**32, int((t % 1) * 2**32))


def _reply(request: bytes, server_time: float, leap: int = 0, stratum: int = 2,
           mode: int = 4, origin: bytes | None = None, held: float = 0.001) -> bytes:
    header = struct.pack("!BBbb", (leap << 6) | (3 << 3) | mode, stratum, 6, -20)
    return (header + bytes(8) + b"GPS\0" + _stamp(server_time)
            + (request[40:48] if origin is None else origin)
            + _stamp(server_time) + _stamp(server_time + held))


def test_a_good_reply_gives_offset_and_delay() -> None:
    request = ntp.request_packet(NOW)
    reading = ntp.parse_reply(_reply(request, NOW + 300.05), ntp.transmit_of(request),
                              NOW, NOW + 0.1)
    assert reading.offset_s == pytest.approx(300.0, abs=0.01)
    assert reading.delay_s == pytest.approx(0.099, abs=0.01)
    assert reading.stratum == 2


def test_requests_differ_so_old_replies_do_not_match() -> None:
    first, second = ntp.request_packet(NOW), ntp.request_packet(NOW)
    assert first[0] == 0x1B and len(first) == 48  # LI 0, version 3, client
    assert ntp.transmit_of(first) != ntp.transmit_of(second)


@pytest.mark.parametrize(("changes", "reason"), [
    ({"leap": 3}, "unsynchronised"),
    ({"stratum": 0}, "kiss_of_death"),
    ({"stratum": 16}, "bad_stratum"),
    ({"mode": 3}, "not_a_server_reply"),
    ({"origin": b"\x01" * 8}, "origin_mismatch"),
    ({"server_time": 631152000.0}, "absurd_server_time"),  # 1990
    ({"server_time": 4200000000.0}, "absurd_server_time"),  # 2103
    ({"held": -30.0}, "inconsistent_timestamps"),  # sent before it was received
    ({"held": 5.0}, "inconsistent_timestamps"),  # held longer than the round trip
])
def test_invalid_replies_are_rejected(changes: dict, reason: str) -> None:  # type: ignore[type-arg]
    request = ntp.request_packet(NOW)
    args = {"server_time": NOW + 17_000_000.0, **changes}
    with pytest.raises(ntp.InvalidReply) as caught:
        ntp.parse_reply(_reply(request, **args), ntp.transmit_of(request), NOW, NOW + 0.1)
    assert caught.value.reason == reason


def test_zero_transmit_and_short_packets() -> None:
    request = ntp.request_packet(NOW)
    zero = _reply(request, NOW)[:40] + bytes(8)
    for data, reason in ((zero, "zero_transmit"), (_reply(request, NOW)[:47], "short_packet")):
        with pytest.raises(ntp.InvalidReply) as caught:
            ntp.parse_reply(data, ntp.transmit_of(request), NOW, NOW + 0.1)
        assert caught.value.reason == reason
    assert ntp.failure_of("unsynchronised") == "ntp_unsynchronised"
    assert ntp.failure_of("origin_mismatch") == "ntp_bad_reply"


def test_era_one_timestamps_after_2036() -> None:
    assert ntp.ntp_to_unix(5.0) == pytest.approx(2**32 + 5 - 2208988800)


def test_server_port_is_ascii_digits() -> None:
    assert parse_server("time.corp:²") == ("time.corp:²", 123)  # int("²") raised before
    assert parse_server("[fd00::1]:١٢٤") == ("fd00::1", 123)
    assert parse_server("time.corp:0") == ("time.corp:0", 123)


def _servers(*offsets: float | None) -> dict:  # type: ignore[type-arg]
    rows = [{"server": f"s{i}", "ok": o is not None, "offset_s": o,
             "failure": None if o is not None else "ntp_timeout"} for i, o in enumerate(offsets)]
    good = sorted(o for o in offsets if o is not None)
    median = (good[len(good) // 2] + good[(len(good) - 1) // 2]) / 2 if good else None
    return {"servers": rows, "answered": len(good), "asked": len(rows), "offset_s": median,
            "timezone": {"name": "Asia/Shanghai", "utc_offset": "+08:00"}}


def test_red_needs_two_servers_that_agree() -> None:
    assert assess_clock(_servers(300.0, 310.0), LIMITS).status is Status.FAIL
    alone = assess_clock(_servers(300.0, None), LIMITS)
    assert (alone.status, alone.cause) == (Status.WARN, "clock_skew")
    assert "no second server confirms it (1 of 2 answered" in alone.summary.render("en")
    # One far server and one right one: the median is far, but only one says so.
    assert assess_clock(_servers(0.0, 17_000_000.0), LIMITS).status is Status.WARN
    # Opposite directions do not agree with each other.
    assert assess_clock(_servers(-900.0, 900.0, 900.0), LIMITS).status is Status.FAIL
    assert assess_clock(_servers(-900.0, -900.0, 900.0), LIMITS).status is Status.FAIL
    assert assess_clock(_servers(-900.0, 0.0, 900.0), LIMITS).status is Status.OK


def test_only_invalid_answers_say_so() -> None:
    evidence = _servers(None, None)
    evidence["servers"][0]["failure"] = "ntp_unsynchronised"
    verdict = assess_clock(evidence, LIMITS)
    assert verdict.status is Status.ERROR
    assert "not valid" in verdict.summary.render("en") and "无效" in verdict.summary.render("zh")
