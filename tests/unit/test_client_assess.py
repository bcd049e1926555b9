"""Verdicts of the client and computer checks on recorded evidence."""

from __future__ import annotations

from typing import Any

from checks.catalog.client_data import assess_client_data
from checks.catalog.client_version import assess_client_version
from checks.catalog.disk import GB, assess_disk
from checks.catalog.security_software import assess_security_software, detect
from checks.engine.config import DiskConfig
from checks.engine.results import Status


def folder(**kw: Any) -> dict[str, Any]:
    base = {
        "product": "wechat", "path": "C:\\Users\\张三\\Documents\\WeChat Files", "kind": "documents",
        "layout": "wechat_documents", "exists": True, "is_dir": True, "readable": True,
        "writable": True, "files": 10, "bytes": 5 * 1024 * 1024, "truncated": False,
        "unreadable": [], "unwritable": [], "databases": [],
    }
    return base | kw


def test_client_data_all_missing_is_skipped() -> None:
    v = assess_client_data({"folders": [{"product": "wecom", "path": "x", "exists": False}]})
    assert v.status is Status.SKIPPED


def test_client_data_healthy_mentions_encrypted_as_normal() -> None:
    dbs = [{"path": "a/Msg/MicroMsg.db", "class": "protected", "state": "encrypted", "size": 9}]
    v = assess_client_data({"folders": [folder(databases=dbs)], "databases_not_checked": 0})
    assert v.status is Status.OK
    assert "1 encrypted" in v.summary.render("en")
    assert "加密" in v.summary.render("zh")


def test_client_data_unwritable_subfolder() -> None:
    v = assess_client_data({"folders": [folder(unwritable=["wxid/Msg"])]})
    assert (v.status, v.cause) == (Status.FAIL, "cache_permission")
    assert "wxid" in v.summary.render("en")


def test_client_data_unreadable_root() -> None:
    v = assess_client_data({"folders": [folder(readable=False)]})
    assert v.cause == "cache_permission"
    assert [p.code for p in v.problems] == ["folder_unreadable"]


def test_permission_problem_wins_over_corruption() -> None:
    dbs = [{"path": "c.db", "class": "cache", "state": "corrupt"}]
    v = assess_client_data({"folders": [folder(writable=False, databases=dbs)]})
    assert v.cause == "cache_permission"


def test_corrupt_cache_vs_corrupt_data() -> None:
    cache = [{"path": "w/FileStorage/Cache/c.db", "class": "cache", "state": "corrupt"}]
    v = assess_client_data({"folders": [folder(databases=cache)]})
    assert (v.cause, v.fixes) == ("cache_corrupt", ("clear_client_cache",))
    data = [{"path": "w/Msg/MSG0.db", "class": "protected", "state": "corrupt"}]
    v = assess_client_data({"folders": [folder(databases=data)]})
    assert (v.cause, v.fixes) == ("cache_corrupt", ())
    unknown = [{"path": "w/x.db", "class": "unknown", "state": "corrupt"}]
    assert assess_client_data({"folders": [folder(databases=unknown)]}).fixes == ()


def test_disk_thresholds() -> None:
    def ev(free_gb: float) -> dict[str, Any]:
        return {"volumes": [{"folders": ["/d"], "total": 100 * GB, "free": int(free_gb * GB)},
                            {"folders": ["/e"], "total": 100 * GB, "free": 50 * GB}]}

    assert assess_disk(ev(0.5), DiskConfig(fail_below_gb=1.0, warn_below_gb=5.0)).cause == "disk_full"
    assert assess_disk(ev(0.5), DiskConfig(fail_below_gb=1.0, warn_below_gb=5.0)).status is Status.FAIL
    assert assess_disk(ev(3), DiskConfig(fail_below_gb=1.0, warn_below_gb=5.0)).status is Status.WARN
    assert assess_disk(ev(6), DiskConfig(fail_below_gb=1.0, warn_below_gb=5.0)).status is Status.OK
    assert assess_disk(ev(3), DiskConfig(fail_below_gb=0.1, warn_below_gb=2.0)).status is Status.OK  # thresholds from config
    assert assess_disk({"volumes": [{"folders": ["/x"], "error": "disk_errno_13"}]}, DiskConfig(fail_below_gb=1, warn_below_gb=5)).status is Status.ERROR


def versions_evidence(installed: list[dict[str, Any]], os_name: str = "windows", **running: Any) -> dict[str, Any]:
    return {
        "os": os_name,
        "installed": installed,
        "running": {"wecom": [], "wechat": []} | running,
        "min_versions": {"wecom": "3.1.12", "wechat": ""},
    }


def test_client_outdated() -> None:
    ev = versions_evidence([{"product": "wecom", "version": "3.1.9.1000"},
                            {"product": "wechat", "version": "3.9.12.51"}])
    v = assess_client_version(ev)
    assert (v.status, v.cause) == (Status.FAIL, "client_outdated")
    assert "3.1.9.1000" in v.summary.render("en") and "3.1.12" in v.summary.render("zh")


def test_client_current_and_running() -> None:
    ev = versions_evidence([{"product": "wecom", "version": "4.1.33.6011"}],
                           wechat=[{"pid": 5, "name": "Weixin.exe"}])
    v = assess_client_version(ev)
    assert v.status is Status.OK
    text = v.summary.render("en")
    assert "WeCom 4.1.33.6011 (not running)" in text
    assert "WeChat (running; no installation record)" in text
    assert "企业微信 4.1.33.6011（未运行）" in v.summary.render("zh")


def test_no_client() -> None:
    assert assess_client_version(versions_evidence([])).status is Status.INFO
    assert assess_client_version(versions_evidence([], os_name="linux")).status is Status.SKIPPED


def test_security_software_is_info_only() -> None:
    procs = [{"name": "360Tray.exe"}, {"name": "ZhuDongFangYu.exe"}, {"name": "hipstray.exe"}, {"name": "x"}]
    found = detect(procs)
    assert [f["product"] for f in found] == ["360 Total Security", "Huorong Security"]
    v = assess_security_software({"found": found})
    assert v.status is Status.INFO and v.cause is None
    assert "360安全卫士、火绒安全" in v.summary.render("zh")
    assert assess_security_software({"found": []}).status is Status.OK


def test_data_folder_without_installation_record() -> None:
    """Data on another drive shows the client is used even where the programs list is silent."""
    ev = versions_evidence([]) | {"data_folders": {"wecom": [], "wechat": [r"D:\微信\xwechat_files"]}}
    v = assess_client_version(ev)
    assert v.status is Status.OK
    assert v.summary.render("en") == (
        r"WeChat: data folder D:\微信\xwechat_files (not running; no installation record).")
    assert "数据文件夹" in v.summary.render("zh")


def test_refusals_by_privacy_are_grey_and_say_so_in_mac_terms() -> None:
    container = "/Users/li/Library/Containers/com.tencent.WeWorkMac"
    refused = folder(path=container, product="wecom", kind="container", layout="mac_container",
                     readable=False, errno="EPERM", denied_by="privacy")
    v = assess_client_data({"os": "macos", "folders": [refused]})
    assert (v.status, v.cause) == (Status.ERROR, None)
    assert container in v.summary.render("en") and "macOS" in v.summary.render("zh")
    assert "Privacy & Security" in v.advice.render("en")
    # A real permission problem elsewhere is still red, and names only that folder.
    denied = folder(path=r"/Users/li/WeChat Files", writable=False)
    v = assess_client_data({"os": "macos", "folders": [refused, denied]})
    assert (v.status, v.cause) == (Status.FAIL, "cache_permission")
    assert container not in v.summary.render("en")


def test_where_a_refusal_comes_from() -> None:
    import errno

    from checks.probes.folder_scan import denied_by

    assert denied_by(errno.EPERM, "macos") == "privacy"
    assert denied_by(errno.EPERM, "linux") == "policy"
    assert denied_by(errno.EACCES, "macos") == "permissions"
    assert denied_by(errno.EROFS, "windows") == "permissions"
