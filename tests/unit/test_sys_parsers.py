"""Pure parsers for proxy settings and ping, on captured output."""

from __future__ import annotations

import re
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.platform.parsers import proxy_settings as p
from checks.platform.parsers.ping import ping_argv, ping_result
from tests.captures import windows

# ---- proxy addresses -------------------------------------------------------------------


def test_parse_address_forms() -> None:
    assert p.parse_address("127.0.0.1:7890") == {
        "protocol": "all", "kind": "http", "host": "127.0.0.1", "port": 7890}
    assert p.parse_address("http://user:pw@proxy.corp:8080/")["host"] == "proxy.corp"
    assert p.parse_address("socks5h://127.0.0.1:7891")["kind"] == "socks5"
    assert p.parse_address("socks5://[::1]:1080")["host"] == "::1"
    assert p.parse_address("proxy.corp")["port"] == 80
    assert p.parse_address("socks://h")["port"] == 1080
    for bad in ("", "  ", "host:notaport", "host:70000", "[::1", "a b:1"):
        assert p.parse_address(bad) is None, bad


def test_ports_are_ascii_digits_only() -> None:
    # "²".isdigit() is True and int("²") raises; int("١٢٣") is 123; int(" 80") is 80.
    for port in ("²", "¹²³", "١٢٣", "８０", " 80", "+80", "8_0", "0", "65536", "9" * 5000):
        assert p.parse_address(f"http://proxy.corp:{port}") is None, port
        if " " not in port:  # WinINet lists are separated by spaces too
            assert p.parse_proxy_server(f"https=proxy.corp:{port}") == [], port
    assert p.parse_address("http://proxy.corp:0080")["port"] == 80
    scutil = SCUTIL_CLASH.replace("HTTPPort : 7890", "HTTPPort : ²")
    ports = [e["port"] for e in p.proxies_from_scutil(p.parse_scutil(scutil))["proxies"]]
    assert ports == [7890, 7891]  # the HTTP entry with its broken port is left out
    gnome = GSETTINGS_MANUAL.replace("http port 7890", "http port ²")
    assert [e["protocol"] for e in p.parse_gsettings(gnome)["proxies"]] == ["https"]
    kde = KIOSLAVERC.replace("http://127.0.0.1 7890", "http://127.0.0.1 ١٢٣")
    assert [e["protocol"] for e in p.parse_kioslaverc(kde)["proxies"]] == ["https", "socks"]
    assert p.parse_kioslaverc(KIOSLAVERC.replace("ProxyType=1", "ProxyType=١"))["proxy_type"] == 0


def test_wininet_per_protocol_form() -> None:
    entries = p.parse_proxy_server("http=10.0.0.1:8080;https=10.0.0.1:8443;socks=10.0.0.2:1080")
    assert [(e["protocol"], e["kind"], e["port"]) for e in entries] == [
        ("http", "http", 8080), ("https", "http", 8443), ("socks", "socks4", 1080)]
    (single,) = p.parse_proxy_server("127.0.0.1:7890")
    assert single["protocol"] == "all"
    assert p.parse_proxy_server("") == []
    assert p.parse_bypass("*.corp;<local>; 10.*") == ["*.corp", "<local>", "10.*"]


def test_env_vars_any_case_lower_wins() -> None:
    env = {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2",
           "ALL_PROXY": "socks5://s:1080", "NO_PROXY": "localhost,.corp", "PATH": "/bin"}
    result = p.proxies_from_env(env)
    by_var = {e["variable"]: e for e in result["proxies"]}
    assert by_var["https_proxy"]["host"] == "lower"
    assert by_var["all_proxy"]["kind"] == "socks5"
    assert result["bypass"] == ["localhost", ".corp"]
    assert p.proxies_from_env({"http_proxy": ""})["proxies"] == []


# ---- WinHTTP / WinINet blobs -------------------------------------------------------------

# `netsh winhttp reset proxy` (direct access).
WINHTTP_DIRECT = bytes.fromhex("2800000000000000010000000000000000000000")
# `netsh winhttp set proxy proxy-server="10.0.0.1:8080" bypass-list="*.corp;<local>"`
WINHTTP_PROXY = bytes.fromhex(
    "28000000" "05000000" "03000000" "0d000000") + b"10.0.0.1:8080" + bytes.fromhex(
    "0e000000") + b"*.corp;<local>"
# DefaultConnectionSettings with "use automatic configuration script" and auto-detect.
WININET_PAC = bytes.fromhex("46000000" "0a000000" "0d000000" "00000000" "00000000" "1d000000") \
    + b"http://wpad.corp/proxy.pac\0\0\0" + b"\0" * 32


def test_winhttp_direct() -> None:
    parsed = p.parse_connection_blob(WINHTTP_DIRECT)
    assert parsed["flags"] == 1 and not parsed["uses_proxy"] and parsed["error"] is None


def test_winhttp_proxy() -> None:
    parsed = p.parse_connection_blob(WINHTTP_PROXY)
    assert parsed["uses_proxy"]
    assert parsed["proxy"] == "10.0.0.1:8080"
    assert parsed["bypass"] == "*.corp;<local>"


def test_wininet_autoconfig_blob() -> None:
    parsed = p.parse_connection_blob(WININET_PAC)
    assert parsed["uses_autoconfig"] and parsed["auto_detect"] and not parsed["uses_proxy"]
    assert parsed["autoconfig_url"] == "http://wpad.corp/proxy.pac"


def test_truncated_blob() -> None:
    assert p.parse_connection_blob(b"\x28\0")["error"] == "truncated"
    bad = struct.pack("<IIII", 0x28, 0, 3, 500) + b"1.2.3.4:80"
    assert p.parse_connection_blob(bad)["error"] == "truncated"


@given(st.binary(max_size=200))
def test_blob_parser_never_crashes(blob: bytes) -> None:
    p.parse_connection_blob(blob)


# ---- macOS scutil --proxy ---------------------------------------------------------------

# Constructed: no real `scutil --proxy` of ClashX was found (SOURCES.md, section 6); this
# one adds a __SCOPED__ dictionary to the captured layout, to test nesting. The real
# captures are tested in test_macos_captures.py.
SCUTIL_CLASH = """<dictionary> {
  ExceptionsList : <array> {
    0 : 127.0.0.1
    1 : localhost
    2 : *.local
  }
  ExcludeSimpleHostnames : 1
  FTPPassive : 1
  HTTPEnable : 1
  HTTPPort : 7890
  HTTPProxy : 127.0.0.1
  HTTPSEnable : 1
  HTTPSPort : 7890
  HTTPSProxy : 127.0.0.1
  ProxyAutoConfigEnable : 0
  SOCKSEnable : 1
  SOCKSPort : 7891
  SOCKSProxy : 127.0.0.1
  __SCOPED__ : <dictionary> {
    en0 : <dictionary> {
      HTTPEnable : 1
      HTTPPort : 9999
      HTTPProxy : 10.9.9.9
    }
  }
}
"""

def test_scutil_manual_proxies() -> None:
    settings = p.parse_scutil(SCUTIL_CLASH)
    assert settings["__SCOPED__"]["en0"]["HTTPPort"] == "9999"
    result = p.proxies_from_scutil(settings)
    assert [(e["protocol"], e["kind"], e["port"]) for e in result["proxies"]] == [
        ("http", "http", 7890), ("https", "http", 7890), ("socks", "socks5", 7891)]
    assert result["bypass"] == ["127.0.0.1", "localhost", "*.local"]
    assert result["pac_url"] is None


@given(st.text(max_size=300))
def test_scutil_parser_never_crashes(text: str) -> None:
    p.proxies_from_scutil(p.parse_scutil(text))


# ---- GNOME and KDE ---------------------------------------------------------------------

GSETTINGS_MANUAL = """org.gnome.system.proxy autoconfig-url ''
org.gnome.system.proxy ignore-hosts ['localhost', '127.0.0.0/8', '::1']
org.gnome.system.proxy mode 'manual'
org.gnome.system.proxy use-same-proxy true
org.gnome.system.proxy.ftp host ''
org.gnome.system.proxy.ftp port 0
org.gnome.system.proxy.http authentication-password ''
org.gnome.system.proxy.http authentication-user ''
org.gnome.system.proxy.http enabled false
org.gnome.system.proxy.http host '127.0.0.1'
org.gnome.system.proxy.http port 7890
org.gnome.system.proxy.http use-authentication false
org.gnome.system.proxy.https host '127.0.0.1'
org.gnome.system.proxy.https port 7890
org.gnome.system.proxy.socks host ''
org.gnome.system.proxy.socks port 0
"""


def test_gsettings_manual() -> None:
    result = p.parse_gsettings(GSETTINGS_MANUAL)
    assert result["mode"] == "manual"
    assert [(e["protocol"], e["host"], e["port"]) for e in result["proxies"]] == [
        ("http", "127.0.0.1", 7890), ("https", "127.0.0.1", 7890)]
    assert result["bypass"] == ["localhost", "127.0.0.0/8", "::1"]


def test_gsettings_none_and_auto() -> None:
    none = GSETTINGS_MANUAL.replace("mode 'manual'", "mode 'none'")
    assert p.parse_gsettings(none)["proxies"] == []
    auto = GSETTINGS_MANUAL.replace("mode 'manual'", "mode 'auto'").replace(
        "autoconfig-url ''", "autoconfig-url 'http://wpad/wpad.dat'")
    result = p.parse_gsettings(auto)
    assert result["proxies"] == [] and result["pac_url"] == "http://wpad/wpad.dat"


KIOSLAVERC = """[Cache Settings]
CacheDir=/home/张三/.cache/kio_http

[Proxy Settings]
AuthMode=0
NoProxyFor=localhost,127.0.0.1
Proxy Config Script=
ProxyType=1
ReversedException=false
httpProxy=http://127.0.0.1 7890
httpsProxy=http://127.0.0.1:7890
socksProxy=socks://127.0.0.1 7891
"""


def test_kioslaverc_manual() -> None:
    result = p.parse_kioslaverc(KIOSLAVERC)
    assert [(e["protocol"], e["kind"], e["port"]) for e in result["proxies"]] == [
        ("http", "http", 7890), ("https", "http", 7890), ("socks", "socks5", 7891)]
    assert result["bypass"] == ["localhost", "127.0.0.1"]


def test_kioslaverc_types() -> None:
    pac = KIOSLAVERC.replace("ProxyType=1", "ProxyType=2").replace(
        "Proxy Config Script=", "Proxy Config Script=http://wpad/x.pac")
    assert p.parse_kioslaverc(pac)["pac_url"] == "http://wpad/x.pac"
    assert p.parse_kioslaverc(pac)["proxies"] == []
    assert p.parse_kioslaverc(KIOSLAVERC.replace("ProxyType=1", "ProxyType=0"))["proxies"] == []
    assert p.parse_kioslaverc("garbage\n[Proxy Settings]\nProxyType=x\n")["proxy_type"] == 0


# ---- ping --------------------------------------------------------------------------------


def test_ping_argv_sizes_are_payloads() -> None:
    assert ping_argv("windows", "1.2.3.4", 1500, 2.0) == [
        r"C:\Windows\System32\ping.exe", "-f", "-l", "1472", "-n", "1", "-w", "2000", "1.2.3.4"]
    assert ping_argv("macos", "1.2.3.4", 1400, 1.5) == [
        "/sbin/ping", "-D", "-s", "1372", "-c", "1", "-t", "2", "1.2.3.4"]
    assert ping_argv("linux", "1.2.3.4", 576, 1.0)[1:8] == [
        "-n", "-M", "do", "-s", "548", "-c", "1"]


def ping_runs(name: str) -> list[tuple[str, bytes]]:
    """Each `ping … -l N -f` of a captured console session: (size, the GBK bytes it printed)."""
    runs: list[tuple[str, bytes]] = []
    for chunk in re.split(r"^.*?ping \S+ -l ", windows(name), flags=re.M)[1:]:
        size, _, output = chunk.partition(" -f\n")
        runs.append((size, output.replace("\n", "\r\n").encode("gbk")))
    return runs


@pytest.mark.parametrize("name", ["ping-f-l-zh-cn-df-fail-1473-ok-1472.txt",
                                  "ping-f-l-zh-cn-wireguard-path-1372.txt"])
def test_windows_ping_results_on_captured_chinese_sessions(name: str) -> None:
    """A size that needs fragmenting prints 需要拆分数据包但是设置 DF。 and no "TTL=": failed
    even if ping.exe exited 0; an echo reply carries "TTL=" in every language: passed."""
    runs = ping_runs(name)
    assert len(runs) == 2
    for size, output in runs:
        too_big = "需要拆分数据包但是设置 DF。".encode("gbk") in output
        assert ping_result("windows", 0, output)["result"] == ("failed" if too_big else "passed"), size
        assert ping_result("windows", 1, output)["result"] == "failed"
    assert {size for size, out in runs if b"TTL=" in out} in ({"1472"}, {"1372"})


# Constructed (no capture of these was found, SOURCES.md section 10): a timeout, and a
# router's "destination unreachable", which ping.exe answers with exit code 0.
WIN_ZH_TIMEOUT = "\r\n正在 Ping 10.0.0.1 具有 1472 字节的数据:\r\n请求超时。\r\n".encode("gbk")
WIN_ZH_UNREACH = ("\r\n正在 Ping 10.0.0.1 具有 1472 字节的数据:\r\n"
                  "来自 192.168.1.1 的回复: 无法访问目标主机。\r\n").encode("gbk")


def test_windows_ping_results_any_language() -> None:
    assert ping_result("windows", 1, WIN_ZH_TIMEOUT)["result"] == "failed"
    assert ping_result("windows", 0, WIN_ZH_UNREACH)["result"] == "failed"
    assert ping_result("windows", 5, b"")["result"] == "error"


def test_posix_ping_results() -> None:
    assert ping_result("macos", 0, b"")["result"] == "passed"
    assert ping_result("macos", 2, b"")["result"] == "failed"
    assert ping_result("linux", 1, b"")["result"] == "failed"
    assert ping_result("macos", 68, b"")["result"] == "error"


def test_proc_net_route_gateway_and_garbage() -> None:
    from checks.platform._linux import parse_proc_net_route

    # /proc/net/route as the kernel writes it (little-endian hex): default via 10.201.1.1.
    text = ("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
            "eth0\t00000000\t0101C90A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
            "eth0\t0001C90A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
            "tun9\t00000000\tZZZZ\t0003\n")
    assert parse_proc_net_route(text) == {"eth0": "10.201.1.1"}


def test_proc_routes_per_interface_skip_garbled_lines() -> None:
    from checks.platform.parsers.adapters import parse_proc_routes

    # /proc/net/route and /proc/net/ipv6_route as the kernel writes them (tun0 owns
    # 0.0.0.0/1 and 128.0.0.0/1, OpenVPN's def1), with one garbled line in each.
    v4 = ("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
          "eth0\t00000000\t0101C90A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
          "tun0\t00000000\t0100080A\t0003\t0\t0\t0\t00000080\t0\t0\t0\n"
          "tun0\t00000080\t0100080A\t0003\t0\t0\t0\t00000080\t0\t0\t0\n"
          "tun9\t00000000\tZZZZ\t0003\t0\t0\t0\t00000000\t0\t0\t0\n")
    v6 = ("00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
          "fe800000000000000000000000000001 00000400 00000001 00000000 00000003 eth0\n"
          "zz000000000000000000000000000000 00 00000000000000000000000000000000 00 "
          "00000000000000000000000000000000 00000400 00000001 00000000 00000001 wg0\n")
    assert parse_proc_routes(v4, v6) == {"eth0": ["default"], "tun0": ["0.0.0.0/1", "128.0.0.0/1"]}
