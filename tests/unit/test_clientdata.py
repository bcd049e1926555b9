"""Data-folder locations and cache classification, for every OS, on any OS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checks.engine.config import ConfigError, load_config_text
from checks.platform._linux import parse_user_dirs
from checks.tencent.data_folders import (
    DataDir,
    classify,
    default_locations,
    expand,
    is_cache_path,
    merge_moved,
    moved_locations,
    resolve_data_dirs,
)
from checks.tencent.pointer_files import Pointer, read_pointer_files
from checks.tencent.products import infer_product, parse_override


def test_windows_defaults_use_appdata_and_documents() -> None:
    env = {"APPDATA": r"D:\Profiles\张三\AppData\Roaming"}
    found = default_locations("windows", r"C:\Users\张三", env, documents=r"D:\文档")
    paths = {(p, path, kind) for p, path, kind, _layout in found}
    assert ("wecom", r"D:\Profiles\张三\AppData\Roaming\Tencent\WXWork", "appdata") in paths
    assert ("wechat", r"D:\Profiles\张三\AppData\Roaming\Tencent\WeChat", "appdata") in paths
    assert ("wechat", r"D:\文档\WeChat Files", "documents") in paths
    assert ("wecom", r"D:\文档\WXWork", "documents") in paths


def test_windows_defaults_without_appdata_fall_back_to_home() -> None:
    found = default_locations("windows", r"C:\Users\bob", {})
    assert found[0][1] == r"C:\Users\bob\AppData\Roaming\Tencent\WXWork"
    assert any(path == r"C:\Users\bob\Documents\WeChat Files" for _p, path, _k, _l in found)


def test_macos_defaults_are_the_containers() -> None:
    found = default_locations("macos", "/Users/li", {})
    assert [(p, path, k) for p, path, k, _l in found] == [
        ("wecom", "/Users/li/Library/Containers/com.tencent.WeWorkMac", "container"),
        ("wechat", "/Users/li/Library/Containers/com.tencent.xinWeChat", "container"),
    ]


def test_linux_defaults() -> None:
    found = default_locations("linux", "/home/wang", {}, documents="/home/wang/文档")
    assert found[0][:2] == ("wechat", "/home/wang/.xwechat")
    assert found[1][:2] == ("wechat", "/home/wang/文档/xwechat_files")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("wecom:/data/x", ("wecom", "/data/x")),
        ("WeChat: /data/y ", ("wechat", "/data/y")),
        (r"C:\Users\a\AppData\Roaming\Tencent\WXWork", ("wecom", r"C:\Users\a\AppData\Roaming\Tencent\WXWork")),
        ("/Users/a/Library/Containers/com.tencent.xinWeChat", ("wechat", "/Users/a/Library/Containers/com.tencent.xinWeChat")),
        ("D:/企业微信数据", ("wecom", "D:/企业微信数据")),
        ("D:/微信数据", ("wechat", "D:/微信数据")),
    ],
)
def test_parse_override(entry: str, expected: tuple[str, str]) -> None:
    assert parse_override(entry) == expected


def test_parse_override_rejects_unknown_product() -> None:
    with pytest.raises(ValueError, match="wecom:PATH"):
        parse_override("/srv/somewhere")
    assert infer_product("/srv/somewhere") is None


def test_config_rejects_ambiguous_data_dir_with_the_key() -> None:
    with pytest.raises(ConfigError, match="client.data_dirs"):
        load_config_text('[client]\ndata_dirs = ["/srv/x"]')


def test_expand_home_and_variables() -> None:
    assert expand("~/WeChat Files", "linux", "/home/a", {}) == "/home/a/WeChat Files"
    assert expand("$XDG/x", "linux", "/h", {"XDG": "/d"}) == "/d/x"
    assert expand(r"%appdata%\Tencent\WXWork", "windows", "C:", {"APPDATA": r"C:\R"}) == r"C:\R\Tencent\WXWork"
    assert expand("%NOPE%/x", "windows", "C:", {}) == "%NOPE%/x"


def test_overrides_replace_defaults() -> None:
    found = resolve_data_dirs(("wecom:~/w", "/x/WeChat Files"), "linux", "/h", {})
    assert found == [
        ("wecom", "/h/w", "config", ""),
        ("wechat", "/x/WeChat Files", "config", "wechat_documents"),
    ]


@pytest.mark.parametrize(
    ("layout", "rel", "expected"),
    [
        ("wechat_documents", "wxid_1/FileStorage/Cache", "cache"),
        ("wechat_documents", "wxid_1/FileStorage/Cache/2024-05/a.dat", "cache"),
        ("wechat_documents", "wxid_1/FileStorage/File/report.docx", "protected"),
        ("wechat_documents", "wxid_1/FileStorage/Image", "protected"),
        ("wechat_documents", "wxid_1/Msg/Multi/MSG0.db", "protected"),
        ("wechat_documents", "wxid_1/FileStorage", "unknown"),
        ("wechat_documents", "", "unknown"),
        ("wechat_appdata", "radium/web/profiles/p1/GPUCache", "cache"),
        ("wecom_appdata", "Global/LocalStorage/__qunaren_cache__", "cache"),
        ("wecom_documents", "1688850/Data/message.db", "protected"),
        ("wecom_documents", "1688850/Cache/File/合同.pdf", "protected"),
        ("wecom_documents", "1688850/Cache/Image/a.jpg", "protected"),
        ("xwechat_files", "wxid_2/cache/x", "cache"),
        ("xwechat_files", "wxid_2/db_storage/message/message_0.db", "protected"),
        ("xwechat_files", "wxid_2/msg/file/a.pdf", "protected"),
        ("mac_container", "Data/Library/Caches/com.tencent.xinWeChat", "cache"),
        ("mac_container", "Data/Library/Application Support/com.tencent.xinWeChat/x.db", "protected"),
        ("mac_container", "Data/Documents/x", "protected"),
        ("", "foo/GPUCache", "cache"),
        ("", "foo/bar", "unknown"),
    ],
)
def test_classify(layout: str, rel: str, expected: str) -> None:
    assert classify(layout, rel) == expected


def test_is_cache_path() -> None:
    dd = DataDir("wechat", Path("/d/WeChat Files"), "documents", "wechat_documents")
    assert is_cache_path(dd, Path("/d/WeChat Files/wxid/FileStorage/Cache"))
    assert not is_cache_path(dd, Path("/d/WeChat Files/wxid/Msg"))
    assert not is_cache_path(dd, Path("/elsewhere/GPUCache"))


def test_parse_user_dirs_localized() -> None:
    text = '# comment\nXDG_DOCUMENTS_DIR="$HOME/文档"\nXDG_MUSIC_DIR="$HOME/音乐"\nBAD\n'
    assert parse_user_dirs(text, "/home/a")["XDG_DOCUMENTS_DIR"] == "/home/a/文档"


def test_cache_targets_skip_protected_and_symlinks(tmp_path: Path) -> None:
    from checks.tencent.data_folders import cache_targets

    root = tmp_path / "WeChat Files"
    for rel in (
        "wxid/FileStorage/Cache/2024-05/a.dat",
        "wxid/FileStorage/File/合同.pdf",
        "wxid/Msg/MicroMsg.db",
        "wxid/radium/GPUCache/data_0",
        "wxid/odd/GPUCache/Image/keep.jpg",  # a protected name inside a cache: keep all
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"x")
    (root / "wxid" / "link").symlink_to(root / "wxid" / "FileStorage")
    dd = DataDir("wechat", root, "documents", "wechat_documents")
    assert cache_targets(dd) == [
        root / "wxid/FileStorage/Cache",
        root / "wxid/radium/GPUCache",
    ]


# ---- data moved to another drive ---------------------------------------------------------

PLATFORM_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "platform"


def reg_values(text: str) -> dict[str, str]:
    """A .reg export's string values under HKCU\\Software\\Tencent, as "Key\\Value"."""
    values, key = {}, ""
    for line in text.splitlines():
        if m := re.match(r"^\[HKEY_CURRENT_USER\\software\\tencent\\(.+)\]$", line, re.I):
            key = {"wechat": "WeChat", "wxwork": "WXWork"}.get(m[1].lower(), m[1])
        elif m := re.match(r'^"(.+)"="(.*)"$', line):
            values[f"{key}\\{m[1]}"] = m[2].replace("\\\\", "\\")
    return values


def test_wechat_file_save_path_from_a_real_registry_export() -> None:
    text = (PLATFORM_FIXTURES / "windows" / "wechat-filesavepath-reg-cleanmywechat-45.txt").read_text()
    registry = reg_values(text)
    assert registry == {"WeChat\\FileSavePath": r"C:\wechat"}
    (moved,) = moved_locations("windows", r"C:\Users\a", r"C:\Users\a\Documents", registry, [],
                               isdir=lambda p: False)
    assert (moved.product, str(moved.path), moved.layout, moved.source) == (
        "wechat", r"C:\wechat\WeChat Files", "wechat_documents",
        r"HKCU\Software\Tencent\WeChat\FileSavePath")


@pytest.mark.parametrize(("value", "dirs", "expected"), [
    ("D:\\", {r"D:\WXWork"}, r"D:\WXWork"),  # the folder that holds WXWork
    (r"D:\企业微信", {r"D:\企业微信"}, r"D:\企业微信"),  # the data folder itself
    (r"D:\Data", set(), r"D:\Data\WXWork"),  # nothing there (yet): where WeCom would look
    (r"D:\Data", {r"D:\Data"}, r"D:\Data\WXWork"),  # never all of an unrelated folder
    (r"E:\WXWork\\", set(), r"E:\WXWork"),
])
def test_wecom_data_location_path(value: str, dirs: set[str], expected: str) -> None:
    (moved,) = moved_locations("windows", r"C:\Users\a", r"C:\Users\a\Documents",
                               {"WXWork\\DataLocationPath": value}, [], isdir=dirs.__contains__)
    assert (moved.product, str(moved.path), moved.layout, moved.kind) == (
        "wecom", expected, "wecom_documents", "moved")


def test_my_document_means_the_documents_folder() -> None:
    docs = r"D:\我的文档"
    found = moved_locations("windows", r"C:\Users\a", docs, {"WeChat\\FileSavePath": "MyDocument:"},
                            [Pointer("xwechat", "x.ini", "MyDocument:\\")], isdir=lambda p: False)
    assert [str(d.path) for d in found] == [r"D:\我的文档\WeChat Files", r"D:\我的文档\xwechat_files"]
    defaults = [DataDir(p, Path(path), kind, layout)
                for p, path, kind, layout in default_locations("windows", r"C:\Users\a", {}, docs)]
    assert merge_moved(defaults, found, "windows") == defaults  # already among the defaults
    upper = [DataDir("wechat", Path(r"d:\我的文档\WECHAT FILES"), "moved", "wechat_documents")]
    assert merge_moved(defaults, upper, "windows") == defaults  # Windows paths ignore case


def test_pointer_files_on_disk_in_every_encoding(tmp_path: Path) -> None:
    appdata = tmp_path / "Roaming"
    config = appdata / "Tencent" / "xwechat" / "config"
    config.mkdir(parents=True)
    (config / "a1.ini").write_bytes("D:\\微信数据".encode("gbk"))
    (config / "b2.ini").write_bytes("E:\\WeChat 4".encode("utf-16"))  # with its BOM
    (config / "c3.ini").write_text("[section]\nkey=value\n", encoding="utf-8")  # not a pointer
    old = appdata / "Tencent" / "WeChat" / "All Users" / "config"
    old.mkdir(parents=True)
    (old / "3ebffe94.ini").write_bytes("F:\\聊天".encode())
    pointers = read_pointer_files("windows", str(tmp_path), {"APPDATA": str(appdata)})
    assert [(p.which, Path(p.file).name, p.text) for p in pointers] == [
        ("wechat3", "3ebffe94.ini", "F:\\聊天"), ("xwechat", "a1.ini", "D:\\微信数据"),
        ("xwechat", "b2.ini", "E:\\WeChat 4"), ("xwechat", "c3.ini", "[section]\nkey=value\n")]
    found = moved_locations("windows", str(tmp_path), r"C:\Docs", {}, pointers,
                            isdir=lambda p: False)
    assert [(str(d.path), d.layout) for d in found] == [
        (r"F:\聊天\WeChat Files", "wechat_documents"),
        (r"D:\微信数据\xwechat_files", "xwechat_files"), (r"E:\WeChat 4\xwechat_files", "xwechat_files")]
    assert found[1].source == str(config / "a1.ini")


def test_linux_pointer_relative_to_home(tmp_path: Path) -> None:
    """WeChat for Linux writes "MyDocument:" or "MyDocument:.local/share/wechat"."""
    home = tmp_path / "home"
    (home / ".local" / "share" / "wechat" / "xwechat_files").mkdir(parents=True)
    found = moved_locations("linux", str(home), str(home / "文档"), {},
                            [Pointer("xwechat", "p.ini", "MyDocument:.local/share/wechat")])
    assert [str(d.path) for d in found] == [str(home / ".local/share/wechat/xwechat_files")]
    assert [str(d.path) for d in moved_locations("linux", str(home), str(home / "文档"), {},
                                                  [Pointer("xwechat", "p.ini", "MyDocument:")])] == [
        str(home / "文档" / "xwechat_files")]
    assert moved_locations("linux", str(home), "/d", {}, [Pointer("xwechat", "p", "relative/x")]) == []


def test_pointer_files_that_are_pipes_are_skipped_not_waited_for(tmp_path: Path) -> None:
    """A FIFO named like a WeChat 4 pointer file would block `open()` forever."""
    import os
    import time

    config = tmp_path / ".xwechat" / "config"
    config.mkdir(parents=True)
    os.mkfifo(config / "a0.ini")
    (config / "b1.ini").write_bytes("/data/微信".encode() + b"\n" + b"x" * 10_000)
    started = time.monotonic()
    pointers = read_pointer_files("linux", str(tmp_path), {})
    assert time.monotonic() - started < 5
    assert [Path(p.file).name for p in pointers] == ["b1.ini"]
    assert pointers[0].text.startswith("/data/微信\nxxx")  # a long file: its start is read
