"""Verdicts of the mtu, proxy, vpn and clock checks on recorded evidence."""

from __future__ import annotations

import struct

import pytest

from checks.catalog.clock import ClockCheck, assess_clock, local_timezone, parse_server
from checks.catalog.mtu import assess_mtu, is_black_hole, summarize
from checks.catalog.proxy import assess_proxy, distinct_pacs, distinct_proxies
from checks.catalog.vpn import assess_vpn, classify_interface, classify_process
from checks.engine.config import NtpConfig, load_config_text
from checks.engine.context import make_context
from checks.engine.results import Status
from checks.platform import icmp_socket
from checks.probes.path_mtu import next_candidates, path_mtu
from tests.fixtures.evidence.recorded import evidence

# ---- mtu -----------------------------------------------------------------------------------


def _target(path: int | None, sizes: dict[int, str], **extra: object) -> dict:
    return {"target": "login.wecom.lab.test", "address": "10.201.16.1", "failure": None,
            "interface": "eth0", "interface_mtu": 1500, "reported_mtu": None,
            "sizes": {str(k): v for k, v in sizes.items()}, "path_mtu": path, **extra}


def test_refinement_brackets_the_boundary() -> None:
    sizes = {s: {"result": "passed" if s <= 1400 else "too_big"} for s in (576, 1400, 1420, 1500)}
    assert next_candidates(sizes) == list(range(1401, 1420))
    wide = {576: {"result": "passed"}, 1500: {"result": "no_reply"}}
    refine = next_candidates(wide)
    assert 0 < len(refine) <= 24 and refine[0] == 577 and refine[-1] < 1500
    assert next_candidates({576: {"result": "no_reply"}}) == []
    assert next_candidates({1500: {"result": "passed"}}) == []
    assert path_mtu({"576": "passed", "1400": "passed", "1500": "no_reply"}) == 1400


def test_black_hole_needs_silence_above_the_path_mtu() -> None:
    silent = _target(1400, {1400: "passed", 1401: "no_reply", 1500: "no_reply"})
    told = _target(1400, {1400: "passed", 1401: "too_big", 1500: "no_reply"})
    assert is_black_hole(silent, "icmp_raw") is True
    assert is_black_hole(told, "icmp_dgram") is False
    assert is_black_hole(silent, "ping_command") is None  # cannot tell too-big from lost
    assert is_black_hole(_target(1500, {1500: "passed"}), "icmp_raw") is False


def _mtu_evidence(*targets: dict, method: str = "icmp_raw") -> dict:
    return summarize(list(targets), method)


def test_mtu_ok() -> None:
    verdict = assess_mtu(evidence("healthy", "mtu"))
    assert verdict.status is Status.OK and verdict.cause is None
    # A 9000-byte adapter with a path that carries every size tried is fine too.
    jumbo = evidence("jumbo_adapter+one_silent_tls", "mtu")
    assert jumbo["interface_mtu"] == 9000 and jumbo["path_mtu"] == 1500
    assert assess_mtu(jumbo).status is Status.OK


def test_mtu_smaller_path_with_working_pmtud_is_info() -> None:
    ev = _mtu_evidence(_target(1400, {1400: "passed", 1401: "too_big"}),
                       _target(1500, {1500: "passed"}))
    assert ev["path_mtu"] == 1400 and ev["target"] == "login.wecom.lab.test"
    verdict = assess_mtu(ev)
    assert verdict.status is Status.INFO and verdict.cause is None
    assert verdict.fixes == ("set_mtu",)
    assert verdict.advice is not None and "1400" in verdict.advice.render("zh")
    assert verdict.problems[0].code == "path_mtu_low"


def test_mtu_black_hole_warns() -> None:
    ev = evidence("pmtu_blackhole", "mtu")
    verdict = assess_mtu(ev)
    assert verdict.status is Status.WARN and verdict.cause == "pmtu_blackhole"
    assert verdict.fixes == ("set_mtu",)
    assert "1280" in verdict.summary.render("en")
    # Every size above the path MTU went unanswered at least twice before it counted.
    (target,) = ev["targets"]
    assert all(target["tries"][s] >= 2 for s, r in target["sizes"].items() if r == "no_reply")


def test_one_unanswered_echo_is_no_black_hole() -> None:
    once = _target(1400, {1400: "passed", 1500: "no_reply"}, tries={"1400": 1, "1500": 1})
    assert is_black_hole(once, "icmp_raw") is False


def test_mtu_ping_command_never_claims_black_hole() -> None:
    ev = _mtu_evidence(_target(1400, {1400: "passed", 1500: "failed"}), method="ping_command")
    assert assess_mtu(ev).status is Status.INFO


def test_mtu_interface_smaller_than_1500_is_ok() -> None:
    ev = _mtu_evidence(_target(1420, {1420: "passed", 1440: "too_big"}, interface_mtu=1420))
    assert assess_mtu(ev).status is Status.OK


def test_icmp_blocked_is_grey_not_zero() -> None:
    blocked = _target(None, {576: "no_reply", 1500: "no_reply"}, failure="icmp_blocked")
    verdict = assess_mtu(_mtu_evidence(blocked))
    assert verdict.status is Status.ERROR
    assert [p.code for p in verdict.problems] == ["icmp_blocked"]
    assert "ICMP" in verdict.summary.render("zh")


def test_unresolved_target_is_grey() -> None:
    gone = _target(None, {}, failure="not_resolved", address=None)
    verdict = assess_mtu(_mtu_evidence(gone))
    assert verdict.status is Status.ERROR and verdict.problems[0].code == "not_resolved"


def test_icmp_packet_parsing() -> None:
    request = icmp_socket.echo_request(0x1234, 7, b"abc")
    assert icmp_socket.checksum(request) == 0  # a packet with its checksum sums to zero
    reply = b"\0" + request[1:]
    assert icmp_socket.parse_icmp(reply, raw=False) == {"type": 0, "code": 0, "id": 0x1234,
                                                         "seq": 7}
    ip_header = bytes([0x45]) + b"\0" * 19
    # "Fragmentation needed", next-hop MTU 1400, quoting our original request.
    frag = struct.pack("!BBHHH", 3, 4, 0, 0, 1400) + ip_header + request[:8]
    info = icmp_socket.parse_icmp(ip_header + frag, raw=True)
    assert info == {"type": 3, "code": 4, "id": 0x1234, "seq": 7, "mtu": 1400}
    assert icmp_socket.parse_icmp(b"\x45", raw=True) is None
    ee = struct.pack("=IBBBBII", 90, 2, 3, 4, 0, 1400, 0)
    assert icmp_socket.parse_extended_err(ee)["info"] == 1400


# ---- proxy ---------------------------------------------------------------------------------


def _proxy(source: str, test: dict, **entry: object) -> dict:
    return {"kind": "http", "host": "10.0.0.1", "port": 3128, "sources": [source],
            "protocols": ["all"], "test": test, **entry}


OK_TEST = {"ok": True, "tcp_ok": True, "status": 200, "failure": None}


def test_no_proxy_ok() -> None:
    assert assess_proxy({"proxies": [], "pac": []}).status is Status.OK


def test_working_proxy_info() -> None:
    verdict = assess_proxy({"proxies": [_proxy("wininet", OK_TEST)], "pac": []})
    assert verdict.status is Status.INFO and verdict.cause is None
    assert "Windows 代理设置" in verdict.summary.render("zh")


@pytest.mark.parametrize("failure", ["tcp_refused", "tcp_timeout", "proxy_refused",
                                     "proxy_no_answer", "proxy_bad_reply"])
def test_broken_os_proxy_fails_with_fix(failure: str) -> None:
    test = {"ok": False, "tcp_ok": failure.startswith("proxy"), "failure": failure}
    verdict = assess_proxy({"proxies": [_proxy("macos", test)], "pac": []})
    assert verdict.status is Status.FAIL and verdict.cause == "proxy_broken"
    assert verdict.fixes == ("disable_proxy",)
    assert verdict.problems[0].code == failure


def test_broken_env_proxy_has_no_os_fix() -> None:
    verdict = assess_proxy(evidence("dead_proxy", "proxy"))
    assert verdict.status is Status.FAIL and verdict.fixes == ()
    assert "https_proxy" in verdict.summary.render("en")
    assert verdict.advice is not None and "环境变量" in verdict.advice.render("zh")


def test_auth_required_warns() -> None:
    verdict = assess_proxy(evidence("proxy_auth_required", "proxy"))
    # A proxy asking for an account is a cause of its own: never "healthy" (issue 14.5).
    assert verdict.status is Status.WARN and verdict.cause == "proxy_auth"
    assert [p.code for p in verdict.problems] == ["proxy_auth_required"]
    wrong = assess_proxy(evidence("proxy_auth_wrong", "proxy"))
    assert (wrong.status, wrong.cause) == (Status.WARN, "proxy_auth")
    assert [p.code for p in wrong.problems] == ["proxy_auth_rejected"]
    assert "did not accept" in wrong.summary.render("en")


def test_pac_states() -> None:
    good = {"url": "http://wpad/x.pac", "sources": ["wininet"], "test": {"ok": True}}
    assert assess_proxy({"proxies": [], "pac": [good]}).status is Status.INFO
    bad = {"url": "http://wpad/x.pac", "sources": ["wininet"],
           "test": {"ok": False, "failure": "pac_unreachable"}}
    verdict = assess_proxy({"proxies": [], "pac": [bad]})
    assert verdict.status is Status.WARN and verdict.cause == "proxy_broken"
    assert verdict.fixes == ("disable_proxy",)


def test_settings_merge_into_distinct_proxies() -> None:
    settings = [
        {"source": "env", "proxies": [{"protocol": "https", "kind": "http", "host": "P",
                                       "port": 1, "variable": "https_proxy"}]},
        {"source": "wininet", "pac_url": "http://w/p.pac",
         "proxies": [{"protocol": "http", "kind": "http", "host": "p", "port": 1},
                     {"protocol": "socks", "kind": "socks4", "host": "p", "port": 1}]},
        {"source": "winhttp", "pac_url": "http://w/p.pac", "proxies": []},
    ]
    proxies = distinct_proxies(settings)
    assert [(x["kind"], x["sources"], x["protocols"]) for x in proxies] == [
        ("http", ["env:https_proxy", "wininet"], ["https", "http"]),
        ("socks4", ["wininet"], ["socks"])]
    assert distinct_pacs(settings) == [{"url": "http://w/p.pac", "sources": ["wininet", "winhttp"]}]


# ---- vpn -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "label"), [
    ("tun0", "TUN"), ("utun3", "utun (macOS tunnel)"), ("wg0", "WireGuard"),
    ("Meta", "Clash/Mihomo TUN"), ("Clash", "Clash/Mihomo TUN"), ("tap1", "TAP"),
    ("Wintun Userspace Tunnel", "Wintun"), ("OpenVPN TAP-Windows6", "TAP-Windows"),
    ("以太网 2 (EasyConnect)", "EasyConnect (Sangfor)"), ("ppp0", "PPP"),
    ("eth0", None), ("WLAN", None), ("以太网", None), ("en0", None),
])
def test_interface_names(name: str, label: str | None) -> None:
    assert classify_interface(name) == label


def test_pointopoint_flag_marks_unknown_tunnels() -> None:
    assert classify_interface("mytunnel", "up,pointopoint,running,noarp") == "point-to-point"


@pytest.mark.parametrize(("name", "label"), [
    ("Clash Verge.exe", "Clash Verge"), ("verge-mihomo", "Clash Verge"),
    ("clash-win64.exe", "Clash"), ("ClashX Pro", "Clash"), ("mihomo", "Mihomo"),
    ("v2rayN.exe", "v2rayN"), ("xray.exe", "Xray"), ("sslocal", "Shadowsocks"),
    ("Shadowsocks.exe", "Shadowsocks"), ("EasyConnect.exe", "EasyConnect (Sangfor)"),
    ("SangforCSClient.exe", "EasyConnect (Sangfor)"), ("WeChat.exe", None),
    ("WXWork.exe", None), ("explorer.exe", None), ("clashroyale", None),
])
def test_process_names(name: str, label: str | None) -> None:
    assert classify_process(name) == label


def _tunnel(name: str, label: str, up: bool = True) -> dict:
    return {"name": name, "label": label, "up": up, "mtu": 1500, "flags": "", "addresses": []}


def test_vpn_default_route_warns() -> None:
    ev = {"tunnels": [_tunnel("Meta", "Clash/Mihomo TUN")], "default_via_tunnel": ["Meta"],
          "processes": [{"name": "mihomo.exe", "label": "Mihomo", "pids": [1]}]}
    verdict = assess_vpn(ev)
    assert verdict.status is Status.WARN and verdict.cause == "vpn_interference"
    assert "Mihomo" in verdict.summary.render("zh")


def test_vpn_process_without_route_is_info() -> None:
    ev = {"tunnels": [], "default_via_tunnel": [],
          "processes": [{"name": "v2rayN.exe", "label": "v2rayN", "pids": [1]}]}
    verdict = assess_vpn(ev)
    assert verdict.status is Status.INFO and verdict.cause is None


def test_pppoe_dialup_is_not_a_vpn() -> None:
    ev = {"tunnels": [_tunnel("ppp0", "PPP")], "default_via_tunnel": ["ppp0"], "processes": []}
    assert assess_vpn(ev).status is Status.OK
    assert assess_vpn({"tunnels": [_tunnel("tun0", "TUN", up=False)], "default_via_tunnel": [],
                       "processes": []}).status is Status.OK


# ---- clock -----------------------------------------------------------------------------------


def test_parse_server() -> None:
    assert parse_server("ntp.tencent.com") == ("ntp.tencent.com", 123)
    assert parse_server("10.0.0.1:10123") == ("10.0.0.1", 10123)
    assert parse_server("[fd00::1]:124") == ("fd00::1", 124)
    assert parse_server("fd00::1") == ("fd00::1", 123)
    assert parse_server("host:bad") == ("host:bad", 123)


def _clock(offset: float | None, answered: int = 3, failures: tuple[str, ...] = ()) -> dict:
    servers = [{"server": f"s{i}", "ok": True, "offset_s": offset} for i in range(answered)]
    servers += [{"server": f"f{i}", "ok": False, "failure": f} for i, f in enumerate(failures)]
    return {"servers": servers, "answered": answered, "asked": len(servers), "offset_s": offset,
            "timezone": {"name": "Asia/Shanghai", "utc_offset": "+08:00"}}


@pytest.mark.parametrize(("offset", "status"), [
    (0.2, Status.OK), (-29.0, Status.OK), (30.0, Status.WARN), (-45.0, Status.WARN),
    (180.0, Status.FAIL), (-86400 * 3, Status.FAIL)])
def test_clock_thresholds(offset: float, status: Status) -> None:
    verdict = assess_clock(_clock(offset), NtpConfig(warn_offset_s=30.0, fail_offset_s=180.0))
    assert verdict.status is status
    if status in (Status.WARN, Status.FAIL):
        assert verdict.cause == "clock_skew" and verdict.fixes == ("resync_clock",)
    assert "Asia/Shanghai" in verdict.summary.render("zh")


def test_clock_direction_words() -> None:
    assert "behind" in assess_clock(_clock(300), NtpConfig(warn_offset_s=30, fail_offset_s=180)).summary.render("en")
    assert "快了" in assess_clock(_clock(-300), NtpConfig(warn_offset_s=30, fail_offset_s=180)).summary.render("zh")
    assert "3.0 天" in assess_clock(_clock(-86400 * 3), NtpConfig(warn_offset_s=30, fail_offset_s=180)).summary.render("zh")


def test_no_ntp_answer_is_grey() -> None:
    verdict = assess_clock(_clock(None, 0, ("ntp_timeout", "ntp_timeout")), NtpConfig(warn_offset_s=30, fail_offset_s=180))
    assert verdict.status is Status.ERROR and verdict.cause is None
    assert "123" in verdict.summary.render("zh")
    dns = assess_clock(_clock(None, 0, ("ntp_not_resolved",)), NtpConfig(warn_offset_s=30, fail_offset_s=180))
    assert dns.status is Status.ERROR and "解析" in dns.summary.render("zh")


def test_clock_thresholds_come_from_config() -> None:
    ctx = make_context(load_config_text("[ntp]\nwarn_offset_s = 5.0\nfail_offset_s = 10.0\n"))
    assert ClockCheck().assess(_clock(7.0), ctx).status is Status.WARN
    assert ClockCheck().assess(_clock(12.0), ctx).status is Status.FAIL


def test_local_timezone_shape() -> None:
    tz = local_timezone()
    assert tz["utc_offset"][0] in "+-" and len(tz["utc_offset"]) == 6
    assert isinstance(tz["utc_offset_s"], int)
