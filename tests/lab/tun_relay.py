"""Userspace packet handling on a TUN device; a script run inside a lab namespace.

    python tun_relay.py --tun tun0 --mode discard
    python tun_relay.py --tun dly0 --mode delay --delay-ms 150
    python tun_relay.py --tun tun0 --mode client --peer 10.201.16.9 --port 51820
    python tun_relay.py --tun vpn0 --mode server --listen 10.201.16.9 --port 51820

The device must exist (``ip tuntap add dev NAME mode tun``); the script attaches
to it, which gives the link its carrier, the way a VPN program holds its adapter.

Modes:
- ``discard``: read every packet and throw it away (a VPN whose far end is gone:
  the tunnel swallows everything routed into it).
- ``delay``: write every packet back into the same device ``--delay-ms`` later.
  With policy routing (packets from the client and server links go to the
  device; packets coming out of it are routed normally) this is a delay line
  in the router: netem without netem.
- ``client`` / ``server``: a minimal unencrypted VPN. The client sends every
  packet from its device to the server over UDP, the server writes it into its
  own device (the kernel there delivers or routes it) and sends whatever its
  device emits back to the last client it heard from.

Imports nothing from the lab: it runs as a plain script.
"""

from __future__ import annotations

import argparse
import collections
import fcntl
import os
import socket
import struct
import threading
import time

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
MAX_PACKET = 65535


def open_tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def discard(fd: int) -> None:
    while True:
        os.read(fd, MAX_PACKET)


def delay(fd: int, seconds: float) -> None:
    # A constant delay keeps the order: a FIFO whose head is always due first.
    queue: collections.deque[tuple[float, bytes]] = collections.deque()
    ready = threading.Condition()

    def writer() -> None:
        while True:
            with ready:
                while not queue:
                    ready.wait()
                due, packet = queue[0]
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            with ready:
                queue.popleft()
            try:
                os.write(fd, packet)
            except OSError:
                pass  # e.g. a packet the kernel refuses to take back: lost, like on a wire

    threading.Thread(target=writer, daemon=True).start()
    while True:
        packet = os.read(fd, MAX_PACKET)
        with ready:
            queue.append((time.monotonic() + seconds, packet))
            ready.notify()


def relay(fd: int, sock: socket.socket, peer: tuple[str, int] | None) -> None:
    state = {"peer": peer}

    def from_tun() -> None:
        while True:
            packet = os.read(fd, MAX_PACKET)
            if state["peer"] is not None:
                try:
                    sock.sendto(packet, state["peer"])
                except OSError:
                    pass

    threading.Thread(target=from_tun, daemon=True).start()
    while True:
        packet, addr = sock.recvfrom(MAX_PACKET)
        if peer is None:
            state["peer"] = addr[:2]  # server: answer the client heard last
        try:
            os.write(fd, packet)
        except OSError:
            pass


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tun", required=True)
    ap.add_argument("--mode", choices=("discard", "delay", "client", "server"), required=True)
    ap.add_argument("--delay-ms", type=float, default=0.0)
    ap.add_argument("--peer", help="client: the VPN server's address")
    ap.add_argument("--listen", help="server: the address to receive on")
    ap.add_argument("--port", type=int, default=51820)
    args = ap.parse_args(argv)

    fd = open_tun(args.tun)
    print(f"{args.mode} on {args.tun} pid {os.getpid()}", flush=True)
    if args.mode == "discard":
        discard(fd)
    elif args.mode == "delay":
        delay(fd, args.delay_ms / 1000.0)
    else:
        addr = args.peer if args.mode == "client" else args.listen
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        if args.mode == "server":
            sock.bind((args.listen, args.port))
            relay(fd, sock, None)
        else:
            relay(fd, sock, (args.peer, args.port))


if __name__ == "__main__":
    main()
