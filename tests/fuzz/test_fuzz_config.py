"""The config loader on hostile files: a Config, or a ConfigError naming the file."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from checks.engine.config import Config, ConfigError, load_config_text
from tests.fuzz.budget import FUZZ
from tests.lab.toml import dumps

NAME = "fuzz.toml"
# Real keys, so values reach the type checks and __post_init__ validations, plus strays.
SECTIONS = {
    "dns": ["trusted_resolvers", "timeout_s", "http_dns_url"],
    "tcp": ["timeout_s"], "tls": ["extra_ca_files", "expected_issuers", "timeout_s"],
    "ntp": ["servers", "warn_offset_s", "fail_offset_s", "timeout_s"],
    "captive": ["probes", "timeout_s"], "system": ["hosts_file"],
    "client": ["data_dirs", "scan_max_files", "sqlite_max_files", "sqlite_max_mb", "min_versions"],
    "disk": ["fail_below_gb", "warn_below_gb"], "http": ["probe_hosts", "timeout_s"],
    "latency": ["count", "warn_ms", "loss_warn_pct", "timeout_s"],
    "mtu": ["targets", "timeout_s"], "proxy": ["connect_target", "timeout_s"],
    "stray": ["x"],
}
SCALARS = st.one_of(
    st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20), st.sampled_from(["10.0.0.53", "wecom:/tmp/WXWork", "3.1.12", "", "²"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["url", "status", "body", "host",
                                                                 "ports", "product", "tls"]),
                                                inner, max_size=4)), max_leaves=12)


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if draw(st.booleans()):
        data["deadline_s"] = draw(SCALARS)
    if draw(st.booleans()):
        data["endpoints"] = draw(st.lists(st.fixed_dictionaries({}, optional={
            "host": VALUES, "ports": VALUES, "product": st.sampled_from(["wecom", "wechat", "qq"]),
            "tls": VALUES}), max_size=3))
    for section in draw(st.lists(st.sampled_from(sorted(SECTIONS)), max_size=4, unique=True)):
        keys = draw(st.lists(st.sampled_from(SECTIONS[section]), max_size=3, unique=True))
        data[section] = {key: draw(VALUES) for key in keys}
    return data


def _load(text: str) -> None:
    try:
        config = load_config_text(text, NAME)
    except ConfigError as exc:
        assert str(exc).startswith(f"{NAME}: "), exc
    else:
        assert isinstance(config, Config)


@FUZZ
@given(configs())
def test_generated_configs(data: dict[str, Any]) -> None:
    _load(dumps(data))


@FUZZ
@given(st.one_of(st.text(max_size=300), st.lists(st.sampled_from(
    ["[", "]", "[[", "]]", "{", "}", "=", '"', "'''", "\n", "deadline_s", "dns", ".", ",",
     "a = ", "1", "[dns]\n", "[[endpoints]]\n", "#", "\\u0000", "\0"]), max_size=60).map("".join)))
def test_any_text(text: str) -> None:
    _load(text)


@FUZZ
@given(st.integers(1, 3000), st.sampled_from(["[", "{a = "]))
def test_any_nesting(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    _load(f"deadline_s = {opener * depth}1{closer * depth}\n")


# Numbers TOML allows that no setting means: nan, infinities, overflowing exponents, and
# integers of thousands of digits (Python's int() refuses text past 4300 digits).
HOSTILE_NUMBERS = st.one_of(
    st.sampled_from(["nan", "+nan", "-nan", "inf", "+inf", "-inf", "1e400", "-1e400", "0",
                     "-0.0", "1e-400", "0x7fffffffffffffff", "9223372036854775808"]),
    st.integers(1, 6000).map(lambda n: "9" * n))
NUMBER_KEYS = [f"{section}.{key}" for section, keys in SECTIONS.items() if section != "stray"
               for key in keys if key.endswith(("_s", "_ms", "_pct", "_gb", "_mb", "count",
                                                "_files"))] + ["deadline_s"]


@FUZZ
@given(st.sampled_from(NUMBER_KEYS), HOSTILE_NUMBERS, st.booleans())
def test_hostile_numbers(key: str, value: str, in_list: bool) -> None:
    section, _, name = key.rpartition(".")
    shown = f"[{value}]" if in_list else value
    text = (f"[{section}]\n" if section else "") + f"{name} = {shown}\n"
    _load(text)
    try:
        config = load_config_text(text, NAME)
    except ConfigError as exc:
        assert len(str(exc)) < 600, str(exc)[:200]
    else:  # whatever was accepted is a finite number within its section's rules
        number = getattr(getattr(config, section) if section else config, name)
        assert number == number and abs(number) != float("inf")
