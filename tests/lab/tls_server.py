"""TLS (and misbehaving) servers for the lab; a script run in the server ns.

    python tls_server.py --addr 10.201.16.1 --port 443 --cert chain.pem [--mode tls]

Modes:
- ``tls``: real TLS 1.2/1.3 with ALPN h2/http1.1; answers one HTTP/1.1 request with
  204, or with ``--http-status`` (e.g. 502: nginx in front of a dead backend).
- ``silent``: accepts TCP and never answers the ClientHello (handshake timeout).
- ``reset``: reads the ClientHello, then aborts with a TCP RST (a resetting firewall).
- ``close``: reads the ClientHello, then closes normally (FIN mid-handshake).

From tests use :func:`start` (imports nothing from the lab when run as a script).
"""

from __future__ import annotations

import argparse
import http
import socket
import ssl
import struct
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

    from .topology import Lab

SCRIPT = Path(__file__)


def start(lab: Lab, addr: str, cert: Path | None = None, mode: str = "tls",
          ports: tuple[int, ...] = (443,), http_status: int = 204) -> subprocess.Popen[bytes]:
    """Serve on ``addr`` (a lab server address) until the lab closes.

    ``http_status``: what an HTTP request over the TLS connection gets.
    """
    args: list[str] = ["--addr", addr, "--mode", mode, "--http-status", str(http_status)]
    for port in ports:
        args += ["--port", str(port)]
    if cert is not None:
        args += ["--cert", str(cert)]
    return lab.spawn_server(SCRIPT, *args, listen=list(ports), addr=addr)


def status_body(status: int) -> str:
    """The error page nginx sends with ``status`` (e.g. "502 Bad Gateway")."""
    line = f"{status} {http.HTTPStatus(status).phrase}"
    return (f"<html>\r\n<head><title>{line}</title></head>\r\n<body>\r\n"
            f"<center><h1>{line}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n")


def http_answer(status: int) -> bytes:
    if status == 204:
        return b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
    body = status_body(status).encode()
    return (f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\nServer: nginx\r\n"
            f"Content-Type: text/html\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode() + body


def _serve_tls(conn: socket.socket, context: ssl.SSLContext, answer: bytes) -> None:
    try:
        conn.settimeout(10)
        with context.wrap_socket(conn, server_side=True) as tls:
            data = tls.recv(4096)
            if data:
                tls.sendall(answer)
    except (OSError, ssl.SSLError):
        pass  # plain TCP probes and failed handshakes are expected here
    finally:
        conn.close()


def _serve_raw(conn: socket.socket, mode: str) -> None:
    try:
        conn.settimeout(30)
        if mode == "silent":
            while conn.recv(65536):
                pass
            return
        conn.recv(65536)
        if mode == "reset":
            # Linger 0: close() sends RST instead of FIN.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, action="append", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--mode", choices=("tls", "silent", "reset", "close"), default="tls")
    ap.add_argument("--http-status", type=int, default=204)
    args = ap.parse_args(argv)
    answer = http_answer(args.http_status)

    context = None
    if args.mode == "tls":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert)
        context.set_alpn_protocols(["h2", "http/1.1"])
    family = socket.AF_INET6 if ":" in args.addr else socket.AF_INET
    listeners = []
    for port in args.port:
        srv = socket.socket(family, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((args.addr, port))
        srv.listen(128)
        listeners.append(srv)

    def accept_loop(srv: socket.socket) -> None:
        while True:
            conn, _ = srv.accept()
            target = (lambda c: _serve_tls(c, context, answer)) if context else (
                lambda c: _serve_raw(c, args.mode))
            threading.Thread(target=target, args=(conn,), daemon=True).start()

    threads = [threading.Thread(target=accept_loop, args=(s,), daemon=True) for s in listeners]
    for th in threads:
        th.start()
    for th in threads:
        th.join()


if __name__ == "__main__":
    main()
