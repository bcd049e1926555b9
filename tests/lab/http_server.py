"""A scriptable plain-HTTP server: healthy servers, hijackers and captive portals.

As a script (inside a lab namespace, see :func:`spawn_http`)::

    python http_server.py --addr 10.201.16.1 --port 80 --status 302 \
        --header "Location: http://portal.lab.test/login"

answers every request with the same status, headers and body. In-process, on
loopback, :class:`LoopbackHttp` serves the same answers from a thread.
"""

from __future__ import annotations

import argparse
import socket
import socketserver
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()

# What a captive portal's pages look like (a meta refresh and a login form).
PORTAL_PAGE = (
    "<!DOCTYPE html><html><head><title>Wi-Fi 认证</title>"
    '<meta http-equiv="refresh" content="0; url={url}"></head>'
    '<body><form action="/login" method="post">手机号 <input name="phone">'
    '<input type="password" name="code"><button>登录上网</button></form></body></html>'
)
INJECTED_PAGE = (
    "<html><head><script>window.location.href=\"{url}\";</script></head><body></body></html>"
)


@dataclass
class Answer:
    status: int = 200
    body: str = ""
    headers: list[str] = field(default_factory=list)  # "Name: value"
    content_type: str = "text/plain"

    def argv(self) -> list[str]:
        args = ["--status", str(self.status), "--body", self.body,
                "--content-type", self.content_type]
        for header in self.headers:
            args += ["--header", header]
        return args


def _handler(answer: Answer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "lab-http"
        sys_version = ""

        def version_string(self) -> str:
            return self.server_version  # the Server header; an answer may set its own

        def _reply(self) -> None:
            body = answer.body.encode("utf-8")
            custom = dict(h.split(":", 1) for h in answer.headers if ":" in h)
            custom = {k.strip(): v.strip() for k, v in custom.items()}
            self.server_version = custom.pop("Server", "lab-http")
            self.send_response(answer.status)
            for name, value in custom.items():
                self.send_header(name, value)
            if answer.status not in (204, 304):
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and answer.status not in (204, 304):
                self.wfile.write(body)
            self.close_connection = True

        do_GET = do_POST = do_HEAD = _reply

        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    return Handler


def _server(addr: str, port: int, answer: Answer) -> ThreadingHTTPServer:
    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        allow_reuse_address = True
        daemon_threads = True

        def server_bind(self) -> None:
            # HTTPServer.server_bind does a reverse lookup (getfqdn) that hangs
            # where no resolver answers: bind without it.
            socketserver.TCPServer.server_bind(self)
            self.server_name, self.server_port = addr, port

    return Server((addr, port), _handler(answer))


def spawn_http(lab: Any, addr: str, answer: Answer, port: int = 80) -> Any:
    """Serve `answer` on addr:port in the lab's server namespace (killed at teardown)."""
    return lab.spawn_server(SCRIPT, "--addr", addr, "--port", str(port), *answer.argv(),
                            listen=[port], addr=addr)


class LoopbackHttp:
    """The same server on 127.0.0.1, in a thread, for tests outside the lab."""

    def __init__(self, answer: Answer) -> None:
        self.server = _server("127.0.0.1", 0, answer)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackHttp:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, default=80)
    ap.add_argument("--status", type=int, default=200)
    ap.add_argument("--body", default="")
    ap.add_argument("--content-type", default="text/plain")
    ap.add_argument("--header", action="append", default=[])
    args = ap.parse_args(argv)
    answer = Answer(args.status, args.body, args.header, args.content_type)
    _server(args.addr, args.port, answer).serve_forever()


if __name__ == "__main__":
    main()
