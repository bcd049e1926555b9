"""The faults of tests/lab/faults.py are real as built: probed from the client ns.

These tests check the network, never the doctor's verdict (tests/lab/survey.py
records that). Every probe runs inside the client namespace with plain sockets,
getaddrinfo and dnspython, exactly what an application there would see.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.lab import Lab, faults
from tests.lab.topology import CLIENT_DEV, DEFAULT_HOSTS
from tests.lab.world import API, CAPTIVE_HOST, LOGIN, LONG, World, build_world

# In the client ns: connect(addr, port, timeout) -> "ok" | "timeout" | "refused" | errno name.
PRELUDE = textwrap.dedent("""
    import errno, json, socket, ssl, sys, time

    def connect(addr, port, timeout=1.5):
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect((addr, port))
            return "ok"
        except socket.timeout:
            return "timeout"
        except ConnectionRefusedError:
            return "refused"
        except OSError as exc:
            return errno.errorcode.get(exc.errno, str(exc))
        finally:
            s.close()

    def resolve(name):
        try:
            return sorted({ai[4][0] for ai in socket.getaddrinfo(name, 443, proto=6)})
        except socket.gaierror as exc:
            return "gaierror %s" % exc.errno
""")


def client(lab: Lab, code: str, timeout: float = 30) -> Any:
    """Run PRELUDE + ``code`` in the client ns; ``code`` sets ``out`` (JSON)."""
    proc = lab.client_python(PRELUDE + textwrap.dedent(code) + "\nprint(json.dumps(out))\n",
                             timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def world_with(lab: Lab, fault: faults.FaultFn) -> World:
    world = build_world(lab)
    fault(lab, world)
    return world


# ---- 1. hosts file ------------------------------------------------------------------------------

@pytest.mark.parametrize("fault, addr", [
    (faults.hosts_loopback, "127.0.0.1"),
    (faults.hosts_zero, "0.0.0.0"),
    (faults.hosts_stale, faults.STALE_ADDR),
], ids=["loopback", "zero", "stale"])
def test_hosts_override_is_what_getaddrinfo_returns(lab: Lab, fault: faults.FaultFn,
                                                    addr: str) -> None:
    world = world_with(lab, fault)
    real = world.addresses[LOGIN]
    out = client(lab, f"""
        import os, dns.resolver
        r = dns.resolver.Resolver(configure=False)
        r.nameservers = [{lab.dns_ip!r}]
        out = {{"gai": resolve({LOGIN!r}), "other": resolve({API!r}),
               "dns": [a.address for a in r.resolve({LOGIN!r}, "A")],
               "same_file": os.stat("/etc/hosts").st_ino == os.stat({str(lab.hosts_path)!r}).st_ino,
               "etc_hosts": open("/etc/hosts").read(),
               "connect": connect({addr!r}, 443, 1.5)}}
    """)
    assert out["gai"] == [addr]  # the hosts line wins over DNS
    assert out["dns"] == [real]  # DNS itself is untouched
    assert out["other"] == [world.addresses[API]]
    assert out["same_file"] and f"{addr}\t{LOGIN}" in out["etc_hosts"]
    # The hosts check reads the OS default path, i.e. this very file.
    assert world.config["system"]["hosts_file"] == ""
    # 127.0.0.1/0.0.0.0: nothing listens there; the stale address: silence.
    assert out["connect"] == ("timeout" if addr == faults.STALE_ADDR else "refused")


def test_set_hosts_file_replaces_the_real_file(lab: Lab) -> None:
    lab.set_hosts_file(DEFAULT_HOSTS + f"10.201.16.77 {LOGIN}\n")
    assert client(lab, f"out = resolve({LOGIN!r})") == ["10.201.16.77"]
    lab.set_hosts_file(DEFAULT_HOSTS)
    assert client(lab, f"out = resolve({LOGIN!r})") == "gaierror -2"  # no DNS record either


# ---- 2. VPN --------------------------------------------------------------------------------------

def test_vpn_swallows_everything_while_eth0_is_up(lab: Lab) -> None:
    world = world_with(lab, faults.vpn_swallows_everything)
    server = world.addresses[LOGIN]
    route4 = lab.client.run(["ip", "route", "get", server]).stdout
    route6 = lab.client.run(["ip", "-6", "route", "get", "fd00:201:16::1"]).stdout
    assert " dev tun0 " in route4 and " dev tun0 " in route6, (route4, route6)
    before = _tx_packets(lab, "tun0")
    out = client(lab, f"""
        out = {{"tcp": connect({server!r}, 443, 1.5), "dns": connect({lab.dns_ip!r}, 53, 1.0),
               "v6": connect("fd00:201:2::2", 443, 1.0)}}
    """)
    assert out == {"tcp": "timeout", "dns": "timeout", "v6": "timeout"}
    assert _tx_packets(lab, "tun0") > before  # the SYNs went into the tunnel ...
    link = lab.client.run(["ip", "-br", "link", "show", CLIENT_DEV]).stdout
    assert " UP " in link and "NO-CARRIER" not in link, link  # ... while eth0 is up
    assert " dev eth0 " in lab.client.run(["ip", "route", "get", "10.201.1.1"]).stdout


def test_working_vpn_tunnels_past_the_router(lab: Lab) -> None:
    world = world_with(lab, faults.vpn_working)
    server = world.addresses[LOGIN]
    assert " dev tun0 " in lab.client.run(["ip", "route", "get", server]).stdout
    lab.drop(server, 443)  # the router drops it: only a real tunnel gets through
    out = client(lab, f"""
        out = {{"tcp": connect({server!r}, 443), "gai": resolve({LOGIN!r})}}
    """)
    assert out == {"tcp": "ok", "gai": [server]}


def _tx_packets(lab: Lab, dev: str) -> int:
    stats = json.loads(lab.client.run(["ip", "-s", "-j", "link", "show", dev]).stdout)
    return int(stats[0]["stats64"]["tx"]["packets"])


# ---- 3. loss and delay ----------------------------------------------------------------------------

def _one_way_losses(lab: Lab, n: int) -> tuple[list[int], list[int]]:
    """n numbered DNS queries to the system resolver, 3 ms apart.

    The resolver's log says which arrived (upstream loss); the replies the
    client got back for those say downstream loss. Returns both lost lists.
    """
    got = client(lab, f"""
        import threading, dns.message
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.connect(({lab.dns_ip!r}, 53))
        s.settimeout(1.5)
        seen = set()

        def receive():
            # Read while sending: a full receive buffer would drop replies itself.
            try:
                while True:
                    reply = dns.message.from_wire(s.recv(4096))
                    seen.add(int(str(reply.question[0].name).split(".")[0][1:]))
            except socket.timeout:
                pass

        reader = threading.Thread(target=receive)
        reader.start()
        for i in range({n}):
            s.send(dns.message.make_query("p%d.probe.lab.test" % i, "A").to_wire())
            time.sleep(0.003)
        reader.join()
        out = sorted(seen)
    """)
    arrived = {int(q["name"].split(".")[0][1:]) for q in lab.dns.queries()
               if q["name"].endswith(".probe.lab.test")}
    up = sorted(set(range(n)) - arrived)
    down = sorted(arrived - set(got))
    return up, down


def _not_one_run(lost: list[int]) -> bool:
    return lost[-1] - lost[0] + 1 > len(lost)


def test_25_percent_loss_is_random_and_both_ways(lab: Lab) -> None:
    world_with(lab, faults.loss_25)
    up, down = _one_way_losses(lab, 200)
    # 50 expected each way (sd ~6): wide bounds, so this never flakes.
    assert 25 <= len(up) <= 75 and _not_one_run(up), up
    # Downstream is out of the ~150 queries that arrived.
    assert 15 <= len(down) <= 65 and _not_one_run(down), down


def test_3_percent_loss(lab: Lab) -> None:
    world_with(lab, faults.loss_3)
    up, down = _one_way_losses(lab, 400)
    # 12 expected each way (sd ~3.4).
    assert 1 <= len(up) <= 35, up
    assert 1 <= len(down) <= 35, down


def test_no_loss_without_the_fault(lab: Lab) -> None:
    build_world(lab)
    assert _one_way_losses(lab, 200) == ([], [])


def test_slow_path_adds_a_real_300ms_round_trip(lab: Lab) -> None:
    world = world_with(lab, faults.slow_path_300ms)
    server = world.addresses[API]
    times = client(lab, f"""
        out = []
        for _ in range(7):
            t = time.monotonic()
            r = connect({server!r}, 443, 3.0)
            out.append(round((time.monotonic() - t) * 1000) if r == "ok" else None)
    """)
    done = sorted(t for t in times if t is not None)
    assert len(done) >= 5, times
    median = done[len(done) // 2]
    assert 290 <= median <= 900, times  # a lost SYN costs ~1 s more; the median is clean


def test_no_added_delay_without_the_fault(lab: Lab) -> None:
    world = build_world(lab)
    ms = client(lab, f"""
        t = time.monotonic()
        assert connect({world.addresses[API]!r}, 443) == "ok"
        out = (time.monotonic() - t) * 1000
    """)
    assert ms < 100


# ---- 4. one port -------------------------------------------------------------------------------

@pytest.mark.parametrize("fault, outcome", [
    (faults.port_8080_dropped, "timeout"), (faults.port_8080_rejected, "refused")],
    ids=["dropped", "rejected"])
def test_only_8080_is_blocked(lab: Lab, fault: faults.FaultFn, outcome: str) -> None:
    world = world_with(lab, fault)
    addr = world.addresses[LONG]  # the host that listens on 443, 80 and 8080
    out = client(lab, f"""
        out = [connect({addr!r}, p) for p in (8080, 443, 80)]
    """)
    assert out == [outcome, "ok", "ok"]


# ---- 5. proxy wanting credentials --------------------------------------------------------------

def _via_proxy(lab: Lab, proxy: str, auths: list[str | None], request: str) -> list[str]:
    """Send ``request`` (CONNECT or GET) to proxy:3128 once per auth ("user:pass" or
    None); returns each response's head (and whatever came with it)."""
    return client(lab, f"""
        import base64
        def send(auth):
            s = socket.create_connection(({proxy!r}, 3128), timeout=5)
            req = {request!r}
            if auth:
                req += "Proxy-Authorization: Basic %s\\r\\n" % base64.b64encode(auth.encode()).decode()
            s.sendall((req + "\\r\\n").encode())
            data = b""
            while b"\\r\\n\\r\\n" not in data:  # the response head is enough
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            s.close()
            return data.decode("latin-1")
        out = [send(a) for a in {auths!r}]
    """)


GOOD = f"{faults.PROXY_USER}:{faults.PROXY_PASSWORD}"


def test_proxy_answers_407_without_credentials_and_200_with_them(lab: Lab) -> None:
    world = world_with(lab, faults.proxy_auth_required)
    proxy = world.extra["proxy"]
    assert world.env["https_proxy"] == world.env["http_proxy"] == f"http://{proxy}:3128"
    bare, good, wrong = _via_proxy(lab, proxy, [None, GOOD, f"{faults.PROXY_USER}:wrong"],
                                   f"CONNECT {LOGIN}:443 HTTP/1.1\r\nHost: {LOGIN}:443\r\n")
    assert bare.split()[1] == "407" and "proxy-authenticate: basic" in bare.lower(), bare
    assert good.split()[1] == "200", good
    # tinyproxy 1.11.1 answers wrong credentials with 401 (a bug fixed in 1.11.2).
    assert wrong.split()[1] == "401" and "www-authenticate: basic" in wrong.lower(), wrong
    # Plain HTTP through it: 407 without, the real server's answer (captive probe) with.
    bare, good = _via_proxy(lab, proxy, [None, GOOD],
                            f"GET http://{CAPTIVE_HOST}/generate_204 HTTP/1.1\r\n"
                            f"Host: {CAPTIVE_HOST}\r\n")
    assert bare.split()[1] == "407" and good.split()[1] == "204", (bare, good)


@pytest.mark.parametrize("fault, status", [
    (faults.proxy_auth_given, "200"), (faults.proxy_auth_wrong, "401")], ids=["given", "wrong"])
def test_proxy_credentials_in_the_variables(lab: Lab, fault: faults.FaultFn,
                                            status: str) -> None:
    world = world_with(lab, fault)
    url = urlsplit(world.env["https_proxy"])
    assert (url.hostname, url.port) == (world.extra["proxy"], 3128)
    (head,) = _via_proxy(lab, world.extra["proxy"], [f"{url.username}:{url.password}"],
                         f"CONNECT {LOGIN}:443 HTTP/1.1\r\nHost: {LOGIN}:443\r\n")
    assert head.split()[1] == status, head


# ---- 6. the service failing --------------------------------------------------------------------

def test_service_answers_502_over_valid_tls(lab: Lab) -> None:
    world = world_with(lab, faults.service_502)
    out = client(lab, f"""
        ctx = ssl.create_default_context(cafile={str(world.ca.ca_file)!r})
        ctx.set_alpn_protocols(["http/1.1"])
        def https(name):
            addr = resolve(name)[0]
            with socket.create_connection((addr, 443), timeout=5) as raw:
                with ctx.wrap_socket(raw, server_hostname=name) as tls:
                    version = tls.version()
                    tls.sendall(("GET / HTTP/1.1\\r\\nHost: %s\\r\\n\\r\\n" % name).encode())
                    data = b""
                    while True:
                        chunk = tls.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    return [version, data.split(b"\\r\\n")[0].decode()]
        def http(name):
            with socket.create_connection((resolve(name)[0], 80), timeout=5) as s:
                s.sendall(("GET /generate_204 HTTP/1.1\\r\\nHost: %s\\r\\n\\r\\n" % name).encode())
                return s.recv(4096).split(b"\\r\\n")[0].decode()
        out = {{"login": https({LOGIN!r}), "api": https({API!r}), "login80": http({LOGIN!r}),
               "control": http({CAPTIVE_HOST!r})}}
    """)
    # The handshake verified the lab CA and the name (else wrap_socket raised).
    assert out["login"][0].startswith("TLSv1") and out["login"][1] == "HTTP/1.1 502 Bad Gateway"
    assert out["api"][1] == "HTTP/1.1 503 Service Unavailable"
    assert out["login80"].startswith("HTTP/1.1 502")
    assert out["control"].startswith("HTTP/1.1 204")  # the control site works


def test_healthy_tls_servers_answer_204(lab: Lab) -> None:
    world = build_world(lab)
    out = client(lab, f"""
        ctx = ssl.create_default_context(cafile={str(world.ca.ca_file)!r})
        with socket.create_connection((resolve({LOGIN!r})[0], 443), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname={LOGIN!r}) as tls:
                tls.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
                out = tls.recv(4096).split(b"\\r\\n")[0].decode()
    """)
    assert out == "HTTP/1.1 204 No Content"


# ---- 7. messy networks ---------------------------------------------------------------------------

def test_ipv6_answered_but_blackholed(lab: Lab) -> None:
    world = world_with(lab, faults.ipv6_blackhole)
    v4, v6 = world.addresses[LOGIN], world.extra["v6"][LOGIN]
    out = client(lab, f"""
        out = {{"gai": resolve({LOGIN!r}), "v6": connect({v6!r}, 443, 1.5),
               "v4": connect({v4!r}, 443, 1.5)}}
    """)
    assert out == {"gai": sorted([v4, v6]), "v6": "timeout", "v4": "ok"}
    # The servers do listen on v6: it is the path that is broken.
    lab.router.iptables("-P", "FORWARD", "ACCEPT", v6=True)
    assert client(lab, f"out = connect({v6!r}, 443)") == "ok"


def test_dns_answers_after_2_5_seconds(lab: Lab) -> None:
    world = world_with(lab, faults.dns_slow)
    out = client(lab, f"""
        t = time.monotonic()
        a = resolve({LOGIN!r})
        out = [a, time.monotonic() - t]
    """)
    assert out[0] == [world.addresses[LOGIN]]
    assert 2.4 <= out[1] < 4.5, out
    assert "options" not in (lab.hosts_path.parent / "resolv.conf").read_text()


def test_adblock_dns_answers_zero_for_one_name(lab: Lab) -> None:
    world = world_with(lab, faults.adblock_dns)
    out = client(lab, f"""
        import dns.resolver
        r = dns.resolver.Resolver(configure=False)
        r.nameservers = [{world.trusted_dns.addr!r}]
        out = {{"api": resolve({API!r}), "login": resolve({LOGIN!r}),
               "trusted": [a.address for a in r.resolve({API!r}, "A")]}}
    """)
    assert out == {"api": ["0.0.0.0", "::"], "login": [world.addresses[LOGIN]],
                   "trusted": [world.addresses[API]]}


def test_sni_filter_resets_one_name_only(lab: Lab) -> None:
    world = world_with(lab, faults.sni_reset)
    out = client(lab, f"""
        ctx = ssl.create_default_context(cafile={str(world.ca.ca_file)!r})
        def handshake(addr, name):
            try:
                with socket.create_connection((addr, 443), timeout=3) as raw:
                    with ctx.wrap_socket(raw, server_hostname=name) as tls:
                        return tls.version()
            except ConnectionResetError:
                return "reset"
            except (OSError, ssl.SSLError) as exc:
                return repr(exc)
        login = {world.addresses[LOGIN]!r}
        out = {{"tcp": connect(login, 443), "login": handshake(login, {LOGIN!r}),
               "api": handshake({world.addresses[API]!r}, {API!r})}}
    """)
    assert out["tcp"] == "ok" and out["login"] == "reset", out
    assert out["api"].startswith("TLSv1"), out


def test_flaky_servfail_alternates(lab: Lab) -> None:
    world = world_with(lab, faults.dns_flaky_servfail)
    out = client(lab, f"""
        import dns.message, dns.query, dns.rcode
        out = []
        for _ in range(6):
            q = dns.message.make_query({LOGIN!r}, "A")
            r = dns.query.udp(q, {lab.dns_ip!r}, timeout=2)
            out.append([dns.rcode.to_text(r.rcode()), [rr.address for a in r.answer for rr in a]])
    """)
    addr = world.addresses[LOGIN]
    assert out == [["SERVFAIL", []], ["NOERROR", [addr]]] * 3


# ---- 8. one dead address, and the proxy as the only way out --------------------------------------

def test_one_of_two_addresses_is_dropped(lab: Lab) -> None:
    world = world_with(lab, faults.one_dead_address)
    dead, live = world.extra["dead_address"], world.addresses[LOGIN]
    out = client(lab, f"""
        import dns.resolver
        def ask(server):
            r = dns.resolver.Resolver(configure=False)
            r.nameservers = [server]
            return sorted(a.address for a in r.resolve({LOGIN!r}, "A"))
        out = {{"gai": resolve({LOGIN!r}), "system": ask({lab.dns_ip!r}),
               "trusted": ask({world.trusted_dns.addr!r}),
               "dead": connect({dead!r}, 443), "dead_80": connect({dead!r}, 80),
               "live": connect({live!r}, 443)}}
    """)
    both = sorted([dead, live])
    assert out == {"gai": both, "system": both, "trusted": both, "dead": "timeout",
                   "dead_80": "timeout", "live": "ok"}


def test_only_the_proxy_goes_out(lab: Lab) -> None:
    world = world_with(lab, faults.proxy_only_network)
    proxy = world.extra["proxy"]
    assert world.env["https_proxy"] == world.env["http_proxy"] == f"http://{proxy}:3128"
    direct = client(lab, f"""
        out = {{host: connect(addr, 443, 1.0) for host, addr in {world.addresses!r}.items()}}
        out["captive"] = connect({lab.hosts[CAPTIVE_HOST].v4!r}, 80, 1.0)
    """)
    assert direct == {**dict.fromkeys(world.addresses, "timeout"), "captive": "ok"}
    for host in world.addresses:
        (head,) = _via_proxy(lab, proxy, [None],
                             f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n")
        assert head.split()[1] == "200", (host, head)


def test_a_proxy_setting_pointing_where_nothing_listens(lab: Lab) -> None:
    world = world_with(lab, faults.proxy_set_direct_works)
    out = client(lab, f"""
        out = {{"proxy": connect({world.extra["proxy"]!r}, 3128),
               "direct": [connect(a, 443) for a in {list(world.addresses.values())!r}]}}
    """)
    assert out == {"proxy": "refused", "direct": ["ok"] * len(world.addresses)}
