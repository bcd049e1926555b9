"""The hosts file as text: decoding that round-trips, parsing, and Tencent names.

Hosts files in the wild are UTF-8, UTF-8 with a BOM (Notepad), UTF-16 (some
"hosts tools") or GBK (Chinese Windows editors), with CRLF or LF. A fix that
comments out one line must write every other byte back unchanged, so decoding
remembers exactly how to encode again. Nothing here touches the disk except
`read_hosts_bytes` / `read_hosts`, which read only a regular file of bounded size
(a FIFO would block the reader forever, `/dev/zero` never ends).
"""

from __future__ import annotations

import codecs
import ipaddress
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

# The errors are re-exported: callers of read_hosts_bytes classify them.
from checks.shared.bounded_read import FileTooLarge, NotRegularFile, read_regular_file  # noqa: F401

# The lossless fallback: every byte maps to one code point and back.
FALLBACK_ENCODING = "latin-1"

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "gbk" or "latin-1"
    bom: bytes
    newline: str  # the dominant line ending: "\r\n" or "\n"
    lossy_fallback: bool = False  # True: not valid text in any supported encoding


@dataclass(frozen=True)
class HostsEntry:
    line_no: int  # 1-based
    address: str
    names: tuple[str, ...]
    comment: str  # the inline comment after "#", without the "#"; "" if none
    raw: str  # the whole line, without its line ending


def decode_hosts(raw: bytes) -> Decoded:
    """Decode without ever raising; `encode_hosts` gives the same bytes back."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            body = raw[len(bom):]
            codec = "utf-8" if encoding == "utf-8-sig" else encoding
            text = _strict(body, codec)
            if text is not None and text.encode(codec) == body:
                return Decoded(text, encoding, bom, _newline(text))
            break  # a BOM followed by garbage: keep the bytes as they are
    else:
        for encoding in ("utf-8", "gbk"):
            text = _strict(raw, encoding)
            # GBK decoding is not always reversible byte for byte: check it is.
            if text is not None and text.encode(encoding) == raw:
                return Decoded(text, encoding, b"", _newline(text))
    text = raw.decode(FALLBACK_ENCODING)
    return Decoded(text, FALLBACK_ENCODING, b"", _newline(text), lossy_fallback=True)


def encode_hosts(text: str, decoded: Decoded) -> bytes:
    """Encode text the way the original file was encoded (same BOM, same codec).

    Characters the original encoding cannot hold (e.g. Chinese added to a GBK
    file is fine, but emoji are not) become XML character references rather
    than failing the whole write.
    """
    codec = "utf-8" if decoded.encoding == "utf-8-sig" else decoded.encoding
    return decoded.bom + text.encode(codec, errors="xmlcharrefreplace")


def _strict(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def _newline(text: str) -> str:
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    return "\r\n" if crlf > lf else "\n"


# Far above any real hosts file (the large ad-block lists are a few MB).
MAX_HOSTS_BYTES = 16 * 1024 * 1024


def read_hosts_bytes(path: str | os.PathLike[str], limit: int = MAX_HOSTS_BYTES) -> bytes:
    """The bytes of the hosts file, if it is a regular file of at most `limit` bytes.

    Never blocks (a FIFO is refused at once). OSError (FileNotFoundError,
    PermissionError, IsADirectoryError, NotRegularFile, FileTooLarge ...) propagates
    for the caller to classify. Fixes that rewrite the file read it through here too.
    """
    return read_regular_file(path, limit)


def read_hosts(path: str | os.PathLike[str], limit: int = MAX_HOSTS_BYTES) -> Decoded:
    """Read (bounded, regular files only) and decode a hosts file; OSError propagates."""
    return decode_hosts(read_hosts_bytes(path, limit))


_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")


def lines_with_endings(text: str) -> list[tuple[str, str]]:
    """(line, ending) pairs; joining them gives the text back exactly.

    Only CR, LF and CRLF end a line (not form feeds or U+2028 as in
    str.splitlines), so line numbers match what a text editor shows.
    """
    pairs: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        match = _LINE.match(text, pos)
        assert match is not None  # the pattern matches at any position
        pairs.append((match.group(1), match.group(2)))
        pos = match.end()
    return pairs


def split_lines(text: str) -> list[str]:
    """Lines without their endings, numbered as an editor would."""
    return [line for line, _ending in lines_with_endings(text)]


def parse_hosts(text: str) -> list[HostsEntry]:
    """Every line that maps an address to at least one name."""
    entries: list[HostsEntry] = []
    for index, line in enumerate(split_lines(_strip_bom(text)), start=1):
        entry = parse_line(line, index)
        if entry is not None:
            entries.append(entry)
    return entries


def parse_line(line: str, line_no: int) -> HostsEntry | None:
    # glibc reads the line as a C string: a NUL ends it, and what follows is ignored
    # ("0.0.0.0 login.work.weixin.qq.com\0junk" maps the name; tested in the lab).
    data, hash_, comment = line.partition("\0")[0].partition("#")
    fields = data.split()  # any whitespace: spaces, tabs, full-width spaces
    if len(fields) < 2:
        return None  # blank, a comment, or an address without names
    return HostsEntry(
        line_no=line_no,
        address=fields[0],
        names=tuple(fields[1:]),
        comment=comment.strip() if hash_ else "",
        raw=line,
    )


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


TENCENT_SUFFIXES = ("qq.com", "wechat.com")


def normalize_name(name: str) -> str:
    return name.strip().rstrip(".").lower()


def normalize_address(address: str) -> str:
    """One spelling per address ("2001:DB8:0:0::1" is "2001:db8::1"), the zone dropped;
    anything that is not an address, lower-cased."""
    try:
        return str(ipaddress.ip_address(address.split("%")[0]))
    except ValueError:
        return address.lower()


LOCAL_NAMES = frozenset(
    {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "localhost6",
     "localhost6.localdomain6"}
)


def is_tencent_name(name: str, endpoint_hosts: Iterable[str] = ()) -> bool:
    """True for a configured endpoint host or a name under qq.com / wechat.com.

    *.weixin.qq.com and *.work.weixin.qq.com are under qq.com; the bare domains
    themselves count too.
    """
    norm = normalize_name(name)
    if not norm or norm in LOCAL_NAMES or norm.endswith(".localhost"):
        return False  # every hosts file maps these; an endpoint named so is a local test
    if norm in {normalize_name(h) for h in endpoint_hosts}:
        return True
    return any(norm == s or norm.endswith("." + s) for s in TENCENT_SUFFIXES)


def in_names(name: str, patterns: Iterable[str]) -> bool:
    """Whether `name` is one of `patterns` (`login.work.weixin.qq.com`) or under one
    written as `*.work.weixin.qq.com`."""
    norm = normalize_name(name)
    for pattern in patterns:
        wanted = normalize_name(pattern)
        if wanted.startswith("*."):
            if norm.endswith(wanted[1:]):
                return True
        elif norm == wanted:
            return True
    return False
