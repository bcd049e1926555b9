"""The Windows and macOS sides of the proxy and clock fixes, on real captured data.

Windows registry blobs come from the `.reg` exports in tests/fixtures/platform/windows
(sources in SOURCES.md); the registry itself cannot be reached on Linux, so a small
in-memory registry stands in for `checks.platform`'s four registry functions, which
are thin wrappers of winreg. Everything above them (what is planned, written, backed
up and restored) is the real code.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks import platform
from checks.fixes import FixEnv, FixError, Journal, executor, get_fix
from checks.fixes import disable_proxy as proxy_fix
from checks.fixes.executor import apply_plan, undo_entry
from checks.fixes.resync_clock import w32tm_not_ready
from checks.platform import ConnectionProxy
from checks.platform.commands import CommandResult
from checks.platform.parsers.proxy_settings import (
    blob_with_flags,
    connections_with_proxy,
    is_winhttp_blob,
    parse_bypass,
    parse_connection_blob,
    wininet_state,
)
from checks.platform.system_tools import macos_tool, windows_tool

from .conftest import ROOT

NETSH = windows_tool("netsh")
SC = windows_tool("sc")
W32TM = windows_tool("w32tm")
NETWORKSETUP = macos_tool("networksetup")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "platform"
WIN, MAC = FIXTURES / "windows", FIXTURES / "macos"
HKCU_SETTINGS = ("HKCU", r"software\microsoft\windows\currentversion\internet settings")
CONNECTIONS = proxy_fix.CONNECTIONS_KEY.lower()


def reg_values(path: Path) -> dict[str, bytes]:
    """The hex: values of a regedit export (continuation lines joined)."""
    text = re.sub(r"\\\s*\n\s*", "", path.read_text("utf-8"))
    return {m.group(1): bytes.fromhex(m.group(2).replace(",", ""))
            for m in re.finditer(r'^"([^"]+)"=hex:([0-9a-fA-F,]+)', text, re.M)}


def winhttp_default() -> bytes:
    line = (WIN / "winhttpsettings-default-direct-microsoft-doc.txt").read_text("utf-8")
    return bytes.fromhex(re.search(r"Data \(.*\): ([0-9A-Fa-f]+)", line).group(1))


def test_the_default_winhttp_value_is_direct_as_both_documents_show_it():
    line = (WIN / "winhttpsettings-default-direct-cato-kb.txt").read_text("utf-8")  # one line
    kb = bytes.fromhex(re.search(r'"WinHttpSettings"=hex:([0-9a-f,]+)', line).group(1).replace(",", ""))
    assert kb == winhttp_default() and is_winhttp_blob(kb)
    parsed = parse_connection_blob(kb)
    assert (parsed["flags"], parsed["uses_proxy"], parsed["proxy"]) == (0x01, False, "")


def netsh_section(name: str, command: str) -> str:
    """What one `netsh winhttp …` printed in a captured console session."""
    text = (WIN / name).read_text("utf-8")
    after = text.split(f">{command}\n", 1)[1]
    return after.split("\nC:\\", 1)[0]


class Registry:
    """Values by (hive, key, name), as winreg would hold them."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str, str], tuple[object, int]] = {}

    def read_wininet(self, names):
        return {n: self.values.get((*HKCU_SETTINGS, n)) for n in names}

    def read_registry_value(self, hive, key, name):
        return self.values.get((hive, key.lower(), name))

    def write_registry_value(self, hive, key, name, value):
        if value is None:
            self.values.pop((hive, key.lower(), name), None)
        else:
            self.values[(hive, key.lower(), name)] = value


@pytest.fixture
def registry(monkeypatch):
    fake = Registry()
    for name in ("read_wininet", "read_registry_value", "write_registry_value"):
        monkeypatch.setattr(platform, name, getattr(fake, name))
    monkeypatch.setattr(platform, "proxy_connections", lambda: ("user", {}))
    monkeypatch.setattr(proxy_fix, "PLATFORM", "windows")
    monkeypatch.setattr(executor, "PLATFORM", "windows")
    for var in proxy_fix.ENV_PROXIES:
        monkeypatch.delenv(var, raising=False)
    return fake


def no_commands(argv, timeout):
    raise AssertionError(f"unexpected command {argv}")


# ---- reading: auto-detect and the proxy live in the blob ---------------------------------

def test_auto_detect_is_read_from_the_connection_blob():
    default_user = reg_values(WIN / "wininet-connections-default-user-autodetect.reg")
    assert wininet_state({}, default_user["SavedLegacySettings"])["auto_detect"] is True  # 0x09
    assert wininet_state({}, default_user["DefaultConnectionSettings"])["auto_detect"] is False
    ie11 = reg_values(WIN / "wininet-connections-zh-cn-ie11-manual-proxy.reg")
    state = wininet_state({"ProxyEnable": 0}, ie11["SavedLegacySettings"])  # flags 0x0b
    assert state["enabled"] and state["server"] == "127.0.0.1:80" and state["auto_detect"]
    assert state["bypass"] == "<local>"
    pac = reg_values(WIN / "wininet-connections-zh-cn-proxy-and-pac.reg")["DefaultConnectionSettings"]
    assert wininet_state({}, pac)["pac_url"] == "http://xduotai.com/pRsO3NGR3-.pac"


# ---- the per-user WinINet fix: every connection, through WinINet --------------------------

class WinInet:
    """WinINet's per-connection options over the captured Connections values: what
    InternetQueryOption reports is what the connection's blob holds, and what
    InternetSetOption sets is written back into it the way WinINet does (flags)."""

    def __init__(self, capture: str, scope: str = "user") -> None:
        self.blobs = reg_values(WIN / capture)
        self.scope = scope
        self.sets: list[tuple[str, ConnectionProxy]] = []

    def proxy_connections(self):
        return self.scope, dict(self.blobs)

    def internet_options(self, name: str) -> ConnectionProxy:
        parsed = parse_connection_blob(self.blobs[name or "DefaultConnectionSettings"])
        return ConnectionProxy(parsed["flags"], parsed["proxy"], parsed["bypass"],
                               parsed["autoconfig_url"])

    def set_internet_options(self, name: str, wanted: ConnectionProxy) -> None:
        self.sets.append((name, wanted))
        key = name or "DefaultConnectionSettings"
        current = self.internet_options(name)
        assert (wanted.proxy, wanted.bypass, wanted.pac_url) == (
            current.proxy, current.bypass, current.pac_url)  # addresses kept
        self.blobs[key] = blob_with_flags(self.blobs[key], wanted.flags)


@pytest.fixture
def wininet(registry, monkeypatch):
    def use(capture: str, scope: str = "user") -> WinInet:
        fake = WinInet(capture, scope)
        for name in ("proxy_connections", "internet_options", "set_internet_options"):
            monkeypatch.setattr(platform, name, getattr(fake, name))
        return fake
    return use


def test_connections_with_their_own_proxy_are_found_in_the_captured_values():
    """The LAN has the proxy off while the Netkeeper dialer has it on: WinINet uses the
    dialer's while it is connected. SavedLegacySettings is a copy, not a connection."""
    ie11 = connections_with_proxy(reg_values(WIN / "wininet-connections-zh-cn-ie11-manual-proxy.reg"))
    assert ie11 == [{"connection": "Netkeeper", "flags": 0x0B, "proxy": "127.0.0.1:80",
                     "pac_url": "", "bypass": "<local>"}]
    pac = connections_with_proxy(reg_values(WIN / "wininet-connections-zh-cn-proxy-and-pac.reg"))
    assert [(c["connection"], c["proxy"], c["pac_url"]) for c in pac] == [
        ("", "192.168.1.1:80", "http://xduotai.com/pRsO3NGR3-.pac")]
    assert connections_with_proxy(reg_values(WIN / "wininet-connections-default-user-autodetect.reg")) == []


def test_the_dialers_own_proxy_is_switched_off_and_undo_puts_it_back(wininet, config, data_dir):
    fake = wininet("wininet-connections-zh-cn-ie11-manual-proxy.reg")
    lan_before = fake.blobs["DefaultConnectionSettings"]
    fix = get_fix("disable_proxy")
    plan = fix.plan(FixEnv(config=config, runner=no_commands))
    (action,) = plan.actions  # WinHTTP unset: left alone
    assert action.data["connections"] == ["Netkeeper"]
    assert "连接“Netkeeper”（127.0.0.1:80）" in action.description.render("zh")
    journal = Journal()
    apply_plan(fix, plan, journal)
    assert parse_connection_blob(fake.blobs["Netkeeper"])["flags"] == 0x09  # auto-detect kept
    assert fake.blobs["DefaultConnectionSettings"] == lan_before
    undo_entry(fix, Journal().load(journal.last.id), FixEnv(config=config, runner=no_commands))
    assert parse_connection_blob(fake.blobs["Netkeeper"])["flags"] == 0x0B
    assert [name for name, _ in fake.sets] == ["Netkeeper", "Netkeeper"]


def test_proxy_and_pac_of_the_lan_are_switched_off_with_the_addresses_kept(wininet, config,
                                                                           data_dir):
    fake = wininet("wininet-connections-zh-cn-proxy-and-pac.reg")
    fix = get_fix("disable_proxy")
    journal = Journal()
    apply_plan(fix, fix.plan(FixEnv(config=config, runner=no_commands)), journal)
    after = parse_connection_blob(fake.blobs["DefaultConnectionSettings"])
    assert (after["flags"], after["proxy"], after["autoconfig_url"]) == (
        0x01, "192.168.1.1:80", "http://xduotai.com/pRsO3NGR3-.pac")
    stored = Journal().load(journal.last.id)
    assert stored.steps[0].backup["connections"][""]["flags"] == 0x07
    undo_entry(fix, stored, FixEnv(config=config, runner=no_commands))
    assert parse_connection_blob(fake.blobs["DefaultConnectionSettings"])["flags"] == 0x07


def test_machine_wide_proxy_settings_are_left_to_it(wininet, config):
    wininet("wininet-connections-zh-cn-ie11-manual-proxy.reg", scope="machine")
    plan = get_fix("disable_proxy").plan(FixEnv(config=config, runner=no_commands))
    assert plan.actions == [] and plan.blocked is not None
    assert "only IT can switch it off" in plan.blocked.render("en")


def test_a_crafted_journal_cannot_restore_anything_but_proxy_options(wininet, config, data_dir):
    wininet("wininet-connections-zh-cn-ie11-manual-proxy.reg")
    fix = get_fix("disable_proxy")
    journal = Journal()
    apply_plan(fix, fix.plan(FixEnv(config=config, runner=no_commands)), journal)
    entry = Journal().load(journal.last.id)
    entry.steps[0].backup["connections"]["Netkeeper"] = {"flags": "0x0b", "proxy": 1}
    with pytest.raises(FixError, match="damaged"):
        undo_entry(fix, entry, FixEnv(config=config, runner=no_commands))


# ---- the machine-wide WinHTTP proxy ------------------------------------------------------

def winhttp_proxy_blob(capture: str = "netsh-winhttp-show-proxy-zh-cn-proxy-bypass-none.txt",
                      ) -> bytes:
    """Constructed (no real capture of a WinHttpSettings value with a proxy was found):
    the documented layout around the proxy and bypass list a real `netsh winhttp`
    capture shows (zh-CN 127.0.0.1:7897 without a bypass list; 127.0.0.1:1088 with a long
    one; en-US testProxy:8999)."""
    shown = (WIN / capture).read_text("utf-8")
    server = re.search(r"(?:代理服务器|Proxy Server\(s\))\s*:\s+(\S+)", shown).group(1)
    bypass = re.search(r"(?:绕过列表|Bypass List)\s*:\s+(\S+)", shown).group(1)
    bypass = "" if bypass in ("(无)", "(none)") else bypass

    def field(text: str) -> bytes:
        return len(text).to_bytes(4, "little") + text.encode("ascii")

    return b"\x18\0\0\0" + b"\x05\0\0\0" + b"\x03\0\0\0" + field(server) + field(bypass)


@pytest.mark.parametrize(("capture", "server", "bypass"), [
    ("netsh-winhttp-show-proxy-zh-cn-proxy-bypass-none.txt", "127.0.0.1:7897", 0),
    ("netsh-winhttp-zh-cn-help-show-reset-import.txt", "127.0.0.1:1088", 16),
    ("netsh-winhttp-en-set-proxy.txt", "testProxy:8999", 0),
])
def test_winhttp_proxies_as_netsh_shows_them_are_read_and_planned(capture, server, bypass):
    blob = winhttp_proxy_blob(capture)
    assert is_winhttp_blob(blob)
    parsed = parse_connection_blob(blob)
    assert parsed["uses_proxy"] and parsed["proxy"] == server
    assert len(parse_bypass(parsed["bypass"])) == bypass
    action = proxy_fix.winhttp_action(blob)
    assert action is not None and server in action.description.render("zh")


def test_a_broken_winhttp_proxy_gets_its_own_admin_step_with_an_admin_held_backup(
        registry, config, data_dir):
    proxied = winhttp_proxy_blob()
    registry.values[("HKLM", CONNECTIONS, "WinHttpSettings")] = (proxied, 3)
    reset_output = (WIN / "netsh-winhttp-en-show-reset-direct.txt").read_text("utf-8")
    ran = []

    def runner(argv, timeout):  # what `netsh winhttp reset proxy` does to the registry
        ran.append(list(argv))
        registry.values[("HKLM", CONNECTIONS, "WinHttpSettings")] = (winhttp_default(), 3)
        return CommandResult(list(argv), 0, reset_output)

    fix = get_fix("disable_proxy")
    plan = fix.plan(FixEnv(config=config, runner=runner))
    assert plan.blocked is None  # never "No system proxy is switched on"
    (action,) = plan.actions
    assert action.argv == [NETSH, "winhttp", "reset", "proxy"] and action.needs_admin
    assert "127.0.0.1:7897" in action.description.render("en")
    assert any("IT" in w.render("en") for w in plan.warnings)
    journal = Journal()
    apply_plan(fix, plan, journal)
    assert ran == [[NETSH, "winhttp", "reset", "proxy"]]
    backups = {k: v for k, v in registry.values.items() if k[1] == proxy_fix.BACKUP_KEY.lower()}
    assert [v[0] for v in backups.values()] == [proxied]
    # A crafted journal cannot choose what undo writes: it comes from the admin-held copy.
    entry = Journal().load(journal.last.id)
    entry.steps[0].backup["winhttp_b64"] = "AAAA"
    undo_entry(fix, entry, FixEnv(config=config, runner=runner))
    assert registry.values[("HKLM", CONNECTIONS, "WinHttpSettings")] == (proxied, 3)
    assert not any(k[1] == proxy_fix.BACKUP_KEY.lower() for k in registry.values)


def test_a_reset_that_does_not_take_is_reported_and_put_back(registry, config, data_dir):
    """netsh prints what it did in the UI language; the fix reads the registry instead.
    Here the proxy came straight back (the session's `import proxy source=ie` output)."""
    proxied = winhttp_proxy_blob("netsh-winhttp-zh-cn-help-show-reset-import.txt")
    registry.values[("HKLM", CONNECTIONS, "WinHttpSettings")] = (proxied, 3)
    came_back = netsh_section("netsh-winhttp-zh-cn-help-show-reset-import.txt",
                              "netsh winhttp import proxy source=ie")
    fix = get_fix("disable_proxy")
    plan = fix.plan(FixEnv(config=config, runner=lambda a, t: CommandResult(list(a), 0, came_back)))
    with pytest.raises(FixError, match="still has a proxy"):
        apply_plan(fix, plan, Journal())
    assert registry.values[("HKLM", CONNECTIONS, "WinHttpSettings")] == (proxied, 3)


def test_a_chinese_reset_is_taken_from_the_registry(registry, config, data_dir):
    registry.values[("HKLM", CONNECTIONS, "WinHttpSettings")] = (winhttp_proxy_blob(), 3)
    reset = netsh_section("netsh-winhttp-zh-cn-help-show-reset-import.txt", "netsh winhttp reset proxy")
    assert "直接访问(没有代理服务器)。" in reset

    def runner(argv, timeout):
        registry.values[("HKLM", CONNECTIONS, "WinHttpSettings")] = (winhttp_default(), 3)
        return CommandResult(list(argv), 0, reset)

    fix = get_fix("disable_proxy")
    entry = apply_plan(fix, fix.plan(FixEnv(config=config, runner=runner)), Journal())
    assert entry.state == "applied" and entry.steps[0].outputs[0].stdout == reset


def test_damaged_admin_copy_is_refused(registry, config, data_dir):
    registry.values[("HKLM", CONNECTIONS, "WinHttpSettings")] = (winhttp_proxy_blob(), 3)

    def reset(argv, timeout):
        registry.values[("HKLM", CONNECTIONS, "WinHttpSettings")] = (winhttp_default(), 3)
        return CommandResult(list(argv), 0)

    fix = get_fix("disable_proxy")
    plan = fix.plan(FixEnv(config=config, runner=reset))
    journal = Journal()
    apply_plan(fix, plan, journal)
    name = plan.actions[0].data["backup_name"]
    registry.values[("HKLM", proxy_fix.BACKUP_KEY.lower(), name)] = (b"\x18\0\0\0garbage", 3)
    with pytest.raises(FixError, match="damaged"):
        undo_entry(fix, Journal().load(journal.last.id), FixEnv(config=config, runner=no_commands))


# ---- macOS: every kind, SOCKS included, under one password prompt ---------------------------

def clash_session() -> dict[tuple[str, ...], str]:
    """The captured `networksetup` session: each command with what it printed."""
    outputs: dict[tuple[str, ...], str] = {}
    command: tuple[str, ...] = ()
    for line in (MAC / "networksetup-clash-7890-services-and-proxies.txt").read_text().splitlines():
        if line.startswith("~ networksetup "):
            command = tuple(line[2:].split(None, 2)[1:])
            outputs[command] = ""
        else:
            outputs[command] += line + "\n"
    return outputs


def test_macos_proxy_fix_switches_off_socks_too_in_one_step(config, data_dir, monkeypatch):
    monkeypatch.setattr(proxy_fix, "PLATFORM", "macos")
    session = clash_session()
    ran = []

    def runner(argv, timeout):
        key = tuple(argv[1:])
        if argv[1].startswith("-set"):
            ran.append(list(argv))
            return CommandResult(list(argv), 0)
        # Kinds the capture did not ask about (-getautoproxyurl, other services) were off.
        return CommandResult(list(argv), 0, session.get(key, "Enabled: No\n"))

    fix = get_fix("disable_proxy")
    plan = fix.plan(FixEnv(config=config, runner=runner))
    (action,) = plan.actions
    assert action.commands() == [
        [NETWORKSETUP, "-setwebproxystate", "Wi-Fi", "off"],
        [NETWORKSETUP, "-setsecurewebproxystate", "Wi-Fi", "off"],
        [NETWORKSETUP, "-setsocksfirewallproxystate", "Wi-Fi", "off"]]
    assert fix.helper_refusal(action) is None
    journal = Journal()
    apply_plan(fix, plan, journal)
    undo_entry(fix, Journal().load(journal.last.id), FixEnv(config=config, runner=runner))
    assert ran == action.commands() + [[*c[:3], "on"] for c in action.commands()]


def test_macos_proxy_fix_asks_for_the_password_once(config, data_dir, monkeypatch):
    """Not admin, no test runner: the whole list goes to one elevated helper run."""
    monkeypatch.setattr(executor, "PLATFORM", "macos")
    monkeypatch.setattr(platform, "is_admin", lambda: False)
    prompts = []
    monkeypatch.setattr(executor.elevation, "run_helper",
                        lambda *args: prompts.append(args) or 1223)  # the person declines
    action = proxy_fix.mac_action([("Wi-Fi", s, proxy_fix.MAC_KINDS[0][2])
                                   for s in proxy_fix.MAC_SETTERS])
    plan = proxy_fix.Plan("disable_proxy", action.description, actions=[action],
                          env=FixEnv(config=config))
    with pytest.raises(FixError, match="did not run"):
        apply_plan(get_fix("disable_proxy"), plan, Journal())
    assert len(prompts) == 1 and len(action.commands()) == 4


# ---- Windows clock: wait for a time service that has just started ----------------------

def w32tm_lines(name: str, marker: str) -> str:
    return "\n".join(line for line in (WIN / name).read_text("utf-8").splitlines()
                     if marker in line)


NOT_STARTED_ZH = w32tm_lines("w32tm-zh-cn-service-not-started-then-resync-ok.txt", "0x80070426")
NO_TIME_DATA_EN = (WIN / "w32tm-resync-force-en-win11-no-time-data.txt").read_text("utf-8")
NO_TIME_DATA_ZH = w32tm_lines("w32tm-query-status-zh-cn-last-sync-error-no-time-data.txt",
                              "没有可用的时间数据")
RESYNC_OK_ZH = "将 resync 命令发送到本地计算机\n成功地执行了命令。\n"


def test_no_time_data_is_recognised_in_english_and_chinese():
    for text in (NOT_STARTED_ZH, NO_TIME_DATA_EN, NO_TIME_DATA_ZH,
                 (WIN / "w32tm-en-service-not-started-0x80070426.txt").read_text("utf-8"),
                 (WIN / "w32tm-resync-en-no-time-data-and-status.txt").read_text("utf-8")):
        assert w32tm_not_ready(CommandResult([W32TM], 1, text)), text
    assert not w32tm_not_ready(CommandResult([W32TM], 0, RESYNC_OK_ZH))


def test_fix_commands_run_without_a_console_window_on_windows():
    """run_command (the one way fixes start programs) passes CREATE_NO_WINDOW wherever
    subprocess has it; on Linux the flag is made up, as Windows' subprocess defines it."""
    code = textwrap.dedent("""
        import subprocess
        subprocess.CREATE_NO_WINDOW = 0x08000000
        seen = {}
        real = subprocess.run
        def spy(*args, **kwargs):
            seen.update(kwargs)
            return real(*args, **{k: v for k, v in kwargs.items() if k != "creationflags"})
        subprocess.run = spy
        from checks.platform.commands import run_command
        run_command(["true"], 5)
        print(hex(seen["creationflags"]))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=60)
    assert out.stdout.strip() == "0x8000000", out.stderr


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=120), st.integers(min_value=0, max_value=0xFFFFFFFF))
def test_blob_helpers_never_crash_and_change_only_flags_and_counter(blob, flags):
    wininet_state({"ProxyEnable": 1, "ProxyServer": "h:1"}, blob)
    is_winhttp_blob(blob)
    if len(blob) >= 12:
        new = blob_with_flags(blob, flags)
        assert len(new) == len(blob) and new[:4] == blob[:4] and new[12:] == blob[12:]
        assert int.from_bytes(new[8:12], "little") == flags
