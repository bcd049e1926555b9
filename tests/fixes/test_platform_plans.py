"""Windows and macOS plans as data, and their output parsers on captured text."""

from __future__ import annotations

import os

from checks.fixes import FixEnv, Journal, get_fix
from checks.fixes.disable_proxy import (
    env_proxy_warning,
    parse_gsettings_mode,
    parse_mac_enabled,
    parse_mac_services,
)
from checks.fixes.executor import apply_plan, undo_entry
from checks.fixes.flush_dns import flush_actions, flushdns_succeeded
from checks.fixes.open_captive_portal import open_argv, safe_url
from checks.fixes.resync_clock import parse_timedatectl_ntp, resync_actions
from checks.fixes.set_mtu import get_mtu_argv, parse_hardware_ports, parse_mtu, set_mtu_argv
from checks.platform.commands import CommandResult, decode_console
from checks.platform.system_tools import macos_tool, windows_tool
from tests.captures import commands, console_bytes, macos, windows

NETSH = windows_tool("netsh")
IPCONFIG = windows_tool("ipconfig")
SC = windows_tool("sc")
W32TM = windows_tool("w32tm")
NETWORKSETUP = macos_tool("networksetup")
DSCACHEUTIL = macos_tool("dscacheutil")
KILLALL = macos_tool("killall")
SNTP = macos_tool("sntp")

# Constructed: a disabled service, the asterisk the header announces (the real captures in
# tests/fixtures/platform/macos list none); the header line itself is as captured.
MAC_SERVICES = """An asterisk (*) denotes that a network service is disabled.
Wi-Fi
*Bluetooth PAN
USB 10/100/1000 LAN
"""
CLASH = commands(macos("networksetup-clash-7890-services-and-proxies.txt"), "~ ")
MAC_WEBPROXY_ON = CLASH["networksetup -getwebproxy Wi-Fi"]
MAC_AUTOPROXY_OFF = commands(macos("networksetup-getautoproxyurl-null.txt"), r"\$ ")[
    "networksetup -getautoproxyurl Wi-Fi"]


def test_mtu_commands_per_os():
    assert set_mtu_argv("windows", "以太网 2", 1400) == [
        NETSH, "interface", "ipv4", "set", "subinterface", "以太网 2", "mtu=1400",
        "store=persistent"]
    assert set_mtu_argv("macos", "en0", 1400, "Wi-Fi") == [NETWORKSETUP, "-setMTU", "Wi-Fi", "1400"]
    assert set_mtu_argv("linux", "eth0", 1400) == ["ip", "link", "set", "dev", "eth0", "mtu", "1400"]
    assert get_mtu_argv("macos", "en0", "Wi-Fi") == [NETWORKSETUP, "-getMTU", "Wi-Fi"]


def test_mtu_parsers_on_captured_output():
    zh = decode_console(console_bytes(windows("netsh-ipv4-show-subinterfaces-zh-cn-netkeeper-ppp.txt"),
                                      936), 936)
    assert parse_mtu("windows", zh, "Netkeeper") == 1480
    assert parse_mtu("windows", zh, "以太网") == 1500
    assert parse_mtu("windows", zh, "missing") is None
    report = commands(macos("networksetup-report-wifi-en1-no-proxy.txt"), "% ")
    assert parse_mtu("macos", report["networksetup -getMTU Wi-Fi"], "en1") == 1500
    assert parse_mtu("linux", "2: eth0: <UP> mtu 1492 qdisc fq state UP", "eth0") == 1492
    ports = macos("networksetup-listallhardwareports-macbook-2020.txt")
    assert parse_hardware_ports(ports) == {
        "en0": "Wi-Fi", "en5": "iPhone USB", "en3": "Bluetooth PAN", "en1": "Thunderbolt 1",
        "en2": "Thunderbolt 2", "bridge0": "Thunderbolt Bridge"}
    # With the "VLAN Configurations" trailer of an older Mac, Wi-Fi on en1.
    assert parse_hardware_ports(report["networksetup -listallhardwareports"]) == {
        "en0": "Ethernet", "en1": "Wi-Fi"}


def test_windows_mtu_plan_from_the_netsh_table(config, monkeypatch):
    """Where GetAdaptersAddresses gives no MTU, netsh's table (decoded in the console's
    code page) gives the current one: a PPPoE dialer at 1480 above a 1400 path."""
    import checks.fixes.set_mtu as set_mtu

    monkeypatch.setattr(set_mtu, "PLATFORM", "windows")
    table = decode_console(console_bytes(windows("netsh-ipv4-show-subinterfaces-zh-cn-netkeeper-ppp.txt"),
                                         936), 936)

    def runner(argv, timeout):
        assert argv == [NETSH, "interface", "ipv4", "show", "subinterfaces"]
        return CommandResult(argv, 0, table)

    report = {"checks": [{"id": "mtu", "evidence": {"path_mtu": 1400, "interface": "Netkeeper"}}]}
    plan = get_fix("set_mtu").plan(FixEnv(config=config, report=report, runner=runner))
    (action,) = plan.actions
    assert action.argv == [NETSH, "interface", "ipv4", "set", "subinterface", "Netkeeper",
                           "mtu=1400", "store=persistent"]
    assert action.data["previous"] == 1480


def test_flush_dns_commands_per_os():
    assert [a.commands() for a in flush_actions("windows", {}, [])] == [[[IPCONFIG, "/flushdns"]]]
    assert flush_actions("windows", {}, [])[0].needs_admin is False
    (mac,) = flush_actions("macos", {}, [])  # one step: the password is asked for once
    assert mac.commands() == [[DSCACHEUTIL, "-flushcache"], [KILLALL, "-HUP", "mDNSResponder"]]
    assert mac.needs_admin
    (linux,) = flush_actions("linux", {"systemd-resolved": True, "resolvectl": True, "nscd": True},
                             [42])
    assert linux.commands() == [["resolvectl", "flush-caches"], ["nscd", "-i", "hosts"],
                                ["kill", "-HUP", "42"]]
    assert flush_actions("linux", {"systemd-resolved": True}, [])[0].argv == [
        "systemd-resolve", "--flush-caches"]
    assert flush_actions("linux", {}, []) == []


def test_macos_dns_flush_goes_through_one_elevated_step(config):
    from checks.fixes.executor import needs_helper

    (mac,) = flush_actions("macos", {}, [])
    fix = get_fix("flush_dns")
    assert all(fix.allows(argv) for argv in mac.commands())
    assert fix.helper_refusal(mac) is None
    assert needs_helper(mac, FixEnv(config=config)) == (os.geteuid() != 0)


def test_flushdns_output_english_and_chinese():
    # Constructed from Windows' message texts (no console capture of /flushdns is kept).
    assert flushdns_succeeded("Windows IP Configuration\r\n\r\nSuccessfully flushed the DNS Resolver Cache.")
    zh = "Windows IP 配置\r\n\r\n已成功刷新 DNS 解析缓存。".encode("gbk")
    assert flushdns_succeeded(decode_console(zh, 936))
    assert not flushdns_succeeded("无法刷新 DNS 解析缓存: 执行期间，函数出了问题。")


def test_resync_clock_commands_per_os():
    from checks.fixes.clock_setting import Answer

    answered = [Answer("10.0.0.9:10123", "10.0.0.9", 10123, 3.0),  # w32tm and sntp: port 123 only
                Answer("ntp.tencent.com", "ntp.tencent.com", 123, 3.1),
                Answer("ntp1.aliyun.com", "ntp1.aliyun.com", 123, 2.9)]
    (win,) = resync_actions("windows", False, False, answered)  # one step, one prompt
    assert win.commands() == [
        [SC, "start", "w32time"],
        [W32TM, "/config", "/manualpeerlist:ntp.tencent.com,0x8 ntp1.aliyun.com,0x8",
         "/syncfromflags:manual", "/update"],
        [W32TM, "/resync", "/force"]]
    assert all(get_fix("resync_clock").allows(c) for c in win.commands())
    (bare,) = resync_actions("windows", False, False)  # nothing answered: no servers to name
    assert bare.commands() == [[SC, "start", "w32time"], [W32TM, "/resync", "/force"]]
    assert resync_actions("macos", False, False, answered)[0].argv == [SNTP, "-sS", "ntp.tencent.com"]
    assert resync_actions("macos", False, False) == []
    assert resync_actions("linux", True, True)[0].argv == ["chronyc", "makestep"]
    assert resync_actions("linux", False, True)[0].argv == ["timedatectl", "set-ntp", "true"]
    assert parse_timedatectl_ntp("no\n") is False and parse_timedatectl_ntp("yes") is True


def test_macos_proxy_parsers():
    assert parse_mac_services(MAC_SERVICES) == ["Wi-Fi", "USB 10/100/1000 LAN"]
    assert parse_mac_enabled(MAC_WEBPROXY_ON) is True
    assert parse_mac_enabled(MAC_AUTOPROXY_OFF) is False


def test_disable_proxy_macos_plan_from_captured_output(config, monkeypatch):
    import checks.fixes.disable_proxy as mod

    monkeypatch.setattr(mod, "PLATFORM", "macos")
    outputs = {("-listallnetworkservices",): MAC_SERVICES,
               ("-getwebproxy", "Wi-Fi"): MAC_WEBPROXY_ON}

    def runner(argv, timeout):
        return CommandResult(list(argv), 0, outputs.get(tuple(argv[1:]), "Enabled: No\n"))

    plan = get_fix("disable_proxy").plan(FixEnv(config=config, runner=runner))
    assert [a.commands() for a in plan.actions] == [
        [[NETWORKSETUP, "-setwebproxystate", "Wi-Fi", "off"]]]
    assert plan.actions[0].data["targets"] == [{"service": "Wi-Fi", "setter": "-setwebproxystate"}]
    assert plan.needs_admin


def test_gnome_proxy_apply_and_undo_restore_the_mode(config, data_dir, monkeypatch):
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    state = {"mode": "manual"}
    calls = []

    def runner(argv, timeout):
        calls.append(list(argv))
        if argv[:2] == ["gsettings", "get"]:
            return CommandResult(list(argv), 0, f"'{state['mode']}'\n")
        state["mode"] = argv[-1]
        return CommandResult(list(argv), 0)

    fix = get_fix("disable_proxy")
    plan = fix.plan(FixEnv(config=config, runner=runner))
    assert plan.warnings == []
    journal = Journal()
    apply_plan(fix, plan, journal)
    assert state["mode"] == "none"
    undo_entry(fix, journal.last, FixEnv(config=config, runner=runner))  # type: ignore[arg-type]
    assert state["mode"] == "manual"
    assert parse_gsettings_mode("'auto'") == "auto"


def test_environment_proxies_are_explained_not_edited():
    warning = env_proxy_warning({"https_proxy": "http://10.0.0.1:3128"})
    assert warning is not None and "https_proxy=http://10.0.0.1:3128" in warning.render("zh")
    assert env_proxy_warning({}) is None


def test_captive_portal_urls():
    assert open_argv("linux", "http://a/") == ["xdg-open", "http://a/"]
    assert open_argv("macos", "http://a/") == ["open", "http://a/"]
    assert open_argv("windows", "http://a/") is None
    for good in ("https://portal.example/login?x=1", "http://10.0.0.1:8080/auth?mac=aa",
                 "http://[fe80::1]/", "http://xn--fiq228c.example/登录?a=<b>"):
        assert safe_url(good), good
    for bad in ("file:///etc/passwd", "javascript:alert(1)", "http://a/ b", None, "ftp://x/",
                # a name in front of the host (the browser would go to evil.example)
                "http://bank.example@evil.example/", "http://bank.example\\@evil.example/",
                # hosts that are not a plain name or address
                "http://a_b.example/", "http://-a.example/", "http://a%2eb/", "http:///x",
                "http://a.example:/x", "http://a.example:99999/", "http://[::1/",
                # control characters, whatever their form
                "http://a.example/\x1b]0;x\x07", "http://a.example/\u202egnp.exe",
                "http://a.example/" + "x" * 3000):
        assert not safe_url(bad), bad


def test_reset_winsock_is_windows_only_and_says_it_cannot_be_undone(config):
    fix = get_fix("reset_winsock")
    plan = fix.plan(FixEnv(config=config))
    assert plan.reversible is False
    assert plan.actions[0].argv == [NETSH, "winsock", "reset"]
    assert any("cannot be undone" in w.render("en") for w in plan.warnings)
    assert plan.blocked is not None  # this machine is not Windows


def test_plan_json_has_both_languages(config):
    plan = get_fix("reset_winsock").plan(FixEnv(config=config))
    data = plan.to_json("zh")
    assert data["actions"][0]["i18n"]["en"] == "Reset the Winsock catalog"
    assert data["i18n"]["summary"]["zh"].startswith("把 Winsock")


def test_the_preview_shows_every_command_of_a_one_prompt_step():
    from checks.fixes import Plan
    from checks.fixes.preview import preview_text
    from checks.fixes.session import PlannedFix

    (action,) = flush_actions("macos", {}, [])
    fix = get_fix("flush_dns")
    plan = Plan("flush_dns", fix.title, actions=[action], needs_admin=True)
    text = preview_text(PlannedFix("flush_dns", fix.title, fix, plan), "en")
    assert "Command: /usr/bin/dscacheutil -flushcache" in text
    assert "Command: /usr/bin/killall -HUP mDNSResponder" in text
    assert text.count("needs administrator") == 1  # one step, one prompt
