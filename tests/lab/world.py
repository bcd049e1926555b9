"""A complete lab "internet" for full runs: every check gets a lab server.

    world = build_world(lab)              # hosts, servers, DNS records
    report, rc, _ = lab.check_json(world.config)

Used by the benchmark (tests/bench/bench.py) and the diagnosis matrix
(tests/test_lab_diagnosis_matrix.py). Config sections (and their servers) are
added only for checks whose config section exists in this tree.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from . import certs, http_server, services, tls_server
from .topology import DEFAULT_HOSTS, LISTENER_SCRIPT, Lab

LOGIN = "login.wecom.lab.test"  # WeCom, standard TLS on 443, plain HTTP on 80
API = "qyapi.wecom.lab.test"  # WeCom, TLS
LONG = "long.wechat.lab.test"  # WeChat long link: mmtls over plain TCP
CAPTIVE_HOST = "captive.lab.test"  # the connectivity probe's server
PORTAL_HOST = "portal.hotspot.lab.test"
CA_NAME = "Lab Trusted CA"


def lab_helper(name: str) -> ModuleType:
    """tests.lab.<name>. Every helper exists now: one that fails to import raises."""
    return importlib.import_module(f"tests.lab.{name}")


def config_sections() -> set[str]:
    from checks.engine.config import Config

    return {f.name for f in dataclasses.fields(Config)}


@dataclass
class World:
    lab: Lab
    config: dict[str, Any]
    addresses: dict[str, str] = field(default_factory=dict)  # host -> v4
    ca: Any = None  # LabCA trusted through [tls] extra_ca_files
    servers: list[str] = field(default_factory=list)  # what was started, for the bench output
    trusted_dns: Any = None  # the DnsServer listed as [dns] trusted_resolvers
    portal: str | None = None  # a captive-portal web server's address (with [captive])
    env: dict[str, str | None] = field(default_factory=dict)  # extra environment for runs
    extra: dict[str, Any] = field(default_factory=dict)  # whatever a fault wants to remember

    def endpoint_hosts(self) -> list[str]:
        return [e["host"] for e in self.config["endpoints"]]


SMALL = [(LOGIN, [443, 80], "wecom", True), (API, [443], "wecom", True),
         (LONG, [443, 80, 8080], "wechat", False)]


def default_like_endpoints() -> list[tuple[str, list[int], str, bool]]:
    """The bundled endpoint list (same count, ports, products) under lab names."""
    from checks.engine.config import load_config

    out = []
    for e in load_config(None).endpoints:
        name = e.host.removesuffix(".qq.com").replace(".", "-") + ".lab.test"
        out.append((name, list(e.ports), e.product, e.tls))
    return out


def build_world(lab: Lab, *, deadline_s: float = 4.0, timeout_s: float | None = 1.0,
                endpoints: list[tuple[str, list[int], str, bool]] | None = None,
                private_hosts: bool = True) -> World:
    """Hosts for every endpoint plus whatever servers the present checks need.

    ``endpoints`` (host, ports, product, tls) defaults to three lab hosts; the
    benchmark passes :func:`default_like_endpoints`. Per-probe timeouts are
    short (``timeout_s``) so that faults show quickly; ``None`` keeps the
    product's defaults.

    ``private_hosts`` (the default) gives the
    hosts check a private file under ``lab.tmp`` that name resolution never reads:
    editing it changes what the hosts check sees and nothing else. With
    ``private_hosts=False`` the hosts check reads the OS default /etc/hosts, the
    client's real hosts file (``lab.hosts_path``; edit it with
    ``lab.hosts_override``), as on a user's machine.
    """
    sections = config_sections()
    endpoints = endpoints or SMALL
    cfg: dict[str, Any] = {
        "deadline_s": deadline_s,
        "endpoints": [{"host": h, "ports": p, "product": prod, "tls": tls}
                      for h, p, prod, tls in endpoints],
        "dns": {"trusted_resolvers": [], "timeout_s": timeout_s},
        "tcp": {"timeout_s": timeout_s},
        "ntp": {"servers": [], "timeout_s": timeout_s},
        "captive": {"probes": [], "timeout_s": timeout_s},
    }
    world = World(lab, cfg)
    ca = certs.LabCA(lab.tmp / "pki", CA_NAME)
    world.ca = ca
    for host, ports, _, tls in endpoints:
        addr = lab.add_address()
        serve(world, addr, ports, ca.issue(host) if tls else None)
        lab.dns.set(host, a=addr)
        world.addresses[host] = addr
    world.servers.append(f"{len(endpoints)} endpoint hosts, lab DNS")
    cfg["tls"] = {"extra_ca_files": [str(ca.ca_file)], "expected_issuers": [CA_NAME],
                  "timeout_s": (timeout_s or 3.0) + 1}
    world.servers.append("TLS servers on 443 (lab CA)")

    # A second resolver that answers like the system one: the "trusted" reference.
    trusted = lab.add_dns_server()
    for host, addr in world.addresses.items():
        trusted.set(host, a=addr)
    cfg["dns"]["trusted_resolvers"] = [trusted.addr]
    world.trusted_dns = trusted

    cfg["ntp"]["servers"] = [services.start_ntp(lab, 0.0)]
    world.servers.append("NTP server")

    if "captive" in sections:
        probe = lab.add_host(CAPTIVE_HOST)
        http_server.spawn_http(lab, probe, http_server.Answer(204))
        cfg["captive"]["probes"] = [{"url": f"http://{CAPTIVE_HOST}/generate_204",
                                     "status": 204}]
        world.portal = lab.add_host(PORTAL_HOST)
        login_url = f"http://{PORTAL_HOST}/login?ap=lab"
        http_server.spawn_http(lab, world.portal, http_server.Answer(
            302, http_server.PORTAL_PAGE.format(url=login_url), [f"Location: {login_url}"],
            "text/html"))
        world.servers.append("HTTP servers on 80, captive probe (204), a portal (unused "
                             "until intercepted)")
    if "http" in sections:
        cfg["http"] = {"timeout_s": timeout_s}
    if "latency" in sections:
        cfg["latency"] = {"count": 3, "timeout_s": timeout_s}
    if "mtu" in sections:
        cfg["mtu"] = {"targets": [endpoints[0][0]], "timeout_s": timeout_s}
        world.servers.append("ICMP echo (server kernel) for the MTU probe")
    if "proxy" in sections:
        cfg["proxy"] = {"timeout_s": timeout_s}

    if "system" in sections:
        if private_hosts:
            # Read by the hosts check only; the client's resolver never sees it.
            hosts_file = lab.tmp / "hosts"
            hosts_file.write_text(DEFAULT_HOSTS)
            cfg["system"] = {"hosts_file": str(hosts_file)}
        else:
            # The product default: /etc/hosts, which in the client ns is the file
            # getaddrinfo reads (lab.hosts_path, bind-mounted by `ip netns exec`).
            cfg["system"] = {"hosts_file": ""}
    if timeout_s is None:
        for section in cfg.values():
            if isinstance(section, dict):
                section.pop("timeout_s", None)
    return world


def serve(world: World, addr: str, ports: list[int], cert: Any = None,
          tls_mode: str = "tls", https_status: int = 204, http_status: int = 404) -> None:
    """Servers on one lab address: TLS on 443 when ``cert`` is given (answering
    HTTP requests with ``https_status``), real HTTP on 80 (``http_status``, what the
    real short-link servers answer a bare GET), bare TCP listeners on the other ports."""
    lab = world.lab
    tls_here = cert is not None and 443 in ports
    http_here = 80 in ports
    plain = [p for p in ports if not (tls_here and p == 443) and not (http_here and p == 80)]
    if plain:
        args: list[str] = []
        for p in plain:
            args += ["--port", str(p)]
        lab.server.spawn_python(LISTENER_SCRIPT, "--addr", addr, *args, "--mode", "hold",
                                listen=plain, addr=addr)
    if tls_here:
        tls_server.start(lab, addr, cert, mode=tls_mode, ports=(443,), http_status=https_status)
    if http_here:
        # What the real short-link servers answer a bare GET: short, not a web page.
        body = "" if http_status == 404 else tls_server.status_body(http_status)
        http_server.spawn_http(lab, addr, http_server.Answer(
            http_status, body, ["Server: nginx"],
            "application/octet-stream" if http_status == 404 else "text/html"))


def rehost(world: World, host: str, cert: Any = None, *, system_only: bool = False,
           tls_mode: str = "tls", https_status: int = 204, http_status: int = 404) -> str:
    """Serve ``host`` from a fresh address (its ports; TLS on 443 with ``cert``).

    Both resolvers point at it unless ``system_only`` (then only the system
    resolver does: a polluted answer). ``https_status``/``http_status``: what
    the servers answer HTTP requests (e.g. 502 from a gateway whose backend is
    down). Returns the new address.
    """
    (endpoint,) = [e for e in world.config["endpoints"] if e["host"] == host]
    addr = world.lab.add_address()
    serve(world, addr, endpoint["ports"], cert, tls_mode, https_status, http_status)
    world.lab.dns.set(host, a=addr)
    if not system_only and world.trusted_dns is not None:
        world.trusted_dns.set(host, a=addr)
    return addr


def user_world(lab: Lab, endpoints: list[tuple[str, list[int], str, bool]] | None = None
               ) -> World:
    """The lab as a user's machine has it: product timeouts and deadline, the real
    hosts file, the client's resolv.conf with glibc's stock options (5 s, 2 attempts)."""
    world = build_world(lab, timeout_s=None, deadline_s=10, private_hosts=False,
                        endpoints=endpoints)
    lab.client.set_resolvers([lab.dns_ip], options="")
    world.config.get("latency", {}).pop("count", None)  # the product's default
    return world
