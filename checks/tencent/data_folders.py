"""Where WeChat and WeCom keep their data, and which parts of it are only cache.

Pure functions take the OS name, home folder, environment and Documents folder as
arguments, so the rules for every OS are tested on Linux; `data_dirs(config)`
feeds them the real values. The checks only read these folders; the cache fix
uses `classify()` to decide what it may move to quarantine (never chat history,
received files or images).

`[client] data_dirs` entries replace the default list. Each entry is
"wecom:PATH", "wechat:PATH", or a bare PATH whose product is inferred from its
name (WXWork/WeWork/企业微信 -> wecom; WeChat/Weixin/xwechat/微信 -> wechat).
"~" and environment variables (%APPDATA% on Windows, $HOME on POSIX) expand.

Without `[client] data_dirs`, folders the user moved to another drive are found
too: where the clients record them (the registry on Windows, small pointer files
holding one path) is read, see `moved_locations`.
"""

from __future__ import annotations

import fnmatch
import ntpath
import os
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checks.platform.commands import decode_utf8_or_gbk
from checks.shared.bounded_read import read_regular_file
from checks.tencent.products import WECHAT, WECOM, infer_product, parse_override

if TYPE_CHECKING:
    from checks.engine.config import Config

@dataclass(frozen=True)
class DataDir:
    product: str  # "wecom" | "wechat"
    path: Path
    kind: str  # "appdata" | "documents" | "container" | "config" (from [client] data_dirs)
    # Which cache rules apply: the kind of the default location this folder is, or
    # for a configured folder the one its name suggests ("" = none known).
    layout: str = ""
    # Where a moved folder was found: the registry value or pointer file ("" = a default
    # location or [client] data_dirs).
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "path": str(self.path),
            "kind": self.kind,
            "layout": self.layout,
            "source": self.source,
        }


# ---- default locations -----------------------------------------------------------------

def default_locations(
    os_name: str, home: str, env: Mapping[str, str], documents: str | None = None
) -> list[tuple[str, str, str, str]]:
    """(product, path, kind, layout) of the usual folders, for `os_name` in windows|macos|linux."""
    if os_name == "windows":
        appdata = env.get("APPDATA") or ntpath.join(home, "AppData", "Roaming")
        docs = documents or ntpath.join(home, "Documents")
        return [
            ("wecom", ntpath.join(appdata, "Tencent", "WXWork"), "appdata", "wecom_appdata"),
            ("wecom", ntpath.join(docs, "WXWork"), "documents", "wecom_documents"),
            ("wechat", ntpath.join(appdata, "Tencent", "WeChat"), "appdata", "wechat_appdata"),
            ("wechat", ntpath.join(docs, "WeChat Files"), "documents", "wechat_documents"),
            # WeChat 4.x ("Weixin") moved to these two.
            ("wechat", ntpath.join(appdata, "Tencent", "xwechat"), "appdata", "xwechat_appdata"),
            ("wechat", ntpath.join(docs, "xwechat_files"), "documents", "xwechat_files"),
        ]
    if os_name == "macos":
        containers = posixpath.join(home, "Library", "Containers")
        return [
            ("wecom", posixpath.join(containers, "com.tencent.WeWorkMac"), "container", "mac_container"),
            ("wechat", posixpath.join(containers, "com.tencent.xinWeChat"), "container", "mac_container"),
        ]
    docs = documents or posixpath.join(home, "Documents")
    return [
        # WeChat for Linux (4.x): settings and web runtime here, accounts in Documents.
        ("wechat", posixpath.join(home, ".xwechat"), "appdata", "xwechat_appdata"),
        ("wechat", posixpath.join(docs, "xwechat_files"), "documents", "xwechat_files"),
    ]


_WIN_VAR = re.compile(r"%([^%]+)%")
_POSIX_VAR = re.compile(r"\$(\w+)|\$\{(\w+)\}")


def expand(path: str, os_name: str, home: str, env: Mapping[str, str]) -> str:
    """~ and environment variables, from the given values only (pure)."""
    if path == "~" or path.startswith(("~/", "~\\")):
        path = home + path[1:]
    if os_name == "windows":
        upper = {k.upper(): v for k, v in env.items()}
        return _WIN_VAR.sub(lambda m: upper.get(m.group(1).upper(), m.group(0)), path)
    return _POSIX_VAR.sub(lambda m: env.get(m.group(1) or m.group(2), m.group(0)), path)


def layout_for(product: str, path: str) -> str:
    """Cache rules for a configured folder, judged by its last component."""
    name = re.split(r"[\\/]", path.rstrip("\\/"))[-1].lower()
    by_name = {
        "wxwork": "wecom_appdata",  # %AppData%\Tencent\WXWork and Documents\WXWork look alike
        "wechat": "wechat_appdata",
        "wechat files": "wechat_documents",
        "xwechat_files": "xwechat_files",
        ".xwechat": "xwechat_appdata",
        "xwechat": "xwechat_appdata",
        "com.tencent.weworkmac": "mac_container",
        "com.tencent.xinwechat": "mac_container",
    }
    layout = by_name.get(name, "")
    if name == "wxwork" and "documents" in path.lower():
        layout = "wecom_documents"
    return layout


def resolve_data_dirs(
    entries: tuple[str, ...],
    os_name: str,
    home: str,
    env: Mapping[str, str],
    documents: str | None = None,
) -> list[tuple[str, str, str, str]]:
    """(product, path, kind, layout): the configured entries, else the OS defaults."""
    if not entries:
        return default_locations(os_name, home, env, documents)
    result = []
    for entry in entries:
        product, raw = parse_override(entry)
        path = expand(raw, os_name, home, env)
        result.append((product, path, "config", layout_for(product, path)))
    return result


# ---- data moved to another drive ----------------------------------------------------------
# How public tools locate moved folders: tests/fixtures/platform/SOURCES.md, section 11.

WECOM_DATA_LOCATION = "WXWork\\DataLocationPath"  # under HKCU\Software\Tencent
WECHAT_FILE_SAVE_PATH = "WeChat\\FileSavePath"  # WeChat 3.x
REGISTRY_VALUES = (WECOM_DATA_LOCATION, WECHAT_FILE_SAVE_PATH)
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


def _inside(root: str, name: str, os_name: str) -> str:
    """root/name, unless root already is that folder."""
    if re.split(r"[\\/]", root.rstrip("\\/"))[-1].lower() == name.lower():
        return root
    return (ntpath.join if os_name == "windows" else posixpath.join)(root, name)


def moved_locations(
    os_name: str,
    home: str,
    documents: str,
    registry: Mapping[str, str],
    pointers: Sequence[Pointer],
    isdir: Callable[[str], bool] = os.path.isdir,
) -> list[DataDir]:
    """Data folders the clients were told to keep elsewhere (e.g. on D:):

    - WeCom: `DataLocationPath` names the folder that holds `WXWork` (tools also accept
      the WXWork folder itself);
    - WeChat 3.x: `FileSavePath` (else the 3ebffe94.ini pointer) holds `WeChat Files`;
    - WeChat 4.x: each xwechat config pointer holds `xwechat_files`.
    """
    found: list[DataDir] = []
    location = registry.get(WECOM_DATA_LOCATION, "")
    for root in pointer_roots(location, os_name, home, documents):
        nested = _inside(root, "WXWork", os_name)
        use_root = not isdir(nested) and isdir(root) and infer_product(root) == WECOM
        found.append(DataDir(WECOM, Path(root if use_root else nested), "moved",
                             "wecom_documents", "HKCU\\Software\\Tencent\\" + WECOM_DATA_LOCATION))
    for text, source in _wechat3_settings(registry, pointers):
        for root in pointer_roots(text, os_name, home, documents):
            found.append(DataDir(WECHAT, Path(_inside(root, "WeChat Files", os_name)), "moved",
                                 "wechat_documents", source))
    for pointer in pointers:
        if pointer.which != XWECHAT_POINTER:
            continue
        roots = [_inside(r, "xwechat_files", os_name)
                 for r in pointer_roots(pointer.text, os_name, home, documents)]
        present = [r for r in roots if isdir(r)]
        for root in present or roots[:1]:
            found.append(DataDir(WECHAT, Path(root), "moved", "xwechat_files", pointer.file))
    return found


def _wechat3_settings(registry: Mapping[str, str], pointers: Sequence[Pointer],
                      ) -> list[tuple[str, str]]:
    """(value, where it was read): FileSavePath, else the 3ebffe94.ini pointer (PyWxDump's order)."""
    if registry.get(WECHAT_FILE_SAVE_PATH):
        return [(registry[WECHAT_FILE_SAVE_PATH], "HKCU\\Software\\Tencent\\" + WECHAT_FILE_SAVE_PATH)]
    return [(p.text, p.file) for p in pointers if p.which == WECHAT3_POINTER]


def _same_folder(a: Path, b: Path, os_name: str) -> bool:
    if os_name == "windows":
        return ntpath.normcase(ntpath.normpath(str(a))) == ntpath.normcase(ntpath.normpath(str(b)))
    return posixpath.normpath(str(a)) == posixpath.normpath(str(b))


def merge_moved(defaults: list[DataDir], moved: list[DataDir], os_name: str) -> list[DataDir]:
    """The default folders, then the moved ones not already among them."""
    result = list(defaults)
    for folder in moved:
        if not any(_same_folder(folder.path, known.path, os_name) for known in result):
            result.append(folder)
    return result


def data_dirs(config: Config) -> list[DataDir]:
    """The data folders to examine on this computer (they need not exist)."""
    from checks import platform

    home = str(Path.home())
    documents = platform.documents_dir()
    found = resolve_data_dirs(
        config.client.data_dirs, platform.NAME, home, os.environ, documents
    )
    folders = [DataDir(p, Path(path), kind, layout) for p, path, kind, layout in found]
    if config.client.data_dirs:
        return folders  # configured folders replace every default, moved ones too
    docs = documents or (ntpath if platform.NAME == "windows" else posixpath).join(home, "Documents")
    moved = moved_locations(platform.NAME, home, docs, platform.tencent_registry(REGISTRY_VALUES),
                            read_pointer_files(platform.NAME, home, os.environ))
    return merge_moved(folders, moved, platform.NAME)


# ---- what is cache and what is never touched -------------------------------------------

# Patterns are matched, case-insensitively, against a path relative to the data
# folder, segment by segment: "*" matches one segment, "**" any number of them.
# PROTECTED wins over CACHE, and a folder that holds anything protected is not
# cache as a whole. Anything matching neither is "unknown": leave it alone.

# Chromium/CEF web-view caches the clients embed, wherever they are; and the file
# the WeCom source article names for "加载组织架构失败".
WEB_CACHES = (
    "**/GPUCache",
    "**/Code Cache",
    "**/ShaderCache",
    "**/GrShaderCache",
    "**/GraphiteDawnCache",
    "**/DawnCache",
    "**/DawnGraphiteCache",
    "**/Service Worker/CacheStorage",
    "**/Service Worker/ScriptCache",
    "**/LocalStorage/__qunaren_cache__",
)

CACHE_SUBDIRS: dict[str, tuple[str, ...]] = {
    "wecom_appdata": WEB_CACHES + ("Temp", "tmp", "**/WebCache"),
    "wecom_documents": WEB_CACHES + ("*/Temp", "*/Cache/WebCache"),
    "wechat_appdata": WEB_CACHES + ("radium/**/Cache", "**/web/Cache", "Temp"),
    "wechat_documents": WEB_CACHES + ("*/FileStorage/Cache", "*/FileStorage/Temp"),
    "xwechat_appdata": WEB_CACHES + ("radium/**/Cache", "**/web/Cache", "temp", "cache"),
    "xwechat_files": WEB_CACHES + ("*/cache", "*/temp"),
    # Sandboxed macOS apps: the container's Caches and tmp are cache by definition.
    "mac_container": WEB_CACHES + ("Data/Library/Caches", "Data/tmp"),
    "": WEB_CACHES,
}

# Message databases, received files, images, voice, video, favourites: never moved.
PROTECTED_COMMON = (
    "**/Msg",
    "**/MsgAttach",
    "**/db_storage",
    "**/File",
    "**/Files",
    "**/FileStorage/File",
    "**/FileStorage/Image",
    "**/FileStorage/Video",
    "**/FileStorage/Fav",
    "**/Image",
    "**/Images",
    "**/Video",
    "**/Videos",
    "**/Voice",
    "**/Emotion",
    "**/Favorites",
    "**/Backup",
    "*/msg",
    "*/business",
)
PROTECTED_SUBDIRS: dict[str, tuple[str, ...]] = {
    layout: PROTECTED_COMMON for layout in CACHE_SUBDIRS
}
# WeCom keeps each account's databases in <account>/Data.
PROTECTED_SUBDIRS["wecom_appdata"] = PROTECTED_COMMON + ("Data", "*/Data")
PROTECTED_SUBDIRS["wecom_documents"] = PROTECTED_COMMON + ("*/Data",)
PROTECTED_SUBDIRS["mac_container"] = PROTECTED_COMMON + (
    "Data/Documents",
    "Data/Library/Application Support",
)


def _match(parts: list[str], pattern: list[str]) -> bool:
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_match(parts[i:], rest) for i in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0].lower(), head.lower()) and _match(
        parts[1:], rest
    )


def _split(rel: str) -> list[str]:
    return [p for p in re.split(r"[\\/]", rel) if p and p != "."]


def _under_any(parts: list[str], patterns: tuple[str, ...]) -> bool:
    """The path is, or lies inside, something matching one of the patterns."""
    return any(
        _match(parts[:n], _split(pat)) for pat in patterns for n in range(1, len(parts) + 1)
    )


def classify(layout: str, rel: str) -> str:
    """"protected" | "cache" | "unknown" for a path relative to a data folder."""
    parts = _split(rel)
    if not parts:
        return "unknown"  # the data folder itself is never cache as a whole
    if _under_any(parts, PROTECTED_SUBDIRS.get(layout, PROTECTED_COMMON)):
        return "protected"
    if _under_any(parts, CACHE_SUBDIRS.get(layout, WEB_CACHES)):
        return "cache"
    return "unknown"


def is_cache_path(data_dir: DataDir, path: Path) -> bool:
    """True when `path` (inside `data_dir`) is cache and so safe to quarantine.

    A caller moving a whole folder must also check that nothing below it is
    protected (see `classify`).
    """
    try:
        rel = path.relative_to(data_dir.path)
    except ValueError:
        return False
    return classify(data_dir.layout, rel.as_posix()) == "cache"


def cache_targets(data_dir: DataDir, max_entries: int = 200_000) -> list[Path]:
    """The top-most cache paths in a data folder that hold nothing protected.

    What the cache fix may quarantine. Symlinks are never followed or returned;
    the walk stops after `max_entries` names (the result is then partial).
    """
    targets: list[Path] = []
    seen = 0
    stack = [data_dir.path]
    while stack and seen < max_entries:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if entry.is_symlink():
                continue
            path = Path(entry.path)
            rel = path.relative_to(data_dir.path).as_posix()
            kind = classify(data_dir.layout, rel)
            if kind == "cache":
                if not entry.is_dir() or not _holds_protected(data_dir, path):
                    targets.append(path)
            elif kind == "unknown" and entry.is_dir():
                stack.append(path)
    return sorted(targets)


def _holds_protected(data_dir: DataDir, folder: Path) -> bool:
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            rel = (Path(dirpath) / name).relative_to(data_dir.path).as_posix()
            if classify(data_dir.layout, rel) == "protected":
                return True
    return False
