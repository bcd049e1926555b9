"""TCP connect probes with failures named by stable codes."""

from __future__ import annotations

import errno
import socket
import time
from typing import Any

from checks import codes

_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL}
# Windows reports the same conditions with WSA codes.
_WSA_REFUSED, _WSA_TIMEDOUT, _WSA_NETUNREACH, _WSA_HOSTUNREACH = 10061, 10060, 10051, 10065


def connect(address: str, port: int, timeout: float) -> dict[str, Any]:
    """One connect; returns {"address", "port", "ok", "ms", "failure"}."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    start = time.monotonic()
    failure: str | None = None
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect((address, port))
    except OSError as exc:
        failure = failure_code(exc)
    ms = round((time.monotonic() - start) * 1000, 1)
    return {"address": address, "port": port, "ok": failure is None, "ms": ms, "failure": failure}


def failure_code(exc: OSError) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return codes.TCP_TIMEOUT
    if isinstance(exc, ConnectionRefusedError):
        return codes.TCP_REFUSED
    if isinstance(exc, ConnectionResetError):
        return codes.TCP_RESET
    code = getattr(exc, "winerror", None) or exc.errno
    if code in _UNREACHABLE or code in (_WSA_NETUNREACH, _WSA_HOSTUNREACH):
        return codes.TCP_UNREACHABLE
    if code == _WSA_REFUSED:
        return codes.TCP_REFUSED
    if code in (errno.ETIMEDOUT, _WSA_TIMEDOUT):
        return codes.TCP_TIMEOUT
    return f"tcp_error_{code}"
