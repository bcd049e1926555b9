"""A DNS server that answers every question, badly (for the lab's hostile-input tests).

    python hostile_dns.py --addr 10.201.2.53 --mode garbage

Modes (the same answer for every name):

- `garbage`: 40 random bytes;
- `wrong_id`: a correct-looking answer whose id is not the question's;
- `truncated`: an empty answer with the TC bit set, and nothing listening on TCP;
- `cut`: a real answer cut off halfway (what a broken middlebox forwards);
- `many`: 4,000 A records (a 64 KB datagram; the same over TCP).
"""

from __future__ import annotations

import argparse
import os
import socket
import struct
import threading

import dns.flags
import dns.message
import dns.rdatatype
import dns.rrset

MANY = 4000


def many_addresses() -> list[str]:
    return [f"10.202.{i // 250}.{i % 250 + 1}" for i in range(MANY)]


def _answer(query: dns.message.Message, addresses: list[str]) -> dns.message.Message:
    reply = dns.message.make_response(query)
    reply.flags |= dns.flags.AA | dns.flags.RA
    question = query.question[0]
    if question.rdtype == dns.rdatatype.A:
        reply.answer.append(dns.rrset.from_text_list(question.name, 5, "IN", "A", addresses))
    return reply


def respond(wire: bytes, mode: str) -> bytes | None:
    try:
        query = dns.message.from_wire(wire)
    except Exception:
        return None
    if not query.question:
        return None
    if mode == "garbage":
        return os.urandom(40)
    if mode == "many":
        return _answer(query, many_addresses()).to_wire()
    reply = _answer(query, ["10.202.0.1"])
    if mode == "wrong_id":
        reply.id = (query.id + 1) & 0xFFFF
        return reply.to_wire()
    if mode == "truncated":
        reply.answer.clear()
        reply.flags |= dns.flags.TC
        return reply.to_wire()
    if mode == "cut":
        full = reply.to_wire()
        return full[: len(full) // 2]
    raise SystemExit(f"unknown mode {mode}")


def serve_udp(addr: str, port: int, mode: str) -> None:
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    sock.bind((addr, port))
    while True:
        wire, peer = sock.recvfrom(4096)
        out = respond(wire, mode)
        if out is not None:
            sock.sendto(out, peer)


def serve_tcp(addr: str, port: int, mode: str) -> None:
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    server = socket.socket(family, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((addr, port))
    server.listen(16)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=_tcp_client, args=(conn, mode), daemon=True).start()


def _tcp_client(conn: socket.socket, mode: str) -> None:
    with conn:
        conn.settimeout(5)
        try:
            head = conn.recv(2, socket.MSG_WAITALL)
            wire = conn.recv(struct.unpack("!H", head)[0], socket.MSG_WAITALL)
        except (OSError, struct.error):
            return
        out = respond(wire, mode)
        if out is not None:
            conn.sendall(struct.pack("!H", len(out)) + out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--addr", required=True)
    parser.add_argument("--port", type=int, default=53)
    parser.add_argument("--mode", required=True,
                        choices=("garbage", "wrong_id", "truncated", "cut", "many"))
    args = parser.parse_args()
    if args.mode != "truncated":  # a truncated answer, and TCP is closed
        threading.Thread(target=serve_tcp, args=(args.addr, args.port, args.mode),
                         daemon=True).start()
    print(f"hostile dns ({args.mode}) on {args.addr}:{args.port} pid {os.getpid()}", flush=True)
    serve_udp(args.addr, args.port, args.mode)


if __name__ == "__main__":
    main()
