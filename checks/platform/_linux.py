"""Linux specifics."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from checks.platform import _common

NAME = "linux"


def machine_config_path() -> Path | None:
    return Path("/etc/wxdoctor/config.toml")


def user_config_path() -> Path | None:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "wxdoctor" / "config.toml"


def default_hosts_file() -> Path:
    return Path("/etc/hosts")


def default_gateways() -> dict[str, str]:
    """Interface -> IPv4 gateway of its default route, from /proc/net/route."""
    return parse_proc_net_route(_read("/proc/net/route"))


def parse_proc_net_route(text: str) -> dict[str, str]:
    gateways: dict[str, str] = {}
    for line in text.splitlines()[1:]:
        cols = line.split()
        if len(cols) < 3 or cols[1] != "00000000":
            continue
        raw = int(cols[2], 16)
        gateways[cols[0]] = ".".join(str((raw >> shift) & 0xFF) for shift in (0, 8, 16, 24))
    return gateways


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""


def icmp_method() -> str:
    """How MTU probes are sent here: an ICMP socket if allowed, else the ping command."""
    from checks.platform import icmp_socket

    try:
        return icmp_socket.method()
    except icmp_socket.IcmpNotPermitted:
        return "ping_command"


def icmp_echo_df(address: str, size: int, timeout: float, method: str) -> dict[str, Any]:
    if method == "ping_command":
        return _common.ping_df(NAME, address, size, timeout)
    from checks.platform import icmp_socket

    return icmp_socket.echo_df(address, size, timeout)


def system_proxy() -> list[dict[str, Any]]:
    """Desktop proxy settings: GNOME (gsettings) and KDE (kioslaverc), when present."""
    from checks.platform.parsers import proxy as parsers

    found: list[dict[str, Any]] = []
    result = _common.run_command(
        ["gsettings", "list-recursively", "org.gnome.system.proxy"], timeout=3.0)
    if result.returncode == 0:
        settings = parsers.parse_gsettings(result.stdout.decode("utf-8", "replace"))
        found.append({"source": "gnome", **settings})
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    kde = Path(base) / "kioslaverc"
    try:
        text = kde.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = None
    if text is not None:
        found.append({"source": "kde", **parsers.parse_kioslaverc(text)})
    return found
