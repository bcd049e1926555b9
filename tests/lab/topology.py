"""The three-namespace lab: client <-> router <-> server.

Addresses live only inside the lab's namespaces; the root namespace is never
touched, so the lab needs no cleanup outside /run/netns and /etc/netns.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .dnsctl import DnsServer
from .netns import NETNS_ETC, Namespace, host_run
from .toml import dumps as toml_dumps

REPO_ROOT = Path(__file__).resolve().parents[2]
LISTENER_SCRIPT = Path(__file__).with_name("tcp_listener.py")

# Client link, server link and the pool routed to the server for lab hosts.
CLIENT_IP, ROUTER_CLIENT_IP = "10.201.1.2", "10.201.1.1"
ROUTER_SERVER_IP, SERVER_IP = "10.201.2.1", "10.201.2.2"
DNS_IP = "10.201.2.53"
NTP_IP = "10.201.2.123"  # reserved for NTP servers added by later tests
CLIENT_IP6, ROUTER_CLIENT_IP6 = "fd00:201:1::2", "fd00:201:1::1"
ROUTER_SERVER_IP6, SERVER_IP6 = "fd00:201:2::1", "fd00:201:2::2"
HOST_POOL = ipaddress.ip_network("10.201.16.0/20")
HOST_POOL6 = ipaddress.ip_network("fd00:201:16::/64")
SERVER_NET = ipaddress.ip_network("10.201.2.0/24")
SERVER_NET6 = ipaddress.ip_network("fd00:201:2::/64")
LAB_V4 = ipaddress.ip_network("10.201.0.0/16")
LAB_V6 = ipaddress.ip_network("fd00:201::/32")

# Interface names (per namespace, so they never collide between labs).
CLIENT_DEV, SERVER_DEV = "eth0", "eth0"
ROUTER_CLIENT_DEV, ROUTER_SERVER_DEV = "cli0", "srv0"

# What the client's /etc/hosts holds until a test changes it.
DEFAULT_HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n"

# Unset for app runs: proxies and config overrides must come from the test only.
_UNSET_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "ftp_proxy",
               "wxdoctor_config")


@dataclass
class Host:
    """A name registered by :meth:`Lab.add_host`."""

    name: str
    v4: str | None
    v6: str | None
    ports: list[int] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def addr(self) -> str:
        addr = self.v4 or self.v6
        assert addr is not None
        return addr


class Lab:
    """client <-veth-> router <-veth-> server, with DNS in the server ns.

    Use as a context manager or call :meth:`close`.
    """

    def __init__(self) -> None:
        self.tag = secrets.token_hex(3)
        self.tmp = Path(tempfile.mkdtemp(prefix=f"wxd-{os.getpid()}-{self.tag}-lab-"))
        self.hosts: dict[str, Host] = {}
        self.dns_servers: list[DnsServer] = []
        self._next_host = 1
        self._next_host6 = 1
        self._next_service = 60
        self._config_n = 0
        self.namespaces: list[Namespace] = []
        try:
            self._build()
        except BaseException:
            self.close()
            raise

    # -- construction ------------------------------------------------------------

    def _build(self) -> None:
        self.client = self._ns("cli")
        self.router = self._ns("rtr")
        self.server = self._ns("srv")
        for ns in self.namespaces:
            # DAD would keep v6 addresses tentative for ~1s; nothing here can clash.
            extra = {"net__ipv4__ip_forward": 1, "net__ipv6__conf__all__forwarding": 1} \
                if ns is self.router else {}
            ns.sysctl(net__ipv6__conf__all__accept_dad=0,
                      net__ipv6__conf__default__accept_dad=0, **extra)
        host_run(["ip", "-batch", "-"], input=(
            f"link add {CLIENT_DEV} netns {self.client.name} type veth peer name "
            f"{ROUTER_CLIENT_DEV} netns {self.router.name}\n"
            f"link add {ROUTER_SERVER_DEV} netns {self.router.name} type veth peer name "
            f"{SERVER_DEV} netns {self.server.name}\n"))
        self.client.ip_batch([
            f"link set {CLIENT_DEV} up",
            f"addr add {CLIENT_IP}/24 dev {CLIENT_DEV}",
            f"addr add {CLIENT_IP6}/64 dev {CLIENT_DEV} nodad",
            f"route add default via {ROUTER_CLIENT_IP}",
            f"route add ::/0 via {ROUTER_CLIENT_IP6}",
        ])
        self.router.ip_batch([
            f"link set {ROUTER_CLIENT_DEV} up",
            f"link set {ROUTER_SERVER_DEV} up",
            f"addr add {ROUTER_CLIENT_IP}/24 dev {ROUTER_CLIENT_DEV}",
            f"addr add {ROUTER_CLIENT_IP6}/64 dev {ROUTER_CLIENT_DEV} nodad",
            f"addr add {ROUTER_SERVER_IP}/24 dev {ROUTER_SERVER_DEV}",
            f"addr add {ROUTER_SERVER_IP6}/64 dev {ROUTER_SERVER_DEV} nodad",
            f"route add {HOST_POOL} via {SERVER_IP}",
            f"route add {HOST_POOL6} via {SERVER_IP6}",
        ])
        self.server.ip_batch([
            f"link set {SERVER_DEV} up",
            f"addr add {SERVER_IP}/24 dev {SERVER_DEV}",
            f"addr add {SERVER_IP6}/64 dev {SERVER_DEV} nodad",
            f"addr add {DNS_IP}/24 dev {SERVER_DEV}",
            f"route add default via {ROUTER_SERVER_IP}",
            f"route add ::/0 via {ROUTER_SERVER_IP6}",
        ])
        self.dns_ip = DNS_IP
        self.client.set_resolvers([DNS_IP])
        self.set_hosts_file(DEFAULT_HOSTS)
        self.dns = self.add_dns_server(DNS_IP)

    def _ns(self, role: str) -> Namespace:
        ns = Namespace.create(role, tag=self.tag)
        self.namespaces.append(ns)
        return ns

    def close(self) -> None:
        """Kill all lab processes and delete the namespaces. Idempotent."""
        for ns in reversed(self.namespaces):
            with contextlib.suppress(Exception):
                ns.delete()
        self.namespaces.clear()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- addresses, hosts and servers --------------------------------------------

    def add_address(self, addr: str | None = None, v6: bool = False) -> str:
        """Give the server ns one more address reachable from the client.

        Without ``addr`` a fresh one is taken from the routed host pool. Only
        lab ranges (10.201.0.0/16, fd00:201::/32) are accepted.
        """
        if addr is None:
            addr = self._alloc(v6)
        ip = ipaddress.ip_address(addr)
        if ip not in (LAB_V6 if ip.version == 6 else LAB_V4):
            raise ValueError(f"{addr} is outside the lab ranges")
        if ip in SERVER_NET or ip in SERVER_NET6:
            # On the server link: the router finds it by ARP/ND, no route needed.
            self.server.add_addr(SERVER_DEV, f"{addr}/{24 if ip.version == 4 else 64}")
        else:
            self.server.add_addr("lo", f"{addr}/{32 if ip.version == 4 else 128}")
            if ip not in HOST_POOL and ip not in HOST_POOL6:
                via = SERVER_IP if ip.version == 4 else SERVER_IP6
                self.router.add_route(str(ip), via=via)
        return addr

    def add_public_address(self, addr: str) -> str:
        """A public-looking address (an internet provider's DNS server, a public DNS
        service) held by the server ns, as `add_address` gives lab ones: packets to it
        reach that namespace and nothing else (the router has no default route)."""
        ip = ipaddress.ip_address(addr)
        if ip.version != 4 or not ip.is_global:
            raise ValueError(f"{addr} is not a public IPv4 address")
        self.server.add_addr("lo", f"{addr}/32")
        self.router.add_route(str(ip), via=SERVER_IP)
        return addr

    def _alloc(self, v6: bool) -> str:
        if v6:
            addr = str(HOST_POOL6[self._next_host6])
            self._next_host6 += 1
        else:
            addr = str(HOST_POOL[self._next_host])
            self._next_host += 1
        return addr

    def add_host(self, name: str, ports: list[int] | None = None, v6: bool = False,
                 v4: bool = True, mode: str = "hold") -> str:
        """Register ``name`` in the lab DNS on a fresh server address.

        ``v6`` adds an AAAA record (and address) as well; ``v4=False`` makes the
        host v6-only. With ``ports``, real TCP listeners are started on every
        address (``mode`` "hold" keeps connections open, "close" closes them).
        Returns the v4 address (the v6 one for v6-only hosts); see
        :attr:`hosts` for both.
        """
        if not (v4 or v6):
            raise ValueError("a host needs v4 or v6")
        host = Host(name, self.add_address() if v4 else None,
                    self.add_address(v6=True) if v6 else None, list(ports or []))
        self.dns.set(name, a=host.v4, aaaa=host.v6)
        if host.ports:
            args: list[str] = []
            for p in host.ports:
                args += ["--port", str(p)]
            # One process per address family keeps the listener trivially simple.
            procs = [self.server.spawn_python(LISTENER_SCRIPT, "--addr", a, *args,
                                              "--mode", mode, listen=host.ports, addr=a)
                     for a in (host.v4, host.v6) if a]
            host.proc = procs[0]
        self.hosts[name] = host
        return host.addr

    def add_dns_server(self, addr: str | None = None, start: bool = True) -> DnsServer:
        """Start another independent DNS server (own zone) on a new server address.

        Use e.g. one as a "polluting" system resolver and another as the
        "trusted" one, answering the same name differently.
        """
        if addr is None:
            addr = str(SERVER_NET[self._next_service])
            self._next_service += 1
        if addr != DNS_IP:
            self.add_address(addr)
        server = DnsServer(self.server, addr, label=f"dns{len(self.dns_servers)}")
        self.dns_servers.append(server)
        if start:
            server.start()
        return server

    def spawn_server(self, script: str | os.PathLike[str], *args: str | os.PathLike[str],
                     listen: list[int | tuple[str, int]], addr: str | None = None,
                     timeout: float = 5) -> subprocess.Popen[bytes]:
        """Run a Python server script in the server ns; wait for its ports."""
        return self.server.spawn_python(script, *args, listen=listen, addr=addr,
                                        timeout=timeout)

    # -- the client's hosts file ----------------------------------------------------

    @property
    def hosts_path(self) -> Path:
        """The client's real hosts file: /etc/netns/<client ns>/hosts.

        ``ip netns exec`` bind-mounts it over /etc/hosts, so getaddrinfo in the
        client ns reads it, and so does anything opening /etc/hosts there (the
        ``hosts`` check with an empty ``[system] hosts_file``). The path itself
        stays visible inside the namespace too.
        """
        return NETNS_ETC / self.client.name / "hosts"

    def set_hosts_file(self, text: str) -> Path:
        """Replace the client's hosts file (rewritten in place: same inode)."""
        return self.client.write_etc("hosts", text)

    def hosts_override(self, name: str, addr: str) -> None:
        """Append ``addr name`` to the client's hosts file: the OS resolver now
        answers ``addr`` for ``name``, whatever DNS says."""
        with open(self.hosts_path, "a") as fh:
            fh.write(f"{addr}\t{name}\n")

    # -- DNS faults ----------------------------------------------------------------

    def stop_dns(self) -> None:
        """Kill the lab DNS: its address stays up, queries get port unreachable."""
        self.dns.stop()

    def start_dns(self) -> None:
        self.dns.start()

    def nxdomain(self, name: str) -> None:
        self.dns.nxdomain(name)

    def servfail(self, name: str) -> None:
        self.dns.servfail(name)

    def dns_drop(self, name: str) -> None:
        """The lab DNS never answers for ``name`` (resolver timeout)."""
        self.dns.drop(name)

    # -- packet faults (all in the router unless noted) -------------------------------

    def _forward_rule(self, target: list[str], addr: str, port: int | None,
                      proto: str) -> None:
        match = ["-d", addr]
        if port is not None:
            match += ["-p", proto, "--dport", str(port)]
        self.router.iptables("-I", "FORWARD", *match, "-j", *target, v6=":" in addr)

    def reject(self, addr: str, port: int, proto: str = "tcp") -> None:
        """Router answers connections to addr:port with a TCP RST (connection refused)."""
        target = ["REJECT", "--reject-with", "tcp-reset"] if proto == "tcp" else \
            ["REJECT", "--reject-with", "icmp6-port-unreachable" if ":" in addr
             else "icmp-port-unreachable"]
        self._forward_rule(target, addr, port, proto)

    def unreachable(self, addr: str, port: int | None = None, proto: str = "tcp") -> None:
        """Router answers with ICMP host unreachable (EHOSTUNREACH on the client)."""
        code = "icmp6-addr-unreachable" if ":" in addr else "icmp-host-unreachable"
        self._forward_rule(["REJECT", "--reject-with", code], addr, port, proto)

    def drop(self, addr: str, port: int | None = None, proto: str = "tcp") -> None:
        """Router silently drops packets to addr (optionally only proto/port): timeouts."""
        self._forward_rule(["DROP"], addr, port, proto)

    def block_port(self, port: int, how: str = "drop", proto: str = "tcp") -> None:
        """Router drops (``how="drop"``) or refuses with a RST/ICMP (``"reject"``)
        ``proto``/``port`` to every server, v4 and v6; other ports pass."""
        for v6 in (False, True):
            if how == "drop":
                target = ["DROP"]
            elif proto == "tcp":
                target = ["REJECT", "--reject-with", "tcp-reset"]
            else:
                target = ["REJECT", "--reject-with",
                          "icmp6-port-unreachable" if v6 else "icmp-port-unreachable"]
            self.router.iptables("-I", "FORWARD", "-i", ROUTER_CLIENT_DEV, "-p", proto,
                                 "--dport", str(port), "-j", *target, v6=v6)

    def random_loss(self, probability: float, direction: str = "both") -> None:
        """Router drops each forwarded packet with ``probability`` (iptables
        statistic, independently per packet), v4 and v6.

        ``direction``: "up" (client -> servers), "down" (servers -> client) or
        "both". Matches the incoming link, so a packet is counted once even when
        a delay line makes it cross FORWARD twice.
        """
        devs = {"up": [ROUTER_CLIENT_DEV], "down": [ROUTER_SERVER_DEV],
                "both": [ROUTER_CLIENT_DEV, ROUTER_SERVER_DEV]}[direction]
        for v6 in (False, True):
            for dev in devs:
                self.router.iptables("-I", "FORWARD", "-i", dev, "-m", "statistic", "--mode",
                                     "random", "--probability", f"{probability:.4f}", "-j",
                                     "DROP", v6=v6)

    def clear_faults(self) -> None:
        """Flush router FORWARD rules and restore the client's output policy."""
        for v6 in (False, True):
            self.router.iptables("-F", "FORWARD", v6=v6)
            self.router.iptables("-P", "FORWARD", "ACCEPT", v6=v6)
            self.router.iptables("-P", "INPUT", "ACCEPT", v6=v6)
            self.client.iptables("-P", "OUTPUT", "ACCEPT", v6=v6)

    def no_default_route(self) -> None:
        """Delete the client's v4 and v6 default routes (only on-link peers remain)."""
        self.client.del_route("default")
        self.client.del_route("default", v6=True)

    def restore_default_route(self) -> None:
        self.client.add_route("default", via=ROUTER_CLIENT_IP)
        self.client.add_route("default", via=ROUTER_CLIENT_IP6)

    def drop_everything(self) -> None:
        """Client OUTPUT policy DROP (v4 and v6), loopback included.

        Locally dropped packets fail fast: UDP/ICMP sends get EPERM at once,
        while TCP connects keep retrying SYNs until their own timeout. For
        a network that silently swallows everything use :meth:`blackhole`.
        """
        for v6 in (False, True):
            self.client.iptables("-P", "OUTPUT", "DROP", v6=v6)

    def blackhole(self) -> None:
        """The router silently drops everything it receives: every peer times out."""
        for v6 in (False, True):
            self.router.iptables("-P", "FORWARD", "DROP", v6=v6)
            self.router.iptables("-P", "INPUT", "DROP", v6=v6)

    def rate_limit(self, rate: str = "1mbit", direction: str = "both", burst: str = "32kb",
                   latency: str = "400ms") -> None:
        """Token-bucket shape the router's egress ("down" to client, "up" to server).

        ``latency`` bounds the queue (tbf semantics), it does not add delay.
        """
        devs = {"down": [ROUTER_CLIENT_DEV], "up": [ROUTER_SERVER_DEV],
                "both": [ROUTER_CLIENT_DEV, ROUTER_SERVER_DEV]}[direction]
        for dev in devs:
            self.router.tc("qdisc", "replace", "dev", dev, "root", "tbf", "rate", rate,
                           "burst", burst, "latency", latency)

    def clear_rate_limit(self) -> None:
        for dev in (ROUTER_CLIENT_DEV, ROUTER_SERVER_DEV):
            self.router.run(["tc", "qdisc", "del", "dev", dev, "root"], check=False)

    def set_link_mtu(self, mtu: int, link: str = "server", ends: str = "both") -> None:
        """Set the MTU of the router<->server (or router<->client) veth.

        ``ends="router"`` changes only the router's side: the endpoints still
        negotiate a full-size MSS, so large packets need PMTU discovery, which
        :meth:`block_frag_needed` can then break (a PMTU black hole).
        """
        router_dev, peer, peer_dev = (
            (ROUTER_SERVER_DEV, self.server, SERVER_DEV) if link == "server"
            else (ROUTER_CLIENT_DEV, self.client, CLIENT_DEV))
        if ends in ("both", "router"):
            self.router.set_mtu(router_dev, mtu)
        if ends in ("both", "peer"):
            peer.set_mtu(peer_dev, mtu)

    def block_frag_needed(self) -> None:
        """Router stops sending ICMP 'fragmentation needed'/'packet too big'."""
        self.router.iptables("-A", "OUTPUT", "-p", "icmp", "--icmp-type",
                             "fragmentation-needed", "-j", "DROP")
        self.router.iptables("-A", "OUTPUT", "-p", "icmpv6", "--icmpv6-type",
                             "packet-too-big", "-j", "DROP", v6=True)

    # -- running the doctor ---------------------------------------------------------

    def write_config(self, config: dict[str, Any] | str | Path) -> Path:
        """dict -> TOML file, str -> TOML text written to a file, Path -> used as is."""
        if isinstance(config, Path):
            return config
        self._config_n += 1
        path = self.tmp / f"config{self._config_n}.toml"
        path.write_text(config if isinstance(config, str) else toml_dumps(config))
        return path

    def doctor_env(self) -> dict[str, str | None]:
        """Extra environment for app runs (None unsets): this repo, no proxies, own home."""
        home = self.tmp / "home"
        home.mkdir(exist_ok=True)
        env: dict[str, str | None] = {
            k: None for k in os.environ if k.lower() in _UNSET_VARS}
        env.update(PYTHONPATH=str(REPO_ROOT), HOME=str(home),
                   XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
                   XDG_DATA_HOME=str(home / ".local/share"))
        return env

    def run_wxdoctor(self, *args: str, config: dict[str, Any] | str | Path,
                     timeout: float = 30) -> subprocess.CompletedProcess[str]:
        """Run ``python -m app *args --config FILE`` inside the client ns."""
        path = self.write_config(config)
        argv = [sys.executable, "-m", "app", *args, "--config", str(path)]
        return self.client.run(argv, timeout=timeout, check=False, cwd=REPO_ROOT,
                               env=self.doctor_env())

    def check_json(self, config: dict[str, Any] | str | Path, *extra: str,
                   timeout: float = 30) -> tuple[dict[str, Any], int, str]:
        """``check --json``: returns (report, exit code, stderr)."""
        proc = self.run_wxdoctor("check", "--json", *extra, config=config, timeout=timeout)
        try:
            report = json.loads(proc.stdout)
        except ValueError:
            raise AssertionError(
                f"no JSON report (rc={proc.returncode})\nstdout:\n{proc.stdout}\n"
                f"stderr:\n{proc.stderr}") from None
        return report, proc.returncode, proc.stderr

    def client_python(self, code: str, timeout: float = 10) -> subprocess.CompletedProcess[str]:
        """Run a Python snippet in the client ns (for probing the lab itself)."""
        return self.client.run([sys.executable, "-c", code], timeout=timeout, check=False)

    def debug_dump(self) -> str:
        """Routes, rules and server logs, for failure reports."""
        parts = []
        for ns in self.namespaces:
            for argv in (["ip", "-br", "addr"], ["ip", "route"], ["iptables", "-S"]):
                r = ns.run(argv, check=False)
                parts.append(f"[{ns.name}] $ {' '.join(argv)}\n{r.stdout}{r.stderr}")
            for log in sorted(ns.tmp.glob("*.log")):
                parts.append(f"[{ns.name}] {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        for d in self.dns_servers:
            parts.append(f"{d!r} queries: {d.queries()[-30:]}")
        return "\n".join(parts)
