"""macOS parsers and decisions on every real capture in tests/fixtures/platform/macos
(sources in its SOURCES.md): `scutil --proxy`, `networksetup`, and what macOS printed
when its privacy protection refused a read of another app's container."""

from __future__ import annotations

import errno
import os

import pytest

from checks.fixes.disable_proxy import MAC_KINDS, parse_mac_enabled, parse_mac_services
from checks.platform.parsers import proxy_settings as p
from checks.probes import folder_scan
from tests.captures import commands, macos

SCUTIL = {
    "scutil-proxy-http-https-socks.txt": (
        [("http", "http", "127.0.0.1", 8888), ("https", "http", "127.0.0.1", 8888),
         ("socks", "socks5", "127.0.0.1", 7891)], None, ["127.0.0.1", "localhost"]),
    "scutil-proxy-http-privoxy.txt": (
        [("http", "http", "127.0.0.1", 8118)], None, ["*.local", "169.254/16"]),
    "scutil-proxy-pac-only.txt": ([], "http://wpad.company.com/wpad.dat", []),
    "scutil-proxy-pac-others-disabled.txt": ([], "http://pac.domain.com/global-pac.pac", []),
    "scutil-proxy-none-default.txt": ([], None, ["*.local", "169.254/16"]),
}


@pytest.mark.parametrize("name", sorted(SCUTIL))
def test_scutil_proxy_captures(name: str) -> None:
    proxies, pac, bypass = SCUTIL[name]
    result = p.proxies_from_scutil(p.parse_scutil(macos(name)))
    assert [(e["protocol"], e["kind"], e["host"], e["port"]) for e in result["proxies"]] == proxies
    assert result["pac_url"] == pac
    assert result["bypass"] == bypass


def test_networksetup_says_which_kinds_are_on() -> None:
    off = commands(macos("networksetup-getautoproxyurl-null.txt"), r"\$ ")
    assert off["networksetup -getautoproxyurl Wi-Fi"] == "URL: (null)\nEnabled: No\n"
    assert not any(parse_mac_enabled(out) for out in off.values())
    on = commands(macos("networksetup-getautoproxyurl-enabled-and-socks.txt"), r".*⇒\s+")
    assert parse_mac_enabled(on["networksetup -getautoproxyurl Wi-Fi"])
    assert parse_mac_enabled(on["networksetup -getsocksfirewallproxy Wi-Fi"])
    report = commands(macos("networksetup-report-wifi-en1-no-proxy.txt"), "% ")
    assert parse_mac_services(report["networksetup -listallnetworkservices"]) == [
        "Wi-Fi", "Ethernet", "FireWire"]
    for getter, _setter, _what in MAC_KINDS:
        if getter != "-getautoproxyurl":  # not asked in that session
            assert parse_mac_enabled(report[f"networksetup {getter} Wi-Fi"]) is False


def test_every_networksetup_verb_the_fix_runs_is_apples_own() -> None:
    """The getters and setters of the proxy fix, word for word in networksetup's usage
    text and command list, the setters taking exactly <networkservice> <on off>."""
    usage = macos("networksetup-help-proxy-usage.txt")
    listed = macos("networksetup-printcommands-proxy-excerpt.txt")
    for getter, setter, _what in MAC_KINDS:
        assert f"Usage: networksetup {getter} <networkservice>\n" in usage
        assert f"Usage: networksetup {setter} <networkservice> <on off>\n" in usage
        if getter != "-getautoproxyurl":  # the excerpt lists web, secure web and SOCKS only
            assert f"networksetup {setter} <networkservice> <on off>\n" in listed


def test_a_refused_container_read_is_macos_privacy_protection() -> None:
    """`rm` in another app's container, even with sudo: "Operation not permitted", the
    words of EPERM; the log shows the consent it belongs to, the "App Data" one
    (kTCCServiceSystemPolicyAppData). The scan attributes EPERM on macOS to privacy
    protection, and the verdict says what macOS asks: another app's data."""
    line = macos("rm-container-operation-not-permitted.txt").splitlines()[-1]
    path, message = line.removeprefix("rm: ").rsplit(": ", 1)
    assert path.endswith("Library/Containers/com.maxgoedjen.Secretive.SecretAgent")
    by_words = {os.strerror(number): number for number in errno.errorcode}
    assert by_words[message] == errno.EPERM
    assert folder_scan.denied_by(by_words[message], "macos") == folder_scan.PRIVACY
    assert folder_scan.denied_by(by_words[message], "linux") == folder_scan.POLICY
    assert "service=kTCCServiceSystemPolicyAppData" in macos("tcc-appdata-authreq-log.txt")
    from checks.catalog.client_data import _refused_verdict

    verdict = _refused_verdict([(path, folder_scan.PRIVACY)], ())
    assert "asks before one app reads another app's data" in verdict.summary.render("en")
