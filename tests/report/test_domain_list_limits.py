"""Tencent's domain list within its size limit can still ask for too much, or hold what
no real answer holds: a run probes at most MAX_SERVERS servers on MAX_PORTS ports of it
and says what it left out; a port of thousands of digits, nesting of thousands of
levels or a domain made of dots is a clear error (exit 64), never a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checks.report.matrix import source_texts
from checks.report.plain_text import render_text
from checks.tencent.domain_list import (
    MAX_PORTS,
    MAX_SERVERS,
    DomainListError,
    cut_text,
    read_domain_list,
    valid_domain,
)
from tests.report.helpers import wxdoctor


def _write(tmp_path: Path, data: Any, name: str = "list.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _domain(name: str, ports: list[int], necessary: int = 1, **more: Any) -> dict[str, Any]:
    return {"domain": name, "port": ports, "is_necessary": necessary, **more}


def test_a_list_within_the_limits_is_tested_whole(tmp_path) -> None:
    entries = [_domain(f"s{i}.work.weixin.qq.com", [443, 80, 8080]) for i in range(MAX_SERVERS)]
    listed = read_domain_list(_write(tmp_path, {"domain_list": entries}))
    assert len(listed.tested) == MAX_SERVERS
    assert "cut" not in listed.info() and cut_text(listed.info()) is None


def test_servers_over_the_limit_are_cut_necessary_ones_first(tmp_path) -> None:
    optional = [_domain(f"opt{i}.example.com", [443], 0) for i in range(10)]
    needed = [_domain(f"need{i}.example.com", [443, 80]) for i in range(MAX_SERVERS + 5)]
    # Optional servers first in the file: the necessary ones still win the places.
    listed = read_domain_list(_write(tmp_path, {"domain_list": optional + needed}))
    hosts = [e.host for e in listed.tested]
    assert hosts == [f"need{i}.example.com" for i in range(MAX_SERVERS)]  # the file's order
    cut = listed.info()["cut"]
    assert cut == {"servers": MAX_SERVERS + 15, "servers_tested": MAX_SERVERS, "ports": 2,
                   "ports_tested": [443, 80], "probes": 2 * (MAX_SERVERS + 5) + 10,
                   "probes_tested": 2 * MAX_SERVERS, "max_servers": MAX_SERVERS,
                   "max_ports": MAX_PORTS}
    assert listed.info()["domains"] == MAX_SERVERS


def test_ports_over_the_limit_are_cut_the_clients_ports_first(tmp_path) -> None:
    ports = list(range(10000, 10000 + 20)) + [8080, 80, 443]
    listed = read_domain_list(_write(tmp_path, {"domain_list": [_domain("a.example.com", ports)],
                                                "ip_list": [{"ip": "10.0.0.1", "port": [5222]}]}))
    kept = [443, 80, 8080, *range(10000, 10000 + MAX_PORTS - 3)]
    assert listed.tested[0].ports == (*range(10000, 10000 + MAX_PORTS - 3), 8080, 80, 443)
    assert [e.host for e in listed.tested] == ["a.example.com"]  # 5222 did not fit
    cut = listed.info()["cut"]
    assert cut["ports_tested"] == kept and (cut["ports"], cut["probes"]) == (24, 24)
    assert cut["probes_tested"] == MAX_PORTS and cut["servers_tested"] == 1


def test_the_cut_is_said_in_both_languages_in_the_text_and_the_server_table(tmp_path) -> None:
    entries = [_domain(f"s{i}.example.com", list(range(1000, 1020))) for i in range(500)]
    info = read_domain_list(_write(tmp_path, {"domain_list": entries})).info()
    en = cut_text(info).render("en")
    zh = cut_text(info).render("zh")
    assert en == ("Tencent's list asks for 10000 connections (500 servers, 20 ports); only 800 "
                  "were tested: 100 servers (necessary ones first) on ports 1000, 1001, 1002, "
                  "1003, 1004, 1005, 1006, 1007. A run tests at most 100 servers and 8 ports "
                  "of a list, so that it keeps to its time limit.")
    assert zh == ("腾讯域名列表要求检测 10000 个连接（500 个服务器，20 个端口），只检测了其中 800 个："
                  "100 个服务器（必要的优先）的 1000、1001、1002、1003、1004、1005、1006、1007 端口。"
                  "为了在时限内完成，每次最多检测列表中的 100 个服务器和 8 个端口。")
    assert en in [t.render("en") for t in source_texts({"domain_list": info})]
    report = {"checks": [], "diagnosis": {"causes": []}, "duration_s": 1.0, "domain_list": info}
    assert zh in render_text(report, "zh").splitlines()


@pytest.mark.parametrize("cut", [None, "all", {"probes": "10"}, {"probes": True},
                                 {"probes": 1, "servers": 1, "ports": 1, "probes_tested": 1,
                                  "servers_tested": 1, "max_servers": 1, "max_ports": 1,
                                  "ports_tested": ["443"]}])
def test_a_saved_reports_odd_cut_is_not_shown(cut) -> None:
    assert cut_text({"cut": cut}) is None
    assert cut_text("not a mapping") is None


@pytest.mark.parametrize(("text", "fragment"), [
    ('{"domain_list": [{"domain": "a.example.com", "port": [' + "9" * 5000 + "]}]}",
     "a number of 5000 digits; not a saved get_server_domain_ip response"),
    ('{"errcode": ' + "1" * 5000 + "}", "a number of 5000 digits"),
    ('{"domain_list": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "nested more than 16 levels deep; not a saved get_server_domain_ip response"),
    ('{"domain_list": [{"domain": "a.example.com", "port": [443], "x": '
     + "[" * 30 + "]" * 30 + "}]}",
     "'domain_list[0].x" + "[0]" * 13 + "' is nested more than 16 levels deep"),
    (json.dumps({"domain_list": [_domain("....", [443])]}),
     "domain_list[0].domain: expected a domain name, got '....'"),
    (json.dumps({"domain_list": [_domain("a..example.com", [443])]}), "expected a domain name"),
    (json.dumps({"domain_list": [_domain("-a.example.com", [443])]}), "expected a domain name"),
    (json.dumps({"domain_list": [_domain("a" * 64 + ".com", [443])]}), "expected a domain name"),
    (json.dumps({"domain_list": [_domain("a/b.example.com", [443])]}), "expected a domain name"),
    (json.dumps({"domain_list": [_domain("x.*.example.com", [443])]}), "expected a domain name"),
    (json.dumps({"domain_list": [_domain("a.example.com", list(range(1, 70000)))]}),
     "'port' expected a list of port numbers, got a list of 69999 items"),
    (json.dumps({"domain_list": [_domain("b" * 3000, [443])]}),
     "expected a domain name, got 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb… "
     "(3002 characters)"),
], ids=["5000-digit-port", "5000-digit-errcode", "100000-deep", "30-deep-extra-key",
        "dots", "empty-label", "leading-hyphen", "64-char-label", "slash", "inner-wildcard",
        "70000-ports", "3000-char-name"])
def test_what_no_real_answer_holds_is_named_not_crashed_on(tmp_path, text, fragment) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(DomainListError) as caught:
        read_domain_list(path)
    assert str(caught.value).startswith(f"{path}: ") and fragment in str(caught.value)
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize("name", ["login.work.weixin.qq.com", "*.work.weixin.qq.com",
                                  "a_b.example.com", "企业微信.example.com", "x" * 63 + ".com",
                                  "10.0.0.1"])
def test_real_names_are_valid(name) -> None:
    assert valid_domain(name)


@pytest.mark.parametrize("case", ["5000-digit-port", "100000-deep", "dots"])
def test_the_command_line_exits_64_on_them(tmp_path, case) -> None:
    text = {"5000-digit-port": '{"domain_list": [{"domain": "a.b", "port": [' + "9" * 5000 + "]}]}",
            "100000-deep": '{"domain_list": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "dots": json.dumps({"domain_list": [_domain(".....", [443])]})}[case]
    path = _write(tmp_path, text)
    out = wxdoctor("check", "--no-history", "--domain-list", str(path), data_dir=tmp_path / "d")
    assert out.returncode == 64, out.stderr[-800:]
    assert f"--domain-list: {path}: " in out.stderr and "Traceback" not in out.stderr
