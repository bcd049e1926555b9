"""Programmable authoritative DNS server for the lab (UDP + TCP).

Run as a script inside a namespace:

    python dns_server.py --zone-file zone.json --addr 10.201.2.53 [--port 53]
                         [--query-log queries.jsonl]

The zone file is re-read whenever it changes, so tests rewrite it (atomically)
to change answers mid-test. Format::

    {"default": "nxdomain",            # for names not listed: nxdomain|servfail|drop|refused
     "names": {
        "host.lab.test": {"A": ["10.201.16.1"], "AAAA": ["fd00:201:16::1"],
                          "CNAME": null, "mode": "answer", "ttl": 5,
                          "delay_s": 0, "truncate": false}}}

``mode`` is answer|nxdomain|servfail|refused|drop. ``"flaky": {"every": 2,
"mode": "servfail"}`` in an answering entry fails every 2nd query (counted per
name and type, the first one fails) with that mode. A ``*.suffix`` key acts as a
wildcard. Names are compared case-insensitively without the trailing dot.
"""

from __future__ import annotations

import argparse
import json
import os
import socketserver
import struct
import sys
import threading
import time
from pathlib import Path
from typing import Any

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

_RCODES = {
    "nxdomain": dns.rcode.NXDOMAIN,
    "servfail": dns.rcode.SERVFAIL,
    "refused": dns.rcode.REFUSED,
}


class Zone:
    """The JSON zone, reloaded lazily when the file's identity/mtime changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._data: dict[str, Any] = {"names": {}, "default": "nxdomain"}
        self._lock = threading.Lock()

    def data(self) -> dict[str, Any]:
        with self._lock:
            try:
                st = self.path.stat()
                stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
                if stamp != self._stamp:
                    raw = json.loads(self.path.read_text())
                    raw["names"] = {k.lower().rstrip("."): v
                                    for k, v in raw.get("names", {}).items()}
                    self._data, self._stamp = raw, stamp
            except (OSError, ValueError) as exc:
                # Keep serving the last good zone; a half-written file is transient.
                print(f"zone reload failed: {exc}", file=sys.stderr)
            return self._data

    def lookup(self, qname: str) -> dict[str, Any] | None:
        names = self.data()["names"]
        if qname in names:
            return names[qname]
        labels = qname.split(".")
        for i in range(1, len(labels)):
            entry = names.get("*." + ".".join(labels[i:]))
            if entry is not None:
                return entry
        return None


class Resolver:
    def __init__(self, zone: Zone, log_path: Path | None) -> None:
        self.zone = zone
        self.log_path = log_path
        self._log_lock = threading.Lock()
        self._counts: dict[tuple[str, str], int] = {}

    def log(self, record: dict[str, Any]) -> None:
        if self.log_path is None:
            return
        with self._log_lock, open(self.log_path, "a") as fh:
            fh.write(json.dumps(record) + "\n")

    def handle(self, wire: bytes, client: str, transport: str) -> bytes | None:
        """Return the response wire, or None to stay silent."""
        try:
            query = dns.message.from_wire(wire)
        except Exception:
            return None
        if not query.question:
            return None
        q = query.question[0]
        qname = q.name.to_text(omit_final_dot=True).lower()
        qtype = dns.rdatatype.to_text(q.rdtype)
        entry = self.zone.lookup(qname)
        mode = (entry or {}).get("mode", "answer") if entry else self.zone.data().get(
            "default", "nxdomain")
        flaky = (entry or {}).get("flaky")
        if mode == "answer" and flaky:
            with self._log_lock:
                n = self._counts.get((qname, qtype), 0)
                self._counts[(qname, qtype)] = n + 1
            if n % int(flaky.get("every", 2)) == 0:
                mode = flaky.get("mode", "servfail")
        self.log({"t": time.time(), "name": qname, "type": qtype, "client": client,
                  "transport": transport, "mode": mode})
        delay = float((entry or {}).get("delay_s", 0) or 0)
        if delay:
            time.sleep(delay)
        if mode == "drop":
            return None
        resp = dns.message.make_response(query)
        resp.flags |= dns.flags.AA | dns.flags.RA
        if mode in _RCODES:
            resp.set_rcode(_RCODES[mode])
            return resp.to_wire()
        assert entry is not None
        if entry.get("truncate") and transport == "udp":
            resp.flags |= dns.flags.TC
            return resp.to_wire()
        ttl = int(entry.get("ttl", 5))
        owner = q.name
        cname = entry.get("CNAME")
        if cname:
            resp.answer.append(dns.rrset.from_text(owner, ttl, "IN", "CNAME",
                                                   cname.rstrip(".") + "."))
            # Follow one level inside our own zone, like a recursive resolver would.
            target = self.zone.lookup(cname.lower().rstrip("."))
            owner = dns.name.from_text(cname)
            entry = target or {}
        values = entry.get(qtype, []) if qtype in ("A", "AAAA", "TXT") else []
        if values:
            resp.answer.append(dns.rrset.from_text_list(owner, ttl, "IN", qtype, values))
        return resp.to_wire()


class UDPHandler(socketserver.BaseRequestHandler):
    server: UDPServer

    def handle(self) -> None:
        data, sock = self.request
        out = self.server.resolver.handle(data, self.client_address[0], "udp")
        if out is not None:
            sock.sendto(out, self.client_address)


class TCPHandler(socketserver.BaseRequestHandler):
    server: TCPServer

    def handle(self) -> None:
        sock = self.request
        sock.settimeout(10)
        try:
            while True:
                head = _recv_exact(sock, 2)
                if not head:
                    return
                wire = _recv_exact(sock, struct.unpack("!H", head)[0])
                out = self.server.resolver.handle(wire, self.client_address[0], "tcp")
                if out is None:
                    continue
                sock.sendall(struct.pack("!H", len(out)) + out)
        except OSError:
            return


def _recv_exact(sock: Any, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return b""
        buf += chunk
    return buf


class UDPServer(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True
    resolver: Resolver


class TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    resolver: Resolver


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zone-file", type=Path, required=True)
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--query-log", type=Path)
    args = ap.parse_args(argv)

    resolver = Resolver(Zone(args.zone_file), args.query_log)
    family = socketserver.socket.AF_INET6 if ":" in args.addr else socketserver.socket.AF_INET
    servers: list[socketserver.BaseServer] = []
    for cls in (UDPServer, TCPServer):
        cls.address_family = family
        srv = cls((args.addr, args.port), UDPHandler if cls is UDPServer else TCPHandler)
        srv.resolver = resolver
        servers.append(srv)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    print(f"dns listening on {args.addr}:{args.port} pid {os.getpid()}", flush=True)
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
