"""Config loading: defaults, overrides, and clear errors naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.engine.config import ConfigError, load_config


def _write(tmp_path: Path, text: str, name: str = "it.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_hold_the_real_endpoints() -> None:
    config = load_config()
    hosts = {e.host for e in config.endpoints}
    assert {"login.work.weixin.qq.com", "qyapi.weixin.qq.com", "dldir1.qq.com",
            "long.weixin.qq.com", "short.weixin.qq.com"} <= hosts
    long_link = next(e for e in config.endpoints if e.host == "long.weixin.qq.com")
    assert 8080 in long_link.ports and long_link.product == "wechat"
    assert config.deadline_s == 10


def test_override_list_replaces_and_tables_merge(tmp_path: Path) -> None:
    path = _write(tmp_path, """
deadline_s = 4
[[endpoints]]
host = "login.wecom.lab.test"
ports = [443]
product = "wecom"
[dns]
trusted_resolvers = ["10.0.0.53"]
""")
    config = load_config(path)
    assert [e.host for e in config.endpoints] == ["login.wecom.lab.test"]
    assert config.endpoints[0].tls is True  # default of the field
    assert config.dns.trusted_resolvers == ("10.0.0.53",)
    assert config.dns.timeout_s == 3.0  # untouched key of a merged table
    assert config.deadline_s == 4
    assert str(path) in config.sources


def test_env_variable_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WXDOCTOR_CONFIG", str(_write(tmp_path, "deadline_s = 7\n")))
    assert load_config().deadline_s == 7


def test_explicit_file_wins_over_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WXDOCTOR_CONFIG", str(_write(tmp_path, "deadline_s = 7\n", "env.toml")))
    assert load_config(_write(tmp_path, "deadline_s = 3\n")).deadline_s == 3


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("deadline_s = [\n", "not valid TOML"),
        ("[dns]\nfoo = 1\n", "unknown key 'dns.foo'"),
        ("colour = 1\n", "unknown key 'colour'"),
        ('deadline_s = "soon"\n', "key 'deadline_s' expected a number"),
        ("[dns]\ntrusted_resolvers = [5]\n", "key 'dns.trusted_resolvers[0]' expected a string"),
        ('[dns]\ntrusted_resolvers = ["not-an-ip"]\n', "key 'dns.trusted_resolvers' expected IP"),
        ('[[endpoints]]\nhost = "a"\nports = [443]\nproduct = "qq"\n', "endpoints[0].product"),
        ('[[endpoints]]\nhost = "a"\nports = [0]\nproduct = "wecom"\n', "endpoints[0].ports"),
        ('[[endpoints]]\nports = [443]\nproduct = "wecom"\n', "'endpoints[0].host' is required"),
        ("[[endpoints]]\nhost = 'a'\nports = 443\nproduct = 'wecom'\n", "expected a list"),
        ("[tls]\nextra_ca_files = 'x.pem'\n", "key 'tls.extra_ca_files' expected a list"),
        ("deadline_s = 0\n", "deadline_s"),
    ],
)
def test_bad_files_name_file_and_key(tmp_path: Path, text: str, fragment: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert fragment in message


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes("# 企业微信\ndeadline_s = 5\n".encode("gbk"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(gbk)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes("\ufeff# 企业微信\ndeadline_s = 5\n".encode())
    assert load_config(path).deadline_s == 5


def test_for_product_filters_endpoints() -> None:
    config = load_config()
    assert {e.product for e in config.for_product("wecom").endpoints} == {"wecom"}
    assert {e.product for e in config.for_product("wechat").endpoints} == {"wechat"}
    assert config.for_product("both") is config


@pytest.mark.parametrize(("text", "fragment"), [
    ("deadline_s = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested more than 16 levels deep"),
    # The path names the first value too deep: the table "dns" is level 1.
    ("[dns]\ntimeout_s = " + "[" * 40 + "]" * 40 + "\n",
     "key 'dns.timeout_s" + "[0]" * 14 + "' nested more than 16 levels deep"),
    ("[tls]\nx = " + "{a = " * 30 + "1" + "}" * 30 + "\n", "key 'tls.x.a.a"),
], ids=["100000-arrays", "40-arrays", "30-inline-tables"])
def test_deep_nesting_is_a_config_error(tmp_path: Path, text: str, fragment: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value) and fragment in str(info.value)
