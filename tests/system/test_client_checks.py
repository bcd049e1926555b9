"""client_data, disk and client_version run for real on folders, mounts and processes.

Data folders are built in temporary directories and handed to the real CLI via
`[client] data_dirs`. Read-only bind mounts and small tmpfs volumes live in a
private mount namespace (`unshare -m`) that vanishes with the command, since
permission bits do not stop root.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from checks.catalog.client_data import assess_client_data
from checks.engine.results import Status
from checks.probes.folder_scan import denied_by
from tests.refusal import refused_reads

ROOT = Path(__file__).resolve().parents[2]
CHECK = [sys.executable, "-m", "app", "check", "--json", "--lang", "en"]


def _can_unshare() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, timeout=10)
    return probe.returncode == 0


needs_mount_ns = pytest.mark.skipif(
    not _can_unshare(), reason="needs root and unshare -m (private mount namespace)"
)


def run_check(config: Path, only: str, prelude: str | None = None) -> dict[str, Any]:
    """The JSON report of `python -m app check`, optionally after shell mount commands
    run in a private mount namespace."""
    args = [*CHECK, "--only", only, "--config", str(config)]
    if prelude is None:
        cmd = args
    else:
        quoted = " ".join(_sh_quote(a) for a in args)
        cmd = ["unshare", "-m", "sh", "-ec", f"{prelude}\nexec {quoted}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.stdout, proc.stderr
    report = json.loads(proc.stdout)
    report["_exit"] = proc.returncode
    return report


def _sh_quote(s: str) -> str:
    return "'" + s.replace("'", "'\"'\"'") + "'"


def result(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["id"] == check_id)


def write_config(path: Path, data_dirs: list[str]) -> Path:
    path.write_text("[client]\ndata_dirs = " + json.dumps(data_dirs, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def make_db(path: Path, rows: int = 3000) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE msg (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("CREATE INDEX msg_body ON msg(body)")
    conn.executemany("INSERT INTO msg (body) VALUES (?)", [(f"消息 {i} " * 20,) for i in range(rows)])
    conn.commit()
    conn.close()


def make_corrupt_db(path: Path) -> None:
    """A valid header and first page, then garbage pages."""
    make_db(path)
    data = bytearray(path.read_bytes())
    assert data[:16] == b"SQLite format 3\x00"
    for i in range(4096 * 2, len(data)):
        data[i] = (i * 131) & 0xFF
    path.write_bytes(bytes(data))


def make_encrypted_db(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(64 * 1024))


def tree_state(root: Path) -> dict[str, tuple[Any, ...]]:
    """Every name under root with its type, size, mtime and content hash."""
    state: dict[str, tuple[Any, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None
            state[str(p.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns, digest)
    st = root.lstat()
    state["."] = (st.st_mode, st.st_size, st.st_mtime_ns, None)
    return state


@pytest.fixture
def wechat_files(tmp_path: Path) -> Path:
    """A WeChat "WeChat Files" folder with a healthy, an encrypted and a cache database."""
    root = tmp_path / "用户" / "WeChat Files"
    make_db(root / "wxid_abc" / "FileStorage" / "Cache" / "index.db")
    make_encrypted_db(root / "wxid_abc" / "Msg" / "MicroMsg.db")
    (root / "wxid_abc" / "FileStorage" / "File" / "2024-05").mkdir(parents=True)
    (root / "wxid_abc" / "FileStorage" / "File" / "2024-05" / "合同.pdf").write_bytes(b"%PDF-1.4\n")
    return root


def test_healthy_folder_ok_and_untouched(tmp_path: Path, wechat_files: Path) -> None:
    before = tree_state(wechat_files)
    cfg = write_config(tmp_path / "c.toml", [str(wechat_files), "wecom:" + str(tmp_path / "nope")])
    report = run_check(cfg, "client_data")
    res = result(report, "client_data")
    assert res["status"] == "ok", res
    folders = res["evidence"]["folders"]
    assert folders[0]["product"] == "wechat" and folders[0]["files"] == 3
    states = {db["path"]: db["state"] for db in folders[0]["databases"]}
    assert states == {
        "wxid_abc/FileStorage/Cache/index.db": "ok",
        "wxid_abc/Msg/MicroMsg.db": "encrypted",  # never reported as corrupt
    }
    assert folders[1] == {**folders[1], "exists": False, "product": "wecom"}
    assert tree_state(wechat_files) == before  # nothing written, no -wal/-shm/-journal


def test_corrupt_cache_database_offers_the_cache_fix(tmp_path: Path, wechat_files: Path) -> None:
    make_corrupt_db(wechat_files / "wxid_abc" / "FileStorage" / "Cache" / "broken.db")
    before = tree_state(wechat_files)
    report = run_check(write_config(tmp_path / "c.toml", [str(wechat_files)]), "client_data")
    res = result(report, "client_data")
    assert res["status"] == "fail"
    assert res["cause"] == "cache_corrupt"
    assert res["fixes"] == ["clear_client_cache"]
    assert "broken.db" in res["summary"]
    assert report["_exit"] == 2
    assert tree_state(wechat_files) == before


def test_corrupt_message_database_gives_advice_only(tmp_path: Path, wechat_files: Path) -> None:
    make_corrupt_db(wechat_files / "wxid_abc" / "Msg" / "Multi" / "MSG0.db")
    before = tree_state(wechat_files)
    report = run_check(write_config(tmp_path / "c.toml", [str(wechat_files)]), "client_data")
    res = result(report, "client_data")
    assert (res["status"], res["cause"], res["fixes"]) == ("fail", "cache_corrupt", [])
    assert "Do not delete" in res["advice"]
    assert tree_state(wechat_files) == before


def test_missing_folders_are_skipped(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.toml", ["wecom:" + str(tmp_path / "a"), "wechat:" + str(tmp_path / "b")])
    res = result(run_check(cfg, "client_data"), "client_data")
    assert res["status"] == "skipped"
    assert not (tmp_path / "a").exists()


def test_scan_limits_are_honoured(tmp_path: Path) -> None:
    root = tmp_path / "WXWork"
    for i in range(30):
        make_db(root / f"acc{i:02d}" / "x.db", rows=1)
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f'[client]\ndata_dirs = ["{root}"]\nscan_max_files = 1000\nsqlite_max_files = 5\n',
        encoding="utf-8",
    )
    res = result(run_check(cfg, "client_data"), "client_data")
    assert res["status"] == "ok"
    assert len(res["evidence"]["folders"][0]["databases"]) == 5
    assert res["evidence"]["databases_not_checked"] == 25
    assert "not examined" in res["summary"]


def test_unreadable_garbage_is_not_a_crash(tmp_path: Path) -> None:
    root = tmp_path / "WXWork"
    (root / "a").mkdir(parents=True)
    (root / "a" / "empty.db").write_bytes(b"")
    (root / "a" / "short.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 10)
    os.symlink("/nonexistent/target.db", root / "a" / "dangling.db")
    os.mkfifo(root / "a" / "pipe.db")  # opening a FIFO would block: never opened
    res = result(run_check(write_config(tmp_path / "c.toml", [str(root)]), "client_data"), "client_data")
    states = {db["path"]: db["state"] for db in res["evidence"]["folders"][0]["databases"]}
    assert states["a/empty.db"] == "empty"
    assert states["a/short.db"] == "corrupt"
    assert "a/pipe.db" not in states and "a/dangling.db" not in states


@needs_mount_ns
def test_read_only_folder_is_a_permission_problem(tmp_path: Path, wechat_files: Path) -> None:
    before = tree_state(wechat_files)
    data = wechat_files / "wxid_abc" / "Msg"
    prelude = (
        f"mount --bind {_sh_quote(str(data))} {_sh_quote(str(data))}\n"
        f"mount -o remount,bind,ro {_sh_quote(str(data))}"
    )
    report = run_check(write_config(tmp_path / "c.toml", [str(wechat_files)]), "client_data", prelude)
    res = result(report, "client_data")
    assert (res["status"], res["cause"]) == ("fail", "cache_permission"), res
    assert "wxid_abc/Msg" in res["summary"]
    assert {p["code"] for p in res["problems"]} == {"folder_unwritable"}
    assert tree_state(wechat_files) == before


@needs_mount_ns
def test_read_only_data_root(tmp_path: Path, wechat_files: Path) -> None:
    q = _sh_quote(str(wechat_files))
    prelude = f"mount --bind {q} {q}\nmount -o remount,bind,ro {q}"
    res = result(
        run_check(write_config(tmp_path / "c.toml", [str(wechat_files)]), "client_data", prelude),
        "client_data",
    )
    assert res["cause"] == "cache_permission"
    assert res["evidence"]["folders"][0]["writable"] is False


@needs_mount_ns
@pytest.mark.parametrize(("size", "status"), [("900m", "fail"), ("3g", "warn"), ("10g", "ok")])
def test_disk_space_on_a_small_volume(tmp_path: Path, size: str, status: str) -> None:
    mnt = tmp_path / "vol"
    mnt.mkdir()
    data = mnt / "WXWork"
    q = _sh_quote(str(mnt))
    # tmpfs size is a limit, not memory taken: its free space is what df reports.
    prelude = f"mount -t tmpfs -o size={size} wxdoctor-test {q}\nmkdir {_sh_quote(str(data))}"
    report = run_check(write_config(tmp_path / "c.toml", [str(data)]), "disk", prelude)
    res = result(report, "disk")
    assert res["status"] == status, res
    vol = res["evidence"]["volumes"][0]
    assert vol["folders"] == [str(data)]
    if status == "fail":
        assert res["cause"] == "disk_full"
    assert not data.exists()  # the mount vanished with its namespace


def test_disk_without_data_folders_uses_home(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.toml", ["wecom:" + str(tmp_path / "none")])
    res = result(run_check(cfg, "disk"), "disk")
    assert res["evidence"]["volumes"][0]["folders"] == [str(Path.home())]
    assert res["status"] in ("ok", "warn", "fail")


@pytest.fixture
def fake_wecom_process(tmp_path: Path):
    """A process whose name the OS reports as WXWork.exe (a renamed copy of sleep)."""
    exe = tmp_path / "WXWork.exe"
    shutil.copy(shutil.which("sleep") or "/bin/sleep", exe)
    proc = subprocess.Popen([str(exe), "60"])
    try:
        for _ in range(100):
            if psutil.Process(proc.pid).name() == "WXWork.exe":
                break
            time.sleep(0.02)
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_running_client_is_reported(tmp_path: Path, fake_wecom_process: subprocess.Popen[bytes]) -> None:
    cfg = write_config(tmp_path / "c.toml", ["wecom:" + str(tmp_path / "none")])
    res = result(run_check(cfg, "client_version"), "client_version")
    running = res["evidence"]["running"]["wecom"]
    assert {"pid": fake_wecom_process.pid, "name": "WXWork.exe"} in running
    assert "WeCom" in res["summary"] and "running" in res["summary"]
    assert res["status"] == "ok"


# ---- data moved to another drive ---------------------------------------------------------


def _run_as(home: Path, *args: str) -> dict[str, Any]:
    """The real CLI for a user whose home is `home` (no [client] data_dirs configured)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "WXDOCTOR_"))}
    env.update(HOME=str(home), WXDOCTOR_DATA_DIR=str(home / "wxdoctor-data"))
    proc = subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.stdout, proc.stderr
    return json.loads(proc.stdout)


def test_wechat_data_moved_elsewhere_is_found_and_its_cache_offered(tmp_path: Path) -> None:
    """WeChat for Linux 4.x records a moved data folder in ~/.xwechat/config/<id>.ini; the
    checks and the cache fix find the data there, not only in ~/Documents."""
    home, moved = tmp_path / "home", tmp_path / "D盘" / "微信数据"
    account = moved / "xwechat_files" / "wxid_abc"
    make_encrypted_db(account / "db_storage" / "message" / "message_0.db")
    make_db(account / "cache" / "2024-05" / "thumb.db", rows=10)
    config = home / ".xwechat" / "config"
    config.mkdir(parents=True)
    (config / "51a1fffea11325a1e4104c6b3de47af7.ini").write_text(str(moved), encoding="utf-8")
    before = tree_state(moved)
    cfg = tmp_path / "empty.toml"
    cfg.write_text("", encoding="utf-8")

    report = _run_as(home, "check", "--json", "--lang", "en", "--no-history", "--config", str(cfg),
                     "--only", "client_data,client_version")
    data = result(report, "client_data")
    assert data["status"] == "ok", data
    (found,) = [f for f in data["evidence"]["folders"] if f["exists"] and f["kind"] == "moved"]
    assert found["path"] == str(moved / "xwechat_files")
    assert found["source"] == str(config / "51a1fffea11325a1e4104c6b3de47af7.ini")
    assert {db["path"]: db["state"] for db in found["databases"]} == {
        "wxid_abc/cache/2024-05/thumb.db": "ok", "wxid_abc/db_storage/message/message_0.db": "encrypted"}
    version = result(report, "client_version")
    assert version["evidence"]["data_folders"]["wechat"] == [
        str(home / ".xwechat"), str(moved / "xwechat_files")]
    assert "data folder" in version["summary"] and "not installed" not in version["summary"]

    plan = _run_as(home, "fix", "clear_client_cache", "--dry-run", "--json", "--config", str(cfg))
    sources = [a["data"]["source"] for a in plan["plan"]["actions"]]
    assert sources == [str(account / "cache")], plan
    assert tree_state(moved) == before  # checks and previews never write


# ---- reads refused by a protection, not by permissions (macOS privacy) --------------------


def test_container_refused_by_a_protection_is_grey_not_red(tmp_path: Path) -> None:
    """A container whose listing is refused with EPERM while stat() and access() say yes, as
    macOS does until the person allows it: "could not check", never "cannot read or write"."""
    container = tmp_path / "Library" / "Containers" / "com.tencent.xinWeChat"
    make_encrypted_db(container / "Data" / "Documents" / "xwechat_files" / "wxid" / "m.db")
    before = tree_state(container)
    cfg = write_config(tmp_path / "c.toml", ["wechat:" + str(container)])
    with refused_reads(container):
        report = run_check(cfg, "client_data")
    res = result(report, "client_data")
    (folder,) = res["evidence"]["folders"]
    assert (folder["readable"], folder["writable"]) == (False, True)  # access() said yes
    assert (folder["errno"], folder["denied_by"]) == ("EPERM", "policy")  # Linux: a policy
    assert (res["status"], res["cause"]) == ("error", None), res
    assert [p["code"] for p in res["problems"]] == ["folder_access_refused"]
    assert "security protection refused" in res["summary"] and "Properties" not in res["advice"]
    assert report["_exit"] == 0
    # The same refusal on a Mac is its privacy protection, with the Mac's own advice.
    mac = {**res["evidence"], "os": "macos",
           "folders": [{**folder, "denied_by": denied_by(errno.EPERM, "macos")}]}
    verdict = assess_client_data(mac)
    assert verdict.status is Status.ERROR and verdict.cause is None
    advice = verdict.advice.render("en")
    assert "Privacy & Security > Files and Folders" in advice and "Full Disk Access" in advice
    assert "right-click" not in advice and "隐私与安全性" in verdict.advice.render("zh")
    assert tree_state(container) == before


def test_refused_subfolder_inside_a_readable_folder(tmp_path: Path, wechat_files: Path) -> None:
    guarded = wechat_files / "wxid_abc" / "Msg"
    cfg = write_config(tmp_path / "c.toml", [str(wechat_files)])
    with refused_reads(guarded):
        report = run_check(cfg, "client_data")
    res = result(report, "client_data")
    (folder,) = res["evidence"]["folders"]
    assert (folder["refused"], folder["refused_by"], folder["unreadable"]) == (
        ["wxid_abc/Msg"], "policy", [])
    assert res["status"] == "error" and res["cause"] is None, res
    assert "wxid_abc/Msg" in res["summary"]
