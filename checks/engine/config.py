"""Configuration: bundled defaults, then machine-wide, user and explicit override files.

Tables merge key by key; a list in an override replaces the default list, so an
IT department can say exactly which endpoints or resolvers to use. The schema is
the dataclasses below: a key that is not a field is unknown, a value of the wrong
type names the file, the key and what was expected.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import os
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from checks import platform
from checks.platform.parsers.numbers import parse_port
from checks.shared.nesting import TooDeep, check_depth
from checks.shared.resources import resource_path
from checks.tencent.domain_list import (
    DomainList,
    DomainListError,
    Entry,
    is_address,
    read_domain_list,
)
from checks.tencent.products import PRODUCTS, WECOM, parse_override


class ConfigError(Exception):
    """A configuration file is unreadable or does not fit the schema."""


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
        _require_ips("trusted_resolvers", self.trusted_resolvers)
        if self.http_dns_url and (
            not self.http_dns_url.startswith(("http://", "https://")) or "{host}" not in self.http_dns_url
        ):
            raise ValueError("http_dns_url: expected an http(s) URL containing {host}, or \"\"")


@dataclass(frozen=True)
class TcpConfig:
    timeout_s: float = 3.0


@dataclass(frozen=True)
class TlsConfig:
    extra_ca_files: tuple[str, ...] = ()
    expected_issuers: tuple[str, ...] = ()
    timeout_s: float = 4.0


@dataclass(frozen=True)
class NtpConfig:
    servers: tuple[str, ...] = ()
    warn_offset_s: float = 30.0
    fail_offset_s: float = 180.0
    timeout_s: float = 2.0


@dataclass(frozen=True)
class CaptiveProbe:
    url: str
    status: int = 204
    body: str = ""


@dataclass(frozen=True)
class CaptiveConfig:
    probes: tuple[CaptiveProbe, ...] = ()
    timeout_s: float = 3.0


@dataclass(frozen=True)
class SystemConfig:
    hosts_file: str = ""  # empty: the operating system's own hosts file


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


@dataclass(frozen=True)
class LatencyConfig:
    # TCP connects per endpoint, all at once: ten per server give enough exchanges to
    # tell heavy loss (a quarter of packets) from light loss (3 %) in a single run.
    count: int = 10
    warn_ms: float = 300.0  # median connect time above this is "slow"
    loss_warn_pct: float = 20.0  # share of connects lost (timed out) that is "slow"
    timeout_s: float = 2.0

    def __post_init__(self) -> None:
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


# ---- loading ---------------------------------------------------------------------------


def default_config_path() -> Path:
    return resource_path("endpoints.toml")


def override_paths(explicit: str | os.PathLike[str] | None = None) -> list[Path]:
    """Override files in increasing priority; only the explicit ones must exist."""
    paths: list[Path] = []
    for candidate in (platform.machine_config_path(), platform.user_config_path()):
        if candidate is not None and candidate.is_file():
            paths.append(candidate)
    env = os.environ.get("WXDOCTOR_CONFIG")
    if env:
        paths.append(Path(env))
    if explicit:
        paths.append(Path(explicit))
    return paths


def load_config(explicit: str | os.PathLike[str] | None = None,
                domain_list_file: str | os.PathLike[str] | None = None) -> Config:
    """`domain_list_file` (from the command line) replaces the config's `domain_list`;
    a broken one raises DomainListError, a broken one named in a file ConfigError."""
    merged: dict[str, Any] = {}
    sources: list[str] = []
    config: Config | None = None
    list_from: Path | None = None  # the file whose `domain_list` key is in effect
    for path in [default_config_path(), *override_paths(explicit)]:
        data = _read_toml(path)
        _validate_keys(data, Config, path, prefix="")
        merged = merge(merged, data)
        sources.append(str(path))
        if "domain_list" in data:
            list_from = path
        # Build after every file so a bad value is blamed on the file that brought it.
        config = build_config(merged, str(path), sources=tuple(sources))
    assert config is not None
    if domain_list_file:
        return config.with_domain_list(domain_list_file)
    if config.domain_list and list_from is not None:
        return _with_listed(config, list_from)
    return config


def _with_listed(config: Config, named_in: Path) -> Config:
    listed = Path(config.domain_list).expanduser()
    if not listed.is_absolute():
        listed = named_in.parent / listed
    try:
        return config.with_domain_list(listed)
    except DomainListError as exc:
        raise ConfigError(f"{named_in}: key 'domain_list': {exc}") from None


def load_config_text(text: str, name: str = "<config>") -> Config:
    """Defaults plus one override given as TOML text (for tests and the GUI)."""
    defaults = _read_toml(default_config_path())
    data = _parse_toml(text, name)
    _validate_keys(data, Config, Path(name), prefix="")
    config = build_config(merge(defaults, data), name, sources=(str(default_config_path()), name))
    return _with_listed(config, Path(name)) if config.domain_list else config


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merge(result[key], value)
        else:
            result[key] = value  # scalars and lists replace
    return result


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the file is not UTF-8 text") from None
    return _parse_toml(text, str(path))


# The deepest real config is a list of tables inside a table ([[captive.probes]]).
MAX_CONFIG_DEPTH = 16


def _parse_toml(text: str, name: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
        check_depth(data, MAX_CONFIG_DEPTH)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: not valid TOML: {exc}") from None
    except RecursionError:  # the parser itself recurses per level
        raise ConfigError(f"{name}: nested more than {MAX_CONFIG_DEPTH} levels deep") from None
    except TooDeep as exc:
        raise ConfigError(f"{name}: key '{exc.path}' {str(exc).partition(': ')[2]}") from None
    return data


@functools.cache
def _public_fields(cls: type) -> dict[str, Any]:
    # Cached: resolving the annotations was most of a config load (~30 ms per load,
    # on the window's thread when a run starts).
    hints = typing.get_type_hints(cls)
    return {
        f.name: hints[f.name]
        for f in dataclasses.fields(cls)
        if not f.metadata.get("internal")
    }


def _validate_keys(data: Mapping[str, Any], cls: type, path: Path, prefix: str) -> None:
    """Unknown keys are reported per file, so the message names the right file."""
    fields = _public_fields(cls)
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{path}: unknown key '{dotted}' (known keys here: {known})")
        inner = _dataclass_of(fields[key])
        if inner is None:
            continue
        if isinstance(value, Mapping):
            _validate_keys(value, inner, path, dotted + ".")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    _validate_keys(item, inner, path, f"{dotted}[{i}].")


def build_config(data: Mapping[str, Any], origin: str, sources: tuple[str, ...] = ()) -> Config:
    config = _build(Config, data, origin, prefix="")
    return dataclasses.replace(config, sources=sources)


def _dataclass_of(tp: Any) -> type | None:
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return tp
    args = typing.get_args(tp)
    if typing.get_origin(tp) is tuple and args and dataclasses.is_dataclass(args[0]):
        return args[0]  # type: ignore[no-any-return,return-value]
    return None


def _build(cls: type, data: Mapping[str, Any], origin: str, prefix: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{origin}: key '{prefix.rstrip('.') or '(top)'}' expected a table")
    kwargs: dict[str, Any] = {}
    required = {
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    for key, tp in _public_fields(cls).items():
        if key in data:
            kwargs[key] = _coerce(tp, data[key], origin, f"{prefix}{key}")
        elif key in required:
            raise ConfigError(f"{origin}: key '{prefix}{key}' is required")
    try:
        return cls(**kwargs)
    except ValueError as exc:
        # __post_init__ messages read "field: what was expected".
        name, _, expected = str(exc).partition(": ")
        raise ConfigError(f"{origin}: key '{prefix}{name}' {expected}") from None


_TYPE_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}


def _coerce(tp: Any, value: Any, origin: str, key: str) -> Any:
    def bad(expected: str) -> ConfigError:
        return ConfigError(
            f"{origin}: key '{key}' expected {expected}, got {type(value).__name__} {value!r}"
        )

    origin_tp = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _build(tp, value, origin, key + ".")
    if origin_tp is tuple:
        (item_tp, _ellipsis) = typing.get_args(tp)
        if not isinstance(value, list):
            raise bad(f"a list of {_describe(item_tp)}")
        return tuple(_coerce(item_tp, v, origin, f"{key}[{i}]") for i, v in enumerate(value))
    if origin_tp in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _coerce(options[0], value, origin, key)
    if tp is bool:
        if not isinstance(value, bool):
            raise bad(_TYPE_NAMES[bool])
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad(_TYPE_NAMES[int])
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad(_TYPE_NAMES[float])
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise bad(_TYPE_NAMES[str])
        return value
    return value


def _describe(tp: Any) -> str:
    if dataclasses.is_dataclass(tp):
        return "tables"
    return {bool: "booleans", int: "whole numbers", float: "numbers", str: "strings"}.get(
        tp, "values"
    )
