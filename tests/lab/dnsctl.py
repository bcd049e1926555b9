"""Control side of the lab DNS server (the wire side is dns_server.py).

Not named dns.py: scripts run from this directory would shadow dnspython."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from .netns import Namespace

SERVER_SCRIPT = Path(__file__).with_name("dns_server.py")


class DnsServer:
    """One programmable DNS server process listening on ``addr:53`` in ``ns``.

    Every mutator rewrites the zone file atomically; the server picks the
    change up on its next query, so tests can flip answers mid-run.
    """

    def __init__(self, ns: Namespace, addr: str, label: str = "dns", port: int = 53) -> None:
        self.ns = ns
        self.addr = addr
        self.port = port
        self.zone_path = ns.tmp / f"{label}-zone.json"
        self.log_path = ns.tmp / f"{label}-queries.jsonl"
        self.names: dict[str, dict[str, Any]] = {}
        self.default = "nxdomain"
        self.proc: subprocess.Popen[bytes] | None = None
        self._save()

    # -- process -------------------------------------------------------------

    def start(self) -> None:
        if self.running:
            return
        self.proc = self.ns.spawn_python(
            SERVER_SCRIPT, "--zone-file", self.zone_path, "--addr", self.addr,
            "--port", str(self.port), "--query-log", self.log_path,
            listen=[("udp", self.port), ("tcp", self.port)], addr=self.addr)

    def stop(self) -> None:
        """Kill the server: the address stays up, so queries get ICMP port unreachable."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- zone ------------------------------------------------------------------

    def _save(self) -> None:
        tmp = self.zone_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"default": self.default, "names": self.names}, indent=1))
        os.replace(tmp, self.zone_path)

    def _entry(self, name: str) -> dict[str, Any]:
        return self.names.setdefault(_key(name), {"mode": "answer"})

    def set(self, name: str, a: list[str] | str | None = None,
            aaaa: list[str] | str | None = None, ttl: int = 5) -> None:
        """Make ``name`` answer with exactly these A/AAAA records (replacing old ones)."""
        self.names[_key(name)] = {"mode": "answer", "A": _list(a), "AAAA": _list(aaaa),
                                  "ttl": ttl}
        self._save()

    def add(self, name: str, addr: str) -> None:
        """Append one A or AAAA record to ``name``."""
        entry = self._entry(name)
        entry.setdefault("AAAA" if ":" in addr else "A", []).append(addr)
        entry["mode"] = "answer"
        self._save()

    def cname(self, name: str, target: str) -> None:
        self.names[_key(name)] = {"mode": "answer", "CNAME": target}
        self._save()

    def _mode(self, name: str, mode: str) -> None:
        self._entry(name)["mode"] = mode
        self._save()

    def nxdomain(self, name: str) -> None:
        self._mode(name, "nxdomain")

    def servfail(self, name: str) -> None:
        self._mode(name, "servfail")

    def refused(self, name: str) -> None:
        self._mode(name, "refused")

    def drop(self, name: str) -> None:
        """Never answer queries for ``name`` (the client times out)."""
        self._mode(name, "drop")

    def answer(self, name: str) -> None:
        """Undo nxdomain/servfail/drop: answer with the stored records again."""
        self._mode(name, "answer")

    def forget_all(self) -> None:
        """Every name, listed or not, gets "does not exist" (a resolver cut off from the
        internet that answers from nothing)."""
        self.names = {}
        self.default = "nxdomain"
        self._save()

    def flaky(self, name: str, every: int = 2, mode: str = "servfail") -> None:
        """Fail every ``every``-th query for ``name`` with ``mode`` (per query type,
        starting with the first); the others get the stored answer."""
        self._entry(name)["flaky"] = {"every": every, "mode": mode}
        self._save()

    def delay(self, name: str, seconds: float) -> None:
        self._entry(name)["delay_s"] = seconds
        self._save()

    def truncate(self, name: str, on: bool = True) -> None:
        """Answer UDP with TC=1 so the client must retry over TCP."""
        self._entry(name)["truncate"] = on
        self._save()

    def remove(self, name: str) -> None:
        self.names.pop(_key(name), None)
        self._save()

    def set_default(self, mode: str) -> None:
        """What unknown names get: nxdomain (default), servfail, refused or drop."""
        self.default = mode
        self._save()

    # -- observation -----------------------------------------------------------

    def queries(self) -> list[dict[str, Any]]:
        """Every query received so far: dicts with name, type, client, transport, mode."""
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line]

    def __repr__(self) -> str:
        return f"DnsServer({self.addr}, running={self.running})"


def _key(name: str) -> str:
    return name.lower().rstrip(".")


def _list(v: list[str] | str | None) -> list[str]:
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)
