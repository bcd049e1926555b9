"""ICMP echo with "don't fragment" over a socket (Linux), telling apart the answers
that matter for path-MTU discovery without reading any program's text output:

- ``passed``: an echo reply came back;
- ``too_big``: a router said "fragmentation needed" (or the kernel already knows
  the path is smaller and refuses to send), with the MTU it reported;
- ``no_reply``: nothing came back before the timeout (a black hole, or ICMP blocked).

An unprivileged ICMP socket (``net.ipv4.ping_group_range``) is tried first, then a
raw socket (root or CAP_NET_RAW). ``IcmpNotPermitted`` when neither is allowed.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import struct
import sys
import threading
import time
from typing import Any

IP_MTU_DISCOVER = 10
IP_PMTUDISC_DO = 2
IP_RECVERR = 11
IP_MTU = 14
MSG_ERRQUEUE = 0x2000
MSG_DONTWAIT = 0x40
IPV4_OVERHEAD = 28  # IPv4 header (20) + ICMP echo header (8)

_ident_lock = threading.Lock()
_ident = [os.getpid() & 0xFFFF]


class IcmpNotPermitted(Exception):
    """Neither an unprivileged ICMP socket nor a raw socket may be opened."""


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def echo_request(ident: int, seq: int, payload: bytes) -> bytes:
    header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    csum = checksum(header + payload)
    return struct.pack("!BBHHH", 8, 0, csum, ident, seq) + payload


def parse_icmp(packet: bytes, raw: bool) -> dict[str, Any] | None:
    """Type, code, echo id/seq and (for "fragmentation needed") the reported MTU.

    Raw sockets deliver the IP header too; for an error message the echo id/seq
    are those of the original request quoted inside it.
    """
    if raw:
        if len(packet) < 20:
            return None
        packet = packet[(packet[0] & 0x0F) * 4 :]
    if len(packet) < 8:
        return None
    icmp_type, code, _csum, rest1, rest2 = struct.unpack("!BBHHH", packet[:8])
    info: dict[str, Any] = {"type": icmp_type, "code": code, "id": rest1, "seq": rest2}
    if icmp_type == 3:
        info["mtu"] = rest2 if code == 4 else None
        inner = packet[8:]
        if len(inner) >= 20:
            inner_icmp = inner[(inner[0] & 0x0F) * 4 :]
            if len(inner_icmp) >= 8:
                _t, _c, _s, info["id"], info["seq"] = struct.unpack("!BBHHH", inner_icmp[:8])
    return info


def parse_extended_err(data: bytes) -> dict[str, int] | None:
    """struct sock_extended_err from an IP_RECVERR control message."""
    if len(data) < 16:
        return None
    ee_errno, origin, icmp_type, code, _pad, info, _data = struct.unpack("=IBBBBII", data[:16])
    return {"errno": ee_errno, "origin": origin, "type": icmp_type, "code": code, "info": info}


def _open() -> tuple[socket.socket, bool]:
    for kind, raw in ((socket.SOCK_DGRAM, False), (socket.SOCK_RAW, True)):
        try:
            return socket.socket(socket.AF_INET, kind, socket.IPPROTO_ICMP), raw
        except (PermissionError, OSError) as exc:
            if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
                continue
            raise
    raise IcmpNotPermitted()


def method() -> str:
    """Which socket kind this process may use: "icmp_dgram", "icmp_raw" (or raises)."""
    sock, raw = _open()
    sock.close()
    return "icmp_raw" if raw else "icmp_dgram"


def _next_ident() -> int:
    with _ident_lock:
        _ident[0] = (_ident[0] + 7919) & 0xFFFF
        return _ident[0]


def echo_df(address: str, size: int, timeout: float) -> dict[str, Any]:
    """One echo of ``size`` bytes (whole IPv4 packet) with DF set; see module doc."""
    sock, raw = _open()
    ident = _next_ident()
    seq = size & 0xFFFF
    with sock:
        sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
        sock.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
        sock.connect((address, 0))
        payload = bytes(i & 0xFF for i in range(max(0, size - IPV4_OVERHEAD)))
        try:
            sock.send(echo_request(ident, seq, payload))
        except OSError as exc:
            if exc.errno == errno.EMSGSIZE:
                return {"result": "too_big", "mtu": _known_mtu(sock), "local": True}
            return {"result": "error", "error": f"send_errno_{exc.errno}"}
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return {"result": "no_reply"}
            ready, _, _ = select.select([sock], [], [], left)
            if not ready:
                return {"result": "no_reply"}
            err = _read_errors(sock, ident if raw else None, seq)
            if err is not None:
                return err
            try:
                packet = sock.recv(65535)
            except OSError:
                # A pending error is reported to every raw socket to that host, also
                # for other probes' packets: only the matched error queue entry counts.
                continue
            info = parse_icmp(packet, raw)
            if info is None:
                continue
            # A DGRAM ICMP socket rewrites the id to its own port: match on seq there.
            if raw and info["id"] != ident:
                continue
            if info["seq"] != seq:
                continue
            if info["type"] == 0:
                return {"result": "passed"}
            if info["type"] == 3 and info["code"] == 4:
                return {"result": "too_big", "mtu": info.get("mtu") or None, "local": False}
            if info["type"] == 3:
                return {"result": "unreachable"}


def _read_errors(sock: socket.socket, ident: int | None, seq: int) -> dict[str, Any] | None:
    """ICMP errors queued by IP_RECVERR, matched to this probe by the quoted echo header.

    Raw sockets connected to one host all receive the errors for each other's packets.
    """
    if sys.platform == "win32":
        return None
    while True:
        try:
            data, ancdata, _flags, _addr = sock.recvmsg(65535, 512, MSG_ERRQUEUE | MSG_DONTWAIT)
        except OSError:  # BlockingIOError: the queue is empty
            return None
        if len(data) >= 8:
            _t, _c, _s, quoted_id, quoted_seq = struct.unpack("!BBHHH", data[:8])
            if quoted_seq != seq or (ident is not None and quoted_id != ident):
                continue
        for level, kind, cmsg in ancdata:
            if level != socket.IPPROTO_IP or kind != IP_RECVERR:
                continue
            ee = parse_extended_err(cmsg)
            if ee is None:
                continue
            if ee["errno"] == errno.EMSGSIZE:
                return {"result": "too_big", "mtu": ee["info"] or _known_mtu(sock),
                        "local": False}
            if ee["errno"] in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ECONNREFUSED):
                return {"result": "unreachable"}


def _known_mtu(sock: socket.socket) -> int | None:
    try:
        return int(sock.getsockopt(socket.IPPROTO_IP, IP_MTU))
    except OSError:
        return None
