"""The raw HTTP probe against real loopback servers; hijack and captive verdicts."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from checks.catalog.captive import assess_captive, outcome, portal_url
from checks.catalog.http_hijack import assess_http_hijack, finding
from checks.engine.results import Status
from checks.probes import http
from tests.fixtures.evidence.recorded import evidence
from tests.lab.http_server import INJECTED_PAGE, PORTAL_PAGE, Answer, LoopbackHttp

# ---- the probe on loopback ---------------------------------------------------------


def test_redirect_is_recorded_not_followed() -> None:
    answer = Answer(302, "", ["Location: http://portal.example.test/auth?x=1", "Server: acme"])
    with LoopbackHttp(answer) as srv:
        r = http.get("127.0.0.1", srv.port, "short.weixin.qq.com", "/", timeout=3)
    assert r["failure"] is None
    assert (r["status"], r["location"], r["server"]) == (
        302, "http://portal.example.test/auth?x=1", "acme")


def test_body_and_charset() -> None:
    with LoopbackHttp(Answer(200, PORTAL_PAGE.format(url="/login"), [],
                             "text/html; charset=utf-8")) as srv:
        r = http.get("127.0.0.1", srv.port, "x", "/generate_204", timeout=3)
    assert r["status"] == 200 and "Wi-Fi 认证" in r["body_start"]
    assert set(http.page_signals(r["body_start"], r["content_type"])) >= {
        "login_form", "meta_refresh"}


def test_204_needs_no_close() -> None:
    with LoopbackHttp(Answer(204)) as srv:
        r = http.get("127.0.0.1", srv.port, "x", "/", timeout=3)
    assert (r["status"], r["body_start"], r["failure"]) == (204, "", None)


@contextmanager
def raw_server(behaviour: Callable[[socket.socket], None]) -> Iterator[int]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                behaviour(conn)

    threading.Thread(target=loop, daemon=True).start()
    try:
        yield srv.getsockname()[1]
    finally:
        stop.set()
        srv.close()


def test_silent_server_times_out() -> None:
    with raw_server(lambda c: (c.recv(1000), stop_wait(c))) as port:
        r = http.get("127.0.0.1", port, "x", timeout=0.3)
    assert r["failure"] == "http_timeout" and r["status"] is None


def stop_wait(conn: socket.socket) -> None:
    conn.settimeout(1.0)
    try:
        conn.recv(1)
    except OSError:
        pass


def test_not_http_and_closed_and_reset() -> None:
    with raw_server(lambda c: (c.recv(1000), c.sendall(b"\x00\x01garbage"))) as port:
        r = http.get("127.0.0.1", port, "x", timeout=2)
    assert r["failure"] == "http_not_http" and r["status"] is None and r["bytes"] == 9

    with raw_server(lambda c: c.recv(1000)) as port:
        r = http.get("127.0.0.1", port, "x", timeout=2)
    assert r["failure"] == "http_closed"

    def reset(c: socket.socket) -> None:
        c.recv(1000)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    with raw_server(reset) as port:
        r = http.get("127.0.0.1", port, "x", timeout=2)
    assert r["failure"] in ("http_reset", "http_closed")


def test_trickling_body_keeps_the_status() -> None:
    def trickle(c: socket.socket) -> None:
        c.recv(1000)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
        stop_wait(c)

    with raw_server(trickle) as port:
        r = http.get("127.0.0.1", port, "x", timeout=0.3)
    assert (r["status"], r["body_start"], r["failure"]) == (200, "abc", None)


def test_chunked_body_is_decoded() -> None:
    def chunked(c: socket.socket) -> None:
        c.recv(1000)
        c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")

    with raw_server(chunked) as port:
        r = http.get("127.0.0.1", port, "x", timeout=2)
    assert r["body_start"] == "hello world"


def test_refused_is_a_connect_failure() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = http.get("127.0.0.1", port, "x", timeout=1)
    assert r["failure"] == "connect_tcp_refused"


def test_split_url() -> None:
    assert http.split_url("http://a.test/generate_204") == ("a.test", 80, "/generate_204", None)
    assert http.split_url("http://a.test:8080/x?y=1") == ("a.test", 8080, "/x?y=1", None)
    assert http.split_url("https://a.test/")[3] == "unsupported_url"
    assert http.split_url("http://a.test:99999/")[3] == "bad_url"


# ---- hijack verdict on recorded evidence -------------------------------------------


def _probe(host: str, status: int | None, **kw: object) -> dict:  # type: ignore[type-arg]
    base = {"host": host, "address": "10.0.0.1", "port": 80, "status": status,
            "location": None, "content_type": None, "body_start": "", "failure": None}
    return {**base, **kw}


def test_redirect_to_foreign_host_is_hijack() -> None:
    p = _probe("short.weixin.qq.com", 302, location="http://10.1.1.1/portal")
    assert finding(p, []) == "foreign_redirect"
    v = assess_http_hijack({"probes": [p, _probe("szshort.weixin.qq.com", 200)],
                            "endpoint_hosts": []})
    assert (v.status, v.cause) == (Status.FAIL, "http_hijack")
    assert "10.1.1.1/portal" in v.summary.render("en")
    assert "10.1.1.1/portal" in v.summary.render("zh")


def test_tencent_and_relative_redirects_are_fine() -> None:
    for location in ("https://short.weixin.qq.com/", "/index", "http://weixin.qq.com/",
                     "http://mirror.lab.test/"):
        p = _probe("short.weixin.qq.com", 301, location=location)
        assert finding(p, ["mirror.lab.test"]) is None, location


def test_injected_pages_are_hijack_but_plain_errors_are_not() -> None:
    injected = INJECTED_PAGE.format(url="http://ads.example/")
    assert finding(_probe("a", 200, body_start=injected), []) == "script_redirect"
    portal = PORTAL_PAGE.format(url="http://p/")
    assert finding(_probe("a", 200, body_start=portal, content_type="text/html"), []) == (
        "login_form")
    for body in ("", "<html><body><h1>404 Not Found</h1></body></html>", "\x00\x01mmtls"):
        assert finding(_probe("a", 404, body_start=body, content_type="text/html"), []) is None


def test_recorded_portal_grabbing_port_80_is_hijack() -> None:
    v = assess_http_hijack(evidence("captive_portal", "http_hijack"))
    assert (v.status, v.cause) == (Status.FAIL, "http_hijack")
    assert "portal.hotspot.lab.test" in v.summary.render("en")


def test_recorded_short_link_server_answer_is_fine() -> None:
    v = assess_http_hijack(evidence("healthy", "http_hijack"))
    assert (v.status, v.cause) == (Status.OK, None)


def test_no_answer_at_all_is_grey_not_red() -> None:
    v = assess_http_hijack(evidence("dns_server_down", "http_hijack"))
    assert v.status is Status.ERROR and v.cause is None


def test_some_silent_still_ok() -> None:
    v = assess_http_hijack({"probes": [_probe("a", 200), _probe("b", None, failure="http_timeout")]})
    assert v.status is Status.OK and "1 did not answer" in v.summary.render("en")


# ---- captive verdict on recorded evidence ------------------------------------------


def _cap(url: str, status: int | None, expected: int = 204, body: str = "",
         **kw: object) -> dict:  # type: ignore[type-arg]
    return {"url": url, "expected_status": expected, "expected_body": body, "status": status,
            "location": None, "body_start": "", "failure": None if status else "not_resolved",
            **kw}


def test_captive_all_ok() -> None:
    recorded = evidence("healthy", "captive")
    assert [outcome(p) for p in recorded["probes"]] == ["ok"]
    assert assess_captive(recorded).status is Status.OK
    probes = [_cap("http://a/generate_204", 204),
              _cap("http://b/hotspot.html", 200, 200, "Success", body_start="<b>Success</b>")]
    assert [outcome(p) for p in probes] == ["ok", "ok"]
    assert assess_captive({"probes": probes}).status is Status.OK


def test_recorded_portal_gives_its_url_and_the_fix() -> None:
    recorded = evidence("captive_portal", "captive")
    assert portal_url(recorded["probes"]) == "http://portal.hotspot.lab.test/login?ap=lab"
    v = assess_captive(recorded)
    assert (v.status, v.cause, v.fixes) == (Status.FAIL, "captive_portal", ("open_captive_portal",))
    assert "http://portal.hotspot.lab.test/login?ap=lab" in v.summary.render("zh")


def test_captive_redirect_gives_portal_url() -> None:
    probes = [_cap("http://a/generate_204", 302, location="/portal/login?ap=1"),
              _cap("http://b/hotspot.html", 200, 200, "Success", body_start="<html>login</html>"),
              _cap("http://c/x", None)]
    assert portal_url(probes) == "http://a/portal/login?ap=1"
    v = assess_captive({"probes": probes})
    assert (v.status, v.cause, v.fixes) == (Status.FAIL, "captive_portal", ("open_captive_portal",))
    assert "http://a/portal/login?ap=1" in v.summary.render("zh")


def test_captive_page_without_location_uses_its_refresh_target_or_the_probe() -> None:
    page = PORTAL_PAGE.format(url="http://10.9.9.9/auth")
    probes = [_cap("http://a/generate_204", 200, body_start=page)]
    assert portal_url(probes) == "http://10.9.9.9/auth"
    probes = [_cap("http://a/generate_204", 200, body_start="<html>hi</html>")]
    assert portal_url(probes) == "http://a/generate_204"


def test_captive_nothing_answers_is_not_a_portal() -> None:
    v = assess_captive(evidence("every_packet_dropped", "captive"))
    assert v.status is Status.INFO and v.cause is None


def test_captive_one_odd_probe_among_many_is_not_a_portal() -> None:
    probes = [_cap("http://a/", 204), _cap("http://b/", 204), _cap("http://c/", 200)]
    v = assess_captive({"probes": probes})
    assert v.status is Status.INFO and v.cause is None


def test_a_content_length_in_other_digits_is_no_length() -> None:
    from checks.probes.http import _complete

    # "²".isdigit() is True and int("²") raises: a hostile server must not crash the probe.
    assert _complete(b"HTTP/1.1 200 OK\r\nContent-Length: \xc2\xb2\r\n\r\nab") is False
    assert _complete(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab") is True
    assert _complete(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab") is False


def test_a_hostile_answer_is_kept_as_capped_plain_text() -> None:
    location = "http://p.lab.test/?<h1>x</h1>\x1b]0;t\x07 \x9b2J" + "A" * 3000
    answer = (b"HTTP/1.1 302 F\x1bound\r\nLocation: " + location.encode("latin-1")
              + b"\r\nServer: \x1b]52;c;eA==\x07" + b"S" * 1000
              + b"\r\nContent-Length: 14\r\n\r\n\x1b[2J<b>page</b>")
    with raw_server(lambda c: (c.recv(1000), c.sendall(answer))) as port:
        r = http.get("127.0.0.1", port, "x", timeout=2)
    assert r["status"] == 302 and r["reason"] == "F␛ound"
    assert r["location"].startswith("http://p.lab.test/?<h1>x</h1>%1B]0;t%07%20%C2%9B2JAAA")
    assert len(r["location"]) == http.MAX_URL and r["location_cut"] is True
    assert r["server"].startswith("␛]52;c;eA==␇SSS") and len(r["server"]) < 300
    assert r["body_start"] == "␛[2J<b>page</b>"


def test_captive_url_from_a_cut_or_broken_location_is_the_probe() -> None:
    cut = {**_cap("http://a/generate_204", 302, location="http://p/" + "x" * 2039),
           "location_cut": True}
    assert portal_url([cut]) == "http://a/generate_204"
    broken = _cap("http://a/generate_204", 302, location="http://[::1")
    assert portal_url([broken]) == "http://a/generate_204"
