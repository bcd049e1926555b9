"""The hosts-file codec and the client data-folder locator the fixes build on.

They live in `checks.hostsfile` and `checks.clientdata`; this module re-exports
them, with a small stand-in used only when those modules are absent.
"""

from __future__ import annotations

import codecs
import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checks.config import Config

try:
    from checks.hostsfile import (  # type: ignore[import-not-found,unused-ignore]
        decode_hosts,
        encode_hosts,
        is_tencent_name,
        lines_with_endings,
        parse_line,
    )
except ImportError:  # stand-in until checks.hostsfile is present

    @dataclass(frozen=True)
    class Decoded:
        text: str
        encoding: str
        bom: bytes
        newline: str
        lossy_fallback: bool = False

    @dataclass(frozen=True)
    class HostsEntry:
        line_no: int
        address: str
        names: tuple[str, ...]
        comment: str
        raw: str

    _BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
             (codecs.BOM_UTF16_BE, "utf-16-be"))

    def decode_hosts(raw: bytes) -> Any:  # type: ignore[misc]
        for bom, codec in _BOMS:
            if raw.startswith(bom):
                try:
                    text = raw[len(bom):].decode(codec)
                    if text.encode(codec) == raw[len(bom):]:
                        return Decoded(text, codec, bom, _nl(text))
                except UnicodeDecodeError:
                    pass
                break
        else:
            for codec in ("utf-8", "gbk"):
                try:
                    text = raw.decode(codec)
                except UnicodeDecodeError:
                    continue
                if text.encode(codec) == raw:
                    return Decoded(text, codec, b"", _nl(text))
        text = raw.decode("latin-1")
        return Decoded(text, "latin-1", b"", _nl(text), lossy_fallback=True)

    def encode_hosts(text: str, decoded: Any) -> bytes:  # type: ignore[misc]
        return bytes(decoded.bom) + text.encode(decoded.encoding, errors="xmlcharrefreplace")

    def _nl(text: str) -> str:
        crlf = text.count("\r\n")
        return "\r\n" if crlf > text.count("\n") - crlf else "\n"

    def lines_with_endings(text: str) -> list[tuple[str, str]]:  # type: ignore[misc]
        return [(m.group(1), m.group(2)) for m in re.finditer(r"([^\r\n]*)(\r\n|\r|\n|$)", text)
                if m.group(0)]

    def parse_line(line: str, line_no: int) -> Any:  # type: ignore[misc]
        data, hash_, comment = line.partition("#")
        fields = data.split()
        if len(fields) < 2:
            return None
        return HostsEntry(line_no, fields[0], tuple(fields[1:]),
                          comment.strip() if hash_ else "", line)

    def is_tencent_name(name: str, endpoint_hosts: Iterable[str] = ()) -> bool:  # type: ignore[misc]
        norm = name.strip().rstrip(".").lower()
        if not norm:
            return False
        if norm in {h.strip().rstrip(".").lower() for h in endpoint_hosts}:
            return True
        return any(norm == s or norm.endswith("." + s) for s in ("qq.com", "wechat.com"))


try:
    from checks.clientdata import (  # type: ignore[import-not-found,unused-ignore]
        DataDir,
        classify,
        data_dirs,
    )
except ImportError:  # stand-in until checks.clientdata is present: configured folders only

    @dataclass(frozen=True)
    class DataDir:  # type: ignore[no-redef]
        product: str
        path: Path
        kind: str
        layout: str = ""

    _CACHE = ("GPUCache", "Code Cache", "ShaderCache", "GrShaderCache", "DawnCache",
              "Cache", "WebCache", "Temp", "tmp", "cache", "temp")
    _PROTECTED = ("Msg", "MsgAttach", "db_storage", "Data", "File", "Files", "FileStorage",
                  "Image", "Images", "Video", "Voice", "Emotion", "Favorites", "Backup", "msg")

    def classify(layout: str, rel: str) -> str:  # type: ignore[misc]
        parts = [p for p in re.split(r"[\\/]", rel) if p and p != "."]
        if not parts:
            return "unknown"
        if any(p.lower() == q.lower() for p in parts for q in _PROTECTED):
            return "protected"
        if any(fnmatch.fnmatchcase(p.lower(), q.lower()) for p in parts for q in _CACHE):
            return "cache"
        return "unknown"

    def data_dirs(config: Config) -> list[Any]:  # type: ignore[misc]
        found = []
        for entry in config.client.data_dirs:
            product, sep, path = entry.partition(":")
            if not sep or product not in ("wecom", "wechat"):
                product, path = ("wecom" if "wxwork" in entry.lower() else "wechat"), entry
            found.append(DataDir(product, Path(path).expanduser(), "config", ""))
        return found


__all__ = ["DataDir", "classify", "data_dirs", "decode_hosts", "encode_hosts",
           "is_tencent_name", "lines_with_endings", "parse_line"]
