"""Watch mode's engine on made-up samples with an injected clock: outages and where they
happened, the laptop-sleep gap, bounded memory, the schedule, the summary texts."""

from __future__ import annotations

import json
import threading
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from checks.engine import codes
from checks.engine.config import Config, Endpoint, WatchConfig
from checks.watch import analysis as A
from checks.watch.analysis import WatchAnalysis
from checks.watch.loop import Watch
from checks.watch.plan import Plan, WatchError
from checks.watch.sample import CONTROL, LinkState, Probe, Sample, Target
from checks.watch.series import Aggregate, Timeline
from checks.watch.terminal import render_watch_text
from checks.watch.watch_report import exit_code

SERVERS = [Target("login.example", 443, product="wecom"), Target("api.example", 443, product="wecom")]
CONTROLS = [Target("other.example", 80, CONTROL)]
LINK = LinkState("eth0", True, ("192.168.1.20",), True, "192.168.1.1", "wired")
NO_ROUTE = LinkState("eth0", True, ("192.168.1.20",), False, None, "wired")
VPN = LinkState("tun0", True, ("10.8.0.2",), True, None, "tunnel", "TUN")
T0 = 1_760_000_000.0  # wall time of the first sample


@dataclass
class Net:
    """What the network does at one sample."""

    servers: bool = True
    gateway: bool = True
    control: bool = True
    dns_ms: float | None = 5.0
    link: LinkState = LINK


def sample(index: int, mono: float, wall: float, net: Net, targets: list[Target] = SERVERS
           ) -> Sample:
    servers = tuple(Probe(t.label, net.servers, 20.0 + index % 3 if net.servers else None,
                          None if net.servers else codes.TCP_TIMEOUT) for t in targets)
    control = tuple(Probe(t.label, net.control, 30.0 if net.control else None) for t in CONTROLS)
    dns = Probe("login.example", net.dns_ms is not None, net.dns_ms,
                None if net.dns_ms is not None else codes.DNS_TIMEOUT)
    gateway = None if not net.link.default_route else Probe(
        "192.168.1.1", net.gateway, 1.0 if net.gateway else None, address="192.168.1.1",
        how="icmp")
    return Sample(index, mono, wall, servers, control, dns, gateway, net.link)


def analyse(nets: list[Net], interval: float = 1.0, walls: list[float] | None = None
            ) -> WatchAnalysis:
    analysis = WatchAnalysis([*SERVERS, *CONTROLS], interval, 0.8, 2000.0)
    for i, net in enumerate(nets):
        mono = 100.0 + i * interval
        analysis.add(sample(i, mono, walls[i] if walls else T0 + i * interval, net))
    last = len(nets) - 1
    analysis.finish(100.0 + (last + 1) * interval, T0 + (last + 1) * interval)
    return analysis


def test_a_cut_path_with_the_gateway_gone_too_is_one_local_outage() -> None:
    nets = [Net()] * 10 + [Net(servers=False, gateway=False, control=False, dns_ms=None)] * 10 \
        + [Net()] * 10
    data = analyse(nets).to_json()
    assert len(data["outages"]) == 1
    outage = data["outages"][0]
    assert outage["duration_s"] == 10.0
    assert outage["attribution"] == A.GATEWAY
    assert not outage["ongoing"]


def test_only_the_servers_cut_is_attributed_to_the_servers() -> None:
    nets = [Net()] * 5 + [Net(servers=False)] * 4 + [Net()] * 5
    data = analyse(nets).to_json()
    assert [o["attribution"] for o in data["outages"]] == [A.SERVERS]
    assert data["outages"][0]["during"]["gateway_up"] == 4


def test_router_fine_other_sites_gone_is_the_internet_line() -> None:
    nets = [Net()] * 3 + [Net(servers=False, control=False)] * 3 + [Net()] * 3
    assert [o["attribution"] for o in analyse(nets).to_json()["outages"]] == [A.UPLINK]


def test_no_internet_at_all_with_a_live_gateway_is_the_internet_line_not_the_servers() -> None:
    """Other sites that never answered, beside servers that never answered: nothing beyond
    the gateway answers (as `check` says: offline), never "only Tencent's servers"."""
    nets = [Net(servers=False, control=False)] * 6
    data = analyse(nets).to_json()
    assert [o["attribution"] for o in data["outages"]] == [A.UPLINK]


def test_sites_that_never_answered_cannot_tell_where_a_servers_drop_is() -> None:
    nets = [Net(control=False)] * 3 + [Net(servers=False, control=False)] * 3 \
        + [Net(control=False)] * 3
    assert [o["attribution"] for o in analyse(nets).to_json()["outages"]] == [A.UNKNOWN]


def test_no_default_route_is_the_local_link_and_a_vpn_taking_the_route_is_named() -> None:
    nets = [Net()] * 3 + [Net(servers=False, link=NO_ROUTE)] * 2 + [Net()] * 3 \
        + [Net(servers=False, gateway=False, link=VPN)] * 3 + [Net()] * 2
    data = analyse(nets).to_json()
    assert [o["attribution"] for o in data["outages"]] == [A.LINK, A.ROUTE_CHANGE]
    kinds = [e["kind"] for e in data["events"]]
    assert kinds == [A.ROUTE_LOST, A.ROUTE_BACK, A.VPN_ON, A.VPN_OFF]


def test_a_renamed_interface_and_a_new_gateway_are_events_not_outages() -> None:
    renamed = LinkState("wlan0", True, ("192.168.1.20",), True, "192.168.1.1", "wifi")
    moved = LinkState("wlan0", True, ("10.0.0.7",), True, "10.0.0.1", "wifi")
    nets = [Net()] * 3 + [Net(link=renamed)] * 3 + [Net(link=moved)] * 3
    data = analyse(nets).to_json()
    assert data["outages"] == []
    assert [(e["kind"], e["before"], e["after"]) for e in data["events"]] == [
        (A.INTERFACE_CHANGED, "eth0", "wlan0"), (A.GATEWAY_CHANGED, "192.168.1.1", "10.0.0.1")]


def test_a_gateway_that_never_answers_proves_nothing() -> None:
    nets = [Net(gateway=False)] * 3 + [Net(servers=False, gateway=False, control=True)] * 3 \
        + [Net(gateway=False)] * 3
    # The gateway never answered (ping blocked): only the other sites can tell.
    assert [o["attribution"] for o in analyse(nets).to_json()["outages"]] == [A.SERVERS]


def test_the_laptop_sleeping_is_a_gap_not_an_outage() -> None:
    # Monotonic time stands still while the laptop sleeps; wall time jumps an hour.
    nets = [Net()] * 10
    walls = [T0 + i for i in range(5)] + [T0 + 3600 + i for i in range(5, 10)]
    data = analyse(nets, walls=walls).to_json()
    assert data["outages"] == []
    assert len(data["gaps"]) == 1
    gap = data["gaps"][0]
    assert gap["reason"] == "sleep"
    assert gap["duration_s"] == pytest.approx(3600, abs=0.1)  # beyond one interval
    # The chart's time axis includes the hour asleep, so times after it line up.
    assert gap["end_x"] == pytest.approx(3605, abs=0.1)


def test_sleeping_during_an_outage_ends_it_at_the_gap() -> None:
    nets = [Net()] * 3 + [Net(servers=False, gateway=False)] * 4 + [Net()] * 3
    walls = [T0 + i for i in range(5)] + [T0 + 600 + i for i in range(5, 10)]
    data = analyse(nets, walls=walls).to_json()
    assert [o["until_gap"] for o in data["outages"]] == [True, False]
    assert data["outages"][0]["duration_s"] == 2.0  # 2 samples before the laptop slept
    assert data["gaps"][0]["reason"] == "sleep"


def test_a_long_pause_without_samples_is_a_gap_too() -> None:
    analysis = WatchAnalysis(SERVERS, 1.0, 0.8, 2000.0)
    for i, mono in enumerate([0.0, 1.0, 2.0, 60.0, 61.0]):
        analysis.add(sample(i, mono, T0 + mono, Net()))
    assert [g["reason"] for g in analysis.to_json()["gaps"]] == ["pause"]


def test_slow_dns_outside_outages_is_an_episode() -> None:
    nets = [Net()] * 3 + [Net(dns_ms=2500.0), Net(dns_ms=3100.0)] + [Net()] * 3
    data = analyse(nets).to_json()
    assert len(data["slow_dns"]) == 1
    assert data["slow_dns"][0]["worst_ms"] == 3100.0 and data["slow_dns"][0]["samples"] == 2


def test_memory_stays_flat_over_hours_of_samples() -> None:
    analysis = WatchAnalysis([*SERVERS, *CONTROLS], 1.0, 0.8, 2000.0, chart_cap=480)
    flaky = [Net()] * 50 + [Net(servers=False, gateway=False)] * 2

    def feed(start: int, count: int) -> None:
        for i in range(start, start + count):
            analysis.add(sample(i, float(i), T0 + i, flaky[i % len(flaky)]))

    feed(0, 5000)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    feed(5000, 30000)  # 9 more hours at one sample a second
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    assert len(analysis.timeline.spans) <= 480
    assert len(analysis.outages.items) == A.MAX_RECORDS
    assert analysis.outages.dropped > 0
    assert grown < 2_000_000, grown
    assert len(json.dumps(analysis.to_json())) < 1_500_000


def test_aggregate_quantiles_and_timeline_halving() -> None:
    agg = Aggregate()
    for ms in [10.0] * 50 + [100.0] * 45 + [1000.0] * 5 + [None] * 10:
        agg.add(ms)
    out = agg.to_json()
    assert out["samples"] == 110 and out["lost"] == 10 and out["loss_pct"] == 9.1
    assert out["median_ms"] == pytest.approx(10, rel=0.08)
    assert out["p95_ms"] == pytest.approx(100, rel=0.08)
    assert out["min_ms"] == 10.0 and out["max_ms"] == 1000.0
    line = Timeline(["a"], cap=8)
    for i in range(20):
        line.add(float(i), {"a": float(i) if i != 3 else None})
    data = line.to_json()
    assert len(data["spans"]) <= 8 and data["spans"][0][0] == 0.0
    assert sum(c[0] for c in data["series"]["a"]) == 20
    assert sum(c[1] for c in data["series"]["a"]) == 1


# ---- the loop, with a clock the test drives ------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.mono, self.now = 500.0, T0
        self.sleeps: dict[int, float] = {}  # after the n-th wait, wall time jumps this much
        self.waits = 0

    def monotonic(self) -> float:
        return self.mono

    def wall(self) -> float:
        return self.now

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        self.waits += 1
        seconds = max(0.0, seconds)
        self.mono += seconds
        self.now += seconds + self.sleeps.get(self.waits, 0.0)
        return stop.is_set()


class ScriptedSampler:
    def __init__(self, clock: FakeClock, script: Callable[[int], Net],
                 targets: list[Target] = SERVERS) -> None:
        self.clock, self.script, self.targets = clock, script, list(targets)
        self.taken: list[int] = []

    def prepare(self) -> None:
        pass

    def take(self, index: int) -> Sample:
        self.taken.append(index)
        self.clock.mono += 0.05  # the probes take a little time
        return sample(index, self.clock.mono - 0.05, self.clock.now, self.script(index),
                      self.targets)


def _config(**watch: object) -> Config:
    return Config(endpoints=tuple(Endpoint(t.host, (t.port,), "wecom") for t in SERVERS),
                  watch=WatchConfig(**watch))  # type: ignore[arg-type]


def test_the_watch_keeps_its_schedule_and_stops_at_the_time() -> None:
    clock = FakeClock()
    sampler = ScriptedSampler(clock, lambda i: Net(servers=not 20 <= i < 30, gateway=not 20 <= i < 30))
    seen: list[int] = []
    watch = Watch(_config(), Plan(60, 1.0), clock=clock, sampler=sampler,
                  on_sample=lambda s, news, a: seen.append(s.index))
    report = watch.run()
    assert sampler.taken == list(range(60)) == seen
    assert report["stopped"] == "time" and report["status"] == "fail"
    assert report["diagnosis"]["primary"] == codes.UNSTABLE_LOCAL_LINK
    [outage] = report["watch"]["outages"]
    assert outage["duration_s"] == pytest.approx(10, abs=0.01)
    assert exit_code(report) == 2
    assert "1 outage of 10 s" in report["summary"]["i18n"]["en"][0]
    assert "断线 1 次，持续 10 秒" in report["summary"]["i18n"]["zh"][0]


def test_sleep_in_the_middle_of_a_watch_gives_a_gap_and_no_outage() -> None:
    clock = FakeClock()
    clock.sleeps = {5: 1800.0}  # the laptop's lid closed for half an hour after sample 5
    watch = Watch(_config(), Plan(12, 1.0), clock=clock,
                  sampler=ScriptedSampler(clock, lambda i: Net()))
    report = watch.run()
    data = report["watch"]
    assert data["outages"] == [] and [g["reason"] for g in data["gaps"]] == ["sleep"]
    assert report["status"] == "ok" and report["diagnosis"]["primary"] == codes.HEALTHY
    assert any("not counted as an outage" in line for line in report["summary"]["i18n"]["en"])


def test_ctrl_c_and_stop_end_the_watch_with_a_report() -> None:
    clock = FakeClock()

    def script(index: int) -> Net:
        if index == 4:
            raise KeyboardInterrupt
        return Net()

    report = Watch(_config(), Plan(600, 1.0), clock=clock,
                   sampler=ScriptedSampler(clock, script)).run()
    assert report["stopped"] == "user" and report["watch"]["samples"] == 4
    clock = FakeClock()
    holder: list[Watch] = []
    watch = Watch(_config(), Plan(600, 1.0), clock=clock,
                  sampler=ScriptedSampler(clock, lambda i: Net()),
                  on_sample=lambda s, n, a: holder[0].stop() if s.index == 2 else None)
    holder.append(watch)
    assert watch.run()["watch"]["samples"] == 3


def test_a_config_without_servers_watches_the_link_and_says_so() -> None:
    clock = FakeClock()
    config = Config(endpoints=())
    sampler = ScriptedSampler(clock, lambda i: Net(gateway=not 5 <= i < 8), targets=[])
    report = Watch(config, Plan(15, 1.0), clock=clock, sampler=sampler).run()
    lines = report["summary"]["i18n"]["en"]
    assert lines[0].startswith("No WeChat/WeCom servers are configured")
    assert [o["attribution"] for o in report["watch"]["outages"]] == [A.GATEWAY]
    assert "没有配置微信/企业微信服务器" in report["summary"]["i18n"]["zh"][0]


def test_servers_down_all_along_is_not_called_intermittent() -> None:
    clock = FakeClock()
    report = Watch(_config(), Plan(5, 1.0), clock=clock,
                   sampler=ScriptedSampler(clock, lambda i: Net(servers=False))).run()
    assert report["diagnosis"]["primary"] == codes.TCP_BLOCKED
    assert "did not answer at any time" in report["summary"]["i18n"]["en"][0]


def test_summary_names_every_place_and_the_vpn_time_in_both_languages() -> None:
    clock = FakeClock()

    def script(i: int) -> Net:
        if 5 <= i < 8:
            return Net(servers=False, gateway=False)
        if 15 <= i < 17:
            return Net(servers=False)
        if 25 <= i < 28:
            return Net(servers=False, gateway=False, link=VPN)
        return Net()

    report = Watch(_config(), Plan(35, 1.0), clock=clock,
                   sampler=ScriptedSampler(clock, script)).run()
    en, zh = report["summary"]["i18n"]["en"], report["summary"]["i18n"]["zh"]
    assert en[0] == "3 outages, the longest 3 s."
    assert any("the gateway stopped answering too (your Wi-Fi/router)" in line for line in en)
    assert any("only Tencent's servers stopped answering" in line for line in en)
    assert any(line.startswith("The default route changed (VPN connected at") for line in en)
    assert any("网关也没有响应" in line for line in zh) and any("VPN 已连接" in line for line in zh)
    primary = [c["code"] for c in report["diagnosis"]["causes"]]
    assert set(primary) == {codes.UNSTABLE_LOCAL_LINK, codes.SERVERS_INTERMITTENT,
                            codes.VPN_INTERFERENCE}
    text = render_watch_text(report, "zh")
    assert "断线记录" in text and "login.example:443" in text


def test_plan_limits() -> None:
    config = Config()
    assert Plan.of(config) == Plan(600.0, 5.0)
    for seconds, interval in ((10, 0.5), (0, 1), (24 * 3600 + 1, 5)):
        with pytest.raises(WatchError):
            Plan.of(config, seconds, interval)


def test_a_captive_url_with_a_bad_port_is_no_control_site_and_no_crash() -> None:
    from checks.engine.config import CaptiveConfig, CaptiveProbe
    from checks.watch.sampler import targets_of

    config = Config(endpoints=(Endpoint("login.example", (443,), "wecom"),),
                    captive=CaptiveConfig(probes=(CaptiveProbe("http://a.example:99999/"),
                                                  CaptiveProbe("https://b.example/gen"))))
    assert [(t.host, t.port, t.kind) for t in targets_of(config)] == [
        ("login.example", 443, "server"), ("b.example", 443, CONTROL)]
