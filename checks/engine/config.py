"""Configuration: bundled defaults, then machine-wide, user and explicit override files.

Tables merge key by key; a list in an override replaces the default list, so an
IT department can say exactly which endpoints or resolvers to use. The schema is
`checks.engine.config_schema` (re-exported here): a key that is not a field is
unknown, a value of the wrong type names the file, the key and what was expected.
Files are read through the one bounded reader: a pipe, a device or a file over
MAX_CONFIG_BYTES is refused at once, and numbers must be finite.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomllib

from checks import platform
from checks.engine.config_schema import (
    CaptiveConfig,
    CaptiveProbe,
    ClientConfig,
    Config,
    DiskConfig,
    DnsConfig,
    Endpoint,
    HttpConfig,
    LatencyConfig,
    MinVersions,
    MtuConfig,
    NtpConfig,
    ProxyConfig,
    SystemConfig,
    TcpConfig,
    TlsConfig,
    WatchConfig,
    merge_listed,
)
from checks.shared.bounded_read import FileTooLarge, read_regular_file
from checks.shared.nesting import TooDeep, check_depth
from checks.shared.quoted import MAX_SHOWN, clipped, described
from checks.shared.resources import resource_path
from checks.tencent.domain_list import DomainListError

__all__ = [
    "CaptiveConfig", "CaptiveProbe", "ClientConfig", "Config", "ConfigError", "DiskConfig",
    "DnsConfig", "Endpoint", "HttpConfig", "LatencyConfig", "MinVersions", "MtuConfig",
    "NtpConfig", "ProxyConfig", "SystemConfig", "TcpConfig", "TlsConfig", "WatchConfig",
    "build_config", "default_config_path", "load_config", "load_config_text", "merge",
    "merge_listed", "override_paths", "read_config_text",
]

# The bundled defaults are 5 KB; an IT department's list of servers fits many times over.
MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(Exception):
    """A configuration file is unreadable or does not fit the schema."""


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


def read_config_text(path: str | os.PathLike[str]) -> str:
    """The text of a config file: a regular file of at most MAX_CONFIG_BYTES, UTF-8.
    A FIFO is refused without waiting for a writer, a device without reading it."""
    try:
        raw = read_regular_file(path, MAX_CONFIG_BYTES)
    except FileTooLarge:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KB; "
                          "not a wxdoctor config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the file is not UTF-8 text") from None


def _read_toml(path: Path) -> dict[str, Any]:
    return _parse_toml(read_config_text(path), str(path))


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
    except ValueError:  # tomllib's int() refuses a number of thousands of digits
        raise ConfigError(f"{name}: not valid TOML: a number with too many digits") from None
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
        raise ConfigError(f"{origin}: key '{prefix}{name}' {clipped(expected, 4 * MAX_SHOWN)}") from None


_TYPE_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}


def _coerce(tp: Any, value: Any, origin: str, key: str) -> Any:
    def bad(expected: str) -> ConfigError:
        return ConfigError(
            f"{origin}: key '{key}' expected {expected}, got {described(value)}"
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
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            raise bad("a finite number") from None
        if not math.isfinite(number):  # TOML has nan and inf; no setting means them
            raise bad("a finite number")
        return number
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

