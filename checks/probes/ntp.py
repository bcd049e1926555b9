"""One SNTP query (RFC 4330 / 5905 client mode), with the reply checked before use.

A reply is only a measurement when it answers *our* request (its origin timestamp
is the transmit timestamp we sent, whose fraction is random) and the server says it is
synchronised. Garbage, a server that lost its own time (leap indicator 3, stratum
0 "kiss-o'-death" or above 15), a zero transmit time, timestamps that contradict
each other or a server time before this program existed are rejected with a short
stable reason, never turned into "the clock is 197 days ahead". ntplib lays out
the packets; its own client trusts whatever origin timestamp comes back.
"""

from __future__ import annotations

import secrets
import socket
import time
from dataclasses import dataclass
from typing import Any

import ntplib

from checks.engine import codes
from checks.engine.path_wait import Wait, as_wait

NTP_PORT = 123
LOOK_AGAIN_S = 0.05  # how often a waiting query looks at its live wait again
PACKET_SIZE = 48
_NTP_TO_UNIX = 2208988800  # seconds from 1900-01-01 to 1970-01-01
_ERA = 2**32
_TRANSMIT = slice(40, 48)
# A server claiming a time before 2024 or after 2100 is broken, whatever our clock says
# (a local clock reset to 2000 by a flat CMOS battery is a real case; a server there is not).
EARLIEST_SERVER_TIME = 1704067200.0  # 2024-01-01T00:00:00Z
LATEST_SERVER_TIME = 4102444800.0  # 2100-01-01T00:00:00Z
# Timestamps are read at different moments in different clocks: allow this much slack.
_SLACK_S = 0.05
_MODE_CLIENT, _MODE_SERVER = 3, 4

# Why a reply is not a measurement (the `reason` in the evidence).
UNSYNCHRONISED = "unsynchronised"  # leap indicator 3: the server has no time itself
BAD_STRATUM = "bad_stratum"  # stratum above 15: not synchronised either
KISS_OF_DEATH = "kiss_of_death"  # stratum 0: the server refuses (RATE, DENY...)
ZERO_TRANSMIT = "zero_transmit"
ORIGIN_MISMATCH = "origin_mismatch"  # not an answer to the request we sent
NOT_A_SERVER = "not_a_server_reply"
SHORT = "short_packet"
INCONSISTENT = "inconsistent_timestamps"
ABSURD_TIME = "absurd_server_time"
_UNSYNCHRONISED_REASONS = (UNSYNCHRONISED, BAD_STRATUM)


class InvalidReply(ValueError):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Reading:
    offset_s: float  # add this to the local clock to be right
    delay_s: float
    stratum: int


def request_packet(now: float | None = None) -> bytes:
    """A client request (version 3) stamped with the current second and a random fraction,
    so an answer to it can be told from any other datagram."""
    seconds = int(time.time() if now is None else now) + _NTP_TO_UNIX
    stamp = seconds % _ERA + secrets.randbits(32) / 2**32
    packet: bytes = ntplib.NTPPacket(mode=_MODE_CLIENT, version=3, tx_timestamp=stamp).to_data()
    return packet


def transmit_of(request: bytes) -> bytes:
    return request[_TRANSMIT]


def ntp_to_unix(ntp_time: float) -> float:
    """An NTP timestamp as Unix time; era 1 (from 2036) when the top bit is clear."""
    return ntp_time + (_ERA if ntp_time < 2**31 else 0) - _NTP_TO_UNIX


def parse_reply(data: bytes, transmit: bytes, sent_at: float, received_at: float) -> Reading:
    """The measurement in a reply to the request that carried `transmit`.

    `sent_at` / `received_at` are the local clock (time.time()) around the exchange.
    Raises InvalidReply with the reason for anything that is not a valid answer.
    """
    if len(data) < PACKET_SIZE:
        raise InvalidReply(SHORT, f"{len(data)} bytes")
    reply = ntplib.NTPPacket()
    reply.from_data(data)
    if reply.mode != _MODE_SERVER:
        raise InvalidReply(NOT_A_SERVER, f"mode {reply.mode}")
    if data[24:32] != transmit:  # the origin timestamp, compared as the bytes we sent
        raise InvalidReply(ORIGIN_MISMATCH)
    if reply.stratum == 0:
        raise InvalidReply(KISS_OF_DEATH, data[12:16].decode("ascii", "replace").strip("\0"))
    if reply.leap == 3:
        raise InvalidReply(UNSYNCHRONISED)
    if reply.stratum > 15:
        raise InvalidReply(BAD_STRATUM, str(reply.stratum))
    if data[_TRANSMIT] == bytes(8):
        raise InvalidReply(ZERO_TRANSMIT)
    received, transmitted = ntp_to_unix(reply.recv_timestamp), ntp_to_unix(reply.tx_timestamp)
    for value in (received, transmitted):
        if not EARLIEST_SERVER_TIME <= value <= LATEST_SERVER_TIME:
            raise InvalidReply(ABSURD_TIME, time.strftime("%Y-%m-%d", time.gmtime(value)))
    held = transmitted - received  # time the server says it held our request
    delay = (received_at - sent_at) - held
    if held < -_SLACK_S or delay < -_SLACK_S:
        raise InvalidReply(INCONSISTENT, f"held {held:.3f} s, delay {delay:.3f} s")
    offset = ((received - sent_at) + (transmitted - received_at)) / 2
    return Reading(offset_s=offset, delay_s=max(0.0, delay), stratum=reply.stratum)


def failure_of(reason: str) -> str:
    return codes.NTP_UNSYNCHRONISED if reason in _UNSYNCHRONISED_REASONS else codes.NTP_BAD_REPLY


def query(host: str, port: int, timeout: float | Wait, server: str | None = None
          ) -> dict[str, Any]:
    """Ask one server; {"server", "ok", "offset_s", "delay_s", "stratum", "failure", "reason"},
    and "waited" when no answer came (the wait and why, engine.path_wait).

    Replies that do not answer our request (another origin) are skipped until the
    timeout; any other invalid reply ends the query with its reason. `timeout` may be a
    live wait, looked at again while no reply comes.
    """
    result: dict[str, Any] = {"server": server or host, "ok": False, "offset_s": None,
                              "delay_s": None, "stratum": None, "failure": None, "reason": None}
    wait = as_wait(timeout)
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_DGRAM)[0]
    except (socket.gaierror, UnicodeError):
        result["failure"] = codes.NTP_NOT_RESOLVED
        return result
    request = request_packet()
    transmit = transmit_of(request)
    try:
        with socket.socket(family, kind, proto) as sock:
            sock.connect(address)  # the kernel drops datagrams from anyone else
            sent_at = time.time()
            sock.send(request)
            while True:
                remaining = wait.left()
                if remaining <= 0:
                    raise TimeoutError
                sock.settimeout(min(remaining, LOOK_AGAIN_S))
                try:
                    data = sock.recv(1024)
                except TimeoutError:
                    continue  # the live wait is looked at again
                received_at = time.time()
                try:
                    reading = parse_reply(data, transmit, sent_at, received_at)
                except InvalidReply as bad:
                    result["reason"] = bad.reason
                    if bad.reason in (ORIGIN_MISMATCH, NOT_A_SERVER, SHORT):
                        continue  # not (a whole) answer to us: the real one may follow
                    result["failure"] = failure_of(bad.reason)
                    return result
                result.update(ok=True, offset_s=round(reading.offset_s, 3), reason=None,
                              delay_s=round(reading.delay_s, 3), stratum=reading.stratum)
                return result
    except TimeoutError:
        # Only replies that were not ours came: say so rather than "no answer".
        result["failure"] = codes.NTP_BAD_REPLY if result["reason"] else codes.NTP_TIMEOUT
        if not result["reason"]:
            result["waited"] = wait.said()
    except OSError:
        result["failure"] = codes.NTP_UNREACHABLE
    return result
