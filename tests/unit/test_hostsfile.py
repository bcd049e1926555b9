"""hostsfile: decoding that round-trips byte for byte, parsing, Tencent names."""

from __future__ import annotations

import codecs
import os
import socket
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.platform.hosts_format import (
    FileTooLarge,
    NotRegularFile,
    decode_hosts,
    encode_hosts,
    is_tencent_name,
    lines_with_endings,
    parse_hosts,
    read_hosts,
    read_hosts_bytes,
    split_lines,
)

SAMPLE = (
    "# 本文件由网管维护\n"
    "127.0.0.1\tlocalhost\n"
    "\n"
    "1.2.3.4  short.weixin.qq.com szshort.weixin.qq.com  # 加速\n"
    "  # 203.0.113.9 long.weixin.qq.com\n"
    "::1 localhost ip6-localhost\n"
)


def _entries(text: str) -> list[tuple[int, str, tuple[str, ...], str]]:
    return [(e.line_no, e.address, e.names, e.comment) for e in parse_hosts(text)]


EXPECTED = [
    (2, "127.0.0.1", ("localhost",), ""),
    (4, "1.2.3.4", ("short.weixin.qq.com", "szshort.weixin.qq.com"), "加速"),
    (6, "::1", ("localhost", "ip6-localhost"), ""),
]


def test_utf8() -> None:
    raw = SAMPLE.encode("utf-8")
    d = decode_hosts(raw)
    assert (d.encoding, d.bom, d.newline, d.lossy_fallback) == ("utf-8", b"", "\n", False)
    assert _entries(d.text) == EXPECTED
    assert encode_hosts(d.text, d) == raw


def test_utf8_bom_crlf() -> None:
    raw = codecs.BOM_UTF8 + SAMPLE.replace("\n", "\r\n").encode("utf-8")
    d = decode_hosts(raw)
    assert (d.encoding, d.bom, d.newline) == ("utf-8-sig", codecs.BOM_UTF8, "\r\n")
    assert not d.text.startswith("\ufeff")
    assert _entries(d.text) == EXPECTED
    assert encode_hosts(d.text, d) == raw


def test_utf16_le_and_be_with_bom() -> None:
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        raw = bom + SAMPLE.replace("\n", "\r\n").encode(codec)
        d = decode_hosts(raw)
        assert (d.encoding, d.bom, d.newline) == (codec, bom, "\r\n")
        assert _entries(d.text) == EXPECTED
        assert encode_hosts(d.text, d) == raw


def test_gbk_with_chinese_comments() -> None:
    raw = SAMPLE.replace("\n", "\r\n").encode("gbk")
    d = decode_hosts(raw)
    assert d.encoding == "gbk"
    assert "本文件由网管维护" in d.text
    assert _entries(d.text) == EXPECTED
    assert encode_hosts(d.text, d) == raw


def test_garbage_falls_back_losslessly() -> None:
    raw = b"\xff\xfe\x00" + b"1.2.3.4 a.qq.com\n\x81\xff\x80"  # odd length: not UTF-16
    d = decode_hosts(raw)
    assert d.lossy_fallback and d.encoding == "latin-1"
    assert encode_hosts(d.text, d) == raw


def test_bom_followed_by_garbage_keeps_bytes() -> None:
    raw = codecs.BOM_UTF8 + b"\xff\xfe bad"
    d = decode_hosts(raw)
    assert d.lossy_fallback
    assert encode_hosts(d.text, d) == raw


def test_dominant_newline() -> None:
    assert decode_hosts(b"a\r\nb\r\nc\n").newline == "\r\n"
    assert decode_hosts(b"a\nb\nc\r\n").newline == "\n"
    assert decode_hosts(b"").newline == "\n"


def test_edited_text_encodes_in_original_encoding() -> None:
    raw = "# 注释\r\n1.2.3.4 a.qq.com\r\n".encode("gbk")
    d = decode_hosts(raw)
    edited = d.text.replace("1.2.3.4", "# 1.2.3.4")
    assert encode_hosts(edited, d) == "# 注释\r\n# 1.2.3.4 a.qq.com\r\n".encode("gbk")
    # A character GBK cannot hold does not make the write fail.
    assert encode_hosts("x \U0001f600\r\n", d) == b"x &#128512;\r\n"


def test_parse_edge_cases() -> None:
    text = "1.1.1.1\n#1.1.1.1 a.qq.com\n2.2.2.2\ta.qq.com\t\tb.qq.com#tight\n\u3000\n3.3.3.3 c\r\n"
    assert _entries(text) == [
        (3, "2.2.2.2", ("a.qq.com", "b.qq.com"), "tight"),
        (5, "3.3.3.3", ("c",), ""),
    ]
    entry = parse_hosts(text)[0]
    assert entry.raw == "2.2.2.2\ta.qq.com\t\tb.qq.com#tight"


def test_line_numbers_ignore_form_feeds() -> None:
    # str.splitlines would split at \x0c and shift every later line number.
    text = "#a\x0cb\r\n\r1.1.1.1 x.qq.com"
    assert split_lines(text) == ["#a\x0cb", "", "1.1.1.1 x.qq.com"]
    assert parse_hosts(text)[0].line_no == 3


@given(st.text())
def test_lines_with_endings_rejoin(text: str) -> None:
    assert "".join(a + b for a, b in lines_with_endings(text)) == text


def test_is_tencent_name() -> None:
    hosts = ["login.wecom.lab.test"]
    for name in ("qq.com", "dldir1.qq.com", "SHORT.weixin.qq.com.", "x.work.weixin.qq.com",
                 "www.wechat.com", "LOGIN.wecom.lab.test."):
        assert is_tencent_name(name, hosts), name
    for name in ("notqq.com", "qq.com.evil.test", "localhost", "", "wechat.com.cn", "example.test"):
        assert not is_tencent_name(name, hosts), name


def test_read_hosts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "hosts"
    path.write_bytes(codecs.BOM_UTF16_LE + "1.2.3.4 a.qq.com\r\n".encode("utf-16-le"))
    assert parse_hosts(read_hosts(path).text)[0].names == ("a.qq.com",)


# ---- the round-trip property --------------------------------------------------------

_lines = st.lists(
    st.tuples(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
              st.sampled_from(["\n", "\r\n", "\r", ""])),
    max_size=8,
)


@given(_lines, st.sampled_from(["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be"]))
def test_round_trip_unicode_encodings(lines: list[tuple[str, str]], encoding: str) -> None:
    text = "".join(a + b for a, b in lines)
    bom = {"utf-8-sig": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE,
           "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    raw = bom + text.encode("utf-8" if encoding == "utf-8-sig" else encoding)
    d = decode_hosts(raw)
    assert encode_hosts(d.text, d) == raw
    assert d.text == text or d.encoding == "latin-1" or (encoding == "utf-8" and text.startswith("\ufeff"))


@given(st.text(st.characters(codec="gbk"), max_size=60))
def test_round_trip_gbk(text: str) -> None:
    raw = text.encode("gbk")
    d = decode_hosts(raw)
    assert encode_hosts(d.text, d) == raw


@given(st.binary(max_size=200))
def test_round_trip_any_bytes(raw: bytes) -> None:
    d = decode_hosts(raw)
    assert encode_hosts(d.text, d) == raw
    parse_hosts(d.text)  # never raises


def test_local_names_are_never_tencent_names_even_as_endpoints() -> None:
    from checks.platform.hosts_format import is_tencent_name

    assert not is_tencent_name("localhost", ["localhost"])
    assert not is_tencent_name("ip6-localhost", ["ip6-localhost"])
    assert is_tencent_name("login.wecom.lab.test", ["login.wecom.lab.test"])


# ---- bounded reading: regular files only, never blocking --------------------------------


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "hosts"
    os.mkfifo(fifo)  # nobody ever writes: a plain open() would wait forever
    with pytest.raises(NotRegularFile) as caught:
        read_hosts(fifo)
    assert caught.value.kind == "pipe" and "not a regular file" in str(caught.value)


def test_devices_and_sockets_are_refused(tmp_path: Path) -> None:
    with pytest.raises(NotRegularFile, match="character device"):
        read_hosts_bytes("/dev/zero")
    link = tmp_path / "hosts"
    link.symlink_to("/dev/zero")  # a link is followed, then the target is judged
    with pytest.raises(NotRegularFile):
        read_hosts_bytes(link)
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sock"))
        with pytest.raises(OSError):  # opening a socket fails (ENXIO) or is refused
            read_hosts_bytes(tmp_path / "sock")


def test_size_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "hosts"
    path.write_bytes(b"0.0.0.0 a.qq.com\n" * 100)
    assert read_hosts_bytes(path, limit=1700) == path.read_bytes()
    with pytest.raises(FileTooLarge, match="larger than"):
        read_hosts_bytes(path, limit=1699)
    with pytest.raises(IsADirectoryError):
        read_hosts_bytes(tmp_path)


def test_nul_ends_the_line_as_glibc_reads_it() -> None:
    # glibc parses each line as a C string (verified in the lab: test_lab_hosts_nul).
    [entry] = parse_hosts("0.0.0.0 login.work.weixin.qq.com\0junk\n")
    assert (entry.address, entry.names) == ("0.0.0.0", ("login.work.weixin.qq.com",))
    assert entry.raw == "0.0.0.0 login.work.weixin.qq.com\0junk"
    assert parse_hosts("0.0.0.0\0 c.qq.com\n") == []  # the NUL cut every name off
