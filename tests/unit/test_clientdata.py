"""Data-folder locations and cache classification, for every OS, on any OS."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.clientdata import (
    DataDir,
    classify,
    default_locations,
    expand,
    is_cache_path,
    resolve_data_dirs,
)
from checks.config import ConfigError, load_config_text
from checks.platform._linux import parse_user_dirs
from checks.products import infer_product, parse_override


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
    from checks.clientdata import cache_targets

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
