"""One plain-HTTP GET over a raw socket: never follows redirects, always times out.

A raw socket rather than http.client, so that whatever comes back (a portal's
302, an injected page, bytes that are not HTTP at all) is recorded as it is,
and a half-answer before the timeout is still evidence.

What is kept of an answer is data from whoever answered (a hostile portal
included): headers and the body's start are capped, their control characters
shown as symbols, and a `Location` kept as a URL with them percent-escaped
(`location_cut` when it was longer than MAX_URL).
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from checks.engine import codes
from checks.engine.context import Context
from checks.platform.parsers.numbers import ascii_int
from checks.probes import connections
from checks.probes.tcp import failure_code
from checks.shared.safe_text import clean_url, printable

MAX_BYTES = 65536  # enough for any portal page's head and form
BODY_CHARS = 1024  # how much of the body the evidence keeps
MAX_URL = 2048  # of a Location header; real portals' addresses are a few hundred
MAX_HEADER = 256  # of the other headers kept (Server, Content-Type) and the reason
MIN_ANSWER_S = 1.0  # what a request over a late connection still gets

_STATUS = re.compile(rb"^HTTP/\d(?:\.\d)?\s+(\d{3})(?:[ \t]+([^\r\n]*))?")


def get(address: str, port: int, host: str, path: str = "/", timeout: float = 3.0,
        max_bytes: int = MAX_BYTES, sock: socket.socket | None = None) -> dict[str, Any]:
    """GET http://host:port/path from `address` (over `sock` when it is already
    connected there); returns facts, failures as codes."""
    start = time.monotonic()
    if sock is None:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect((address, port))
        except OSError as exc:
            sock.close()
            return _result(address, port, start, b"", "connect_" + failure_code(exc))
    with sock:
        host_header = host if port == 80 else f"{host}:{port}"
        data, failure = _exchange(sock, _request("GET", host_header, path), start + timeout,
                                  max_bytes, _complete)
    return _result(address, port, start, data, failure)


def request_via(ctx: Context, address: str, port: int, host: str, path: str,
                timeout: float) -> dict[str, Any]:
    """GET over the run's connection to address:port (probes.connections): a server
    that did not connect for `tcp` is not waited for again."""
    start = time.monotonic()
    # One wait for the whole request, the wait for its connection included, scaled to
    # the measured path (engine.path_wait) with `timeout` as its ceiling.
    wait = ctx.wait("http", timeout)
    connected, sock = connections.open_socket(ctx, address, port)
    if sock is None:
        result = _result(address, port, start, b"", "connect_" + str(connected["failure"]))
        if connected.get("waited"):
            result["waited"] = connected["waited"]
        return result
    left = ctx.timeout(max(MIN_ANSWER_S, wait.left()))
    result = get(address, port, host, path, left, sock=sock)
    if result.get("failure") == codes.HTTP_TIMEOUT:
        result["waited"] = {**wait.said(), "s": round(left, 2)}
    return result


def _request(method: str, host_header: str, path: str) -> bytes:
    return (
        f"{method} {path or '/'} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: wxdoctor\r\n"
        "Accept: */*\r\nConnection: close\r\n\r\n"
    ).encode("ascii", errors="replace")


def _exchange(sock: socket.socket, request: bytes, end: float, max_bytes: int,
              complete: Callable[[bytes], bool]) -> tuple[bytes, str | None]:
    """Send the request, read until `complete` says the answer is in; failures as codes."""
    data = b""
    failure: str | None = None
    try:
        sock.settimeout(max(0.05, end - time.monotonic()))
        _no_delay(sock)
        sock.sendall(request)
        while len(data) < max_bytes and not complete(data):
            remaining = end - time.monotonic()
            if remaining <= 0:
                failure = codes.HTTP_TIMEOUT
                break
            sock.settimeout(remaining)
            chunk = sock.recv(min(16384, max_bytes - len(data)))
            if not chunk:
                break
            data += chunk
    except TimeoutError:
        failure = codes.HTTP_TIMEOUT
    except ConnectionResetError:
        failure = codes.HTTP_RESET
    except OSError as exc:
        failure = "http_" + failure_code(exc)
    return data, failure


def _no_delay(sock: socket.socket) -> None:
    # As browsers and the clients do: without it, a request sent right after the TLS
    # handshake waits for the ACK of the handshake's last segment (Nagle), one more
    # round trip (300 ms on a slow path) that no real client spends.
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass


def head_over(sock: socket.socket, host: str, timeout: float, path: str = "/") -> dict[str, Any]:
    """One HEAD request over a connection already open (the TLS check's): the status
    line and the Server header, a few hundred bytes each way, no credentials."""
    start = time.monotonic()
    data, failure = _exchange(sock, _request("HEAD", host, path), start + timeout, 16384,
                              lambda d: b"\r\n\r\n" in d)
    out: dict[str, Any] = {"status": None, "reason": None, "server": None,
                           "ms": round((time.monotonic() - start) * 1000, 1), "failure": failure}
    match = _STATUS.match(data)
    if match:
        headers = _headers(data.partition(b"\r\n\r\n")[0])
        out.update(status=int(match.group(1)), failure=None, server=_header(headers, "server"),
                   reason=_reason(match))
    elif failure is None:
        out["failure"] = codes.HTTP_NOT_HTTP if data else codes.HTTP_CLOSED
    return out


def split_url(url: str) -> tuple[str, int, str, str | None]:
    """(host, port, path, problem) of an http:// URL; problem is a code or None."""
    try:
        parts = urlsplit(url)
        port = parts.port or 80
    except ValueError:
        return "", 80, "/", "bad_url"
    if parts.scheme.lower() != "http" or not parts.hostname:
        return parts.hostname or "", port, "/", "unsupported_url"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.hostname, port, path, None


def _complete(data: bytes) -> bool:
    """Whether a whole response is in hand (so we need not wait for the close)."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    match = _STATUS.match(head)
    if match and (match.group(1).startswith(b"1") or match.group(1) in (b"204", b"304")):
        return True
    headers = _headers(head)
    length = ascii_int(headers.get("content-length", "").strip())
    if length is not None:
        return len(body) >= length
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return body.endswith(b"0\r\n\r\n")
    return False


def _headers(head: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in head.split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if sep:
            key = name.strip().decode("latin-1").lower()
            headers.setdefault(key, value.strip().decode("latin-1"))
    return headers


def _result(address: str, port: int, start: float, data: bytes,
            failure: str | None) -> dict[str, Any]:
    ms = round((time.monotonic() - start) * 1000, 1)
    result: dict[str, Any] = {
        "address": address, "port": port, "ms": ms, "bytes": len(data),
        "status": None, "reason": None, "location": None, "server": None,
        "content_type": None, "body_start": "", "failure": failure,
    }
    if not data:
        if failure is None:
            result["failure"] = codes.HTTP_CLOSED  # the peer hung up without a word
        return result
    head, sep, body = data.partition(b"\r\n\r\n")
    match = _STATUS.match(data)
    if not match:
        result["body_start"] = _body(_text(data, None))
        result["failure"] = failure or codes.HTTP_NOT_HTTP
        return result
    headers = _headers(head)
    result.update(
        status=int(match.group(1)),
        reason=_reason(match),
        server=_header(headers, "server"),
        content_type=_header(headers, "content-type"),
    )
    if headers.get("location") is not None:
        result["location"], cut = clean_url(headers["location"], MAX_URL)
        if cut:
            result["location_cut"] = True
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    result["body_start"] = _body(_text(body, headers.get("content-type")))
    # A status line is an answer: a timeout while the body trickles in is not a failure.
    result["failure"] = None if failure == codes.HTTP_TIMEOUT else failure
    return result


def _reason(match: re.Match[bytes]) -> str:
    return printable((match.group(2) or b"").decode("latin-1").strip(), MAX_HEADER)


def _header(headers: dict[str, str], name: str) -> str | None:
    value = headers.get(name)
    return None if value is None else printable(value, MAX_HEADER)


def _body(text: str) -> str:
    # Line breaks stay: the page's own layout, which the page checks read.
    return printable(text[:BODY_CHARS], newlines=True)


def _dechunk(body: bytes) -> bytes:
    out = b""
    rest = body
    while rest:
        size_line, sep, rest = rest.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
        except ValueError:
            return out + size_line + sep + rest  # not really chunked: keep it as it is
        if size == 0 or not sep:
            break
        out += rest[:size]
        rest = rest[size + 2:]
    return out


def _text(raw: bytes, content_type: str | None) -> str:
    charset = None
    if content_type:
        match = re.search(r"charset=([\w.-]+)", content_type, re.IGNORECASE)
        charset = match.group(1) if match else None
    for encoding in (charset, "utf-8", "gbk"):
        if not encoding:
            continue
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("utf-8", errors="replace")


# ---- what a page says about itself (pure; used on recorded evidence) ----------------

_HTML = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|script|meta|form|iframe|title)\b", re.I)
_META_REFRESH = re.compile(
    r"<meta[^>]+http-equiv\s*=\s*[\"']?refresh[\"']?[^>]*?content\s*=\s*[\"']?\s*\d*\s*;?\s*"
    r"(?:url\s*=\s*)?[\"']?([^\"'>\s]*)", re.I)
_SCRIPT_REDIRECT = re.compile(
    r"(?:\blocation\s*(?:\.\s*href\s*)?=(?!=)\s*[\"']?([^\"';\s)]*)"
    r"|\blocation\s*\.\s*(?:replace|assign)\s*\(\s*[\"']([^\"']*))", re.I)
_FORM = re.compile(r"<\s*form\b", re.I)
_LOGIN = re.compile(r"type\s*=\s*[\"']?password|\blog\s*-?in\b|\bsign\s*-?in\b|登录|登陆|认证", re.I)
_IFRAME = re.compile(r"<\s*i?frame\b", re.I)
_PORTAL_WORDS = re.compile(
    r"\bportal\b|captive|hotspot|\bwlan\b|wi-?fi\s*(?:login|auth)|上网认证|无线认证|一键上网|免费上网|"
    r"连接\s*wi-?fi|认证上网", re.I)


def looks_like_html(body: str, content_type: str | None = None) -> bool:
    return bool((content_type and "html" in content_type.lower()) or _HTML.search(body))


def page_signals(body: str, content_type: str | None = None) -> list[str]:
    """Signs that an HTML answer is a login/portal page or an injected redirect."""
    if not body or not looks_like_html(body, content_type):
        return []
    signals = []
    if _FORM.search(body) and _LOGIN.search(body):
        signals.append(codes.HTTP_LOGIN_FORM)
    if _META_REFRESH.search(body):
        signals.append(codes.HTTP_META_REFRESH)
    if _SCRIPT_REDIRECT.search(body):
        signals.append(codes.HTTP_SCRIPT_REDIRECT)
    if _IFRAME.search(body):
        signals.append("frame")
    if _PORTAL_WORDS.search(body):
        signals.append(codes.HTTP_PORTAL_WORDS)
    return signals


def page_redirect_target(body: str) -> str | None:
    """The URL a meta refresh or a script redirect in the page sends the browser to."""
    for pattern in (_META_REFRESH, _SCRIPT_REDIRECT):
        for match in pattern.finditer(body):
            target = next((g for g in match.groups() if g), None)
            if target:
                return target
    return None
