"""Windows and macOS plans as data, and their output parsers on captured text."""

from __future__ import annotations

import os

from checks.fixes import FixEnv, Journal, get_fix
from checks.fixes.disable_proxy import (
    REG_DWORD,
    REG_SZ,
    env_proxy_warning,
    parse_gsettings_mode,
    parse_mac_enabled,
    parse_mac_services,
    wininet_action,
)
from checks.fixes.executor import apply_plan, undo_entry
from checks.fixes.flush_dns import flush_actions, flushdns_succeeded
from checks.fixes.open_captive_portal import open_argv, safe_url
from checks.fixes.resync_clock import parse_timedatectl_ntp, resync_actions
from checks.fixes.set_mtu import get_mtu_argv, parse_hardware_ports, parse_mtu, set_mtu_argv
from checks.platform.commands import CommandResult, decode_output

NETSH_SUBINTERFACES_ZH = """
   MTU  MediaSenseState   传入字节  传出字节      接口
------  ---------------  ---------  ---------  -------------
4294967295                1          0      61810  Loopback Pseudo-Interface 1
  1500                1  132876413   14217405  以太网
  1480                5          0          0  WLAN 2
"""

MAC_GETMTU = "Active MTU: 1500 (Current Setting: 1500)\n"
MAC_PORTS = """
Hardware Port: Wi-Fi
Device: en0
Ethernet Address: a4:83:e7:00:00:00

Hardware Port: Thunderbolt Ethernet Slot 1
Device: en5
Ethernet Address: 00:00:00:00:00:01
"""
MAC_SERVICES = """An asterisk (*) denotes that a network service is disabled.
Wi-Fi
*Bluetooth PAN
USB 10/100/1000 LAN
"""
MAC_WEBPROXY_ON = "Enabled: Yes\nServer: 10.0.0.1\nPort: 8080\nAuthenticated Proxy Enabled: 0\n"
MAC_AUTOPROXY_OFF = "URL: (null)\nEnabled: No\n"


def test_mtu_commands_per_os():
    assert set_mtu_argv("windows", "以太网 2", 1400) == [
        "netsh", "interface", "ipv4", "set", "subinterface", "以太网 2", "mtu=1400",
        "store=persistent"]
    assert set_mtu_argv("macos", "en0", 1400, "Wi-Fi") == ["networksetup", "-setMTU", "Wi-Fi", "1400"]
    assert set_mtu_argv("linux", "eth0", 1400) == ["ip", "link", "set", "dev", "eth0", "mtu", "1400"]
    assert get_mtu_argv("macos", "en0", "Wi-Fi") == ["networksetup", "-getMTU", "Wi-Fi"]


def test_mtu_parsers_on_captured_output():
    gbk = decode_output(NETSH_SUBINTERFACES_ZH.encode("gbk"))
    assert parse_mtu("windows", gbk, "以太网") == 1500
    assert parse_mtu("windows", gbk, "WLAN 2") == 1480
    assert parse_mtu("windows", gbk, "missing") is None
    assert parse_mtu("macos", MAC_GETMTU, "en0") == 1500
    assert parse_mtu("linux", "2: eth0: <UP> mtu 1492 qdisc fq state UP", "eth0") == 1492
    assert parse_hardware_ports(MAC_PORTS) == {"en0": "Wi-Fi", "en5": "Thunderbolt Ethernet Slot 1"}


def test_flush_dns_commands_per_os():
    assert [a.commands() for a in flush_actions("windows", {}, [])] == [[["ipconfig", "/flushdns"]]]
    assert flush_actions("windows", {}, [])[0].needs_admin is False
    (mac,) = flush_actions("macos", {}, [])  # one step: the password is asked for once
    assert mac.commands() == [["dscacheutil", "-flushcache"], ["killall", "-HUP", "mDNSResponder"]]
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
    assert flushdns_succeeded("Windows IP Configuration\r\n\r\nSuccessfully flushed the DNS Resolver Cache.")
    zh = "Windows IP 配置\r\n\r\n已成功刷新 DNS 解析缓存。".encode("gbk")
    assert flushdns_succeeded(decode_output(zh))
    assert not flushdns_succeeded("无法刷新 DNS 解析缓存: 执行期间，函数出了问题。")


def test_resync_clock_commands_per_os():
    (win,) = resync_actions("windows", False, False)  # one administrator step, one prompt
    assert win.commands() == [["sc", "start", "w32time"], ["w32tm", "/resync", "/force"]]
    assert resync_actions("macos", False, False)[0].argv == ["sntp", "-sS", "time.apple.com"]
    assert resync_actions("linux", True, True)[0].argv == ["chronyc", "makestep"]
    assert resync_actions("linux", False, True)[0].argv == ["timedatectl", "set-ntp", "true"]
    assert parse_timedatectl_ntp("no\n") is False and parse_timedatectl_ntp("yes") is True


def test_wininet_plan_as_data():
    current = {"ProxyEnable": (1, REG_DWORD), "ProxyServer": ("127.0.0.1:7890", REG_SZ),
               "ProxyOverride": ("<local>", REG_SZ), "AutoConfigURL": ("http://pac/x.pac", REG_SZ)}
    action = wininet_action(current)
    assert action is not None and action.kind == "set_value"
    assert action.data["set"] == {"ProxyEnable": [0, REG_DWORD]}
    assert action.data["delete"] == ["AutoConfigURL"]
    assert "127.0.0.1:7890" in action.description.render("zh")
    assert wininet_action({"ProxyEnable": (0, REG_DWORD), "ProxyServer": ("x:1", REG_SZ),
                           "ProxyOverride": None, "AutoConfigURL": None}) is None


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
        [["networksetup", "-setwebproxystate", "Wi-Fi", "off"]]]
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
    assert plan.actions[0].argv == ["netsh", "winsock", "reset"]
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
    assert "Command: dscacheutil -flushcache" in text
    assert "Command: killall -HUP mDNSResponder" in text
    assert text.count("needs administrator") == 1  # one step, one prompt
