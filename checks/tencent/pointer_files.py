"""The small files in which WeChat records where it keeps its data, once a person moved
it to another drive: WeChat 3.x's `3ebffe94.ini` and WeChat 4.x's `xwechat/config/*.ini`,
each holding one path (or "MyDocument:" for the Documents folder)."""

from __future__ import annotations

import ntpath
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from checks.platform.commands import decode_utf8_or_gbk
from checks.shared.bounded_read import read_regular_file

MY_DOCUMENT = "mydocument:"  # the clients' word for "the Documents folder"
WECHAT3_POINTER, XWECHAT_POINTER = "wechat3", "xwechat"
_MAX_POINTER_FILES = 20
_POINTER_BYTES = 4096


@dataclass(frozen=True)
class Pointer:
    """A small file that holds nothing but the folder a client keeps its data in."""

    which: str  # WECHAT3_POINTER | XWECHAT_POINTER
    file: str
    text: str


def read_pointer_files(os_name: str, home: str, env: Mapping[str, str]) -> list[Pointer]:
    """WeChat 3.x `All Users\\config\\3ebffe94.ini` and WeChat 4.x `xwechat\\config\\*.ini`
    (Windows: under %APPDATA%\\Tencent; Linux: ~/.xwechat/config)."""
    places: list[tuple[str, Path, str]] = []  # (which, folder, file name pattern)
    if os_name == "windows":
        appdata = Path(env.get("APPDATA") or Path(home) / "AppData" / "Roaming") / "Tencent"
        places = [(WECHAT3_POINTER, appdata / "WeChat" / "All Users" / "config", "3ebffe94.ini"),
                  (XWECHAT_POINTER, appdata / "xwechat" / "config", "*.ini")]
    elif os_name == "linux":
        places = [(XWECHAT_POINTER, Path(home) / ".xwechat" / "config", "*.ini")]
    found: list[Pointer] = []
    for which, folder, pattern in places:
        try:
            files = sorted(folder.glob(pattern))[:_MAX_POINTER_FILES]
        except OSError:
            continue
        for file in files:
            try:  # a FIFO or device under the name would block or never end: skipped
                raw = read_regular_file(file, _POINTER_BYTES, cut=True)
            except OSError:
                continue
            found.append(Pointer(which, str(file), decode_pointer(raw)))
    return found


def decode_pointer(raw: bytes) -> str:
    """The clients write these in UTF-8, UTF-16 (with a BOM) or the ANSI code page (GBK)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    return decode_utf8_or_gbk(raw.removeprefix(b"\xef\xbb\xbf"))


def pointer_roots(text: str, os_name: str, home: str, documents: str) -> list[str]:
    """The folder(s) a pointer value names: an absolute path, or "MyDocument:" (the
    Documents folder), optionally followed by a folder relative to it or, as WeChat for
    Linux writes it (MyDocument:.local/share/wechat), to the home folder."""
    value = text.strip().strip("\x00").strip()
    if not value or "\n" in value or "\x00" in value:
        return []  # not a one-path pointer file
    join = ntpath.join if os_name == "windows" else posixpath.join
    if value.lower().startswith(MY_DOCUMENT):
        rest = value[len(MY_DOCUMENT):].strip().strip("\\/")
        return [join(documents, rest), join(home, rest)] if rest else [documents]
    absolute = (re.match(r"^([A-Za-z]:[\\/]|\\\\)", value) if os_name == "windows"
                else value.startswith("/"))
    if not absolute:
        return []
    root = value.rstrip("\\/") or value
    return [root + "\\" if re.fullmatch(r"[A-Za-z]:", root) else root]  # "D:\\", not "D:"
