"""Reading Tencent's domain list: the documented response, its variants, and broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.engine.config import ConfigError, Endpoint, load_config
from checks.engine.results import Problem, Status, Verdict
from checks.report.matrix import source_texts
from checks.shared.i18n import t
from checks.tencent.domain_list import DomainListError, read_domain_list
from checks.tencent.necessity import soften
from tests.report.helpers import wxdoctor

# The example response of https://developer.work.weixin.qq.com/document/path/100079
# ("获取企业微信域名IP信息", last updated 2024-07-26), as published.
OFFICIAL_EXAMPLE = """{
	"errcode": 0,
	"errmsg": "ok",
	"domain_list":
	[
		{
			"domain":"i.work.weixin.qq.com",
			"universal_domian":"work.weixin.qq.com",
			"protocol":"TCP",
			"port":[443,80],
			"is_necessary":1,
			"description":"企业微信客户端长连接,消息收发等功能;企业微信客户端短连接,登录、拉组织架构等功能"
		},
		{
			"domain":"live.work.weixin.qq.com",
			"universal_domian":"work.weixin.qq.com",
			"protocol":"TCP",
			"port":[443,80],
			"is_necessary":0,
			"description":"企业微信客户端长连接,消息收发等功能;企业微信客户端短连接,登录、拉组织架构等功能"
		}
	],
	"ip_list":
	[
		{
			"ip":"115.238.203.109",
			"protocol":"TCP",
			"port":[443,80],
			"is_necessary":0,
			"description":"企业微信客户端HTTPDNS解析"
		},
		{
			"ip":"115.238.203.110",
			"protocol":"TCP",
			"port":[443,80],
			"is_necessary":1,
			"description":"企业微信客户端HTTPDNS解析"
		}
	]
}
"""


def _write(tmp_path: Path, text: str, name: str = "list.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_response_becomes_endpoints(tmp_path: Path) -> None:
    listed = read_domain_list(_write(tmp_path, OFFICIAL_EXAMPLE))
    assert [(e.host, e.ports, e.necessary, e.kind) for e in listed.entries] == [
        ("i.work.weixin.qq.com", (443, 80), True, "domain"),
        ("live.work.weixin.qq.com", (443, 80), False, "domain"),
        ("115.238.203.109", (443, 80), False, "ip"),
        ("115.238.203.110", (443, 80), True, "ip"),
    ]
    assert listed.entries[0].universal_domain == "work.weixin.qq.com"
    info = listed.info()
    assert (info["domains"], info["necessary"], info["addresses"]) == (2, 1, 2)
    assert info["path"] == str(tmp_path / "list.json") and info["modified"].endswith("+00:00")

    config = load_config(None, domain_list_file=tmp_path / "list.json")
    by_host = {e.host: e for e in config.endpoints}
    # i.work.weixin.qq.com is a bundled endpoint: it keeps its settings, gains the notes.
    bundled = by_host["i.work.weixin.qq.com"]
    assert bundled.source == "config" and bundled.universal_domain == "work.weixin.qq.com"
    live = by_host["live.work.weixin.qq.com"]
    assert (live.source, live.necessary, live.tls, live.product) == ("domain_list", False, True, "wecom")
    address = by_host["115.238.203.110"]
    assert address.is_address and address.tls is False and address.necessary
    assert config.listed is not None and config.listed.path == str(tmp_path / "list.json")
    # A WeChat-only run leaves WeCom's list out.
    assert "live.work.weixin.qq.com" not in {e.host for e in config.for_product("wechat").endpoints}


def test_the_bare_list_object_and_udp_entries(tmp_path: Path) -> None:
    data = {"domain_list": [{"domain": "Media.Work.Weixin.qq.com.", "protocol": "UDP",
                             "port": [8000], "is_necessary": 1}]}
    listed = read_domain_list(_write(tmp_path, json.dumps(data)))
    assert listed.entries[0].host == "media.work.weixin.qq.com"
    assert listed.tested == () and listed.info()["not_tested"] == ["media.work.weixin.qq.com"]


def test_a_wildcard_domain_is_a_firewall_rule_not_a_server(tmp_path: Path) -> None:
    data = {"domain_list": [
        {"domain": "*.work.weixin.qq.com", "port": [443], "is_necessary": 1},
        {"domain": "login.work.weixin.qq.com", "port": [443], "is_necessary": 1}]}
    listed = read_domain_list(_write(tmp_path, json.dumps(data)))
    assert [e.host for e in listed.tested] == ["login.work.weixin.qq.com"]
    info = listed.info()
    assert info["wildcards"] == ["*.work.weixin.qq.com"] and info["domains"] == 1
    lines = [text.render("en") for text in source_texts({"domain_list": info})]
    assert "Not tested (a wildcard is a firewall rule, not a server): *.work.weixin.qq.com." in lines


@pytest.mark.parametrize(("text", "fragment"), [
    ('{"errcode": 0, "domain_list": [{"domain": "a.qq.com", "port": [443]',
     "ends early at line 1, column 68 (is the file truncated?)"),
    ('{"domain_list": [{"domain": "a.qq.com" "port": [443]}]}',
     "not valid JSON: Expecting ',' delimiter at line 1, column 40"),
    ('{"errcode": 42001, "errmsg": "access_token expired"}', "errcode 42001 (access_token expired)"),
    ('{"hello": 1}', "expected a JSON object with 'domain_list'"),
    ('[1, 2]', "expected a JSON object with 'domain_list'"),
    ('{"domain_list": [{"domain": "a.qq.com", "port": "443"}]}',
     "domain_list[0] (a.qq.com): 'port' expected a list of port numbers, got '443'"),
    ('{"domain_list": [{"domain": "a.qq.com", "port": [443], "is_necessary": 2}]}',
     "'is_necessary' expected 1 or 0, got 2"),
    ('{"ip_list": [{"ip": "not-an-ip", "port": [443]}]}', "ip_list[0].ip: expected an IP address"),
    ('{"domain_list": [{"port": [443]}]}', "domain_list[0].domain: expected a domain name"),
    ("", "the file is empty"),
])
def test_a_broken_file_names_the_file_and_the_position(tmp_path: Path, text: str,
                                                        fragment: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(DomainListError) as caught:
        read_domain_list(path)
    assert str(path) in str(caught.value) and fragment in str(caught.value)


def test_not_utf8_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "gbk.json"
    path.write_bytes('{"domain_list": [{"domain": "企业"}]}'.encode("gbk"))
    with pytest.raises(DomainListError, match="not UTF-8 text"):
        read_domain_list(path)
    with pytest.raises(DomainListError, match="cannot read the file"):
        read_domain_list(tmp_path / "missing.json")


def test_the_config_key_is_relative_to_its_file_and_errors_name_both(tmp_path: Path) -> None:
    (tmp_path / "it").mkdir()
    _write(tmp_path / "it", OFFICIAL_EXAMPLE, "tencent.json")
    config_file = _write(tmp_path / "it", 'domain_list = "tencent.json"\n', "config.toml")
    config = load_config(config_file)
    assert "live.work.weixin.qq.com" in {e.host for e in config.endpoints}
    assert config.listed is not None and config.listed.path == str(tmp_path / "it" / "tencent.json")

    _write(tmp_path / "it", '{"domain_list": [', "tencent.json")
    with pytest.raises(ConfigError) as caught:
        load_config(config_file)
    message = str(caught.value)
    assert str(config_file) in message and "key 'domain_list'" in message
    assert "tencent.json" in message and "line 1, column 18" in message


def test_a_broken_list_on_the_command_line_is_exit_64_and_runs_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    truncated = _write(tmp_path, OFFICIAL_EXAMPLE[:300])
    result = wxdoctor("check", "--domain-list", str(truncated), "--json", data_dir=data)
    assert result.returncode == 64
    assert result.stdout == ""
    assert f"--domain-list: {truncated}" in result.stderr and "ends early" in result.stderr
    assert "at line 15, column" in result.stderr
    assert not (data / "history.db").exists()  # nothing ran, nothing was stored


def test_failures_only_on_optional_servers_warn_instead_of_failing() -> None:
    endpoints = [Endpoint("a.lab.test", (443,), "wecom"),
                 Endpoint("b.lab.test", (443,), "wecom", necessary=False),
                 Endpoint("10.0.0.9", (443,), "wecom", necessary=False)]
    failing = Verdict(Status.FAIL, t("2 connections failed.", "2 个连接失败。"),
                      problems=(Problem("tcp_timeout", host="b.lab.test", port=443),
                                Problem("tcp_timeout", host="10.0.0.9", port=443)))
    softened = soften(failing, endpoints)
    assert softened.status is Status.WARN
    assert softened.summary.render("en") == (
        "2 connections failed. (only servers marked as not necessary)")
    assert softened.summary.render("zh") == "2 个连接失败。（仅涉及标为非必要的服务器）"
    with_needed = Verdict(Status.FAIL, failing.summary,
                          problems=(*failing.problems, Problem("tcp_timeout", host="a.lab.test")))
    assert soften(with_needed, endpoints) is with_needed
    no_host = Verdict(Status.FAIL, failing.summary, problems=(Problem("ntp_timeout"),))
    assert soften(no_host, endpoints) is no_host


def test_a_pipe_given_as_the_list_is_refused_at_once(tmp_path: Path) -> None:
    import os
    import time

    pipe = tmp_path / "list.json"
    os.mkfifo(pipe)
    started = time.monotonic()
    with pytest.raises(DomainListError) as caught:
        read_domain_list(pipe)
    assert time.monotonic() - started < 5
    assert f"{pipe}: cannot read the file (not a regular file (pipe))" == str(caught.value)
