"""Installed/running client recognition on captured registry values, plists, dpkg status."""

from __future__ import annotations

import plistlib
from pathlib import Path

from checks.tencent.installed_clients import (
    app_from_plist,
    clients_from_tencent_registry,
    clients_from_uninstall,
    parse_dpkg_status,
    scan_app_bundles,
)
from checks.tencent.products import product_of_name, running_clients

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "client"
TENCENT = "腾讯科技(深圳)有限公司"

# ...\Uninstall\<key> values as winreg returns them (str), from Chinese Windows 10.
UNINSTALL = [
    {"key": r"HKLM32\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\WXWork",
     "DisplayName": "企业微信", "DisplayVersion": "4.1.33.6011", "Publisher": TENCENT,
     "InstallLocation": r"C:\Program Files (x86)\WXWork"},
    {"key": r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\WXWork",
     "DisplayName": "企业微信", "DisplayVersion": "4.1.33.6011", "Publisher": TENCENT,
     "InstallLocation": r"C:\Program Files (x86)\WXWork"},
    {"key": r"HKCU\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\Weixin",
     "DisplayName": "微信", "DisplayVersion": "4.0.6.33", "Publisher": TENCENT},
    {"key": r"HKLM32\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\微信开发者工具",
     "DisplayName": "微信开发者工具", "DisplayVersion": "1.06.2409140", "Publisher": "Tencent"},
    {"key": r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\WeType",
     "DisplayName": "微信输入法", "DisplayVersion": "1.2.0", "Publisher": TENCENT},
    {"key": r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\WeChatBackup",
     "DisplayName": "WeChat Backup Helper", "DisplayVersion": "2.0", "Publisher": "Some Tools Ltd"},
    {"key": r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\{GUID}",
     "DisplayName": "Microsoft Edge", "DisplayVersion": "120.0", "Publisher": "Microsoft"},
    {"key": r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\Empty"},
]


def test_uninstall_entries_give_the_clients_once() -> None:
    found = clients_from_uninstall(UNINSTALL)
    assert [(c["product"], c["name"], c["version"]) for c in found] == [
        ("wecom", "企业微信", "4.1.33.6011"),
        ("wechat", "微信", "4.0.6.33"),
    ]
    assert found[0]["location"] == r"C:\Program Files (x86)\WXWork"


def test_uninstall_entry_english_windows() -> None:
    found = clients_from_uninstall(
        [{"key": "HKLM32\\...\\WeChat", "DisplayName": "WeChat", "DisplayVersion": "3.9.12.51",
          "Publisher": "Tencent Technology (Shenzhen) Company Limited"}]
    )
    assert found[0]["product"] == "wechat" and found[0]["version"] == "3.9.12.51"


def test_product_names() -> None:
    assert product_of_name("企业微信") == "wecom"
    assert product_of_name("微信") == "wechat"
    assert product_of_name("WXWork") == "wecom"
    assert product_of_name("微信开发者工具") is None
    assert product_of_name("QQ") is None


def test_xml_plist() -> None:
    record = app_from_plist((FIXTURES / "WeChat.Info.plist").read_bytes(), "/Applications/WeChat.app")
    assert record is not None
    assert (record["product"], record["version"], record["build"]) == ("wechat", "4.0.5", "29285")
    assert record["name"] == "微信"


def test_binary_plist_with_chinese_name() -> None:
    info = plistlib.loads((FIXTURES / "WeWork.Info.plist").read_bytes())
    data = plistlib.dumps(info, fmt=plistlib.FMT_BINARY)
    assert data.startswith(b"bplist00")
    record = app_from_plist(data)
    assert record is not None
    assert (record["product"], record["name"], record["version"]) == ("wecom", "企业微信", "3.1.6")


def test_bad_plists() -> None:
    assert app_from_plist(b"\x00garbage\xff") is None
    assert app_from_plist(plistlib.dumps(["not", "a", "dict"])) is None
    assert app_from_plist(plistlib.dumps({"CFBundleIdentifier": "com.apple.Safari"})) is None


def test_scan_app_bundles_in_a_fake_applications_folder(tmp_path: Path) -> None:
    for bundle, fixture in (("企业微信.app", "WeWork.Info.plist"), ("WeChat.app", "WeChat.Info.plist")):
        contents = tmp_path / bundle / "Contents"
        contents.mkdir(parents=True)
        (contents / "Info.plist").write_bytes((FIXTURES / fixture).read_bytes())
    (tmp_path / "微信.app").mkdir()  # a bundle without a plist is ignored
    found = scan_app_bundles([tmp_path, tmp_path / "missing"])
    assert sorted((c["product"], c["version"]) for c in found) == [("wechat", "4.0.5"), ("wecom", "3.1.6")]


def test_dpkg_status() -> None:
    found = parse_dpkg_status((FIXTURES / "dpkg-status.txt").read_text(encoding="utf-8"))
    # The WeCom package is removed (config files only): not installed.
    assert [(c["product"], c["name"], c["version"]) for c in found] == [("wechat", "wechat", "4.0.1.11")]


def test_running_clients() -> None:
    procs = [
        {"pid": 1, "name": "systemd", "exe_name": "systemd"},
        {"pid": 10, "name": "WXWork.exe", "exe_name": None},
        {"pid": 11, "name": "企业微信", "exe_name": "企业微信"},
        {"pid": 12, "name": "weixin.exe", "exe_name": "Weixin.exe"},
        {"pid": 13, "name": "WeChatAppEx.exe", "exe_name": "WeChatAppEx.exe"},
    ]
    found = running_clients(procs)
    assert [p["pid"] for p in found["wecom"]] == [10, 11]
    assert [p["pid"] for p in found["wechat"]] == [12]


def test_clients_from_the_tencent_keys() -> None:
    """HKCU\\Software\\Tencent\\WXWork and ...\\WeChat values (names from the tools in
    SOURCES.md section 11) stand in for a missing programs entry."""
    found = clients_from_tencent_registry({
        "WXWork\\Executable": r"D:\Apps\WXWork\WXWork.exe", "WXWork\\Version": "4.1.33.6011",
        "WeChat\\InstallPath": r"D:\Program Files\Tencent\WeChat"})
    assert found == [
        {"product": "wecom", "name": "WXWork", "version": "4.1.33.6011",
         "source": "tencent_registry", "location": r"D:\Apps\WXWork"},
        {"product": "wechat", "name": "WeChat", "version": None, "source": "tencent_registry",
         "location": r"D:\Program Files\Tencent\WeChat"}]
    assert clients_from_tencent_registry({"WXWork\\Version": "1"}) == []


def test_wechat_4_is_found_under_its_own_weixin_key() -> None:
    """WeChat 4.x moved from ...\\Tencent\\WeChat to ...\\Tencent\\Weixin (SOURCES.md,
    section 11); both may be there when 3.9 and 4.x are installed side by side. The folder
    is where the ZGGSONG/WeChatOcr#6 reporter found Weixin."""
    found = clients_from_tencent_registry({
        "Weixin\\InstallPath": r"C:\Program Files (x86)\Tencent\Weixin",
        "Weixin\\Version": "4.1.2.18", "WeChat\\InstallPath": r"D:\Program Files\Tencent\WeChat"})
    assert [(c["name"], c["product"], c["version"], c["location"]) for c in found] == [
        ("Weixin", "wechat", "4.1.2.18", r"C:\Program Files (x86)\Tencent\Weixin"),
        ("WeChat", "wechat", None, r"D:\Program Files\Tencent\WeChat")]
