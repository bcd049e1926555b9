"""Proxy tunnel and PAC probes against real servers on loopback, hostile ones included."""

from __future__ import annotations

import http.server
import socket
import struct
import threading
from collections.abc import Callable, Iterator

import pytest

from checks.probes.proxy_tunnel import fetch_pac, pac_proxies, parse_connect_reply, tunnel

Handler = Callable[[socket.socket], None]


@pytest.fixture
def server() -> Iterator[Callable[[Handler], int]]:
    """Start a one-connection-at-a-time TCP server on loopback running `handler`."""
    socks: list[socket.socket] = []

    def start(handler: Handler) -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        socks.append(listener)

        def serve() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                with conn:
                    try:
                        handler(conn)
                    except OSError:
                        pass

        threading.Thread(target=serve, daemon=True).start()
        return int(listener.getsockname()[1])

    yield start
    for s in socks:
        s.close()


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_http_connect_ok_sends_the_target(server: Callable[[Handler], int]) -> None:
    seen: list[bytes] = []

    def handler(conn: socket.socket) -> None:
        seen.append(_read_request(conn))
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

    port = server(handler)
    result = tunnel("http", "127.0.0.1", port, "login.wecom.lab.test", 443, 2.0)
    assert result["ok"] and result["status"] == 200 and result["failure"] is None
    assert seen[0].startswith(b"CONNECT login.wecom.lab.test:443 HTTP/1.1\r\n")


@pytest.mark.parametrize(("reply", "failure"), [
    (b"HTTP/1.0 403 Forbidden\r\n\r\n", "proxy_refused"),
    (b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", "proxy_auth_required"),
    (b"SSH-2.0-OpenSSH_9.2\r\n", "proxy_bad_reply"),
    (b"", "proxy_no_answer"),
    ("HTTP/1.1 502 网关错误\r\n\r\n".encode("gbk"), "proxy_refused"),
])
def test_http_connect_failures(server: Callable[[Handler], int], reply: bytes,
                               failure: str) -> None:
    def handler(conn: socket.socket) -> None:
        _read_request(conn)
        conn.sendall(reply)

    result = tunnel("http", "127.0.0.1", server(handler), "h", 443, 2.0)
    assert result["tcp_ok"] and not result["ok"] and result["failure"] == failure


def test_silent_proxy_times_out(server: Callable[[Handler], int]) -> None:
    release = threading.Event()

    def handler(conn: socket.socket) -> None:
        release.wait(5)

    result = tunnel("http", "127.0.0.1", server(handler), "h", 443, 0.3)
    release.set()
    assert result["tcp_ok"] and result["failure"] == "proxy_no_answer"


def test_closed_port_is_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = tunnel("http", "127.0.0.1", port, "h", 443, 1.0)
    assert not result["tcp_ok"] and result["failure"] == "tcp_refused"


def test_unresolvable_proxy_name() -> None:
    result = tunnel("http", "proxy.invalid", 3128, "h", 443, 1.0)
    assert result["failure"] in ("proxy_not_resolved", "tcp_unreachable")


@pytest.mark.parametrize(("code", "ok"), [(0, True), (5, False)])
def test_socks5(server: Callable[[Handler], int], code: int, ok: bool) -> None:
    def handler(conn: socket.socket) -> None:
        assert conn.recv(3) == b"\x05\x01\x00"
        conn.sendall(b"\x05\x00")
        head = conn.recv(5)
        name = conn.recv(head[4] + 2)
        assert name[:-2] == b"login.wecom.lab.test" and struct.unpack("!H", name[-2:])[0] == 443
        conn.sendall(bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0]))

    result = tunnel("socks5", "127.0.0.1", server(handler), "login.wecom.lab.test", 443, 2.0)
    assert result["ok"] is ok
    assert result["failure"] == (None if ok else "proxy_refused")


def test_socks5_wants_password(server: Callable[[Handler], int]) -> None:
    def handler(conn: socket.socket) -> None:
        conn.recv(3)
        conn.sendall(b"\x05\xff")

    result = tunnel("socks5", "127.0.0.1", server(handler), "h", 443, 2.0)
    assert result["failure"] == "proxy_auth_required"


def test_socks4a(server: Callable[[Handler], int]) -> None:
    def handler(conn: socket.socket) -> None:
        conn.recv(512)
        conn.sendall(b"\x00\x5a" + b"\0" * 6)

    assert tunnel("socks4", "127.0.0.1", server(handler), "h", 443, 2.0)["ok"]


def test_parse_connect_reply() -> None:
    assert parse_connect_reply(b"HTTP/1.1 200 OK\r\n\r\n") == (200, None)
    assert parse_connect_reply(b"HTTP/1.1 abc\r\n") == (None, "proxy_bad_reply")
    assert parse_connect_reply(b"\xff\xfe") == (None, "proxy_bad_reply")


@pytest.fixture
def http_root(tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    (tmp_path / "proxy.pac").write_text(
        'function FindProxyForURL(url, host) { return "PROXY 10.0.0.1:3128; DIRECT"; }')
    (tmp_path / "portal.html").write_text("<html>登录</html>", encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):  # type: ignore[no-untyped-def]
            super().__init__(*a, directory=str(tmp_path), **kw)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_pac_fetch(http_root: str) -> None:
    good = fetch_pac(f"{http_root}/proxy.pac", 2.0)
    assert good["ok"] and good["is_pac"] and good["status"] == 200
    assert fetch_pac(f"{http_root}/missing.pac", 2.0)["failure"] == "pac_http_error"
    assert fetch_pac(f"{http_root}/portal.html", 2.0)["failure"] == "pac_not_a_pac_file"
    assert fetch_pac("file:///etc/passwd", 2.0)["failure"] == "pac_unsupported_url"


def test_pac_closed_port() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = fetch_pac(f"http://127.0.0.1:{port}/proxy.pac", 1.0)
    assert not result["ok"] and result["failure"] == "tcp_refused"


def test_the_proxies_a_pac_script_names_in_its_strings() -> None:
    # Constructed in the shapes PAC files take: a company's fallback list, a
    # Shadowsocks client's "SOCKS5 ...; SOCKS ...; DIRECT", a proxy joined at run time.
    script = """function FindProxyForURL(url, host) {
        if (dnsDomainIs(host, ".corp.example")) return "DIRECT";
        if (isInNet(myIpAddress(), "10.1.0.0", "255.255.0.0"))
            return "PROXY wcg1.corp.example:8080; " + "PROXY wcg2.corp.example:8080";
        var ss = 'SOCKS5 127.0.0.1:1080; SOCKS 127.0.0.1:1080; DIRECT;';
        var joined = "PROXY " + proxy;           // not knowable without running it
        var tls = "HTTPS secure.corp.example:443"; // TLS to the proxy: not tried
        return "PROXY [fd00::8]:3128; PROXY wcg1.corp.example:8080";
    }"""
    assert pac_proxies(script) == [
        {"kind": "http", "host": "wcg1.corp.example", "port": 8080},
        {"kind": "http", "host": "wcg2.corp.example", "port": 8080},
        {"kind": "socks5", "host": "127.0.0.1", "port": 1080},
        {"kind": "socks4", "host": "127.0.0.1", "port": 1080},
    ]  # at most four, in order
    assert pac_proxies('function FindProxyForURL(u, h) { return "PROXY [fd00::8]:3128"; }') == [
        {"kind": "http", "host": "fd00::8", "port": 3128}]
    assert pac_proxies('function FindProxyForURL(u, h) { return "DIRECT"; }') == []
    assert pac_proxies('return "PROXY bad:99999; PROXY :80; PROXY a b:1"') == []
