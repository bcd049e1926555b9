"""Plain TCP listeners for lab hosts.

    python tcp_listener.py --addr 10.201.16.1 --port 443 --port 80 [--mode hold|close]

``hold`` accepts and keeps the connection open, discarding what the peer sends,
until the peer closes (a server that never speaks first). ``close`` accepts and
closes at once.
"""

from __future__ import annotations

import argparse
import selectors
import socket


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, action="append", required=True)
    ap.add_argument("--mode", choices=("hold", "close"), default="hold")
    args = ap.parse_args(argv)

    family = socket.AF_INET6 if ":" in args.addr else socket.AF_INET
    sel = selectors.DefaultSelector()
    for port in args.port:
        srv = socket.socket(family, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((args.addr, port))
        srv.listen(128)
        sel.register(srv, selectors.EVENT_READ, "listen")

    while True:
        for key, _ in sel.select():
            sock: socket.socket = key.fileobj  # type: ignore[assignment]
            if key.data == "listen":
                conn, _addr = sock.accept()
                if args.mode == "close":
                    conn.close()
                else:
                    conn.setblocking(False)
                    sel.register(conn, selectors.EVENT_READ, "conn")
                continue
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                sel.unregister(sock)
                sock.close()


if __name__ == "__main__":
    main()
