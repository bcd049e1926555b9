"""The configuration's schema: what each key means, its type and its allowed values.

Every section is a frozen dataclass; `checks.engine.config` reads the files and builds
these from them. A field's type is what a TOML value must be; `__post_init__` says
what else is expected, as "field: what was expected" (the loader adds the file and
the full key). A field marked `internal` is set by the loader, never by a file.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from checks.platform.parsers.numbers import parse_port
from checks.tencent.domain_list import DomainList, Entry, is_address, read_domain_list
from checks.tencent.products import PRODUCTS, WECOM, parse_override

# A probe that waits longer than a minute tells nothing a shorter one would not, and
# every probe must fit in a run (at most 600 s).
MAX_TIMEOUT_S = 60.0


def require_timeout(value: float, key: str = "timeout_s") -> None:
    """A probe timeout: above 0 and at most MAX_TIMEOUT_S seconds."""
    if not 0 < value <= MAX_TIMEOUT_S:
        raise ValueError(f"{key}: expected a number of seconds above 0 and at most "
                         f"{MAX_TIMEOUT_S:g}")


@dataclass(frozen=True)
class Endpoint:
    host: str
    ports: tuple[int, ...]
    product: str
    tls: bool = True
    # False: the client works without this server; its failures warn, never fail the run.
    necessary: bool = True
    # Where the entry came from ("config" or "domain_list") and what Tencent's domain
    # list says about it; set by the loader, not TOML keys.
    source: str = field(default="config", metadata={"internal": True})
    universal_domain: str = field(default="", metadata={"internal": True})
    description: str = field(default="", metadata={"internal": True})

    def __post_init__(self) -> None:
        if self.product not in PRODUCTS:
            raise ValueError("product: expected one of wecom, wechat")
        if not self.ports or any(not 0 < p < 65536 for p in self.ports):
            raise ValueError("ports: expected a non-empty list of port numbers 1-65535")
        if not self.host.strip():
            raise ValueError("host: expected a host name")

    @property
    def is_address(self) -> bool:
        """An IP address instead of a name: there is nothing to resolve."""
        return is_address(self.host)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"host": self.host, "ports": list(self.ports),
                               "product": self.product, "tls": self.tls,
                               "necessary": self.necessary, "source": self.source}
        if self.universal_domain:
            out["universal_domain"] = self.universal_domain
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True)
class DnsConfig:
    trusted_resolvers: tuple[str, ...] = ()
    timeout_s: float = 3.0
    # Optional HTTP DNS service, "{host}" replaced by the name; empty: not used.
    http_dns_url: str = ""

    def __post_init__(self) -> None:
        require_timeout(self.timeout_s)
        _require_ips("trusted_resolvers", self.trusted_resolvers)
        if self.http_dns_url and (
            not self.http_dns_url.startswith(("http://", "https://")) or "{host}" not in self.http_dns_url
        ):
            raise ValueError("http_dns_url: expected an http(s) URL containing {host}, or \"\"")


@dataclass(frozen=True)
class TcpConfig:
    timeout_s: float = 3.0

    def __post_init__(self) -> None:
        require_timeout(self.timeout_s)


@dataclass(frozen=True)
class TlsConfig:
    extra_ca_files: tuple[str, ...] = ()
    expected_issuers: tuple[str, ...] = ()
    timeout_s: float = 4.0

    def __post_init__(self) -> None:
        require_timeout(self.timeout_s)


@dataclass(frozen=True)
class NtpConfig:
    servers: tuple[str, ...] = ()
    warn_offset_s: float = 30.0
    fail_offset_s: float = 180.0
    timeout_s: float = 2.0

    def __post_init__(self) -> None:
        require_timeout(self.timeout_s)


@dataclass(frozen=True)
class CaptiveProbe:
    url: str
    status: int = 204
    body: str = ""


@dataclass(frozen=True)
class CaptiveConfig:
    probes: tuple[CaptiveProbe, ...] = ()
    timeout_s: float = 3.0

    def __post_init__(self) -> None:
        require_timeout(self.timeout_s)


@dataclass(frozen=True)
class SystemConfig:
    hosts_file: str = ""  # empty: the operating system's own hosts file
    # Names whose hosts-file lines are the organisation's own (a private deployment, an
    # inspecting proxy): reported, never commented out by the repair. Meant for the
    # machine-wide config, the one the elevated helper reads.
    hosts_keep: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        from checks.tencent.domain_list import valid_domain

        for name in self.hosts_keep:
            if not valid_domain(name.strip().rstrip(".").lower()):
                raise ValueError(f"hosts_keep: expected host names or *.domain, got {name!r}")


@dataclass(frozen=True)
class MinVersions:
    """Oldest supported client per product and OS; "" means no minimum is known."""

    wecom_windows: str = ""
    wecom_macos: str = ""
    wecom_linux: str = ""
    wechat_windows: str = ""
    wechat_macos: str = ""
    wechat_linux: str = ""

    def __post_init__(self) -> None:
        from checks.tencent.versions import parse_version

        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value and parse_version(value) is None:
                raise ValueError(f"{f.name}: expected a version like 3.1.12, got {value!r}")


@dataclass(frozen=True)
class ClientConfig:
    # empty: the per-OS default locations; entries are "wecom:PATH", "wechat:PATH" or
    # a PATH whose name says which client it belongs to (see checks/tencent/products.py).
    data_dirs: tuple[str, ...] = ()
    # Bounds on what the client_data check reads, so a huge folder cannot stall a run.
    scan_max_files: int = 20000
    sqlite_max_files: int = 40
    sqlite_max_mb: float = 256.0
    min_versions: MinVersions = field(default_factory=MinVersions)

    def __post_init__(self) -> None:
        for entry in self.data_dirs:
            parse_override(entry)  # ValueError("data_dirs: ...") names the bad entry
        if self.scan_max_files < 1 or self.sqlite_max_files < 0 or self.sqlite_max_mb < 0:
            raise ValueError("scan_max_files: expected positive limits")


@dataclass(frozen=True)
class DiskConfig:
    fail_below_gb: float = 1.0
    warn_below_gb: float = 5.0

    def __post_init__(self) -> None:
        if not 0 <= self.fail_below_gb <= self.warn_below_gb:
            raise ValueError("fail_below_gb: expected 0 <= fail_below_gb <= warn_below_gb")


@dataclass(frozen=True)
class HttpConfig:
    # Hosts whose plain-HTTP (port 80) answers are checked for hijacking. Only those
    # among the configured endpoints are probed; if none is, every WeChat endpoint
    # that uses port 80 is.
    probe_hosts: tuple[str, ...] = ()
    timeout_s: float = 3.0

    def __post_init__(self) -> None:
        require_timeout(self.timeout_s)


@dataclass(frozen=True)
class MtuConfig:
    targets: tuple[str, ...] = ()
    timeout_s: float = 2.0

    def __post_init__(self) -> None:
        if any(not t.strip() for t in self.targets):
            raise ValueError("targets: expected host names or IP addresses")
        if not 0 < self.timeout_s <= 30:
            raise ValueError("timeout_s: expected a number of seconds between 0 and 30")


@dataclass(frozen=True)
class ProxyConfig:
    # host:port asked for through each proxy (HTTP CONNECT); empty: the first TLS endpoint:443.
    connect_target: str = ""
    timeout_s: float = 3.0

    def __post_init__(self) -> None:
        require_timeout(self.timeout_s)


@dataclass(frozen=True)
class LatencyConfig:
    # TCP connects per endpoint, all at once: ten per server give enough exchanges to
    # tell heavy loss (a quarter of packets) from light loss (3 %) in a single run.
    count: int = 10
    warn_ms: float = 300.0  # median connect time above this is "slow"
    loss_warn_pct: float = 20.0  # share of connects lost (timed out) that is "slow"
    timeout_s: float = 2.0

    def __post_init__(self) -> None:
        require_timeout(self.timeout_s)
        if not 1 <= self.count <= 20:
            raise ValueError("count: expected a whole number from 1 to 20")
        if self.warn_ms <= 0:
            raise ValueError("warn_ms: expected a positive number of milliseconds")
        if not 0 < self.loss_warn_pct <= 100:
            raise ValueError("loss_warn_pct: expected a percentage above 0 and at most 100")


@dataclass(frozen=True)
class WatchConfig:
    """`wxdoctor watch`: how often and how long, and what counts as slow DNS."""

    interval_s: float = 5.0
    minutes: float = 10.0
    dns_slow_ms: float = 2000.0
    # host:port of sites that are not Tencent's, to tell "only the servers" from "the
    # whole internet"; empty: the hosts of the [captive] probes.
    control: tuple[str, ...] = ()
    # LAN services on the gateway asked when it does not answer ping (refused = alive).
    gateway_ports: tuple[int, ...] = (53, 80)

    def __post_init__(self) -> None:
        if not 1 <= self.interval_s <= 3600:
            raise ValueError("interval_s: expected a number of seconds from 1 to 3600")
        if not 0 < self.minutes <= 1440:
            raise ValueError("minutes: expected a number of minutes above 0 and at most 1440")
        if self.dns_slow_ms <= 0:
            raise ValueError("dns_slow_ms: expected a positive number of milliseconds")
        for entry in self.control:
            host, sep, port = entry.rpartition(":")
            if not sep or not host.strip() or parse_port(port) is None:
                raise ValueError(f"control: expected host:port entries, got {entry!r}")
        if any(not 0 < p < 65536 for p in self.gateway_ports):
            raise ValueError("gateway_ports: expected port numbers 1-65535")


@dataclass(frozen=True)
class Config:
    deadline_s: float = 10.0
    endpoints: tuple[Endpoint, ...] = ()
    dns: DnsConfig = field(default_factory=DnsConfig)
    tcp: TcpConfig = field(default_factory=TcpConfig)
    tls: TlsConfig = field(default_factory=TlsConfig)
    ntp: NtpConfig = field(default_factory=NtpConfig)
    captive: CaptiveConfig = field(default_factory=CaptiveConfig)
    system: SystemConfig = field(default_factory=SystemConfig)
    client: ClientConfig = field(default_factory=ClientConfig)
    disk: DiskConfig = field(default_factory=DiskConfig)
    http: HttpConfig = field(default_factory=HttpConfig)
    latency: LatencyConfig = field(default_factory=LatencyConfig)
    mtu: MtuConfig = field(default_factory=MtuConfig)
    proxy: ProxyConfig = field(default_factory=ProxyConfig)
    # A saved get_server_domain_ip response (Tencent's list of WeCom servers), whose
    # entries are tested as endpoints; relative to the file that names it. "" = none.
    domain_list: str = ""
    watch: WatchConfig = field(default_factory=WatchConfig)
    # Files merged to make this config, lowest priority first (not a TOML key).
    sources: tuple[str, ...] = field(default=(), metadata={"internal": True})
    # The domain list read for this run: where it came from, its date (not a TOML key).
    listed: DomainList | None = field(default=None, metadata={"internal": True})

    def __post_init__(self) -> None:
        if not 0 < self.deadline_s <= 600:
            raise ValueError("deadline_s: expected a number of seconds between 0 and 600")

    def for_product(self, product: str) -> Config:
        """The same config restricted to one product's endpoints ("both" keeps all)."""
        if product == "both":
            return self
        return dataclasses.replace(
            self, endpoints=tuple(e for e in self.endpoints if e.product == product)
        )

    def with_deadline(self, deadline_s: float) -> Config:
        return dataclasses.replace(self, deadline_s=deadline_s)

    def with_domain_list(self, path: str | os.PathLike[str]) -> Config:
        """The endpoints plus those of Tencent's domain list at `path` (DomainListError)."""
        listed = read_domain_list(path)
        return dataclasses.replace(
            self, domain_list=str(path), listed=listed,
            endpoints=merge_listed(self.endpoints, listed.tested))


def merge_listed(endpoints: Sequence[Endpoint],
                 entries: Sequence[Entry]) -> tuple[Endpoint, ...]:
    """Listed servers join the configured ones; a configured host keeps its settings
    and gains the list's ports and notes. Listed servers are WeCom's; a domain speaks
    TLS where 443 is among its ports, as the configured WeCom servers do."""
    merged = {e.host.lower(): e for e in endpoints}
    for entry in entries:
        known = merged.get(entry.host)
        if known is None:
            merged[entry.host] = Endpoint(
                entry.host, entry.ports, WECOM, tls=entry.kind == "domain" and 443 in entry.ports,
                necessary=entry.necessary, source="domain_list",
                universal_domain=entry.universal_domain, description=entry.description)
        else:
            merged[entry.host] = dataclasses.replace(
                known, ports=tuple(dict.fromkeys(known.ports + entry.ports)),
                necessary=known.necessary if known.source == "config" else
                known.necessary or entry.necessary,
                universal_domain=known.universal_domain or entry.universal_domain,
                description=known.description or entry.description)
    return tuple(merged.values())


def _require_ips(key: str, values: Sequence[str]) -> None:
    for value in values:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ValueError(f"{key}: expected IP addresses, got {value!r}") from None
