"""The hosts file, read once per run: the hosts check judges it, and the DNS-pollution
check needs to know which answers of the system resolver came from it (those are
the hosts file's doing, not the DNS server's)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checks import platform
from checks.engine.context import Context
from checks.platform import hosts_format


def hosts_path(ctx: Context) -> Path:
    configured = ctx.config.system.hosts_file.strip()
    return Path(configured) if configured else platform.default_hosts_file()


@dataclass(frozen=True)
class HostsRead:
    path: Path
    raw: bytes | None
    error: OSError | None


def read(ctx: Context) -> HostsRead:
    def load() -> HostsRead:
        path = hosts_path(ctx)
        try:
            # Bounded, and never a FIFO or a device: such a file must not hang the run.
            return HostsRead(path, hosts_format.read_hosts_bytes(path), None)
        except OSError as exc:
            return HostsRead(path, None, exc)

    return ctx.shared("hosts_file", load)


def mapped_addresses(ctx: Context) -> dict[str, list[str]]:
    """Every name the hosts file maps (normalized) -> its addresses; {} if unreadable."""
    found = read(ctx)
    if found.raw is None:
        return {}
    out: dict[str, list[str]] = {}
    for entry in hosts_format.parse_hosts(hosts_format.decode_hosts(found.raw).text):
        for name in entry.names:
            addrs = out.setdefault(hosts_format.normalize_name(name), [])
            if entry.address not in addrs:
                addrs.append(entry.address)
    return out
