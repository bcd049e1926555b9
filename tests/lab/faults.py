"""Real faults as users' machines meet them, applied on top of ``build_world(lab)``.

Each fault is a function ``(lab, world) -> None`` in the style of
tests/test_lab_diagnosis_matrix.py; :data:`FAULTS` lists them with a one-line
description and how many runs a survey should make (random loss: several).
tests/lab/survey.py runs them all; tests/test_lab_messy_faults.py proves each
one is real as built (not what the doctor says about it).

    world = build_world(lab)
    faults.vpn_swallows_everything(lab, world)
    report, rc, _ = lab.check_json(world.config)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import services, tunnels
from .topology import ROUTER_CLIENT_DEV, ROUTER_CLIENT_IP, Lab
from .world import API, LOGIN, World, rehost, serve

FaultFn = Callable[[Lab, World], None]

# A public-looking address no lab server has: the router blackholes it (connects time
# out, nothing leaves the lab's namespaces), like a server address that went stale.
STALE_ADDR = "183.47.101.192"
PROXY_USER, PROXY_PASSWORD = "lab", "s3cret"


# ---- 1. hosts file ----------------------------------------------------------------------

def _real_hosts(lab: Lab, world: World, addr: str) -> None:
    # The client's real /etc/hosts, which getaddrinfo reads; the hosts check reads the
    # same file (the OS default path), not build_world's private one.
    lab.hosts_override(LOGIN, addr)
    world.config.setdefault("system", {})["hosts_file"] = ""


def hosts_loopback(lab: Lab, world: World) -> None:
    """The client's real /etc/hosts sends LOGIN to 127.0.0.1 (nothing listens there)."""
    _real_hosts(lab, world, "127.0.0.1")


def hosts_zero(lab: Lab, world: World) -> None:
    """/etc/hosts sends LOGIN to 0.0.0.0 (an ad-block hosts list)."""
    _real_hosts(lab, world, "0.0.0.0")


def hosts_stale(lab: Lab, world: World) -> None:
    """/etc/hosts pins LOGIN to an old public address that no longer answers."""
    lab.router.ip("route", "add", "blackhole", f"{STALE_ADDR}/32")
    _real_hosts(lab, world, STALE_ADDR)


# ---- 2. VPN ---------------------------------------------------------------------------------

def vpn_swallows_everything(lab: Lab, world: World) -> None:
    """A TUN adapter owns the v4+v6 default routes and discards every packet; eth0 up."""
    world.extra["vpn"] = tunnels.add_vpn(lab, forward=False)


def vpn_working(lab: Lab, world: World) -> None:
    """A TUN adapter owns the default routes and really tunnels to a VPN server."""
    world.extra["vpn"] = tunnels.add_vpn(lab, forward=True)


# ---- 3. loss and delay ------------------------------------------------------------------------

def loss_25(lab: Lab, world: World) -> None:
    """The router drops 25% of forwarded packets at random, both ways, no delay."""
    lab.random_loss(0.25)


def loss_3(lab: Lab, world: World) -> None:
    """3% random loss both ways, no delay."""
    lab.random_loss(0.03)


def slow_path_300ms(lab: Lab, world: World) -> None:
    """A real 300 ms round trip (150 ms delay line each way) plus 3% random loss."""
    world.extra["delay_line"] = tunnels.delay_line(lab, 150)
    lab.random_loss(0.03)


# ---- 4. one port ------------------------------------------------------------------------------

def port_8080_dropped(lab: Lab, world: World) -> None:
    """The router silently drops tcp/8080 to every server; 80 and 443 pass."""
    lab.block_port(8080, "drop")


def port_8080_rejected(lab: Lab, world: World) -> None:
    """The router answers tcp/8080 to every server with a RST; 80 and 443 pass."""
    lab.block_port(8080, "reject")


# ---- 5. proxy wanting credentials -------------------------------------------------------------

def _proxy_env(world: World, url: str) -> None:
    world.env.update(https_proxy=url, http_proxy=url)


def _auth_proxy(lab: Lab, world: World, credentials: str) -> None:
    addr = services.start_tinyproxy(lab, basic_auth=(PROXY_USER, PROXY_PASSWORD))
    world.extra["proxy"] = addr
    _proxy_env(world, f"http://{credentials}{addr}:3128")


def proxy_auth_required(lab: Lab, world: World) -> None:
    """https_proxy/http_proxy point at a proxy (tinyproxy BasicAuth) that answers 407
    Proxy Authentication Required to requests without credentials."""
    _auth_proxy(lab, world, "")


def proxy_auth_given(lab: Lab, world: World) -> None:
    """The same proxy, with the credentials in the variables (user:password@): it works."""
    _auth_proxy(lab, world, f"{PROXY_USER}:{PROXY_PASSWORD}@")


def proxy_auth_wrong(lab: Lab, world: World) -> None:
    """The same proxy, a wrong password in the variables (changed since): tinyproxy
    1.11.1 answers 401 + WWW-Authenticate, not 407."""
    _auth_proxy(lab, world, f"{PROXY_USER}:old-password@")


# ---- 6. the service itself failing --------------------------------------------------------------

def service_502(lab: Lab, world: World) -> None:
    """DNS, TCP and TLS fine; HTTP requests get 502 (LOGIN, also on 80) and 503 (API).

    The captive probe, NTP and the trusted DNS (the "control sites") still work.
    """
    world.extra["service_502"] = {
        LOGIN: rehost(world, LOGIN, world.ca.issue(LOGIN), https_status=502, http_status=502),
        API: rehost(world, API, world.ca.issue(API), https_status=503),
    }


# ---- 7. messy networks -----------------------------------------------------------------------

def ipv6_blackhole(lab: Lab, world: World) -> None:
    """Every endpoint gets an AAAA (servers listen on v6 too), but the router silently
    drops all forwarded IPv6: a home gateway handing out a v6 prefix with no v6 uplink."""
    v6: dict[str, str] = {}
    for endpoint in world.config["endpoints"]:
        host = endpoint["host"]
        addr6 = lab.add_address(v6=True)
        cert = world.ca.issue(host) if endpoint.get("tls", True) else None
        serve(world, addr6, endpoint["ports"], cert)
        v4 = world.addresses[host]
        lab.dns.set(host, a=v4, aaaa=addr6)
        world.trusted_dns.set(host, a=v4, aaaa=addr6)
        v6[host] = addr6
    world.extra["v6"] = v6
    lab.router.iptables("-P", "FORWARD", "DROP", v6=True)


def dns_slow(lab: Lab, world: World, seconds: float = 2.5) -> None:
    """The system resolver answers every lab name after 2.5 s (an overloaded DNS
    relay in the home gateway). The client's resolv.conf gets glibc's stock options
    (timeout 5 s, 2 attempts) so a slow answer is waited for, as on a user's machine."""
    lab.client.set_resolvers([lab.dns_ip], options="")
    for name in list(lab.dns.names):
        lab.dns.delay(name, seconds)


def adblock_dns(lab: Lab, world: World) -> None:
    """The system resolver (a Pi-hole/AdGuard-style ad-block DNS) answers 0.0.0.0 and
    :: for API; the trusted resolver gives the real address."""
    lab.dns.set(API, a="0.0.0.0", aaaa="::")


def sni_reset(lab: Lab, world: World) -> None:
    """A firewall resets TCP when a ClientHello names LOGIN (SNI filtering): DNS and
    the TCP handshake are fine, the TLS handshake gets a RST; other names pass."""
    for v6 in (False, True):
        lab.router.iptables("-I", "FORWARD", "-i", ROUTER_CLIENT_DEV, "-p", "tcp", "--dport",
                            "443", "-m", "string", "--string", LOGIN, "--algo", "bm",
                            "-j", "REJECT", "--reject-with", "tcp-reset", v6=v6)


def dns_flaky_servfail(lab: Lab, world: World) -> None:
    """The system resolver SERVFAILs every other query for LOGIN (per type, the first
    one fails): an ISP resolver whose upstream times out now and then."""
    lab.dns.flaky(LOGIN, every=2, mode="servfail")


# ---- 8. a dead DNS server, of each kind a person may have -------------------------------
# The client's resolv.conf names one DNS server that does not answer; the trusted resolver
# (world.trusted_dns) still does. Who the server is decides the advice.

PROVIDER_DNS = "202.96.128.86"  # a provincial telecom's resolver, held by the lab's server ns
PUBLIC_DNS = "223.5.5.5"  # AliDNS, held by the lab's server ns


def _dead_dns(lab: Lab, address: str, silent: bool = True) -> None:
    if silent:  # the router drops what goes there: no answer, not even a refusal
        for proto in ("udp", "tcp"):
            lab.router.iptables("-I", "FORWARD", "-d", address, "-p", proto, "--dport", "53",
                                "-j", "DROP")
    lab.client.set_resolvers([address])


def dns_router_dead(lab: Lab, world: World) -> None:
    """The router's own DNS relay (the gateway's address, as DHCP hands it out) is dead:
    nothing listens on port 53 there, every question is refused at once."""
    lab.client.set_resolvers([ROUTER_CLIENT_IP])


def dns_provider_dead(lab: Lab, world: World) -> None:
    """The internet provider's DNS server (a public address) does not answer."""
    lab.add_public_address(PROVIDER_DNS)
    _dead_dns(lab, PROVIDER_DNS)


def dns_public_dead(lab: Lab, world: World) -> None:
    """The DNS server was set by hand to a public service (AliDNS 223.5.5.5), which this
    network no longer lets through: every question goes unanswered."""
    lab.add_public_address(PUBLIC_DNS)
    _dead_dns(lab, PUBLIC_DNS)


def dns_vpn_dead(lab: Lab, world: World) -> None:
    """A working VPN (traffic flows through tun0) hands out a DNS server on its own
    network that does not answer."""
    world.extra["vpn"] = tunnels.add_vpn(lab, forward=True)
    lab.client.set_resolvers([f"{tunnels.VPN_NET}.53"])


def dns_local_program_dead(lab: Lab, world: World) -> None:
    """The DNS server is a program on this computer (127.0.0.1: a proxy tool's or an ad
    blocker's DNS) that is not running: every question is refused."""
    lab.client.set_resolvers(["127.0.0.1"])


# ---- 9. one address of a server, and a network where only the proxy goes out ----------------

def one_dead_address(lab: Lab, world: World) -> None:
    """LOGIN resolves to two addresses (both resolvers, the dead one first), each serving
    it; the router drops everything to the first: a firewall whose allow-list names
    Tencent's addresses, not the domains, and misses this one. The other address works."""
    (endpoint,) = [e for e in world.config["endpoints"] if e["host"] == LOGIN]
    dead = lab.add_address()
    serve(world, dead, endpoint["ports"], world.ca.issue(LOGIN))
    both = [dead, world.addresses[LOGIN]]
    lab.dns.set(LOGIN, a=both)
    world.trusted_dns.set(LOGIN, a=both)
    lab.drop(dead)
    world.extra["dead_address"] = dead


def proxy_only_network(lab: Lab, world: World) -> None:
    """A company network where only the proxy goes out: the router drops every TCP
    connection from the client to the servers' addresses, a forwarding proxy (tinyproxy)
    on another lab address is allowed and reaches them; https_proxy/http_proxy name it,
    as the user has it set. DNS, the time server and the connectivity probe still work."""
    proxy = services.start_tinyproxy(lab)
    for addr in world.addresses.values():
        lab.router.iptables("-I", "FORWARD", "-i", ROUTER_CLIENT_DEV, "-d", addr, "-p", "tcp",
                            "-j", "DROP")
    world.extra["proxy"] = proxy
    _proxy_env(world, f"http://{proxy}:3128")


def proxy_set_direct_works(lab: Lab, world: World) -> None:
    """https_proxy/http_proxy name a lab address where no proxy runs (connection
    refused: the proxy program was closed), while direct connections all work."""
    dead = lab.add_address()
    world.extra["proxy"] = dead
    _proxy_env(world, f"http://{dead}:3128")


# ---- 10. no internet at all ------------------------------------------------------------

def no_internet_names_unknown(lab: Lab, world: World) -> None:
    """No internet behind the router: it forwards DNS only, and the DNS servers (the
    system's and the trusted one), cut off too, say every name does not exist, as a
    sandbox's or an unplugged office's resolver does. No time server, website or
    Tencent server answers."""
    for server in (lab.dns, world.trusted_dns):
        server.forget_all()
    only_dns_leaves(lab)


def only_dns_leaves(lab: Lab) -> None:
    """The router forwards DNS (port 53, both ways, UDP and TCP) and drops the rest."""
    for v6 in (False, True):
        lab.router.iptables("-I", "FORWARD", "-j", "DROP", v6=v6)
        for proto in ("udp", "tcp"):
            for way in ("--dport", "--sport"):
                lab.router.iptables("-I", "FORWARD", "-p", proto, way, "53", "-j", "ACCEPT",
                                    v6=v6)


@dataclass(frozen=True)
class Fault:
    id: str
    apply: FaultFn
    summary: str
    runs: int = 1  # survey runs (random faults get several)


def _fault(fn: FaultFn, runs: int = 1) -> Fault:
    doc = (fn.__doc__ or "").strip().split("\n\n")[0]
    return Fault(fn.__name__, fn, " ".join(doc.split()), runs)


FAULTS: list[Fault] = [
    _fault(hosts_loopback), _fault(hosts_zero), _fault(hosts_stale),
    _fault(vpn_swallows_everything), _fault(vpn_working),
    _fault(loss_25, runs=3), _fault(loss_3, runs=3), _fault(slow_path_300ms, runs=3),
    _fault(port_8080_dropped), _fault(port_8080_rejected),
    _fault(proxy_auth_required), _fault(proxy_auth_given), _fault(proxy_auth_wrong),
    _fault(service_502),
    _fault(ipv6_blackhole), _fault(dns_slow), _fault(adblock_dns), _fault(sni_reset),
    _fault(dns_flaky_servfail),
    _fault(dns_router_dead), _fault(dns_provider_dead), _fault(dns_public_dead),
    _fault(dns_vpn_dead), _fault(dns_local_program_dead),
    _fault(one_dead_address), _fault(proxy_only_network), _fault(proxy_set_direct_works),
    _fault(no_internet_names_unknown),
]
BY_ID = {f.id: f for f in FAULTS}
