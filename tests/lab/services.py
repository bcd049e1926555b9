"""Lab services for the system checks: NTP servers, HTTP proxies, a tunnel adapter."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .topology import REPO_ROOT, Lab

NTP_SCRIPT = Path(__file__).with_name("ntp_server.py")
_HOLD_TUN = (
    "import fcntl, struct, sys, time\n"
    "fd = open('/dev/net/tun', 'r+b', buffering=0)\n"
    "fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', sys.argv[1].encode(), 0x0001 | 0x1000))\n"
    "time.sleep(3600)\n"
)


def start_ntp(lab: Lab, offset: float = 0.0, addr: str | None = None,
              port: int = 123, mode: str = "good") -> str:
    """An NTP server in the server ns whose clock is ``offset`` seconds ahead; ``mode``
    makes it answer as a broken or hostile server does (see ntp_server.py)."""
    addr = lab.add_address(addr)
    lab.spawn_server(NTP_SCRIPT, "--addr", addr, "--port", str(port), "--offset", str(offset),
                     "--mode", mode, listen=[("udp", port)], addr=addr)
    return addr


def start_tinyproxy(lab: Lab, port: int = 3128, connect_ports: list[int] | None = None,
                    basic_auth: tuple[str, str] | None = None) -> str:
    """tinyproxy on a fresh server address, resolving names through the lab DNS.

    ``connect_ports`` limits CONNECT to those ports (others get 403);
    ``basic_auth`` (user, password): requests without credentials get 407 +
    Proxy-Authenticate; wrong ones get 401 + WWW-Authenticate (tinyproxy 1.11.1,
    the Debian one; upstream answers 407 there too since 1.11.2).
    """
    addr = lab.add_address()
    # The server ns resolves with the lab DNS too, so the proxy finds lab hosts.
    lab.server.set_resolvers([lab.dns_ip])
    lines = [f"Port {port}", f"Listen {addr}", "Timeout 10", "Allow 10.201.0.0/16",
             "MaxClients 20", "LogLevel Info", f"PidFile \"{lab.server.tmp}/tinyproxy.pid\""]
    lines += [f"ConnectPort {p}" for p in connect_ports or []]
    if basic_auth is not None:
        lines.append(f"BasicAuth {basic_auth[0]} {basic_auth[1]}")
    conf = lab.server.tmp / f"tinyproxy-{port}.conf"
    conf.write_text("\n".join(lines) + "\n")
    log = lab.server.tmp / f"tinyproxy-{port}.log"
    with open(log, "wb") as fh:
        proc = lab.server.popen(["tinyproxy", "-d", "-c", str(conf)], stdout=fh,
                                stderr=subprocess.STDOUT)
    proc.log_path = log  # type: ignore[attr-defined]
    lab.server.wait_listening(proc, [("tcp", port)], addr=addr)
    return addr


def add_tun(lab: Lab, name: str = "tun0", addr: str = "10.201.99.2/24",
            default: bool = True) -> None:
    """A TUN adapter in the client ns, optionally carrying the IPv4 default route."""
    lab.client.ip("tuntap", "add", "dev", name, "mode", "tun")
    lab.client.ip("addr", "add", addr, "dev", name)
    lab.client.ip("link", "set", name, "up")
    # A VPN program keeps its TUN device open; without that the link has no carrier.
    lab.client.popen([sys.executable, "-c", _HOLD_TUN, name])
    for _ in range(200):
        state = lab.client.run(["cat", f"/sys/class/net/{name}/carrier"], check=False)
        if state.stdout.strip() == "1":
            break
        time.sleep(0.01)
    if default:
        lab.client.add_route("default", dev=name)


def check_json_env(lab: Lab, config: dict[str, Any], env: dict[str, str], *extra: str,
                   timeout: float = 30) -> dict[str, Any]:
    """Like ``lab.check_json`` with extra environment variables (e.g. proxies)."""
    path = lab.write_config(config)
    argv = [sys.executable, "-m", "app", "check", "--json", *extra, "--config", str(path)]
    proc = lab.client.run(argv, timeout=timeout, check=False, cwd=REPO_ROOT,
                          env={**lab.doctor_env(), **env})
    try:
        report: dict[str, Any] = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError(f"no JSON report (rc={proc.returncode})\n{proc.stderr}") from None
    return report


def result_of(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    (result,) = [c for c in report["checks"] if c["id"] == check_id]
    return result
