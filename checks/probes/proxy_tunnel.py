"""Talking to a proxy the way a client would: TCP connect, then ask it for a tunnel
(HTTP CONNECT, SOCKS5 or SOCKS4a) to a server; and fetching a PAC file.

Results are dicts with stable failure codes: ``tcp_*`` (see probes.tcp),
``proxy_refused`` (the proxy said no), ``proxy_auth_required``, ``proxy_no_answer``
(connected but no valid reply), ``proxy_bad_reply``.
"""

from __future__ import annotations

import base64
import re
import socket
import struct
import time
import urllib.error
import urllib.request
from typing import Any

from checks.engine import codes
from checks.engine.path_wait import PathTimes, Wait, as_wait
from checks.probes.tcp import connect_hedged, failure_code

MAX_REPLY = 16384


def tunnel(kind: str, host: str, port: int, target_host: str, target_port: int,
           timeout: float | Wait, credentials: tuple[str, str] | None = None,
           path: PathTimes | None = None) -> dict[str, Any]:
    """`credentials` (user, password) are sent when given (Proxy-Authorization: Basic, or
    SOCKS5 user/password); they never appear in the result, only whether any were sent.

    One wait for the connect (hedged, probes.tcp) and the proxy's reply; a live wait
    (engine.path_wait) is fixed for the reply once connected. The connect's round trip
    is measured on `path` when given; "waited" says how long silence was waited for."""
    wait = as_wait(timeout)
    start = time.monotonic()
    result: dict[str, Any] = {"kind": kind, "host": host, "port": port,
                              "target": f"{target_host}:{target_port}", "tcp_ok": False,
                              "ok": False, "status": None, "failure": None,
                              "credentials": credentials is not None}
    try:
        address = str(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][4][0])
    except (OSError, UnicodeError, IndexError):
        result.update(failure=codes.PROXY_NOT_RESOLVED, ms=_ms(start))
        return result
    connected, sock = connect_hedged(address, port, wait)
    if path is not None:
        path.record("connect", address, connected.get("rtt_ms"), port)
    if sock is None:
        result.update(failure=connected["failure"], ms=_ms(start))
        if connected.get("waited"):
            result["waited"] = connected["waited"]
        return result
    result["tcp_ok"] = True
    with sock:
        sock.settimeout(max(0.05, wait.left()))
        try:
            if kind == "socks5":
                status, failure = _socks5(sock, target_host, target_port, credentials)
            elif kind == "socks4":
                status, failure = _socks4a(sock, target_host, target_port)
            else:
                status, failure = _http_connect(sock, target_host, target_port, credentials)
        except TimeoutError:
            status, failure = None, codes.PROXY_NO_ANSWER
            result["waited"] = wait.said()
        except OSError as exc:
            status, failure = None, codes.PROXY_NO_ANSWER if _closed(exc) else failure_code(exc)
    if failure == codes.PROXY_AUTH_REQUIRED and credentials is not None:
        failure = codes.PROXY_AUTH_REJECTED  # it asked again: the account was not accepted
    result.update(status=status, failure=failure, ok=failure is None, ms=_ms(start))
    return result


def _ms(start: float) -> float:
    return round((time.monotonic() - start) * 1000, 1)


def _closed(exc: OSError) -> bool:
    return isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError)


def _http_connect(sock: socket.socket, host: str, port: int,
                  credentials: tuple[str, str] | None) -> tuple[int | None, str | None]:
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    auth = ""
    if credentials is not None:
        token = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode("ascii")
        auth = f"Proxy-Authorization: Basic {token}\r\n"
    sock.sendall(f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n{auth}\r\n"
                 .encode("ascii"))
    data = b""
    while b"\r\n\r\n" not in data and len(data) < MAX_REPLY:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return parse_connect_reply(data)


def parse_connect_reply(data: bytes) -> tuple[int | None, str | None]:
    """Status code and failure code of a CONNECT reply's status line."""
    if not data:
        return None, codes.PROXY_NO_ANSWER
    line = data.split(b"\r\n", 1)[0].split(b"\n", 1)[0]
    parts = line.split()
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return None, codes.PROXY_BAD_REPLY
    status = int(parts[1])
    if 200 <= status < 300:
        return status, None
    if status in (401, 407):  # tinyproxy before 1.11.2 answers 401
        return status, codes.PROXY_AUTH_REQUIRED
    return status, codes.PROXY_REFUSED


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionResetError()
        data += chunk
    return data


def _socks5(sock: socket.socket, host: str, port: int,
            credentials: tuple[str, str] | None = None) -> tuple[int | None, str | None]:
    # Version 5 and the methods offered: none, and user/password when there is one.
    sock.sendall(b"\x05\x02\x00\x02" if credentials else b"\x05\x01\x00")
    version, method = _recv_exact(sock, 2)
    if version != 5:
        return None, codes.PROXY_BAD_REPLY
    if method == 2 and credentials is not None:
        user, password = (c.encode("utf-8")[:255] for c in credentials)
        sock.sendall(b"\x01" + bytes([len(user)]) + user + bytes([len(password)]) + password)
        _ver, status = _recv_exact(sock, 2)  # RFC 1929
        if status != 0:
            return method, codes.PROXY_AUTH_REQUIRED
    elif method != 0:
        return method, codes.PROXY_AUTH_REQUIRED
    name = host.encode("idna")[:255]
    sock.sendall(b"\x05\x01\x00\x03" + bytes([len(name)]) + name + struct.pack("!H", port))
    _ver, reply = _recv_exact(sock, 2)
    return reply, None if reply == 0 else codes.PROXY_REFUSED


def _socks4a(sock: socket.socket, host: str, port: int) -> tuple[int | None, str | None]:
    # 0.0.0.1 as the address asks the proxy to resolve the name that follows.
    sock.sendall(b"\x04\x01" + struct.pack("!H", port) + b"\x00\x00\x00\x01" + b"\x00"
                 + host.encode("idna") + b"\x00")
    _null, reply = _recv_exact(sock, 2)
    return reply, None if reply == 0x5A else codes.PROXY_REFUSED


def fetch_pac(url: str, timeout: float) -> dict[str, Any]:
    """Download a PAC file directly (never through a proxy) and judge what came back."""
    start = time.monotonic()
    result: dict[str, Any] = {"url": url, "ok": False, "status": None, "bytes": 0,
                              "is_pac": False, "failure": None}
    if not url.lower().startswith(("http://", "https://")):
        result["failure"] = codes.PAC_UNSUPPORTED_URL
        return result
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as resp:
            body = resp.read(1_000_000)
            result["status"] = resp.status
    except urllib.error.HTTPError as exc:
        result["status"] = exc.code
        result["failure"] = codes.PAC_HTTP_ERROR
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        result["failure"] = failure_code(reason) if isinstance(reason, OSError) and not \
            isinstance(reason, socket.gaierror) else codes.PAC_UNREACHABLE
    else:
        result["bytes"] = len(body)
        result["is_pac"] = b"FindProxyForURL" in body
        result["ok"] = result["is_pac"]
        if not result["is_pac"]:
            result["failure"] = codes.PAC_NOT_A_PAC_FILE
        else:
            result["proxies"] = pac_proxies(body.decode("utf-8", "replace"))
    result["ms"] = _ms(start)
    return result


# A proxy a PAC script names in a string it returns: "PROXY host:port; SOCKS5 host:port".
_PAC_STRING = re.compile(r"\"([^\"\n]*)\"|'([^'\n]*)'")
_PAC_ENTRY = re.compile(r"^\s*(PROXY|HTTP|SOCKS5?|SOCKS4)\s+(\[[0-9A-Fa-f:.]+\]|[\w.-]+):(\d{1,5})\s*$",
                        re.IGNORECASE)
_PAC_KINDS = {"proxy": "http", "http": "http", "socks": "socks4", "socks4": "socks4",
              "socks5": "socks5"}
MAX_PAC_PROXIES = 4


def pac_proxies(script: str) -> list[dict[str, Any]]:
    """The proxies a PAC script names in its string literals (at most MAX_PAC_PROXIES,
    in order). The script is not run: a proxy it builds by joining strings at run time
    is not found, and which of them it picks for which server is not known. "HTTPS"
    entries (TLS to the proxy) are left out: tunnel() speaks plain HTTP or SOCKS."""
    found: dict[tuple[str, str, int], dict[str, Any]] = {}
    for match in _PAC_STRING.finditer(script):
        for entry in (match.group(1) or match.group(2) or "").split(";"):
            parsed = _PAC_ENTRY.match(entry)
            if parsed is None or not 0 < int(parsed.group(3)) < 65536:
                continue
            kind = _PAC_KINDS[parsed.group(1).lower()]
            host = parsed.group(2).strip("[]")
            found.setdefault((kind, host.lower(), int(parsed.group(3))),
                             {"kind": kind, "host": host, "port": int(parsed.group(3))})
            if len(found) >= MAX_PAC_PROXIES:
                return list(found.values())
    return list(found.values())
