"""A DNSPod-style HTTP DNS service for the lab: GET /d?dn=NAME -> "1.2.3.4;5.6.7.8".

    python http_dns_server.py --addr 10.201.2.60 --port 8053 --zone '{"a.lab.test": ["10.201.16.1"]}'

Unknown names get an empty body, as DNSPod does. From tests use :func:`start`.
"""

from __future__ import annotations

import argparse
import json
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

    from .topology import Lab

SCRIPT = Path(__file__)
PORT = 8053


def start(lab: Lab, addr: str, zone: dict[str, list[str]], port: int = PORT
          ) -> subprocess.Popen[bytes]:
    return lab.spawn_server(SCRIPT, "--addr", addr, "--port", str(port), "--zone",
                            json.dumps(zone), listen=[port], addr=addr)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, default=PORT)
    ap.add_argument("--zone", required=True)
    args = ap.parse_args(argv)
    zone = {k.lower().rstrip("."): v for k, v in json.loads(args.zone).items()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            name = (query.get("dn") or [""])[0].lower().rstrip(".")
            body = ";".join(zone.get(name, [])).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            print(self.address_string(), format % args, flush=True)

    ThreadingHTTPServer.address_family = 10 if ":" in args.addr else 2
    ThreadingHTTPServer((args.addr, args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
