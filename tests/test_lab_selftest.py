"""The lab itself: topology, DNS behaviours and every fault helper, probed with
plain sockets and dnspython from inside the client namespace."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.lab import Lab, LabError, Namespace, cleanup_stale, lab_unavailable
from tests.lab.netns import NETNS_ETC, NETNS_RUN, list_lab_namespaces
from tests.lab.toml import dumps as toml_dumps

NAME = "login.wecom.lab.test"

# Runs in the client ns: small socket/DNS probes that print one JSON value.
PROBE_LIB = textwrap.dedent("""
    import json, socket, sys, time
    def out(v): print(json.dumps(v)); sys.exit(0)
    def connect(host, port, timeout=1.0):
        t = time.monotonic()
        try:
            s = socket.create_connection((host, port), timeout)
            s.close()
            return "ok"
        except TimeoutError:
            return "timeout"
        except OSError as e:
            return __import__("errno").errorcode.get(e.errno, type(e).__name__)
    def query(server, name, rdtype="A", timeout=1.0, tcp=False):
        import dns.message, dns.query, dns.rcode
        q = dns.message.make_query(name, rdtype)
        try:
            fn = dns.query.tcp if tcp else dns.query.udp
            r = fn(q, server, timeout=timeout)
        except Exception as e:
            return {"error": type(e).__name__}
        return {"rcode": dns.rcode.to_text(r.rcode()),
                "answers": sorted(i.to_text() for rr in r.answer for i in rr)}
    def resolve(name):
        try:
            return sorted({ai[4][0] for ai in socket.getaddrinfo(name, 443,
                           type=socket.SOCK_STREAM)})
        except socket.gaierror as e:
            return {"gaierror": e.errno}
""")


def probe(lab: Lab, code: str, timeout: float = 10) -> Any:
    r = lab.client_python(PROBE_LIB + textwrap.dedent(code), timeout=timeout)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_topology_and_system_resolver(lab: Lab) -> None:
    addr = lab.add_host(NAME, ports=[443, 80], v6=True)
    v6 = lab.hosts[NAME].v6
    assert addr.startswith("10.201.") and v6 and v6.startswith("fd00:201:")
    got = probe(lab, f"""
        out({{"resolved": resolve({NAME!r}),
              "conn": [connect(a, p) for a in ({addr!r}, {v6!r}) for p in (443, 80)],
              "closed_port": connect({addr!r}, 8443),
              "resolv": open("/etc/resolv.conf").read(), "hosts": open("/etc/hosts").read()}})
    """)
    assert got["resolved"] == sorted([addr, v6])
    assert got["conn"] == ["ok"] * 4
    assert got["closed_port"] == "ECONNREFUSED"  # the server host itself sends RST
    assert got["resolv"] == f"nameserver {lab.dns_ip}\noptions timeout:1 attempts:1\n"
    assert NAME not in got["hosts"] and "localhost" in got["hosts"]
    # The root namespace knows nothing about the lab.
    assert "10.201." not in subprocess.run(["ip", "addr"], capture_output=True,
                                           text=True).stdout


def test_v6_only_host_and_unregistered_name(lab: Lab) -> None:
    v6 = lab.add_host("v6only.lab.test", ports=[443], v4=False, v6=True)
    got = probe(lab, f"""
        out([resolve("v6only.lab.test"), connect({v6!r}, 443),
             query({lab.dns_ip!r}, "v6only.lab.test", "A"),
             query({lab.dns_ip!r}, "unknown.lab.test", "A"), resolve("unknown.lab.test")])
    """)
    assert got[0] == [v6] and got[1] == "ok"
    assert got[2] == {"rcode": "NOERROR", "answers": []}  # NODATA
    assert got[3] == {"rcode": "NXDOMAIN", "answers": []}
    assert got[4] == {"gaierror": socket_eai("EAI_NONAME")}


def socket_eai(name: str) -> int:
    import socket

    return int(getattr(socket, name))


def test_dns_modes_and_live_changes(lab: Lab) -> None:
    addr = lab.add_host(NAME)
    lab.dns.set("slow.lab.test", a="10.201.16.200")
    lab.dns.delay("slow.lab.test", 0.3)
    lab.dns.cname("alias.lab.test", NAME)
    lab.dns.set("big.lab.test", a="10.201.16.201")
    lab.dns.truncate("big.lab.test")
    ip = lab.dns_ip
    got = probe(lab, f"""
        t = time.monotonic(); slow = query({ip!r}, "slow.lab.test")
        out([query({ip!r}, {NAME!r}), query({ip!r}, {NAME!r}, tcp=True),
             query({ip!r}, {NAME.upper()!r} + "."), slow, time.monotonic() - t,
             query({ip!r}, "alias.lab.test"), query({ip!r}, "big.lab.test"),
             query({ip!r}, "big.lab.test", tcp=True)])
    """)
    ok = {"rcode": "NOERROR", "answers": [addr]}
    assert got[0] == got[1] == got[2] == ok
    assert got[3]["answers"] == ["10.201.16.200"] and got[4] >= 0.3
    assert got[5]["answers"] == [addr, "login.wecom.lab.test."]
    assert got[6] == {"rcode": "NOERROR", "answers": []}  # TC=1 over UDP
    assert got[7]["answers"] == ["10.201.16.201"]

    for mutate, expect in [
        (lambda: lab.nxdomain(NAME), {"rcode": "NXDOMAIN", "answers": []}),
        (lambda: lab.servfail(NAME), {"rcode": "SERVFAIL", "answers": []}),
        (lambda: lab.dns_drop(NAME), {"error": "Timeout"}),
        (lambda: lab.dns.answer(NAME), ok),
        (lambda: lab.dns.set(NAME, a=["10.201.16.99", "10.201.16.98"]),
         {"rcode": "NOERROR", "answers": ["10.201.16.98", "10.201.16.99"]}),
    ]:
        mutate()
        assert probe(lab, f"out(query({ip!r}, {NAME!r}, timeout=0.5))") == expect
    log = lab.dns.queries()
    first = next(q for q in log if q["name"] == NAME)
    assert {"type": "A", "client": "10.201.1.2", "transport": "udp"}.items() <= first.items()
    assert any(q["mode"] == "drop" for q in log)


def test_second_dns_server_answers_independently(lab: Lab) -> None:
    real = lab.add_host(NAME)
    trusted = lab.add_dns_server()
    trusted.set(NAME, a="10.201.16.250")
    lab.dns.set("only-system.lab.test", a="10.201.16.251")
    got = probe(lab, f"""
        out([query({lab.dns_ip!r}, {NAME!r}), query({trusted.addr!r}, {NAME!r}),
             query({trusted.addr!r}, "only-system.lab.test")])
    """)
    assert got[0]["answers"] == [real]
    assert got[1]["answers"] == ["10.201.16.250"]
    assert got[2]["rcode"] == "NXDOMAIN"
    assert [q["name"] for q in trusted.queries()] == [NAME, "only-system.lab.test"]


def test_stop_and_start_dns(lab: Lab) -> None:
    lab.add_host(NAME)
    lab.stop_dns()
    got = probe(lab, f"""
        t = time.monotonic(); r = resolve({NAME!r})
        out([r, time.monotonic() - t, query({lab.dns_ip!r}, {NAME!r}, timeout=0.3)])
    """)
    # The host is up but nothing listens on :53: ICMP port unreachable makes
    # glibc (connected UDP socket) fail fast rather than wait for its timeout,
    # while an unconnected socket (dnspython) never sees the error.
    assert "gaierror" in got[0] and got[1] < 0.5
    assert got[2] == {"error": "Timeout"}
    lab.start_dns()
    assert probe(lab, f"out(resolve({NAME!r}))") == [lab.hosts[NAME].v4]


def test_reject_drop_unreachable(lab: Lab) -> None:
    addr = lab.add_host(NAME, ports=[443, 80, 5222], v6=True)
    v6 = lab.hosts[NAME].v6
    lab.reject(addr, 443)
    lab.reject(v6, 443)  # type: ignore[arg-type]
    lab.drop(addr, 80)
    lab.unreachable(addr, 5222)
    got = probe(lab, f"""
        out([connect({addr!r}, 443), connect({v6!r}, 443), connect({addr!r}, 80, 0.5),
             connect({v6!r}, 80), connect({addr!r}, 5222)])
    """)
    assert got == ["ECONNREFUSED", "ECONNREFUSED", "timeout", "ok", "EHOSTUNREACH"]
    lab.drop(addr)  # every port
    lab.clear_faults()
    assert probe(lab, f"out([connect({addr!r}, p) for p in (443, 80, 5222)])") == ["ok"] * 3


def test_no_default_route(lab: Lab) -> None:
    addr = lab.add_host(NAME, ports=[443], v6=True)
    lab.no_default_route()
    got = probe(lab, f"out([connect({addr!r}, 443), connect({lab.hosts[NAME].v6!r}, 443),"
                     f" resolve({NAME!r})])")
    assert got[:2] == ["ENETUNREACH", "ENETUNREACH"]
    assert "gaierror" in got[2]
    lab.restore_default_route()
    assert probe(lab, f"out(connect({addr!r}, 443))") == "ok"


def test_drop_everything_and_blackhole(lab: Lab) -> None:
    addr = lab.add_host(NAME, ports=[443])
    lab.drop_everything()
    got = probe(lab, f"""
        out([connect({addr!r}, 443, 0.5), query({lab.dns_ip!r}, {NAME!r}, timeout=0.5),
             connect("127.0.0.1", 9, 0.5)])
    """)
    # Locally dropped UDP fails at once with EPERM; TCP SYNs just vanish.
    assert got == ["timeout", {"error": "PermissionError"}, "timeout"]
    lab.clear_faults()
    lab.blackhole()
    got = probe(lab, f"""
        out([connect({addr!r}, 443, 0.5), query({lab.dns_ip!r}, {NAME!r}, timeout=0.5),
             connect("10.201.1.1", 22, 0.5)])
    """)
    assert got == ["timeout", {"error": "Timeout"}, "timeout"]


SENDER = """
import socket, sys
srv = socket.create_server((sys.argv[1], int(sys.argv[2])))
while True:
    conn, _ = srv.accept()
    conn.sendall(b"x" * int(sys.argv[3]))
    conn.close()
"""


def test_spawn_python_and_rate_limit(lab: Lab, tmp_path: Path) -> None:
    addr = lab.add_address()
    script = tmp_path / "sender.py"
    script.write_text(SENDER)
    size = 256 * 1024
    lab.spawn_server(script, addr, "9000", str(size), listen=[9000], addr=addr)
    fetch = f"""
        t = time.monotonic(); s = socket.create_connection(({addr!r}, 9000), 5); n = 0
        while (b := s.recv(65536)): n += len(b)
        out([n, time.monotonic() - t])
    """
    n, fast = probe(lab, fetch)
    assert n == size and fast < 0.3
    lab.rate_limit("4mbit", direction="down")
    n, slow = probe(lab, fetch)
    assert n == size and 0.35 < slow < 3  # 2 Mbit at 4 Mbit/s ~ 0.5 s
    lab.clear_rate_limit()


def test_spawn_python_reports_early_exit(lab: Lab, tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text("raise SystemExit('cannot bind, sorry')\n")
    with pytest.raises(LabError, match="cannot bind, sorry"):
        lab.server.spawn_python(script, listen=[1234], timeout=2)


def test_pmtu_black_hole(lab: Lab) -> None:
    addr = lab.add_host(NAME, ports=[443])
    upload = f"""
        s = socket.create_connection(({addr!r}, 443), 1)
        s.settimeout(1.5)
        try:
            s.sendall(b"y" * 200000); s.shutdown(socket.SHUT_WR)
            out(s.recv(1) == b"")  # listener closes once it has read everything
        except OSError as e:
            out(type(e).__name__)
    """
    lab.set_link_mtu(1280, ends="router")
    assert "mtu 1280" in lab.router.run(["ip", "link", "show", "srv0"]).stdout
    assert probe(lab, upload) is True  # PMTU discovery shrinks the segments
    lab.block_frag_needed()
    # A new destination has no cached path MTU, so its big segments vanish.
    addr2 = lab.add_host("big.lab.test", ports=[443])
    assert probe(lab, upload.replace(addr, addr2)) == "TimeoutError"


def test_parallel_labs_are_isolated(lab_factory: Any) -> None:
    a, b = lab_factory(), lab_factory()
    addr_a = a.add_host(NAME, ports=[443])
    addr_b = b.add_host(NAME)  # same address in both labs, no listener in b
    assert addr_a == addr_b
    a.dns.set("only-a.lab.test", a="10.201.16.77")
    assert probe(a, f"out([connect({addr_a!r}, 443), resolve('only-a.lab.test')])") == [
        "ok", ["10.201.16.77"]]
    assert probe(b, f"out([connect({addr_b!r}, 443), resolve('only-a.lab.test')])") == [
        "ECONNREFUSED", {"gaierror": socket_eai("EAI_NONAME")}]


def test_close_removes_everything(lab: Lab) -> None:
    lab.add_host(NAME, ports=[443])
    names = [ns.name for ns in lab.namespaces]
    pids = [p.pid for ns in lab.namespaces for p in ns.procs]
    # A stray process the test itself started in the client ns.
    lab.client.popen(["sleep", "60"])
    lab.close()
    assert not set(names) & set(list_lab_namespaces())
    assert not any((NETNS_ETC / n).exists() or (NETNS_RUN / n).exists() for n in names)
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)
    assert not lab.tmp.exists()


@pytest.mark.lab
def test_cleanup_stale_removes_orphans() -> None:
    if reason := lab_unavailable():
        pytest.skip(reason)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    name = f"wxd-{dead.pid}-abcdef-cli"
    subprocess.run(["ip", "netns", "add", name], check=True)
    (NETNS_ETC / name).mkdir(parents=True, exist_ok=True)
    (NETNS_ETC / name / "resolv.conf").write_text("nameserver 10.201.2.53\n")
    mine = Namespace.create("tst")
    try:
        removed = cleanup_stale()
        assert name in removed
        assert not (NETNS_RUN / name).exists() and not (NETNS_ETC / name).exists()
        assert mine.name in list_lab_namespaces()  # our own live ns survives
    finally:
        mine.delete()
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


def test_toml_writer_round_trips() -> None:
    tomllib = pytest.importorskip("tomllib")
    config = {
        "deadline_s": 5,
        "ratio": 0.5,
        "endpoints": [{"host": NAME, "ports": [443, 80], "product": "wecom", "tls": True}],
        "dns": {"trusted_resolvers": ["10.201.2.53"], "note": 'quote " and \\ and 企业微信'},
        "captive": {"probes": []},
        "nested": {"a b": {"c": False}},
    }
    assert tomllib.loads(toml_dumps(config)) == config
