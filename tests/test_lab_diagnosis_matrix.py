"""One real lab fault (or a pair) -> the diagnosis' primary cause of `check --json`.

Every case builds the full lab world as a user's machine has it: the product's own
timeouts and deadline, the client's real hosts file, glibc's stock resolver options
(`matrix_world`). It applies its fault and runs every check once, then checks the
primary cause, its fix ids, and that its summary and advice reach the JSON and the
text report in Chinese and English. A case whose check is not in this tree is
skipped with the reason. The benchmark (tests/bench/bench.py) times the same cases
against their budgets.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from checks.engine import codes
from checks.engine.check import check_ids
from checks.report.plain_text import render_text
from tests.lab import Lab, tunnels
from tests.lab import faults as lab_faults
from tests.lab.world import API, LOGIN, World, lab_helper, rehost, user_world

Fault = Callable[[Lab, World], None]


@dataclass(frozen=True)
class Case:
    id: str
    primary: str
    faults: tuple[Fault, ...]
    needs: tuple[str, ...] = ()  # check ids that must exist for the fault to be seen
    fixes: tuple[str, ...] | None = None  # the primary cause's fix ids, when they matter
    # The probe timeout the fault makes someone wait for ("tcp", "tls", ... as in the
    # config), or a budget of its own in seconds: what the benchmark holds it to.
    waits_for: str | float | None = None
    also: tuple[str, ...] = ()  # another primary that is right too (random faults)
    repeats: int = 1  # random faults: the benchmark times the median of this many runs
    # What else the case's report must show (the sentence, the matrix ...), asserted
    # after the primary cause.
    then: Callable[[dict[str, Any], World], None] | None = None


# ---- faults ---------------------------------------------------------------------------------

def no_route(lab: Lab, world: World) -> None:
    lab.no_default_route()


def dns_down(lab: Lab, world: World) -> None:
    lab.stop_dns()


def dns_silent(lab: Lab, world: World) -> None:
    # The system's DNS server swallows every question; the trusted one still answers.
    for proto in ("udp", "tcp"):
        lab.drop(lab.dns_ip, 53, proto)


def one_name_dropped_everywhere(lab: Lab, world: World) -> None:
    # Every resolver drops LOGIN's questions; the other names resolve.
    lab.dns_drop(LOGIN)
    world.trusted_dns.drop(LOGIN)


def _endpoint_addresses(world: World) -> list[str]:
    return list(world.addresses.values())


def reject_443(lab: Lab, world: World) -> None:
    for addr in _endpoint_addresses(world):
        lab.reject(addr, 443)


def drop_443(lab: Lab, world: World) -> None:
    for addr in _endpoint_addresses(world):
        lab.drop(addr, 443)


def _other_ca(world: World, name: str) -> Any:
    certs = lab_helper("certs")
    return certs.LabCA(world.lab.tmp / "pki", name)


def polluted(lab: Lab, world: World) -> None:
    # The system resolver sends LOGIN to a server with someone else's certificate;
    # the trusted resolver still gives the real address.
    fake = _other_ca(world, "Polluter CA")
    world.extra["polluted"] = rehost(world, LOGIN, fake.issue(LOGIN), system_only=True)


def polluted_and_blocked(lab: Lab, world: World) -> None:
    polluted(lab, world)
    lab.reject(world.extra["polluted"], 443)


def fake_ip(lab: Lab, world: World) -> None:
    lab.dns.set(LOGIN, a="198.18.0.7")  # the range Clash-style tools hand out


def expired_cert(lab: Lab, world: World) -> None:
    rehost(world, LOGIN, world.ca.issue(LOGIN, expired=True))


def untrusted_cert(lab: Lab, world: World) -> None:
    rehost(world, LOGIN, _other_ca(world, "Nobody Trusts Me CA").issue(LOGIN))


def intercepted(lab: Lab, world: World) -> None:
    # A company inspection CA the computer trusts, but not the servers' real issuer.
    corp = _other_ca(world, "Corp Inspection CA")
    world.config["tls"]["extra_ca_files"].append(str(corp.ca_file))
    for host in (LOGIN, API):
        rehost(world, host, corp.issue(host))


def not_yet_valid_cert(lab: Lab, world: World) -> None:
    rehost(world, LOGIN, world.ca.issue(LOGIN, not_yet_valid=True))


def clock_off(lab: Lab, world: World) -> None:
    services = lab_helper("services")
    assert services is not None
    # Two NTP servers 3 days ahead: this computer's clock looks 3 days behind (one
    # server alone could only make the clock warn).
    world.config["ntp"]["servers"] = [services.start_ntp(lab, 3 * 86400.0) for _ in range(2)]


def hosts_override(lab: Lab, world: World) -> None:
    # The client's real hosts file, which getaddrinfo reads as on a user's PC.
    lab.hosts_override(LOGIN, "127.0.0.1")


def first_syn_lost(lab: Lab, world: World) -> None:
    # Every TCP connection loses its first SYN (hashlimit: one token per flow, so only
    # the retransmission passes): each connect costs ~1 s, as on a lossy line.
    for v6 in (False, True):
        lab.router.iptables(
            "-I", "FORWARD", "-p", "tcp", "--syn", "-m", "hashlimit", "--hashlimit-upto",
            "1/hour", "--hashlimit-burst", "1", "--hashlimit-mode",
            "srcip,srcport,dstip,dstport", "--hashlimit-name", f"firstsyn{int(v6)}",
            "-j", "DROP", v6=v6)


def captive(lab: Lab, world: World) -> None:
    portal = lab_helper("path_faults")
    assert world.portal is not None
    portal.intercept_port(lab, world.portal, 80)


def pmtu_blackhole(lab: Lab, world: World) -> None:
    lab.set_link_mtu(1280, link="server", ends="router")
    lab.block_frag_needed()


def jumbo_adapter_one_silent_tls(lab: Lab, world: World) -> None:
    # The client's adapter says 9000 (the path carries 1500 fine) and one HTTPS
    # server accepts TCP but never answers the handshake.
    lab.set_link_mtu(9000, link="client", ends="peer")
    rehost(world, API, world.ca.issue(API), tls_mode="silent")


def dead_proxy(lab: Lab, world: World) -> None:
    world.env.update(https_proxy="http://10.201.2.99:3128", http_proxy="http://10.201.2.99:3128")


def blackhole(lab: Lab, world: World) -> None:
    lab.blackhole()


def _headline_names(report: dict[str, Any], *names: str) -> None:
    """The headline's summary names each of `names`, in both languages."""
    for lang in ("en", "zh"):
        summary = report["headline"]["i18n"][lang]["summary"]
        assert all(name in summary for name in names), (lang, summary)


def _dead_address_named(report: dict[str, Any], world: World) -> None:
    dead = world.extra["dead_address"]
    assert report["status"] == "warn", report["status"]  # yellow: another address works
    (row,) = [r for r in report["matrix"]["rows"] if r["host"] == LOGIN]
    cell = row["cells"]["tcp_443"]
    assert cell["state"] == "warn" and dead in cell["text"]["en"] and dead in cell["text"]["zh"]
    assert {a["address"]: a["ok"] for a in cell["addresses"]} == {
        dead: False, world.addresses[LOGIN]: True}, cell
    _headline_names(report, LOGIN, dead, "443")
    for lang in ("en", "zh"):
        assert dead in report["headline"]["i18n"][lang]["for_it"]


def _proxy_named(report: dict[str, Any], world: World) -> None:
    proxy = f"{world.extra['proxy']}:3128"
    _headline_names(report, proxy)
    assert "网络设置" in report["headline"]["i18n"]["en"]["advice"]  # where to enter it


def _direct_works_said(report: dict[str, Any], world: World) -> None:
    _headline_names(report, f"{world.extra['proxy']}:3128")
    assert "Direct connections to Tencent's servers work" in (
        report["headline"]["i18n"]["en"]["summary"])
    assert "直接连接腾讯服务器是正常的" in report["headline"]["i18n"]["zh"]["summary"]



def _dns_server_named(address: str, en: str, zh: str) -> Callable[[dict[str, Any], World], None]:
    """The sentence names the dead DNS server by its address and says whose it is."""
    def check(report: dict[str, Any], world: World) -> None:
        _headline_names(report, address)
        assert en in report["headline"]["i18n"]["en"]["summary"], report["headline"]
        assert zh in report["headline"]["i18n"]["zh"]["summary"], report["headline"]
    return check



def _no_internet_said(report: dict[str, Any], world: World) -> None:
    assert "does not reach the internet" in report["headline"]["i18n"]["en"]["summary"]
    assert "无法访问外网" in report["headline"]["i18n"]["zh"]["summary"]
    assert "stay silent" in report["headline"]["i18n"]["en"]["summary"]  # the time server


F = lab_faults
CASES = [
    Case("healthy", "healthy", ()),
    Case("no_default_route", "offline", (no_route,)),
    # Port unreachable, but the server's kernel rate-limits ICMP errors (a few at once,
    # then one a second): most questions get silence, so the fault involves waiting.
    Case("dns_server_down", "dns_failure", (dns_down,), waits_for="dns"),
    Case("dns_server_silent", "dns_failure", (dns_silent,), waits_for=3.0),
    Case("one_name_dropped_everywhere", "dns_failure", (one_name_dropped_everywhere,),
         ("dns_pollution",), waits_for="dns"),
    Case("port_443_rejected", "tcp_blocked", (reject_443,)),
    Case("port_443_dropped", "tcp_blocked", (drop_443,), waits_for="tcp"),
    Case("polluted_dns", "dns_pollution", (polluted,), ("dns_pollution", "tls"), fixes=()),
    # Nothing routes the fake address: the router's "unreachable" answers are
    # rate-limited, so some connects to it get silence and wait for the TCP timeout.
    Case("fake_ip_answer", "fake_ip_proxy", (fake_ip,), ("dns_pollution",), waits_for="tcp"),
    Case("hosts_override", "hosts_override", (hosts_override,), ("hosts",),
         fixes=("repair_hosts",)),
    Case("captive_portal", "captive_portal", (captive,), ("captive",),
         fixes=("open_captive_portal",)),
    Case("pmtu_blackhole", "pmtu_blackhole", (pmtu_blackhole,), ("mtu", "tls"),
         fixes=("set_mtu",), waits_for="tls"),
    Case("jumbo_adapter+one_silent_tls", "tcp_blocked", (jumbo_adapter_one_silent_tls,),
         ("mtu", "tls"), waits_for="tls"),
    Case("dead_proxy", "proxy_broken", (dead_proxy,), ("proxy",), waits_for="proxy"),
    Case("clock_off", "clock_skew", (clock_off,), ("clock",)),
    Case("expired_certificate", "tls_invalid_certificate", (expired_cert,), ("tls",)),
    Case("untrusted_certificate", "tls_invalid_certificate", (untrusted_cert,), ("tls",)),
    Case("interception_ca", "tls_intercepted", (intercepted,), ("tls",)),
    Case("first_syn_lost", "slow_network", (first_syn_lost,), ("latency",), waits_for=3.0),
    # A route, but nothing beyond it answers: not a DNS setting, the internet is gone.
    Case("every_packet_dropped", "offline", (blackhole,), ("dns_pollution",), waits_for=3.5),
    # Issue 14: the hosts file, a VPN, packet loss, one port, proxy passwords, outages.
    Case("hosts_loopback", "hosts_override", (F.hosts_loopback,), ("hosts",),
         fixes=("repair_hosts",)),
    Case("hosts_zero", "hosts_override", (F.hosts_zero,), ("hosts",), fixes=("repair_hosts",)),
    Case("hosts_stale", "hosts_override", (F.hosts_stale,), ("hosts",), fixes=("repair_hosts",),
         waits_for="tcp"),
    Case("vpn_swallows_everything", "vpn_interference", (F.vpn_swallows_everything,),
         ("vpn",), waits_for=3.5),
    Case("vpn_working", "vpn_interference", (F.vpn_working,), ("vpn",)),
    Case("loss_25", "slow_network", (F.loss_25,), ("latency",), waits_for="tls", repeats=3),
    Case("loss_3", "healthy", (F.loss_3,), waits_for=3.0, also=("slow_network",), repeats=3),
    Case("slow_path_300ms", "slow_network", (F.slow_path_300ms,), ("latency",),
         waits_for=3.0, repeats=3),
    Case("port_8080_dropped", "healthy", (F.port_8080_dropped,), waits_for="tcp"),
    Case("port_8080_rejected", "healthy", (F.port_8080_rejected,)),
    Case("proxy_auth_required", "proxy_auth", (F.proxy_auth_required,), ("proxy",),
         fixes=()),
    Case("proxy_auth_given", "healthy", (F.proxy_auth_given,), ("proxy",)),
    Case("proxy_auth_wrong", "proxy_auth", (F.proxy_auth_wrong,), ("proxy",), fixes=()),
    Case("service_502", "service_outage", (F.service_502,), ("tls",), fixes=()),
    # Five more messy networks.
    Case("ipv6_blackhole", "ipv6_broken", (F.ipv6_blackhole,), waits_for="tcp"),
    Case("dns_slow", "dns_unreliable", (F.dns_slow,), waits_for="dns"),
    Case("adblock_dns", "dns_pollution", (F.adblock_dns,), ("dns_pollution",), fixes=()),
    Case("sni_reset", "tcp_blocked", (F.sni_reset,), ("tls",)),
    Case("dns_flaky_servfail", "dns_unreliable", (F.dns_flaky_servfail,)),
    # Pairs: the cause that explains the other finding wins; independent ones by rank.
    Case("no_route+dns_down", "offline", (no_route, dns_down)),
    Case("captive+tls_failure", "captive_portal", (captive, reject_443), ("captive", "tls")),
    Case("polluted+tcp_to_polluted_address", "dns_pollution", (polluted_and_blocked,),
         ("dns_pollution", "tls")),
    Case("clock_off+not_yet_valid_cert", "clock_skew", (clock_off, not_yet_valid_cert),
         ("clock", "tls")),
    Case("hosts_loopback+port_8080_dropped", "hosts_override",
         (F.hosts_loopback, F.port_8080_dropped), ("hosts",), fixes=("repair_hosts",),
         waits_for="tcp"),
    Case("hosts_stale+adblock_dns", "hosts_override", (F.hosts_stale, F.adblock_dns),
         ("hosts", "dns_pollution"), fixes=("repair_hosts",), waits_for="tcp"),
    Case("service_502+proxy_auth_required", "service_outage",
         (F.service_502, F.proxy_auth_required), ("tls", "proxy")),
    Case("slow_path_300ms+port_8080_rejected", "slow_network",
         (F.slow_path_300ms, F.port_8080_rejected), ("latency",), waits_for=3.0, repeats=3),
    Case("dns_flaky_servfail+sni_reset", "tcp_blocked", (F.dns_flaky_servfail, F.sni_reset),
         ("tls",)),
    # The slow answer (2.5 s) comes first, then the IPv6 connect times out (3 s).
    Case("ipv6_blackhole+dns_slow", "dns_unreliable", (F.ipv6_blackhole, F.dns_slow),
         waits_for=2.5 + 3.0 + 0.5),
    # Every address of a server, and the proxy as the way out.
    Case("one_dead_address", "address_blocked", (F.one_dead_address,), fixes=(),
         waits_for="tcp", then=_dead_address_named),
    Case("proxy_only_network", "proxy_required", (F.proxy_only_network,), ("proxy",),
         fixes=(), waits_for="tcp", then=_proxy_named),
    Case("proxy_set_direct_works", "proxy_broken", (F.proxy_set_direct_works,), ("proxy",),
         fixes=(), then=_direct_works_said),
    # A dead DNS server, of each kind: whose it is decides the sentence and the button.
    Case("dns_router_dead", "dns_failure", (F.dns_router_dead,), fixes=("set_dns_servers",),
         then=_dns_server_named(lab_faults.ROUTER_CLIENT_IP, "router", "路由器")),
    Case("dns_provider_dead", "dns_failure", (F.dns_provider_dead,), fixes=("set_dns_servers",),
         waits_for="dns", then=_dns_server_named(F.PROVIDER_DNS, "internet provider", "运营商")),
    Case("dns_public_dead", "dns_failure", (F.dns_public_dead,), fixes=("set_dns_servers",),
         waits_for="dns", then=_dns_server_named(F.PUBLIC_DNS, "AliDNS", "阿里")),
    Case("dns_vpn_dead", "dns_failure", (F.dns_vpn_dead,), fixes=(), waits_for="dns",
         then=_dns_server_named(f"{tunnels.VPN_NET}.53", "VPN", "VPN")),
    Case("dns_local_program_dead", "dns_failure", (F.dns_local_program_dead,), fixes=(),
         then=_dns_server_named("127.0.0.1", "this computer", "这台电脑")),
    # No internet: only DNS gets out, and every DNS server says no name exists.
    Case("no_internet_names_unknown", "offline", (F.no_internet_names_unknown,), fixes=(),
         waits_for="ntp", then=_no_internet_said),
]


def _missing(case: Case) -> list[str]:
    present = set(check_ids())
    return [c for c in case.needs if c not in present]


matrix_world = user_world


def run_full(lab: Lab, world: World, env: dict[str, str | None] | None = None,
             extra: tuple[str, ...] = ()) -> tuple[dict[str, Any], int]:
    from tests.lab import REPO_ROOT

    path = lab.write_config(world.config)
    argv = [sys.executable, "-m", "app", "check", "--json", "--lang", "en", "--config", str(path),
            *extra]
    proc = lab.client.run(argv, timeout=60, check=False, cwd=REPO_ROOT,
                          env={**lab.doctor_env(), **world.env, **(env or {})})
    try:
        report: dict[str, Any] = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError(f"no JSON report (rc={proc.returncode})\n{proc.stderr}") from None
    return report, proc.returncode


def assert_primary_speaks_both_languages(report: dict[str, Any]) -> None:
    """The primary cause's summary and advice (built from the evidence, or the registry's
    general words) in the JSON in both languages, the headline carrying the same, and
    both in the text report of each language."""
    primary = report["diagnosis"]["causes"][0]
    assert primary["code"] in codes.CAUSES, primary
    for lang in ("zh", "en"):
        words = primary["i18n"][lang]
        assert words["summary"].strip() and words["advice"].strip(), primary
        headline = report["headline"]["i18n"][lang]
        assert (headline["summary"], headline["advice"]) == (words["summary"], words["advice"])
        text = render_text(report, lang)
        assert words["summary"] in text and words["advice"] in text
    assert primary["i18n"]["zh"]["summary"] != primary["i18n"]["en"]["summary"]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_primary_cause(lab: Lab, case: Case) -> None:
    missing = _missing(case)
    if missing:
        pytest.skip(f"check {', '.join(missing)} not on this branch yet")
    world = matrix_world(lab)
    for fault in case.faults:
        fault(lab, world)
    report, rc = run_full(lab, world)
    diagnosis = report["diagnosis"]
    findings = {c["id"]: (c["status"], c.get("cause"), [p["code"] for p in c["problems"]])
                for c in report["checks"] if c["status"] not in ("ok", "skipped")}
    assert diagnosis["primary"] in (case.primary, *case.also), (diagnosis, findings)
    primary = diagnosis["causes"][0]
    if case.fixes is not None:
        assert tuple(primary["fixes"]) == case.fixes, primary
    assert_primary_speaks_both_languages(report)
    statuses = {c["status"] for c in report["checks"]}
    if diagnosis["primary"] == "healthy":
        assert statuses <= {"ok", "info", "skipped", "error"} and rc == 0, findings
    else:
        # Never "healthy" over a warning, and the exit code follows the worst light.
        assert rc == (2 if "fail" in statuses else 1), findings
    if case.id.startswith(("loss_3", "slow_path_300ms")):
        # One lost packet is never a red light.
        assert "fail" not in statuses, findings
    if case.then is not None:
        case.then(report, world)


def test_healthy_ten_runs_in_a_row(lab: Lab) -> None:
    world = matrix_world(lab)
    for run in range(10):
        report, rc = run_full(lab, world)
        findings = {c["id"]: c["status"] for c in report["checks"]
                    if c["status"] not in ("ok", "skipped")}
        assert (report["diagnosis"]["primary"], rc) == ("healthy", 0), (run, findings)
