"""Tencent's domain list on hostile files: a DomainList within the run's limits, or a
DomainListError naming the file; nothing else escapes, and no message quotes a
megabyte back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.engine.config import Endpoint, merge_listed
from checks.tencent.domain_list import (
    MAX_PORTS,
    MAX_SERVERS,
    DomainList,
    DomainListError,
    cut_text,
    read_domain_list,
)
from tests.fuzz.budget import FUZZ

NAMES = st.one_of(
    st.sampled_from(["login.work.weixin.qq.com", "*.work.weixin.qq.com", "....", ".", "",
                     " a.qq.com ", "a..b", "-a.com", "a" * 64 + ".com", "企业微信.com",
                     "115.238.203.110", "::1", "x.*.y", "a b.com", "A.QQ.COM."]),
    st.text(max_size=30))
PORTS = st.one_of(st.integers(-5, 70000), st.sampled_from([443, 80, 8080, 0, 65535, 65536]),
                  st.booleans(), st.text(max_size=5), st.floats(allow_nan=False))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=10))


@st.composite
def entries(draw: st.DrawFn, key: str) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if draw(st.booleans()):
        item[key] = draw(NAMES)
    if draw(st.integers(0, 9)):
        item["port"] = draw(st.one_of(st.lists(PORTS, max_size=12), SCALARS))
    for extra in ("protocol", "is_necessary", "universal_domian", "description"):
        if draw(st.booleans()):
            item[extra] = draw(st.one_of(SCALARS, st.sampled_from(["TCP", "UDP", "tcp", 0, 1])))
    return item


@st.composite
def responses(draw: st.DrawFn) -> Any:
    data: dict[str, Any] = {}
    if draw(st.booleans()):
        data["errcode"] = draw(st.one_of(st.just(0), SCALARS))
    for key, name in (("domain_list", "domain"), ("ip_list", "ip")):
        if draw(st.integers(0, 4)):
            data[key] = draw(st.one_of(st.lists(entries(name), max_size=8), SCALARS))
    return data


@pytest.fixture(scope="module")
def list_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("domain-list") / "server_domain_ip.json"


def _read(path: Path) -> DomainList | None:
    try:
        listed = read_domain_list(path)
    except DomainListError as exc:
        assert str(exc).startswith(f"{path}: "), exc
        assert len(str(exc)) < 1000, str(exc)[:300]
        return None
    assert len({e.host for e in listed.tested}) <= MAX_SERVERS
    assert len({p for e in listed.tested for p in e.ports}) <= MAX_PORTS
    info = listed.info()
    json.dumps(info)
    assert ("cut" in info) == (cut_text(info) is not None)
    # What the run makes of it: valid endpoints, nothing raised.
    merge_listed([Endpoint("login.work.weixin.qq.com", (443,), "wecom")], listed.tested)
    return listed


@FUZZ
@given(responses())
def test_generated_responses(list_file: Path, data: Any) -> None:
    list_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _read(list_file)


@FUZZ
@given(st.integers(0, 300), st.integers(1, 40), st.booleans())
def test_big_lists_stay_within_the_limits(list_file: Path, servers: int, ports: int,
                                          mixed: bool) -> None:
    entries = [{"domain": f"s{i}.example.com", "port": list(range(1000, 1000 + ports)),
                "is_necessary": int(not mixed or i % 2 == 0)} for i in range(servers)]
    list_file.write_text(json.dumps({"domain_list": entries}), encoding="utf-8")
    listed = _read(list_file)
    assert listed is not None
    cut = listed.info().get("cut")
    assert (cut is None) == (servers == 0 or (servers <= MAX_SERVERS and ports <= MAX_PORTS))
    if mixed and servers >= 2 * MAX_SERVERS:  # necessary servers take the places first
        assert {int(e.host[1:].split(".")[0]) % 2 for e in listed.tested} == {0}


@FUZZ
@given(st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(['{"domain_list": [', "]", "}", "{", '"port": [', "443", ",",
                              '"domain": "a.qq.com"', '"ip": "10.0.0.1"', ":", "9" * 4400,
                              "[" * 2000, "null", '"is_necessary": 1', "\\u0000", "1e999"]),
             max_size=40).map("".join)))
def test_any_text(list_file: Path, text: str) -> None:
    list_file.write_text(text, encoding="utf-8")
    _read(list_file)
