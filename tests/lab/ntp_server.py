"""A tiny NTP server for the lab: answers every client request with its own clock
shifted by --offset seconds (so the client appears that far off).

    python ntp_server.py --addr 10.201.2.123 --port 123 --offset 300
"""

from __future__ import annotations

import argparse
import socket
import struct
import time

NTP_EPOCH = 2208988800  # 1900-01-01 -> 1970-01-01


def to_ntp(t: float) -> bytes:
    seconds = int(t) + NTP_EPOCH
    fraction = int((t - int(t)) * 2**32) & 0xFFFFFFFF
    return struct.pack("!II", seconds, fraction)


def reply(request: bytes, offset: float) -> bytes:
    received = time.time() + offset
    version = (request[0] >> 3) & 0x7 or 3
    header = struct.pack("!BBbb", (0 << 6) | (version << 3) | 4, 2, 6, -20)  # server, stratum 2
    root = struct.pack("!II", 0, 0) + b"LAB\0"
    originate = request[40:48]
    transmit = time.time() + offset
    return header + root + to_ntp(received) + originate + to_ntp(received) + to_ntp(transmit)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--addr", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=123)
    parser.add_argument("--offset", type=float, default=0.0)
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET6 if ":" in args.addr else socket.AF_INET,
                         socket.SOCK_DGRAM)
    sock.bind((args.addr, args.port))
    print(f"ntp on {args.addr}:{args.port} offset {args.offset}", flush=True)
    while True:
        data, peer = sock.recvfrom(1024)
        if len(data) >= 48:
            sock.sendto(reply(data, args.offset), peer)


if __name__ == "__main__":
    main()
