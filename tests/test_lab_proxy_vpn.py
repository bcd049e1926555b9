"""Proxy and VPN checks in the lab: dead, refusing and working proxies; a TUN default route."""

from __future__ import annotations

from tests.lab import Lab
from tests.lab.http_server import Answer, spawn_http
from tests.lab.services import add_tun, check_json_env, result_of, start_tinyproxy
from tests.lab.topology import ROUTER_CLIENT_DEV

HOST = "login.wecom.lab.test"


def _config() -> dict[str, object]:
    return {"deadline_s": 6, "endpoints": [{"host": HOST, "ports": [443], "product": "wecom"}],
            "proxy": {"timeout_s": 2.0}}


def _proxy(lab: Lab, env: dict[str, str]) -> dict:
    return result_of(check_json_env(lab, _config(), env, "--only", "proxy"), "proxy")


def test_no_proxy_is_ok(lab: Lab) -> None:
    lab.add_host(HOST, ports=[443])
    result = _proxy(lab, {})
    assert result["status"] == "ok", result
    assert result["evidence"]["proxies"] == []


def test_dead_proxy_is_broken(lab: Lab) -> None:
    lab.add_host(HOST, ports=[443])
    dead = lab.add_address()  # up, but nothing listens on 3128
    result = _proxy(lab, {"https_proxy": f"http://{dead}:3128", "NO_PROXY": "localhost"})
    assert result["status"] == "fail", result
    assert result["cause"] == "proxy_broken"
    assert result["problems"][0]["code"] == "tcp_refused"
    # An environment variable is not an OS setting: no one-click "disable proxy".
    assert result["fixes"] == []
    (proxy,) = result["evidence"]["proxies"]
    assert proxy["sources"] == ["env:https_proxy"] and proxy["test"]["tcp_ok"] is False


def test_live_proxy_is_info(lab: Lab) -> None:
    lab.add_host(HOST, ports=[443])
    addr = start_tinyproxy(lab)
    result = _proxy(lab, {"HTTPS_PROXY": f"{addr}:3128"})
    assert result["status"] == "info", result
    assert result["cause"] is None
    test = result["evidence"]["proxies"][0]["test"]
    assert test["ok"] and test["status"] == 200 and test["target"] == f"{HOST}:443"


def test_proxy_refusing_connect_is_broken(lab: Lab) -> None:
    lab.add_host(HOST, ports=[443])
    addr = start_tinyproxy(lab, connect_ports=[8443])
    result = _proxy(lab, {"all_proxy": f"http://{addr}:3128"})
    assert result["status"] == "fail", result
    assert result["cause"] == "proxy_broken"
    test = result["evidence"]["proxies"][0]["test"]
    assert test["tcp_ok"] and test["status"] == 403 and test["failure"] == "proxy_refused"


def test_unreachable_pac_from_kde_settings(lab: Lab) -> None:
    """KDE settings in the user's home: a PAC URL nobody serves is flagged, with the fix."""
    dead = lab.add_address()
    home = lab.tmp / "home" / ".config"
    home.mkdir(parents=True, exist_ok=True)
    (home / "kioslaverc").write_text(
        f"[Proxy Settings]\nProxyType=2\nProxy Config Script=http://{dead}/proxy.pac\n")
    result = _proxy(lab, {})
    assert result["status"] == "warn", result
    assert result["cause"] == "proxy_broken" and result["fixes"] == ["disable_proxy"]
    assert result["evidence"]["pac"][0]["sources"] == ["kde"]


def _kde_pac(lab: Lab, script: str) -> str:
    """A PAC file served in the lab and named in the user's KDE settings; its URL."""
    addr = lab.add_address()
    spawn_http(lab, addr, Answer(200, script, content_type="application/x-ns-proxy-autoconfig"))
    home = lab.tmp / "home" / ".config"
    home.mkdir(parents=True, exist_ok=True)
    url = f"http://{addr}/proxy.pac"
    (home / "kioslaverc").write_text(
        f"[Proxy Settings]\nProxyType=2\nProxy Config Script={url}\n")
    return url


def test_a_proxy_named_in_the_pac_script_is_tried_where_direct_is_blocked(lab: Lab) -> None:
    server = lab.add_host(HOST, ports=[443])
    proxy = start_tinyproxy(lab)
    lab.router.iptables("-I", "FORWARD", "-i", ROUTER_CLIENT_DEV, "-d", server, "-p", "tcp",
                        "-j", "DROP")  # only the proxy goes out
    url = _kde_pac(lab, 'function FindProxyForURL(url, host) {\n'
                        '  if (isPlainHostName(host)) return "DIRECT";\n'
                        f'  return "PROXY {proxy}:3128; DIRECT";\n}}\n')
    report = check_json_env(lab, {**_config(), "endpoints": [
        {"host": HOST, "ports": [443], "product": "wecom", "tls": False}]}, {})
    result = result_of(report, "proxy")
    assert (result["status"], result["cause"]) == ("warn", "proxy_required"), result
    (pac,) = result["evidence"]["pac"]
    (named,) = pac["proxies"]
    assert (named["host"], named["port"], named["sources"]) == (proxy, 3128, [f"pac:{url}"])
    assert named["through"][0]["ok"] and not result["evidence"]["direct"][0]["ok"]
    headline = report["headline"]
    assert report["diagnosis"]["primary"] == "proxy_required"
    assert f"{proxy}:3128" in headline["summary"] and url in headline["summary"], headline


def test_a_dead_proxy_in_the_pac_script_changes_nothing_where_direct_works(lab: Lab) -> None:
    lab.add_host(HOST, ports=[443])
    _kde_pac(lab, f'function FindProxyForURL(u, h) {{ return "PROXY {lab.add_address()}:3128"; }}')
    result = _proxy(lab, {})
    assert (result["status"], result["cause"]) == ("info", None), result
    assert result["evidence"]["direct"][0]["ok"]
    assert not result["evidence"]["pac"][0]["proxies"][0]["through"][0]["ok"]


def test_tun_default_route_warns(lab: Lab) -> None:
    add_tun(lab)
    report, _rc, _err = lab.check_json({"endpoints": []}, "--only", "vpn")
    result = result_of(report, "vpn")
    assert result["status"] == "warn", result
    assert result["cause"] == "vpn_interference"
    assert result["evidence"]["default_via_tunnel"] == ["tun0"]


def test_tun_without_default_route_is_info(lab: Lab) -> None:
    add_tun(lab, default=False)
    report, _rc, _err = lab.check_json({"endpoints": []}, "--only", "vpn")
    result = result_of(report, "vpn")
    assert result["status"] == "info", result
    assert result["cause"] is None
    assert result["evidence"]["default_via_tunnel"] == []


def test_no_tunnel_is_ok(lab: Lab) -> None:
    report, _rc, _err = lab.check_json({"endpoints": []}, "--only", "vpn")
    assert result_of(report, "vpn")["status"] == "ok"
