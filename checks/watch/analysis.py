"""From samples to what failed when: outages, their attribution, gaps and events.

A sample is *down* when no WeChat/WeCom server answered its connect (with no
servers configured: when the link or the gateway is gone). Consecutive down
samples are one outage, from the first down sample to the first one that is up
again. When an outage ends, what else failed during it says where it happened:

- `link`: this computer had no usable adapter or default route;
- `route_change`: the default route changed (a VPN came or went) as it began;
- `gateway`: the router stopped answering too (Wi-Fi or the router itself);
- `uplink`: the router answered, other sites did not (the internet line);
- `servers`: the router and other sites answered, only the servers did not;
- `unknown`: nothing else was measurable (no gateway, no other site that worked).

A probe that never answered during the watch (a gateway that drops ping and has
no open port) proves nothing and is left out. Between two samples, wall time
running ahead of monotonic time means the computer slept (or its clock was set):
that stretch is a gap without data, never an outage; so is a pause much longer
than the interval (a stopped process). Every list here is bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from checks.watch.sample import LinkState, Sample, Target
from checks.watch.series import Aggregate, Timeline

LINK, ROUTE_CHANGE, GATEWAY, UPLINK, SERVERS, UNKNOWN = (
    "link", "route_change", "gateway", "uplink", "servers", "unknown")
ATTRIBUTIONS = (LINK, ROUTE_CHANGE, GATEWAY, UPLINK, SERVERS, UNKNOWN)

MAX_RECORDS = 500  # outages, events, gaps and slow-DNS episodes kept each (then counted)
SLEEP_JUMP_MIN_S = 2.0  # wall time ahead of monotonic time by more than this: a gap
PAUSE_FACTOR = 3.0  # no sample for this many intervals (+ a probe timeout): a gap


def iso_local(wall: float) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(wall).astimezone().isoformat(timespec="seconds")


@dataclass
class Outage:
    start_x: float
    start_wall: float
    end_x: float
    end_wall: float
    samples: int = 0
    link_bad: int = 0
    gateway_down: int = 0
    gateway_up: int = 0
    control_down: int = 0
    control_up: int = 0
    dns_down: int = 0
    route_changed: bool = False
    ongoing: bool = False  # still down when the watch ended
    until_gap: bool = False  # the data stopped (sleep) while it was down
    attribution: str = UNKNOWN

    def to_json(self) -> dict[str, Any]:
        return {
            "start": iso_local(self.start_wall), "end": iso_local(self.end_wall),
            "start_x": round(self.start_x, 2), "end_x": round(self.end_x, 2),
            "duration_s": round(self.end_x - self.start_x, 1), "samples": self.samples,
            "attribution": self.attribution, "ongoing": self.ongoing,
            "until_gap": self.until_gap,
            "during": {"link_bad": self.link_bad, "gateway_down": self.gateway_down,
                       "gateway_up": self.gateway_up, "control_down": self.control_down,
                       "control_up": self.control_up, "dns_down": self.dns_down,
                       "route_changed": self.route_changed},
        }


@dataclass(frozen=True)
class Gap:
    start_x: float
    end_x: float
    start_wall: float
    end_wall: float
    reason: str  # "sleep" (wall time jumped ahead) | "pause" (no sample for a long time)

    def to_json(self) -> dict[str, Any]:
        return {"start": iso_local(self.start_wall), "end": iso_local(self.end_wall),
                "start_x": round(self.start_x, 2), "end_x": round(self.end_x, 2),
                "duration_s": round(self.end_wall - self.start_wall, 1), "reason": self.reason}


@dataclass(frozen=True)
class Event:
    x: float
    wall: float
    kind: str  # see LINK_EVENTS
    before: str | None = None
    after: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"at": iso_local(self.wall), "x": round(self.x, 2), "kind": self.kind,
                "before": self.before, "after": self.after}


# Changes of the way out, compared sample to sample.
VPN_ON, VPN_OFF, ROUTE_LOST, ROUTE_BACK = "vpn_on", "vpn_off", "route_lost", "route_back"
INTERFACE_CHANGED, GATEWAY_CHANGED, ADDRESS_CHANGED = (
    "interface_changed", "gateway_changed", "address_changed")
CLOCK_CHANGED = "clock_changed"
ROUTE_EVENTS = (VPN_ON, VPN_OFF, ROUTE_LOST, ROUTE_BACK, INTERFACE_CHANGED, GATEWAY_CHANGED)


@dataclass
class _SlowDns:
    start_x: float
    wall: float
    end_x: float
    worst_ms: float | None  # None: no answer at all
    name: str
    samples: int = 1

    def to_json(self) -> dict[str, Any]:
        return {"at": iso_local(self.wall), "start_x": round(self.start_x, 2),
                "end_x": round(self.end_x, 2), "worst_ms": self.worst_ms, "name": self.name,
                "samples": self.samples}


@dataclass
class _Bounded:
    items: list[Any] = field(default_factory=list)
    dropped: int = 0

    def add(self, item: Any) -> None:
        if len(self.items) < MAX_RECORDS:
            self.items.append(item)
        else:
            self.dropped += 1


class WatchAnalysis:
    def __init__(self, targets: Sequence[Target], interval_s: float, probe_timeout_s: float,
                 dns_slow_ms: float, chart_cap: int = 480) -> None:
        self.targets = list(targets)
        self.interval_s = interval_s
        self.probe_timeout_s = probe_timeout_s
        self.dns_slow_ms = dns_slow_ms
        self.stats = {t.label: Aggregate() for t in self.targets}
        self.dns = Aggregate()
        self.gateway = Aggregate()
        self.timeline = Timeline([*self.stats, "dns", "gateway"], cap=chart_cap)
        self.outages = _Bounded()
        self.gaps = _Bounded()
        self.events = _Bounded()
        self.slow_dns = _Bounded()
        self.samples = 0
        self.down_samples = 0
        self.longest_s = 0.0
        self.outage_total_s = 0.0
        self.open: Outage | None = None
        self._slow: _SlowDns | None = None
        self._first: Sample | None = None
        self._prev: Sample | None = None
        self._prev_x = 0.0
        self._shift = 0.0  # sleep time added to the monotonic axis
        self._last_route_x: float | None = None
        self._ever = {"gateway": False, "control": False, "dns": False, "servers": False}
        self.gateway_address: str | None = None
        self.gateway_how: str | None = None
        self.last_link: LinkState | None = None

    # ---- the axis ---------------------------------------------------------------------------
    def x_of(self, sample: Sample) -> float:
        assert self._first is not None
        return sample.mono - self._first.mono + self._shift

    @property
    def down(self) -> bool:
        return self.open is not None

    @property
    def known(self) -> dict[str, bool]:
        """Which kinds of probe answered at least once (only those prove anything)."""
        return dict(self._ever)

    # ---- feeding ----------------------------------------------------------------------------
    def add(self, sample: Sample) -> list[tuple[str, Any]]:
        """Take one sample; returns what it started or ended: ("started"|"ended", Outage),
        ("gap", Gap), ("event", Event)."""
        news: list[tuple[str, Any]] = []
        if self._first is None:
            self._first = sample
        elif self._prev is not None:
            news += self._between(self._prev, sample)
        x = self.x_of(sample)
        self.samples += 1
        news += [("event", e) for e in self._link_events(sample, x)]
        self._record(sample, x)
        down = self._is_down(sample)
        if down:
            self.down_samples += 1
            if self.open is None:
                self.open = Outage(x, sample.wall, x, sample.wall,
                                   route_changed=self._route_changed_near(x))
                news.append(("started", self.open))
            self._count(self.open, sample)
        elif self.open is not None:
            news.append(("ended", self._close(x, sample.wall)))
        self._dns_episode(sample, x, down)
        self._prev, self._prev_x = sample, x
        self.last_link = sample.link
        return news

    def finish(self, end_mono: float, end_wall: float) -> None:
        """The watch ended: an outage still open ends now, marked as ongoing."""
        if self._first is None:
            return
        if self.open is not None:
            end_x = max(self.open.start_x, end_mono - self._first.mono + self._shift)
            closed = self._close(end_x, end_wall)
            closed.ongoing = True
        self._end_slow_dns()

    # ---- between two samples: gaps -----------------------------------------------------------
    def _between(self, prev: Sample, cur: Sample) -> list[tuple[str, Any]]:
        mono_delta = cur.mono - prev.mono
        wall_delta = cur.wall - prev.wall
        jump = wall_delta - mono_delta
        prev_x = self._prev_x
        limit = max(SLEEP_JUMP_MIN_S, self.interval_s)
        if jump > limit:
            self._shift += jump
            return self._gap(prev, cur, prev_x, "sleep")
        if mono_delta > PAUSE_FACTOR * self.interval_s + self.probe_timeout_s:
            return self._gap(prev, cur, prev_x, "pause")
        if jump < -limit:
            event = Event(prev_x + mono_delta, cur.wall, CLOCK_CHANGED,
                          iso_local(prev.wall + mono_delta), iso_local(cur.wall))
            self.events.add(event)
            return [("event", event)]
        return []

    def _gap(self, prev: Sample, cur: Sample, prev_x: float, reason: str
             ) -> list[tuple[str, Any]]:
        start_x = prev_x + self.interval_s
        end_x = self.x_of(cur)  # after a sleep, the shift already holds the jump
        gap = Gap(min(start_x, end_x), end_x, prev.wall + self.interval_s, cur.wall, reason)
        self.gaps.add(gap)
        self.timeline.cut()
        news: list[tuple[str, Any]] = []
        if self.open is not None:  # what happened while there was no data is unknown
            closed = self._close(gap.start_x, gap.start_wall)
            closed.until_gap = True
            news.append(("ended", closed))
        self._end_slow_dns()
        return [*news, ("gap", gap)]

    # ---- link changes ------------------------------------------------------------------------
    def _link_events(self, sample: Sample, x: float) -> list[Event]:
        before, now = self.last_link, sample.link
        if before is None:
            return []
        found: list[Event] = []

        def event(kind: str, old: str | None, new: str | None) -> None:
            found.append(Event(x, sample.wall, kind, old, new))

        if before.vpn != now.vpn:
            if now.vpn:
                event(VPN_ON, before.interface, f"{now.interface} ({now.vpn})")
            else:
                event(VPN_OFF, f"{before.interface} ({before.vpn})", now.interface)
        elif before.default_route and not now.default_route:
            event(ROUTE_LOST, before.interface, None)
        elif not before.default_route and now.default_route:
            event(ROUTE_BACK, None, now.interface)
        elif before.interface != now.interface and before.interface and now.interface:
            event(INTERFACE_CHANGED, before.interface, now.interface)
        elif before.gateway != now.gateway and before.gateway and now.gateway:
            event(GATEWAY_CHANGED, before.gateway, now.gateway)
        elif before.addresses != now.addresses and before.addresses and now.addresses:
            event(ADDRESS_CHANGED, ", ".join(before.addresses), ", ".join(now.addresses))
        for item in found:
            self.events.add(item)
            if item.kind in ROUTE_EVENTS:
                self._last_route_x = item.x
        return found

    def _route_changed_near(self, x: float) -> bool:
        """A change of the way out at this sample or the one before it (kept apart from
        the bounded event list, which may be full)."""
        window = 2 * self.interval_s + self.probe_timeout_s
        return self._last_route_x is not None and x - window <= self._last_route_x <= x

    # ---- one sample's figures -------------------------------------------------------------
    def _record(self, sample: Sample, x: float) -> None:
        values: dict[str, float | None] = {}
        for probe in (*sample.servers, *sample.control):
            if probe.target in self.stats:
                self.stats[probe.target].add(probe.ms if probe.ok else None)
                values[probe.target] = probe.ms if probe.ok else None
        if sample.control and any(p.ok for p in sample.control):
            self._ever["control"] = True
        if any(p.ok for p in sample.servers):
            self._ever["servers"] = True
        if sample.dns is not None:
            self.dns.add(sample.dns.ms if sample.dns.ok else None)
            values["dns"] = sample.dns.ms if sample.dns.ok else None
            self._ever["dns"] |= sample.dns.ok
        if sample.gateway is not None:
            self.gateway.add(sample.gateway.ms if sample.gateway.ok else None)
            values["gateway"] = sample.gateway.ms if sample.gateway.ok else None
            self._ever["gateway"] |= sample.gateway.ok
            if sample.gateway.ok:
                self.gateway_address = sample.gateway.address or sample.gateway.target
                self.gateway_how = sample.gateway.how
        self.timeline.add(x, values)

    def _is_down(self, sample: Sample) -> bool:
        if sample.servers:
            return not any(p.ok for p in sample.servers)
        gateway_lost = sample.gateway is not None and not sample.gateway.ok \
            and self._ever["gateway"]
        return not sample.link.usable or gateway_lost

    def _count(self, outage: Outage, sample: Sample) -> None:
        outage.samples += 1
        outage.link_bad += not sample.link.usable
        if sample.gateway is not None:
            outage.gateway_up += sample.gateway.ok
            outage.gateway_down += not sample.gateway.ok
        if sample.control:
            up = any(p.ok for p in sample.control)
            outage.control_up += up
            outage.control_down += not up
        if sample.dns is not None:
            outage.dns_down += not sample.dns.ok
        outage.end_x, outage.end_wall = self.x_of(sample), sample.wall

    def _close(self, end_x: float, end_wall: float) -> Outage:
        outage = self.open
        assert outage is not None
        self.open = None
        outage.end_x, outage.end_wall = end_x, end_wall
        outage.attribution = self._attribute(outage)
        duration = outage.end_x - outage.start_x
        self.longest_s = max(self.longest_s, duration)
        self.outage_total_s += duration
        self.outages.add(outage)
        return outage

    def _attribute(self, o: Outage) -> str:
        half = o.samples / 2
        if o.link_bad and o.link_bad >= half:
            return LINK
        if o.route_changed:
            return ROUTE_CHANGE
        gateway_known = self._ever["gateway"] and (o.gateway_up + o.gateway_down) > 0
        if gateway_known and o.gateway_down >= half:
            return GATEWAY
        control_seen = (o.control_up + o.control_down) > 0
        if control_seen and o.control_down >= half:
            # Other sites down with the servers: nothing beyond the gateway answers. Sites
            # that never answered in the whole watch show that only when the servers never
            # answered either (no internet at all); else they cannot tell where.
            return UPLINK if self._ever["control"] or not self._ever["servers"] else UNKNOWN
        if control_seen and o.control_up > half:
            return SERVERS
        if gateway_known and not control_seen:
            return SERVERS  # no other site to compare with: said so (PLACE_SERVERS_NO_CONTROL)
        return UNKNOWN

    # ---- slow DNS ------------------------------------------------------------------------------
    def _dns_episode(self, sample: Sample, x: float, down: bool) -> None:
        dns = sample.dns
        # During an outage a DNS timeout is part of the outage, not slow DNS.
        slow = dns is not None and not down and (
            (dns.ok and dns.ms is not None and dns.ms >= self.dns_slow_ms)
            or (not dns.ok and dns.failure is not None and "timeout" in dns.failure))
        if not slow:
            self._end_slow_dns()
            return
        assert dns is not None
        ms = dns.ms if dns.ok else None
        if self._slow is None:
            self._slow = _SlowDns(x, sample.wall, x, ms, dns.target)
            return
        episode = self._slow
        episode.end_x, episode.samples = x, episode.samples + 1
        if ms is None or (episode.worst_ms is not None and ms > episode.worst_ms):
            episode.worst_ms = ms
            episode.name = dns.target

    def _end_slow_dns(self) -> None:
        if self._slow is not None:
            self.slow_dns.add(self._slow)
            self._slow = None

    # ---- what the report and the chart show ----------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The measured part of the watch report (also the window's live snapshot)."""
        outages = [o.to_json() for o in self.outages.items]
        if self.open is not None:
            live = self.open.to_json()
            live["ongoing"] = True
            outages.append(live)
        return {
            "first_sample": iso_local(self._first.wall) if self._first else None,
            "samples": self.samples, "down_samples": self.down_samples,
            "span_s": round(self._prev_x, 2) if self._prev is not None else 0.0,
            "outages": outages, "outages_dropped": self.outages.dropped,
            "outage_total_s": round(self.outage_total_s, 1),
            "longest_outage_s": round(self.longest_s, 1),
            "gaps": [g.to_json() for g in self.gaps.items], "gaps_dropped": self.gaps.dropped,
            "events": [e.to_json() for e in self.events.items],
            "events_dropped": self.events.dropped,
            "slow_dns": [s.to_json() for s in self.slow_dns.items],
            "slow_dns_dropped": self.slow_dns.dropped,
            "stats": {
                "targets": [{"label": t.label, "host": t.host, "port": t.port, "kind": t.kind,
                             "product": t.product, **self.stats[t.label].to_json()}
                            for t in self.targets],
                "dns": self.dns.to_json(),
                "gateway": {**self.gateway.to_json(), "address": self.gateway_address,
                            "how": self.gateway_how},
            },
            "known": self.known,
            "timeline": self.timeline.to_json(),
        }

