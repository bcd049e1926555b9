"""Every parser of outside text and bytes, on anything: the documented shape, or None.

Inputs are built from captured samples as well as from scratch: mutations of real
output reach the interesting branches that random text rarely does.
"""

from __future__ import annotations

import ipaddress
import json
import struct
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from checks.catalog.clock import NTP_PORT, parse_server
from checks.platform import hosts_format, icmp_socket
from checks.platform.parsers import ping
from checks.platform.parsers import proxy_settings as p
from checks.platform.parsers.numbers import ascii_int, parse_port
from checks.probes import ntp
from checks.probes.trusted_dns import parse_http_dns
from checks.report.tokens import replace_tokens, spans
from checks.shared.nesting import TooDeep, check_depth
from checks.tencent.installed_clients import parse_dpkg_status
from checks.tencent.products import parse_override
from checks.tencent.versions import parse_version
from tests.fuzz.budget import FUZZ

# Text as it comes from other programs: any character, and the ones parsers split on.
ANY_TEXT = st.text(max_size=400)
SEPARATORS = st.sampled_from([":", "=", " ", "\t", "\n", "\r\n", ";", ",", "[", "]", "{", "}",
                              "/", "@", "#", "'", '"', "\0", "²", "١", "８", "\ufeff"])
PIECES = st.one_of(SEPARATORS, st.text(max_size=12),
                   st.sampled_from(["http://", "socks5://", "<array> {", "<dictionary> {",
                                    " : ", "Enable : 1", "Port : ", "Proxy : ", "127.0.0.1",
                                    "::1", "7890", "65536", "0", "org.gnome.system.proxy",
                                    "mode 'manual'", "[Proxy Settings]", "ProxyType=",
                                    "weixin.qq.com", "0.0.0.0"]))
SPLICED = st.lists(PIECES, max_size=40).map("".join)
TEXTISH = st.one_of(ANY_TEXT, SPLICED)


def _entry_ok(entry: dict[str, Any]) -> None:
    assert entry["kind"] in ("http", "socks4", "socks5")
    assert isinstance(entry["host"], str) and entry["host"].strip() == entry["host"] != ""
    assert isinstance(entry["port"], int) and 0 < entry["port"] < 65536


# ---- numbers -------------------------------------------------------------------------------


@FUZZ
@given(TEXTISH)
def test_ascii_numbers(text: str) -> None:
    value = ascii_int(text)
    if value is not None:
        assert text.isascii() and text.isdigit() and value == int(text)
    port = parse_port(text)
    assert port is None or (1 <= port <= 65535 and str(port) == text.lstrip("0"))


# ---- proxy settings in all their spellings ------------------------------------------------


@FUZZ
@given(TEXTISH)
def test_proxy_addresses(text: str) -> None:
    entry = p.parse_address(text)
    if entry is not None:
        _entry_ok(entry)
    for entry in p.parse_proxy_server(text):
        _entry_ok(entry)
    assert all(part and not part.isspace() for part in p.parse_bypass(text))


@FUZZ
@given(TEXTISH)
def test_scutil(text: str) -> None:
    result = p.proxies_from_scutil(p.parse_scutil(text))
    for entry in result["proxies"]:
        _entry_ok(entry)
    assert result["pac_url"] is None or isinstance(result["pac_url"], str)


SCUTIL = ("<dictionary> {\n  HTTPEnable : 1\n  HTTPPort : {port}\n  HTTPProxy : {host}\n"
          "  ExceptionsList : <array> {\n    0 : *.local\n  }\n}\n")


ONE_LINE = st.characters(blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@FUZZ
@given(st.text(ONE_LINE, max_size=12), st.text(ONE_LINE, max_size=30))
def test_scutil_ports_and_hosts(port: str, host: str) -> None:
    text = SCUTIL.replace("{port}", port).replace("{host}", host)
    for entry in p.proxies_from_scutil(p.parse_scutil(text))["proxies"]:
        _entry_ok(entry)
        if port.strip():  # else the HTTP default
            assert str(entry["port"]) == port.strip().lstrip("0")


@FUZZ
@given(TEXTISH)
def test_gsettings_and_kde(text: str) -> None:
    for result in (p.parse_gsettings(text), p.parse_kioslaverc(text),
                   p.parse_kioslaverc("[Proxy Settings]\nProxyType=1\n" + text)):
        for entry in result["proxies"]:
            _entry_ok(entry)


@FUZZ
@given(st.dictionaries(st.sampled_from(["http_proxy", "HTTPS_PROXY", "all_proxy", "no_proxy",
                                        "NO_PROXY", "https_proxy", "PATH"]), TEXTISH))
def test_proxy_environment(environ: dict[str, str]) -> None:
    result = p.proxies_from_env(environ)
    for entry in result["proxies"]:
        _entry_ok(entry)
        assert entry["variable"] in p.ENV_VARS


@FUZZ
@given(st.binary(max_size=200))
def test_connection_blobs(blob: bytes) -> None:
    result = p.parse_connection_blob(blob)
    assert result["error"] in (None, "truncated")


# ---- ping and ICMP -----------------------------------------------------------------------


@FUZZ
@given(st.sampled_from(["windows", "macos", "linux"]), st.integers(-5, 300), st.binary(max_size=300))
def test_ping_results(os_name: str, returncode: int, stdout: bytes) -> None:
    result = ping.ping_result(os_name, returncode, stdout)
    assert result["result"] in ("passed", "failed", "error")


@FUZZ
@given(st.binary(max_size=120), st.booleans())
def test_icmp_packets(packet: bytes, raw: bool) -> None:
    info = icmp_socket.parse_icmp(packet, raw)
    assert info is None or {"type", "code", "id", "seq"} <= set(info)
    err = icmp_socket.parse_extended_err(packet)
    assert err is None or set(err) == {"errno", "origin", "type", "code", "info"}


# ---- hosts files ------------------------------------------------------------------------


HOSTS_PIECES = st.one_of(PIECES, st.sampled_from(["\n", "\r", "\r\n", "\0", "#", "\u3000",
                                                  "login.work.weixin.qq.com", "由张三添加"]))


@FUZZ
@given(st.one_of(st.binary(max_size=400),
                 st.lists(HOSTS_PIECES, max_size=40).map(lambda x: "".join(x).encode("utf-8"))))
def test_hosts_files(raw: bytes) -> None:
    decoded = hosts_format.decode_hosts(raw)
    assert hosts_format.encode_hosts(decoded.text, decoded) == raw  # byte for byte, always
    lines = hosts_format.split_lines(decoded.text)
    for entry in hosts_format.parse_hosts(decoded.text):
        assert 1 <= entry.line_no <= len(lines)
        assert entry.names and all(n and "\0" not in n and "#" not in n for n in entry.names)
        hosts_format.is_tencent_name(entry.names[0], ["login.work.weixin.qq.com"])


# ---- time servers --------------------------------------------------------------------------


@FUZZ
@given(TEXTISH)
def test_ntp_server_names(text: str) -> None:
    host, port = parse_server(text)
    assert isinstance(host, str) and (port == NTP_PORT or 1 <= port <= 65535)


def _stamp(t: float) -> bytes:
    return struct.pack("!II", (int(t) + 2208988800) % 2**32, int((t % 1) * 2**32))


def _good_reply(request: bytes, now: float) -> bytes:
    header = struct.pack("!BBbb", (0 << 6) | (3 << 3) | 4, 2, 6, -20) + bytes(8) + b"LAB\0"
    return header + _stamp(now) + request[40:48] + _stamp(now) + _stamp(now + 0.001)


@FUZZ
@given(st.one_of(st.binary(max_size=96),
                 st.lists(st.tuples(st.integers(0, 47), st.integers(0, 255)), max_size=6)),
       st.floats(1.75e9, 4.0e9))
def test_ntp_replies(data: bytes | list[tuple[int, int]], now: float) -> None:
    request = ntp.request_packet(now)
    if isinstance(data, list):  # a good reply with some of its bytes changed
        packet = bytearray(_good_reply(request, now + 10.0))
        for index, value in data:
            packet[index] = value
        data = bytes(packet)
    try:
        reading = ntp.parse_reply(data, ntp.transmit_of(request), now, now + 0.05)
    except ntp.InvalidReply as bad:
        assert bad.reason in (ntp.SHORT, ntp.NOT_A_SERVER, ntp.ORIGIN_MISMATCH, ntp.KISS_OF_DEATH,
                              ntp.UNSYNCHRONISED, ntp.BAD_STRATUM, ntp.ZERO_TRANSMIT,
                              ntp.ABSURD_TIME, ntp.INCONSISTENT)
        assert ntp.failure_of(bad.reason) in ("ntp_bad_reply", "ntp_unsynchronised")
        return
    assert data[24:32] == ntp.transmit_of(request)  # only an answer to us is a measurement
    assert data[0] >> 6 != 3 and 1 <= reading.stratum <= 15 and reading.delay_s >= 0


def test_an_unchanged_good_reply_is_a_measurement() -> None:
    request = ntp.request_packet(1.8e9)
    reading = ntp.parse_reply(_good_reply(request, 1.8e9 + 10.0), ntp.transmit_of(request),
                              1.8e9, 1.8e9 + 0.05)
    assert abs(reading.offset_s - 9.975) < 0.01


# ---- client apps, versions, products ------------------------------------------------------


@FUZZ
@given(st.one_of(ANY_TEXT, st.lists(st.sampled_from(
    ["Package: wxwork\n", "Package: wechat\n", "Status: install ok installed\n",
     "Version: ", "4.1.22", "\n\n", ":", " ", "x"]), max_size=30).map("".join)))
def test_dpkg_status(text: str) -> None:
    for package in parse_dpkg_status(text):
        assert isinstance(package, dict)


@FUZZ
@given(TEXTISH)
def test_versions_and_product_overrides(text: str) -> None:
    version = parse_version(text)
    assert version is None or all(isinstance(n, int) and n >= 0 for n in version)
    try:
        product, path = parse_override(text)
    except ValueError as exc:
        assert str(exc).startswith("data_dirs:")
    else:
        assert product in ("wecom", "wechat") and isinstance(path, str)


# ---- DNS answers -------------------------------------------------------------------------


ANSWER_ITEMS = st.one_of(
    st.dictionaries(st.sampled_from(["data", "type"]),
                    st.one_of(st.text(max_size=20), st.integers(), st.sampled_from(["1.2.3.4", "::1"]))),
    st.integers(), st.text(max_size=10))
DNS_JSON = st.lists(ANSWER_ITEMS, max_size=5).map(lambda items: json.dumps({"Answer": items}))


@FUZZ
@given(st.one_of(TEXTISH, DNS_JSON))
def test_http_dns_bodies(body: str) -> None:
    for address in parse_http_dns(body):
        assert str(ipaddress.ip_address(address)) == address


@FUZZ
@given(st.binary(max_size=300))
def test_dns_wire_answers_raise_only_what_the_probe_handles(wire: bytes) -> None:
    # trusted_dns.query turns DNSException, ValueError and EOFError into dns_bad_response;
    # anything else would escape it.
    import dns.exception
    import dns.message

    try:
        message = dns.message.from_wire(wire)
    except (dns.exception.DNSException, ValueError, EOFError):
        return
    for rrset in message.answer:
        for rdata in rrset:
            assert isinstance(rdata.to_text(), str)


# ---- nesting and tokens ------------------------------------------------------------------

JSONISH = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
                       lambda inner: st.one_of(st.lists(inner, max_size=4),
                                               st.dictionaries(st.text(max_size=4), inner,
                                                               max_size=4)),
                       max_leaves=30)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@FUZZ
@given(JSONISH, st.integers(0, 6))
def test_nesting_depth(value: Any, limit: int) -> None:
    try:
        check_depth(value, limit)
    except TooDeep:
        assert _depth(value) > limit
    else:
        assert _depth(value) <= limit


@FUZZ
@given(ANY_TEXT, st.text(min_size=1, max_size=6), st.booleans())
def test_token_replacement(text: str, name: str, strict: bool) -> None:
    marker = "\x00M\x00"
    out = replace_tokens(text, name, marker, strict)
    found = spans(text, name, strict)
    assert out.count(marker) >= len(found) and (found or out == text)
