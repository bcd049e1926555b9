"""A tiny NTP server for the lab: answers every client request with its own clock
shifted by --offset seconds (so the client appears that far off), or, with --mode,
the way a broken or hostile server does.

    python ntp_server.py --addr 10.201.2.123 --port 123 --offset 300 [--mode MODE]

Modes: good (default); unsynchronised (leap indicator 3, as a server that lost its
own time sends); kiss (stratum 0 "RATE" kiss-o'-death); stratum16; zero_transmit;
wrong_origin (an origin timestamp that is not the request's); garbage (48 random
bytes); short (20 bytes); ancient (a valid-looking reply dated 1990); backwards
(transmitted before received); spoof_first (a wrong-origin reply, then the good one).
"""

from __future__ import annotations

import argparse
import os
import socket
import struct
import time

NTP_EPOCH = 2208988800  # 1900-01-01 -> 1970-01-01
MODES = ("good", "unsynchronised", "kiss", "stratum16", "zero_transmit", "wrong_origin",
         "garbage", "short", "ancient", "backwards", "spoof_first")


def to_ntp(t: float) -> bytes:
    seconds = int(t) + NTP_EPOCH
    fraction = int((t - int(t)) * 2**32) & 0xFFFFFFFF
    return struct.pack("!II", seconds & 0xFFFFFFFF, fraction)


def reply(request: bytes, offset: float, mode: str = "good") -> bytes:
    now = time.time() + offset
    if mode == "ancient":
        now = 631152000.0 + (now % 86400)  # 1990-01-01, whatever the real date
    version = (request[0] >> 3) & 0x7 or 3
    leap = 3 if mode == "unsynchronised" else 0
    stratum = {"kiss": 0, "stratum16": 16}.get(mode, 2)
    header = struct.pack("!BBbb", (leap << 6) | (version << 3) | 4, stratum, 6, -20)
    ref_id = b"RATE" if mode == "kiss" else b"LAB\0"
    root = struct.pack("!II", 0, 0) + ref_id
    originate = os.urandom(8) if mode in ("wrong_origin", "spoof_first") else request[40:48]
    received, transmit = to_ntp(now), to_ntp(now)
    if mode == "zero_transmit":
        transmit = bytes(8)
    if mode == "backwards":
        received, transmit = to_ntp(now + 30), to_ntp(now)
    return header + root + to_ntp(now) + originate + received + transmit


def answers(request: bytes, offset: float, mode: str) -> list[bytes]:
    if mode == "garbage":
        return [os.urandom(48)]
    if mode == "short":
        return [reply(request, offset)[:20]]
    if mode == "spoof_first":
        return [reply(request, offset, "spoof_first"), reply(request, offset)]
    return [reply(request, offset, mode)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--addr", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=123)
    parser.add_argument("--offset", type=float, default=0.0)
    parser.add_argument("--mode", choices=MODES, default="good")
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET6 if ":" in args.addr else socket.AF_INET,
                         socket.SOCK_DGRAM)
    sock.bind((args.addr, args.port))
    print(f"ntp on {args.addr}:{args.port} offset {args.offset} mode {args.mode}", flush=True)
    while True:
        data, peer = sock.recvfrom(1024)
        if len(data) >= 48:
            for answer in answers(data, args.offset, args.mode):
                sock.sendto(answer, peer)


if __name__ == "__main__":
    main()
