"""set_dns_servers: parsers on real captures, the plan as data on each OS, apply and
undo restoring exactly what was there, and the choices the person is offered.

See tests/fixes/dns_fixtures.py for what stands in for Windows and macOS here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from checks import platform
from checks.diagnosis.resolvers import LOCAL_NETWORK, PROVIDER, PUBLIC, ROUTER
from checks.fixes import FixEnv, FixError, Journal, dns_adapter, dns_steps, executor, get_fix
from checks.fixes.dns_choices import facts_of, failing_kind, failing_servers
from checks.fixes.executor import apply_plan, undo_entry
from checks.platform._common import AdapterInfo, RouteInfo
from checks.platform.parsers import dns_settings as parse
from checks.platform.system_tools import macos_tool, windows_tool

from .dns_fixtures import (
    LINUX,
    MAC,
    WIN,
    Registry,
    failed,
    lab_report,
    ok,
    reg_query_values,
    section,
)

NETSH, IPCONFIG = windows_tool("netsh"), windows_tool("ipconfig")
NETWORKSETUP = macos_tool("networksetup")
ALIDNS, DNSPOD = ["223.5.5.5", "223.6.6.6"], ["119.29.29.29", "182.254.116.116"]


def on(monkeypatch: Any, os_name: str) -> None:
    for module in (dns_steps, dns_adapter, executor):
        monkeypatch.setattr(module, "PLATFORM", os_name)


def ids(choices: list[Any]) -> list[str]:
    return [c.id for c in choices]


# ---- parsers, on what the OS printed ---------------------------------------------------------

def test_registry_values_as_reg_query_printed_them() -> None:
    values = reg_query_values((WIN / "reg-query-tcpip-interfaces-de-dhcp-nameserver.txt")
                              .read_text("utf-8"))
    key = r"system\currentcontrolset\services\tcpip\parameters\interfaces"
    wired = {n: v[0] for (_h, k, n), v in values.items()
             if k == key + r"\{e9ce66a4-c563-4c8b-b099-1206c25056ce}"}
    assert parse.registry_servers(wired["NameServer"]) == []
    assert parse.registry_servers(wired["DhcpNameServer"]) == ["192.168.1.201"]
    assert (wired["EnableDHCP"], parse.register_word(wired["RegistrationEnabled"],
                                                      wired["RegisterAdapterName"])) == (1, "primary")
    hyperv = {n: v[0] for (_h, k, n), v in values.items()
              if k == key + r"\{a4122831-1bcd-4dff-900a-5d2da124bb78}"}
    assert hyperv["EnableDHCP"] == 0 and parse.register_word(hyperv["RegistrationEnabled"], None) == "none"
    static = reg_query_values((WIN / "reg-query-nameserver-static-two.txt").read_text("utf-8"))
    assert [parse.registry_servers(v[0]) for v in static.values()] == [
        [], ["192.168.0.1", "192.168.0.2"]]
    # The DHCP list is space-separated; nothing that is not an address gets through.
    assert parse.registry_servers("10.0.0.1 10.0.0.2") == ["10.0.0.1", "10.0.0.2"]
    assert parse.registry_servers("10.0.0.1,evil.example") == []


def test_networksetup_answers() -> None:
    capture = MAC / "networksetup-getdnsservers-empty-then-google.txt"
    text = capture.read_text("utf-8")
    first, second = re.findall(r"getdnsservers Wi-Fi\n(.*?)\n\n", text, re.S)
    assert parse.parse_getdnsservers(first) == []  # "There aren't any … Wi-Fi. " (a blank)
    assert parse.parse_getdnsservers(second) == ["8.8.8.8", "8.8.4.4"]
    kodango = section(MAC / "networksetup-getdnsservers-none-zh-prompt.txt",
                      "networksetup -getdnsservers Wi-Fi")
    assert parse.parse_getdnsservers(kodango) == []
    blog = MAC / "networksetup-wifi-manual-ip-and-dns-zh-blog.txt"
    assert parse.parse_getdnsservers(section(blog, "networksetup -getdnsservers Wi-Fi")) == [
        "192.168.0.1"]
    assert parse.parse_getinfo_method(section(blog, "networksetup -getinfo Wi-Fi")) == "manual"
    dhcp = section(MAC / "networksetup-getinfo-dhcp-usb-lan.txt",
                   'networksetup -getinfo "USB 10/100/1000 LAN"')
    assert parse.parse_getinfo_method(dhcp) == "dhcp"
    assert parse.parse_getdnsservers("** Error: The parameters were not valid.\n") is None


def test_the_service_of_a_device_is_its_own_name_not_its_hardware_port() -> None:
    order = parse.parse_service_order(
        (MAC / "networksetup-listnetworkserviceorder-usb-lan-2.txt").read_text("utf-8"))
    assert order["en11"] == "USB 10/100/1000 LAN 2"  # port "USB 10/100/1000 LAN"
    assert order["en5"] == "USB 10/100/1000 LAN" and order["en0"] == "Wi-Fi"
    disabled = "(*) Bluetooth PAN\n(Hardware Port: Bluetooth PAN, Device: en3)\n"  # constructed
    assert parse.parse_service_order(disabled) == {}


def test_resolvectl_links() -> None:
    both = (LINUX / "resolvectl-dns-global-and-vpn-link.txt").read_text("utf-8")
    assert parse.parse_resolvectl_dns(both, "eno1") == ["1.1.1.1", "1.0.0.1"]
    assert parse.parse_resolvectl_dns(both, "tun0") == ["10.45.248.15", "10.38.5.26"]
    assert parse.parse_resolvectl_dns(both, "wlan0") is None
    one = (LINUX / "resolvectl-dns-one-link.txt").read_text("utf-8")
    assert parse.parse_resolvectl_dns(one, "enp1s0f1") == ["192.168.1.1"]
    zh = (LINUX / "resolvectl-dns-zh-link-local-and-empty.txt").read_text("utf-8")
    assert parse.parse_resolvectl_dns(zh, "ens18") == [
        "192.168.5.1", "223.5.5.5", "192.168.5.11", "fe80::5"]
    assert parse.parse_resolvectl_dns(zh, "ztksetoehl") == []


def test_nmcli_terse_fields_keep_escaped_colons() -> None:
    # nmcli(1): in terse mode ':' and '\' inside a value are escaped with '\'.
    assert parse.split_terse(r"Büro\:2:7e2c1a3b-0000-4000-8000-000000000001:eth0") == [
        "Büro:2", "7e2c1a3b-0000-4000-8000-000000000001", "eth0"]
    assert parse.nm_dns_list("223.5.5.5,223.6.6.6") == ALIDNS
    assert parse.nm_dns_list("") == [] and parse.nm_dns_list("--") == []


# ---- Windows -------------------------------------------------------------------------------

WIRED = "{e9ce66a4-c563-4c8b-b099-1206c25056ce}"
HYPERV = "{a4122831-1bcd-4dff-900a-5d2da124bb78}"
KEY = r"system\currentcontrolset\services\tcpip\parameters\interfaces"


class Netsh:
    """netsh as it changes the registry: `set` replaces the static list (or clears it
    for dhcp), `add` inserts at an index; NameServer is comma-separated."""

    def __init__(self, registry: Registry, guids: dict[str, str]) -> None:
        self.registry, self.guids, self.calls = registry, guids, []

    def __call__(self, argv: list[str], timeout: float) -> Any:
        self.calls.append(list(argv))
        if argv[0] == IPCONFIG:
            return ok(argv, "Windows IP Configuration\n\nSuccessfully flushed the DNS Resolver Cache.")
        assert argv[:5] == [NETSH, "interface", "ipv4", argv[3], "dnsservers"], argv
        words = dict(w.split("=", 1) for w in argv[5:])
        key = ("HKLM", f"{KEY}\\{self.guids[words['name']]}".lower(), "NameServer")
        servers = parse.registry_servers(self.registry.values.get(key, ("", 1))[0])
        if argv[3] == "set":
            servers = [] if words["source"] == "dhcp" else [words["address"]]
        else:
            servers.insert(int(words["index"]) - 1, words["address"])
        self.registry.values[key] = (",".join(servers), 1)
        return ok(argv)


@pytest.fixture
def windows(monkeypatch: Any) -> Registry:
    registry = Registry(reg_query_values(
        (WIN / "reg-query-tcpip-interfaces-de-dhcp-nameserver.txt").read_text("utf-8")))
    for name in ("read_registry_value", "write_registry_value"):
        monkeypatch.setattr(platform, name, getattr(registry, name))
    monkeypatch.setattr(platform, "adapter_details", lambda: [
        AdapterInfo("以太网", "Intel(R) Ethernet Connection I219-V", 6, "up", 1500, guid=WIRED.upper()),
        AdapterInfo("vEthernet (WSL)", "Hyper-V Virtual Ethernet Adapter", 6, "up", 1500,
                    guid=HYPERV.upper())])
    on(monkeypatch, "windows")
    return registry


def windows_run(registry: Registry, report: dict[str, Any], config: Any, choice: str | None
                ) -> tuple[Any, Any, Netsh, FixEnv]:
    netsh = Netsh(registry, {"以太网": WIRED, "vEthernet (WSL)": HYPERV})
    env = FixEnv(config=config, report=report, runner=netsh, choice=choice)
    fix = get_fix("set_dns_servers")
    choices = fix.choices(env)
    env.choice = choice or choices[0].id
    return fix, (choices, fix.plan(env)), netsh, env


def test_windows_dhcp_adapter_gets_a_public_service_and_undo_gives_dhcp_back(
        windows: Registry, data_dir: Any, config: Any) -> None:
    # The router of that capture (DhcpServer 192.168.1.1) hands out 192.168.1.201.
    report = lab_report(swap={"eth0": "以太网", "10.201.1.1": "192.168.1.1",
                              "10.201.2.53": "192.168.1.201"})
    before = dict(windows.values)
    fix, (choices, plan), netsh, env = windows_run(windows, report, config, None)
    assert ids(choices) == ["alidns", "dnspod", "114dns"]  # automatic is what fails now
    assert plan.blocked is None, plan.blocked
    assert plan.summary.render("en") == (
        "Change the DNS servers of the adapter “以太网” from automatic (192.168.1.201) to "
        "AliDNS (223.5.5.5, 223.6.6.6).")
    assert plan.actions[0].commands() == [
        [NETSH, "interface", "ipv4", "set", "dnsservers", "name=以太网", "source=static",
         "address=223.5.5.5", "register=primary", "validate=no"],
        [NETSH, "interface", "ipv4", "add", "dnsservers", "name=以太网", "address=223.6.6.6",
         "index=2", "validate=no"],
        [IPCONFIG, "/flushdns"]]
    assert all(fix.allows(argv) for argv in plan.actions[0].commands())
    entry = apply_plan(fix, plan, Journal())
    name_server = ("HKLM", f"{KEY}\\{WIRED}", "NameServer")
    assert windows.values[name_server] == ("223.5.5.5,223.6.6.6", 1)
    backup = [v for (h, k, n), v in windows.values.items() if k == r"software\wxdoctor\dnsbackup"]
    assert len(backup) == 1 and '"static": []' in backup[0][0]  # kept where only admins write
    notes = undo_entry(fix, Journal().load(entry.id), FixEnv(config=config, runner=netsh))
    assert netsh.calls[-2] == [NETSH, "interface", "ipv4", "set", "dnsservers", "name=以太网",
                               "source=dhcp"]
    assert windows.values == before  # NameServer "" again, the copy removed
    assert "set back to automatic" in notes[0].render("en")


def test_windows_hand_set_public_service_goes_back_to_automatic_and_undo_restores_it(
        windows: Registry, data_dir: Any, config: Any) -> None:
    # Constructed: the captured adapter with AliDNS typed in by hand (NameServer as Windows
    # writes a static list: comma-separated, as the second capture shows).
    windows.values[("HKLM", f"{KEY}\\{WIRED}", "NameServer")] = ("223.5.5.5,223.6.6.6", 1)
    report = lab_report(swap={"eth0": "以太网", "10.201.1.1": "192.168.1.1",
                              "10.201.2.53": "223.5.5.5"})
    before = dict(windows.values)
    fix, (choices, plan), netsh, env = windows_run(windows, report, config, None)
    assert ids(choices) == ["automatic", "dnspod", "114dns"]  # the failing one is not offered
    assert choices[0].label.render("zh") == "自动获取：使用本网络分配的服务器（推荐）"
    assert plan.actions[0].commands()[0] == [
        NETSH, "interface", "ipv4", "set", "dnsservers", "name=以太网", "source=dhcp"]
    entry = apply_plan(fix, plan, Journal())
    assert windows.values[("HKLM", f"{KEY}\\{WIRED}", "NameServer")] == ("", 1)
    undo_entry(fix, Journal().load(entry.id), FixEnv(config=config, runner=netsh))
    assert netsh.calls[-3:-1] == [
        [NETSH, "interface", "ipv4", "set", "dnsservers", "name=以太网", "source=static",
         "address=223.5.5.5", "register=primary", "validate=no"],
        [NETSH, "interface", "ipv4", "add", "dnsservers", "name=以太网", "address=223.6.6.6",
         "index=2", "validate=no"]]
    assert windows.values == before


def test_windows_keeps_dynamic_dns_registration_off_where_it_was_off(
        windows: Registry, data_dir: Any, config: Any) -> None:
    """The Hyper-V adapter of the capture has RegistrationEnabled 0 and a static address;
    with the static list of the second capture it gets no `automatic` (it has no DHCP)
    and `register=none`, so the fix does not switch registration on."""
    windows.values[("HKLM", f"{KEY}\\{HYPERV}", "NameServer")] = ("192.168.0.1,192.168.0.2", 1)
    report = lab_report(swap={"eth0": "vEthernet (WSL)", "10.201.1.1": "192.168.0.1",
                              "10.201.2.53": "192.168.0.1"})
    fix, (choices, plan), netsh, env = windows_run(windows, report, config, "dnspod")
    assert ids(choices) == ["alidns", "dnspod", "114dns"]
    assert plan.actions[0].commands()[0][-2:] == ["register=none", "validate=no"]
    entry = apply_plan(fix, plan, Journal())
    undo_entry(fix, Journal().load(entry.id), FixEnv(config=config, runner=netsh))
    assert windows.values[("HKLM", f"{KEY}\\{HYPERV}", "NameServer")] == (
        "192.168.0.1,192.168.0.2", 1)
    assert netsh.calls[-3][-2] == "register=none"


def test_windows_undo_takes_the_old_list_from_the_admin_copy_never_the_journal(
        windows: Registry, data_dir: Any, config: Any) -> None:
    report = lab_report(swap={"eth0": "以太网", "10.201.2.53": "192.168.1.201"})
    fix, (_c, plan), netsh, env = windows_run(windows, report, config, None)
    journal = Journal()
    entry = apply_plan(fix, plan, journal)
    entry = journal.load(entry.id)
    entry.steps[0].backup = {"previous": ["6.6.6.6"]}  # a program of the person's rewrote it
    entry.steps[0].action.data["previous"] = ["6.6.6.6"]
    journal.save(entry)
    env = FixEnv(config=config, runner=netsh, in_helper=True, allows=fix.allows)
    executor.act(fix, journal.load(entry.id).steps[0], env, revert=True)
    assert windows.values[("HKLM", f"{KEY}\\{WIRED}", "NameServer")] == ("", 1)
    assert not any("6.6.6.6" in " ".join(c) for c in netsh.calls)


# ---- macOS ---------------------------------------------------------------------------------

class Networksetup:
    """networksetup answering with the captures, its DNS lists changed by -setdnsservers."""

    def __init__(self, dns: dict[str, list[str]], info: dict[str, str]) -> None:
        self.dns, self.info, self.calls = dns, info, []
        self.empty = section(MAC / "networksetup-getdnsservers-none-zh-prompt.txt",
                             "networksetup -getdnsservers Wi-Fi")

    def __call__(self, argv: list[str], timeout: float) -> Any:
        self.calls.append(list(argv))
        flag = argv[1]
        if flag == "-listnetworkserviceorder":
            return ok(argv, (MAC / "networksetup-listnetworkserviceorder-usb-lan-2.txt")
                      .read_text("utf-8"))
        if flag == "-getdnsservers":
            servers = self.dns[argv[2]]
            return ok(argv, "\n".join(servers) + "\n" if servers else self.empty)
        if flag == "-getinfo":
            return ok(argv, self.info[argv[2]])
        assert flag == "-setdnsservers", argv
        self.dns[argv[2]] = [] if argv[3:] == ["Empty"] else argv[3:]
        return ok(argv)


DHCP_INFO = section(MAC / "networksetup-getinfo-dhcp-usb-lan.txt",
                    'networksetup -getinfo "USB 10/100/1000 LAN"')
MANUAL_INFO = section(MAC / "networksetup-wifi-manual-ip-and-dns-zh-blog.txt",
                      "networksetup -getinfo Wi-Fi")


def mac_run(monkeypatch: Any, config: Any, report: dict[str, Any], tool: Networksetup,
            choice: str | None = None) -> tuple[Any, list[Any], Any]:
    on(monkeypatch, "macos")
    env = FixEnv(config=config, report=report, runner=tool, choice=choice)
    fix = get_fix("set_dns_servers")
    return fix, fix.choices(env), fix.plan(env)


def test_macos_router_dns_on_a_dhcp_service_gets_a_public_service(
        monkeypatch: Any, data_dir: Any, config: Any) -> None:
    tool = Networksetup({"USB 10/100/1000 LAN": []}, {"USB 10/100/1000 LAN": DHCP_INFO})
    # The capture's router is 10.1.1.1; the router's DNS relay is what failed.
    report = lab_report(swap={"eth0": "en5", "10.201.1.1": "10.1.1.1", "10.201.2.53": "10.1.1.1"})
    assert failing_kind(facts_of(report), failing_servers(facts_of(report))) == ROUTER
    fix, choices, plan = mac_run(monkeypatch, config, report, tool)
    assert ids(choices) == ["alidns", "dnspod", "114dns"]
    assert plan.actions[0].argv == [NETWORKSETUP, "-setdnsservers", "USB 10/100/1000 LAN",
                                    *ALIDNS]
    assert plan.actions[0].needs_admin and not executor.needs_helper(plan.actions[0], plan.env)
    entry = apply_plan(fix, plan, Journal())
    assert tool.dns["USB 10/100/1000 LAN"] == ALIDNS
    undo_entry(fix, Journal().load(entry.id), FixEnv(config=config, runner=tool))
    assert tool.calls[-2] == [NETWORKSETUP, "-setdnsservers", "USB 10/100/1000 LAN", "Empty"]
    assert tool.dns["USB 10/100/1000 LAN"] == []


def test_macos_hand_set_google_goes_back_to_automatic_and_undo_restores_the_list(
        monkeypatch: Any, data_dir: Any, config: Any) -> None:
    google = re.findall(r"getdnsservers Wi-Fi\n(.*?)\n\n", (
        MAC / "networksetup-getdnsservers-empty-then-google.txt").read_text("utf-8"), re.S)[1]
    tool = Networksetup({"USB 10/100/1000 LAN 2": parse.parse_getdnsservers(google) or []},
                        {"USB 10/100/1000 LAN 2": DHCP_INFO})
    report = lab_report(swap={"eth0": "en11", "10.201.2.53": "8.8.8.8"})
    assert failing_kind(facts_of(report), ["8.8.8.8"]) == PUBLIC
    fix, choices, plan = mac_run(monkeypatch, config, report, tool)
    assert ids(choices) == ["automatic", "alidns", "dnspod", "114dns"]
    assert plan.actions[0].argv == [NETWORKSETUP, "-setdnsservers", "USB 10/100/1000 LAN 2",
                                    "Empty"]
    assert "from 8.8.8.8, 8.8.4.4 (set by hand) to automatic" in plan.summary.render("en")
    entry = apply_plan(fix, plan, Journal())
    assert tool.dns["USB 10/100/1000 LAN 2"] == []
    undo_entry(fix, Journal().load(entry.id), FixEnv(config=config, runner=tool))
    assert tool.dns["USB 10/100/1000 LAN 2"] == ["8.8.8.8", "8.8.4.4"]


def test_macos_manual_service_is_offered_no_automatic(monkeypatch: Any, config: Any) -> None:
    blog = MAC / "networksetup-wifi-manual-ip-and-dns-zh-blog.txt"
    tool = Networksetup({"Wi-Fi": parse.parse_getdnsservers(
        section(blog, "networksetup -getdnsservers Wi-Fi")) or []}, {"Wi-Fi": MANUAL_INFO})
    report = lab_report(swap={"eth0": "en0", "10.201.1.1": "192.168.0.1",
                              "10.201.2.53": "192.168.0.1"})
    _fix, choices, plan = mac_run(monkeypatch, config, report, tool, "114dns")
    assert ids(choices) == ["alidns", "dnspod", "114dns"]
    assert plan.actions[0].argv == [NETWORKSETUP, "-setdnsservers", "Wi-Fi",
                                    "114.114.114.114", "114.114.115.115"]
    assert plan.undo is not None and "192.168.0.1 (set by hand)" in plan.undo.render("en")


# ---- Linux: NetworkManager, systemd-resolved ------------------------------------------------

UUID = "7e2c1a3b-5f0d-4c1e-9a52-3d8f4b6c0a11"


class Nmcli:
    """nmcli's terse answers (Constructed from nmcli(1): `-t` prints `name:value`, lists
    comma-separated), its connection changed by `connection modify`."""

    def __init__(self) -> None:
        self.settings = {"ipv4.method": "auto", "ipv4.dns": "", "ipv4.ignore-auto-dns": "no"}
        self.calls: list[list[str]] = []

    def __call__(self, argv: list[str], timeout: float) -> Any:
        self.calls.append(list(argv))
        if argv[:2] == ["nmcli", "-t"] and argv[-2:] == ["show", "--active"]:
            return ok(argv, f"Wired connection 1:{UUID}:eth0\nlo:6b0e…:lo\n")
        if argv[:2] == ["nmcli", "-t"] and argv[4:6] == ["connection", "show"]:
            wanted = argv[3].split(",")
            return ok(argv, "".join(f"{k}:{self.settings[k]}\n" for k in wanted))
        if argv[:2] == ["nmcli", "-t"] and argv[4:6] == ["device", "show"]:
            return ok(argv, "IP4.DNS[1]:10.201.2.53\n")
        if argv[1:3] == ["connection", "modify"]:
            self.settings["ipv4.ignore-auto-dns"], self.settings["ipv4.dns"] = argv[5], argv[7]
            return ok(argv, "")
        if argv[1:3] == ["device", "reapply"]:
            return ok(argv, "Connection successfully reapplied to device 'eth0'.\n")
        return failed(argv, "unexpected", 2)


@pytest.fixture
def resolv(tmp_path: Any, monkeypatch: Any) -> Any:
    path = tmp_path / "resolv.conf"
    monkeypatch.setattr(dns_adapter, "RESOLV_CONF", str(path))
    on(monkeypatch, "linux")
    return path


def test_networkmanager_connection_gets_the_service_and_undo_restores_its_settings(
        resolv: Any, data_dir: Any, config: Any) -> None:
    resolv.write_text("# Generated by NetworkManager\nnameserver 10.201.2.53\n")
    nm = Nmcli()
    env = FixEnv(config=config, report=lab_report(), runner=nm)
    fix = get_fix("set_dns_servers")
    assert ids(fix.choices(env)) == ["alidns", "dnspod", "114dns"]
    plan = fix.plan(env)
    assert plan.actions[0].commands() == [
        ["nmcli", "connection", "modify", UUID, "ipv4.ignore-auto-dns", "yes",
         "ipv4.dns", "223.5.5.5,223.6.6.6"],
        ["nmcli", "device", "reapply", "eth0"]]
    assert not plan.actions[0].needs_admin  # NetworkManager asks for a password itself
    assert "from automatic (10.201.2.53)" in plan.summary.render("en")
    entry = apply_plan(fix, plan, Journal())
    assert nm.settings["ipv4.dns"] == "223.5.5.5,223.6.6.6"
    undo_entry(fix, Journal().load(entry.id), FixEnv(config=config, runner=nm))
    assert nm.settings == {"ipv4.method": "auto", "ipv4.dns": "", "ipv4.ignore-auto-dns": "no"}


class Resolvectl:
    """resolvectl answering with a capture; `dns IFACE …` sets the link, `revert` gives
    it back what the network configured (the capture's servers)."""

    def __init__(self, after_revert: list[str]) -> None:
        self.link = ["1.1.1.1", "1.0.0.1"]
        self.after_revert, self.calls = after_revert, []

    def __call__(self, argv: list[str], timeout: float) -> Any:
        self.calls.append(list(argv))
        if argv[0] == "nmcli":
            return failed(argv, "Error: NetworkManager is not running.", 8)
        if argv[1:] == ["dns", "eno1"]:
            return ok(argv, f"Link 2 (eno1): {' '.join(self.link)}\n")
        if argv[1] == "dns":
            self.link = argv[3:]
        elif argv[1] == "revert":
            self.link = list(self.after_revert)
        return ok(argv)


@pytest.mark.parametrize("after_revert", [["1.1.1.1", "1.0.0.1"], []])
def test_systemd_resolved_link_is_set_at_runtime_and_undo_gives_back_its_servers(
        resolv: Any, data_dir: Any, config: Any, after_revert: list[str]) -> None:
    resolv.write_text("nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n")
    tool = Resolvectl(after_revert)
    report = lab_report(swap={"eth0": "eno1", "10.201.2.53": "1.1.1.1"})
    env = FixEnv(config=config, report=report, runner=tool)
    fix = get_fix("set_dns_servers")
    assert ids(fix.choices(env)) == ["alidns", "dnspod", "114dns"]
    plan = fix.plan(env)
    assert plan.actions[0].argv == ["resolvectl", "dns", "eno1", *ALIDNS]
    assert any("until the adapter reconnects" in w.render("en") for w in plan.warnings)
    entry = apply_plan(fix, plan, Journal())
    assert tool.link == ALIDNS
    undo_entry(fix, Journal().load(entry.id), FixEnv(config=config, runner=tool))
    assert tool.link == ["1.1.1.1", "1.0.0.1"]
    explicit = [c for c in tool.calls if c[:3] == ["resolvectl", "dns", "eno1"] and len(c) > 3]
    assert len(explicit) == (1 if after_revert else 2)  # set again only when revert fell short


# ---- Linux: a plain /etc/resolv.conf --------------------------------------------------------

@pytest.mark.parametrize("raw", [
    b"nameserver 10.201.2.53\noptions timeout:1 attempts:1\n",
    b"# my own notes\r\nsearch corp.example\r\nnameserver 10.201.2.53\r\nnameserver 10.201.2.54\r\n",
    b"options rotate\nnameserver 10.201.2.53",  # no newline at the end
    b"options ndots:2\n",  # no server at all: the resolver asks 127.0.0.1
])
def test_plain_resolv_conf_is_switched_and_undone_byte_for_byte(
        resolv: Any, data_dir: Any, config: Any, raw: bytes) -> None:
    resolv.write_bytes(raw)
    env = FixEnv(config=config, report=lab_report(), runner=lambda a, t: failed(a, "", 127))
    fix = get_fix("set_dns_servers")
    plan = fix.plan(env)
    assert plan.blocked is None, plan.blocked
    assert (plan.actions[0].kind, plan.actions[0].paths) == ("edit_file", [str(resolv)])
    entry = apply_plan(fix, plan, Journal())
    written = resolv.read_bytes()
    assert dns_adapter.resolv_conf.nameservers(written) == ALIDNS
    assert b"nameserver 223.5.5.5 # [wxdoctor]" in written
    notes = undo_entry(fix, Journal().load(entry.id), FixEnv(config=config))
    assert resolv.read_bytes() == raw
    assert "byte for byte" in notes[0].render("en")


def test_a_resolv_conf_someone_writes_is_left_alone(resolv: Any, config: Any) -> None:
    resolv.write_text("# Generated by NetworkManager\nnameserver 192.168.1.1\n")
    # NetworkManager writes it, but nmcli is not there to ask.
    env = FixEnv(config=config, report=lab_report(), runner=lambda a, t: failed(a, "", 127))
    plan = get_fix("set_dns_servers").plan(env)
    assert plan.blocked is not None and "NetworkManager" in plan.blocked.render("en")
    resolv.write_text("# Dynamic resolv.conf(5) file for glibc resolver(3) generated by "
                      "resolvconf(8)\nnameserver 192.168.1.1\n")
    plan = get_fix("set_dns_servers").plan(env)
    assert plan.blocked is not None and "resolvconf" in plan.blocked.render("en")


def test_an_edit_after_the_preview_is_never_overwritten(resolv: Any, data_dir: Any,
                                                         config: Any) -> None:
    resolv.write_bytes(b"nameserver 10.201.2.53\n")
    fix = get_fix("set_dns_servers")
    plan = fix.plan(FixEnv(config=config, report=lab_report(),
                           runner=lambda a, t: failed(a, "", 127)))
    resolv.write_bytes(b"nameserver 10.201.2.99\n")  # someone else, meanwhile
    with pytest.raises(FixError):
        apply_plan(fix, plan, Journal())
    assert resolv.read_bytes() == b"nameserver 10.201.2.99\n"


def test_undo_keeps_an_edit_made_after_the_fix(resolv: Any, data_dir: Any, config: Any) -> None:
    resolv.write_bytes(b"nameserver 10.201.2.53\n")
    fix = get_fix("set_dns_servers")
    plan = fix.plan(FixEnv(config=config, report=lab_report(),
                           runner=lambda a, t: failed(a, "", 127)))
    entry = apply_plan(fix, plan, Journal())
    resolv.write_bytes(resolv.read_bytes() + b"options edns0\n")
    undo_entry(fix, Journal().load(entry.id), FixEnv(config=config))
    assert resolv.read_bytes() == b"nameserver 10.201.2.53\noptions edns0\n"


def test_a_file_already_changed_by_the_fix_is_not_changed_again(resolv: Any, config: Any) -> None:
    resolv.write_bytes(b"# [wxdoctor] nameserver 10.201.2.53\nnameserver 223.5.5.5 # [wxdoctor]\n")
    plan = get_fix("set_dns_servers").plan(FixEnv(config=config, report=lab_report(),
                                                  runner=lambda a, t: failed(a, "", 127)))
    assert plan.blocked is not None and "undo" in plan.blocked.render("en")


# ---- what is offered, for each kind of server -----------------------------------------------

@pytest.mark.parametrize(("swap", "kind"), [
    ({"10.201.1.1": "192.168.1.1", "10.201.2.53": "192.168.1.1"}, ROUTER),
    ({"10.201.2.53": "202.96.134.133"}, PROVIDER),
    ({"10.201.2.53": "223.5.5.5"}, PUBLIC),
    ({}, LOCAL_NETWORK),
])
def test_the_failing_server_is_classified_as_the_advice_classifies_it(swap: dict[str, str],
                                                                      kind: str) -> None:
    facts = facts_of(lab_report(swap=swap))
    assert failing_kind(facts, failing_servers(facts)) == kind


def test_fix_list_offers_the_choices_of_this_computer(resolv: Any, monkeypatch: Any) -> None:
    from app.cli.commands.fix import _choices

    resolv.write_bytes(b"nameserver 10.0.0.1\n")
    monkeypatch.setattr(platform, "default_routes", lambda: [RouteInfo("ipv4", "10.0.0.2", "eth0")])
    from checks.engine.config import Config

    listed = _choices(get_fix("set_dns_servers"), FixEnv(config=Config()), "en")
    assert [c["id"] for c in listed] == ["alidns", "dnspod", "114dns"]
    assert listed[0]["label"] == "AliDNS: 223.5.5.5, 223.6.6.6 (recommended)"


# ---- the elevated helper's side -------------------------------------------------------------

def test_getadaptersaddresses_gives_the_interface_guid() -> None:
    import ctypes

    from checks.platform._windows_adapters import IpAdapterAddresses, adapters_from_chain

    record = IpAdapterAddresses()
    record.AdapterName = WIRED.upper().encode("ascii")
    record.FriendlyName, record.Description, record.IfType = "以太网", "Intel(R) Ethernet", 6
    (found,) = adapters_from_chain(ctypes.pointer(record))
    assert (found.name, found.guid) == ("以太网", WIRED.upper())


def test_the_helper_sets_only_what_the_choice_names_on_windows(windows: Registry, data_dir: Any,
                                                                config: Any) -> None:
    report = lab_report(swap={"eth0": "以太网", "10.201.2.53": "192.168.1.201"})
    fix, (_c, plan), netsh, _env = windows_run(windows, report, config, "114dns")
    journal = Journal()
    entry = journal.begin(plan)
    step = entry.steps[0]
    helper_env = FixEnv(config=config, runner=netsh, in_helper=True, allows=fix.allows)
    assert fix.helper_refusal(step.action) is None
    step.action.data["choice"] = "evil"  # a program of the person's rewrote the journal
    with pytest.raises(FixError, match="not a DNS service this fix sets"):
        executor.act(fix, step, helper_env, revert=False)
    step.action.data.update(choice="dnspod", servers=["6.6.6.6"])
    step.action.batch = [[NETSH, "interface", "ipv4", "set", "dnsservers", "name=以太网",
                          "source=static", "address=6.6.6.6", "register=primary", "validate=no"]]
    executor.act(fix, step, helper_env, revert=False)
    assert windows.values[("HKLM", f"{KEY}\\{WIRED}", "NameServer")] == (",".join(DNSPOD), 1)
    assert not any("6.6.6.6" in " ".join(c) for c in netsh.calls)


@pytest.mark.parametrize("method", ["nmcli", "resolvectl", "networksetup"])
def test_steps_that_never_go_to_the_helper_are_refused_there(resolv: Any, config: Any,
                                                             method: str) -> None:
    from checks.fixes.actions import Action, Step
    from checks.shared.i18n import t

    fix = get_fix("set_dns_servers")
    action = Action("run", t("x", "x"), argv=["resolvectl", "dns", "eth0", "6.6.6.6"],
                    needs_admin=True, data={"method": method, "choice": "alidns",
                                            "device": "eth0", "service": "Wi-Fi", "uuid": UUID})
    assert fix.helper_refusal(action) is not None
    helper_env = FixEnv(config=config, runner=lambda a, t: ok(a), in_helper=True,
                        allows=fix.allows)
    with pytest.raises(FixError):
        executor.act(fix, Step(0, action, backup={"previous": ["6.6.6.6"]}), helper_env,
                     revert=True)


def test_a_choice_the_fix_does_not_offer_is_a_usage_error(tmp_path: Any) -> None:
    from .test_cli_fix import cli

    config = tmp_path / "it.toml"
    from tests.sandbox import LOOPBACK_BASE

    config.write_text('deadline_s = 3\n[[endpoints]]\nhost = "localhost"\nports = [9]\n'
                      'product = "wecom"\ntls = false\n' + LOOPBACK_BASE, encoding="utf-8")
    result = cli(["fix", "set_dns_servers", "--dry-run", "--choice", "8.8.8.8",
                  "--config", str(config)], tmp_path / "data")
    assert result.returncode == 64, result.stdout + result.stderr
    assert "--choice 8.8.8.8" in result.stderr


def test_a_vpn_holding_the_default_route_is_left_to_the_vpn(resolv: Any, config: Any) -> None:
    resolv.write_bytes(b"nameserver 10.201.99.1\n")
    report = lab_report(swap={"10.201.2.53": "10.201.99.1"})
    report["checks"].append({"id": "vpn", "status": "warn", "problems": [], "evidence": {
        "tunnels": [{"name": "tun0", "addresses": ["10.201.99.2"]}],
        "default_via_tunnel": ["tun0"]}})  # constructed: the vpn check's evidence keys
    plan = get_fix("set_dns_servers").plan(FixEnv(config=config, report=report,
                                                  runner=lambda a, t: failed(a, "", 127)))
    assert plan.blocked is not None and "VPN adapter tun0" in plan.blocked.render("en")
    assert not plan.actions
