"""One light sample: a TCP connect per target, one DNS answer, the gateway, the link.

Every probe has a timeout below the interval, so a sample never runs into the next
one. The system resolver has no timeout of its own (getaddrinfo): a lookup still
hanging from an earlier sample is not joined by another one, so a long outage
cannot pile up threads; the name is then counted as not answering.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from checks import platform
from checks.engine import codes
from checks.engine.config import Config
from checks.engine.context import make_context
from checks.probes import dns_wire, system_dns, tcp
from checks.shared.concurrency import gather, parallel_map
from checks.watch.link import link_state
from checks.watch.sample import CONTROL, SERVER, LinkState, Probe, Sample, Target
from checks.watch.time_source import Clock

PING_SIZE = 64  # bytes: an ordinary echo, far below any MTU


def targets_of(config: Config) -> list[Target]:
    """Each endpoint on its main (first) port, then the control sites."""
    found = [Target(e.host, e.ports[0], SERVER, e.product) for e in config.endpoints]
    control = list(config.watch.control) or _captive_hosts(config)
    for entry in control:
        host, _, port = entry.rpartition(":")
        found.append(Target(host.strip("[]"), int(port), CONTROL))
    unique: dict[str, Target] = {}
    for target in found:
        unique.setdefault(target.label, target)
    return list(unique.values())


def _captive_hosts(config: Config) -> list[str]:
    from urllib.parse import urlsplit

    hosts = []
    for probe in config.captive.probes:
        try:
            parts = urlsplit(probe.url)
            given = parts.port
        except ValueError:  # e.g. port 99999: the captive check reports it (bad_url)
            continue
        if parts.hostname:
            port = given or (443 if parts.scheme == "https" else 80)
            hosts.append(f"{parts.hostname}:{port}")
    return hosts


def probe_timeout(config: Config, interval_s: float) -> float:
    """Long enough for a slow answer, short enough that a sample whose every probe times
    out (plus the waiting around them) still ends before the next one is due."""
    return max(0.3, min(config.tcp.timeout_s, interval_s * 0.6))


class Sampler:
    def __init__(self, config: Config, interval_s: float, clock: Clock,
                 targets: Sequence[Target] | None = None) -> None:
        self.config = config
        self.clock = clock
        self.timeout = probe_timeout(config, interval_s)
        self.targets = list(targets if targets is not None else targets_of(config))
        self.addresses: dict[str, list[str]] = {}
        # Every watched name in turn: endpoints first, so their answer times dominate.
        self.names = list(dict.fromkeys(t.host for t in self.targets))
        self._pending_lookup: threading.Event | None = None
        self._icmp: str | None = None

    # ---- names ---------------------------------------------------------------------------
    def prepare(self) -> None:
        """Resolve every name once, together; unresolved names are retried in turn."""
        parallel_map(self._resolve, self.names, self.timeout + 0.5)
        try:
            self._icmp = platform.icmp_method()
        except OSError:
            self._icmp = None

    def _resolve(self, host: str) -> dict[str, Any]:
        ctx = make_context(self.config.with_deadline(self.timeout + 0.2))
        answer = system_dns.resolve(ctx, host)
        found = system_dns.addresses(answer)
        if found:
            self.addresses[host] = found
        return answer

    def _dns(self, index: int) -> Probe | None:
        if not self.names:
            return None
        host = self.names[index % len(self.names)]
        if self._pending_lookup is not None and not self._pending_lookup.is_set():
            return Probe(host, False, None, codes.DNS_TIMEOUT, how="still_pending")
        done = threading.Event()
        box: dict[str, Any] = {}

        def lookup() -> None:
            try:
                box["answer"] = self._resolve(host)
            except Exception:  # a probe's failure is data
                box["answer"] = {"error": codes.DNS_INTERNAL_ERROR}
            finally:
                done.set()

        self._pending_lookup = done
        start = time.monotonic()
        threading.Thread(target=lookup, name="watch-dns", daemon=True).start()
        if not done.wait(self.timeout + 0.1):
            return Probe(host, False, None, codes.DNS_TIMEOUT)
        answer = box["answer"]
        ms = round((time.monotonic() - start) * 1000, 1)
        error = answer.get("error")
        addresses = system_dns.addresses(answer)
        return Probe(host, error is None, ms, error, addresses[0] if addresses else None)

    # ---- connects --------------------------------------------------------------------------
    def _connect(self, target: Target) -> Probe:
        found = self.addresses.get(target.host)
        if not found:
            return Probe(target.label, False, None, codes.NOT_RESOLVED)
        result = tcp.connect(found[0], target.port, self.timeout)
        return Probe(target.label, bool(result["ok"]), result["ms"] if result["ok"] else None,
                     result["failure"], found[0])

    def _gateway(self, link: LinkState) -> Probe | None:
        """Ping the gateway and ask its LAN services at once: any answer (a refusal too)
        proves it is there. Without a known gateway, the system's DNS server stands in."""
        if not link.default_route:
            return None
        if link.gateway is None:
            return self._resolver_probe()
        address = link.gateway
        ways: list[str] = (["icmp"] if self._icmp else []) + [
            f"tcp:{port}" for port in self.config.watch.gateway_ports]

        def ask(how: str) -> tuple[bool, float]:
            start = time.monotonic()
            if how == "icmp":
                assert self._icmp is not None
                reply = platform.icmp_echo_df(address, PING_SIZE, self.timeout, self._icmp)
                ok = reply.get("result") == "passed"
            else:
                result = tcp.connect(address, int(how.partition(":")[2]), self.timeout)
                ok = bool(result["ok"]) or result["failure"] == codes.TCP_REFUSED
            return ok, round((time.monotonic() - start) * 1000, 1)

        answers = gather(ask, ways, self.timeout + 0.1, lambda _: (False, 0.0))
        winners = [(ms, how) for how, (ok, ms) in zip(ways, answers, strict=True) if ok]
        if not winners:
            return Probe(address, False, None, codes.TCP_TIMEOUT, address, how="none")
        ms, how = min(winners)
        return Probe(address, True, ms, None, address, how=how)

    def _resolver_probe(self) -> Probe:
        """Whether the system's DNS server answers at all (any answer, NXDOMAIN too)."""
        start = time.monotonic()
        host = self.names[0] if self.names else "localhost"
        try:
            servers, error = dns_wire.system_nameservers()
        except Exception:  # dnspython missing or broken
            servers, error = [], codes.DNS_INTERNAL_ERROR
        failures = [error or codes.DNS_NO_RESOLVER] if not servers else [
            a.get("error") for a in gather(
                lambda server: dns_wire.ask(server, host, "A", self.timeout,
                                            resend_every=self.timeout / 4),
                servers, self.timeout + 0.2, lambda _: {"error": codes.DNS_TIMEOUT})]
        silent = (codes.DNS_TIMEOUT, codes.DNS_UNREACHABLE, codes.DNS_NO_RESOLVER,
                  codes.DNS_INTERNAL_ERROR)
        dead = all(f in silent for f in failures)
        failure = failures[0] if dead else None
        ms = round((time.monotonic() - start) * 1000, 1)
        return Probe("resolver", not dead, None if dead else ms, failure if dead else None,
                      how="dns")

    # ---- one sample -----------------------------------------------------------------------
    def take(self, index: int) -> Sample:
        mono, wall = self.clock.monotonic(), self.clock.wall()
        link = link_state()
        jobs: list[Any] = [("dns", None), ("gateway", None), *(("tcp", t) for t in self.targets)]

        def run(job: tuple[str, Any]) -> Probe | None:
            kind, target = job
            if kind == "dns":
                return self._dns(index)
            if kind == "gateway":
                return self._gateway(link)
            return self._connect(target)

        def unfinished(job: tuple[str, Any]) -> Probe | None:
            kind, target = job
            return Probe(target.label, False, None, codes.TCP_TIMEOUT) if kind == "tcp" else None

        dns, gateway, *probes = gather(run, jobs, self.timeout + 0.2, unfinished)
        servers = tuple(p for p, t in zip(probes, self.targets, strict=True)
                        if p is not None and t.kind == SERVER)
        control = tuple(p for p, t in zip(probes, self.targets, strict=True)
                        if p is not None and t.kind == CONTROL)
        return Sample(index, mono, wall, servers, control, dns, gateway, link)
