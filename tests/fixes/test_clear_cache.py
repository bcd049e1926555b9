from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from checks.config import load_config_text
from checks.fixes import FixEnv, FixError, Journal, get_fix
from checks.fixes.executor import apply_plan, undo_entry
from checks.fixes.quarantine import Quarantine, inventory

from .conftest import snapshot

ACCOUNT = "1688850000000001"
PROTECTED = [
    f"{ACCOUNT}/Data/message.db",
    f"{ACCOUNT}/Msg/msg_0.db",
    "tmp/Image/收到的图片.jpg",  # an image inside a cache-looking folder stays put...
    "tmp/next-to-the-image.tmp",  # ...and so does that whole folder
]
CACHE = [
    "Temp/临时 文件.tmp",
    "Temp/nested/deeper/blob.bin",
    f"{ACCOUNT}/Cache/GPUCache/data_0",
    f"{ACCOUNT}/WebCache/index",
]


def build_tree(root):
    for rel in PROTECTED + CACHE:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rel.encode("utf-8") * 50)
    readonly = root / "Temp" / "只读.dat"
    readonly.write_bytes(b"\x00\xff" * 1000)
    readonly.chmod(0o444)
    ro_dir = root / "Temp" / "nested" / "ro"
    ro_dir.mkdir()
    (ro_dir / "f").write_bytes(b"x")
    ro_dir.chmod(0o555)
    (root / "Temp" / "nested" / "exec.sh").write_bytes(b"#!/bin/sh\n")
    (root / "Temp" / "nested" / "exec.sh").chmod(0o750)


@pytest.fixture
def wxwork(tmp_path):
    root = tmp_path / "AppData" / "Tencent" / "WXWork"
    build_tree(root)
    yield root
    for dirpath, dirnames, _ in os.walk(tmp_path):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)


def env_for(root, **kw) -> FixEnv:
    cfg = load_config_text(f'[client]\ndata_dirs = ["wecom:{root}"]\n')
    return FixEnv(config=cfg, client_process_names=kw.pop("names", ("WXWork-test-none",)), **kw)


def test_cache_moves_to_quarantine_and_undo_restores_everything(wxwork, data_dir):
    before = snapshot(wxwork)
    fix = get_fix("clear_client_cache")
    plan = fix.plan(env_for(wxwork))
    assert plan.blocked is None, plan.blocked
    moved = {a.data["source"] for a in plan.actions}
    for rel in PROTECTED:
        assert not any(str(wxwork / rel).startswith(m) for m in moved), rel

    journal = Journal()
    apply_plan(fix, plan, journal)
    for rel in PROTECTED:
        assert (wxwork / rel).is_file(), f"{rel} must never move"
    for rel in CACHE:
        assert not (wxwork / rel).exists(), f"{rel} should be in quarantine"
    assert not (wxwork / "Temp" / "只读.dat").exists()
    qdir = plan.actions[0].data["quarantine"]
    assert qdir.startswith(str(data_dir / "quarantine"))
    manifest = Quarantine(qdir).manifest()
    assert all(item["state"] == "quarantined" for item in manifest["items"])

    entry = journal.last
    assert entry is not None
    undo_entry(fix, Journal().load(entry.id))
    assert snapshot(wxwork) == before


def test_running_client_blocks(wxwork, tmp_path, data_dir):
    fake = tmp_path / "WXWork.exe"
    shutil.copy("/bin/sleep", fake)
    proc = subprocess.Popen([str(fake), "60"])
    try:
        fix = get_fix("clear_client_cache")
        plan = fix.plan(env_for(wxwork, names=None))
        assert plan.blocked is not None
        assert f"WXWork.exe pid {proc.pid}" in plan.blocked.render("en")
        assert "企业微信" in plan.blocked.render("zh")
        with pytest.raises(FixError):
            apply_plan(fix, plan, Journal())
    finally:
        proc.kill()
        proc.wait()


def test_failure_in_second_move_rolls_back_the_first(wxwork, data_dir):
    before = snapshot(wxwork)
    fix = get_fix("clear_client_cache")
    plan = fix.plan(env_for(wxwork))
    assert len(plan.actions) >= 2
    # Make the second destination unusable: something already sits there.
    blocker = plan.actions[1].paths[1]
    os.makedirs(os.path.dirname(blocker), exist_ok=True)
    with open(blocker, "w") as fh:
        fh.write("in the way")
    journal = Journal()
    with pytest.raises(FixError) as info:
        apply_plan(fix, plan, journal)
    assert "put back" in info.value.text.render("en")
    assert snapshot(wxwork) == before
    entry = Journal().load(journal.last.id)  # type: ignore[union-attr]
    assert entry.state == "rolled_back"
    assert [s.state for s in entry.steps[:2]] == ["rolled_back", "rolled_back"]
    assert entry.steps[1].error and entry.steps[0].error is None
    assert all(s.state == "pending" for s in entry.steps[2:])


def test_copy_across_volumes_verifies_and_restores(tmp_path):
    src = tmp_path / "vol1" / "Cache"
    build_tree(src)
    before = snapshot(src)
    inv = inventory(src)
    q = Quarantine(tmp_path / "vol2" / "q1")
    q.move_in(src, "000", force_copy=True)
    assert not src.exists()
    assert snapshot(tmp_path / "vol2" / "q1" / "items" / "000") == before
    q.restore("000", force_copy=True)
    assert snapshot(src) == before and inventory(src)["bytes"] == inv["bytes"]
    for dirpath, dirnames, _ in os.walk(tmp_path):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)


def test_restore_keeps_a_recreated_cache(tmp_path):
    src = tmp_path / "GPUCache"
    src.mkdir()
    (src / "old").write_bytes(b"old")
    q = Quarantine(tmp_path / "q")
    q.move_in(src, "000")
    src.mkdir()
    (src / "new").write_bytes(b"new")  # the client made a fresh cache meanwhile
    q.restore("000")
    assert (src / "old").read_bytes() == b"old" and not (src / "new").exists()
    aside = [i for i in q.manifest()["items"] if i["key"].startswith("000-recreated")]
    assert aside and (q.folder / aside[0]["stored"] / "new").read_bytes() == b"new"


def test_no_cache_is_blocked(tmp_path, data_dir):
    root = tmp_path / "WXWork"
    (root / ACCOUNT / "Data").mkdir(parents=True)
    plan = get_fix("clear_client_cache").plan(env_for(root))
    assert plan.blocked is not None and not plan.actions


def test_quarantine_cli_list_and_empty(wxwork, data_dir):
    fix = get_fix("clear_client_cache")
    apply_plan(fix, fix.plan(env_for(wxwork)), Journal())
    env = {**os.environ, "WXDOCTOR_DATA_DIR": str(data_dir)}
    listing = subprocess.run([sys.executable, "-m", "app", "quarantine", "list"], env=env,
                             capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert listing.returncode == 0 and "Temp" in listing.stdout
    refused = subprocess.run([sys.executable, "-m", "app", "quarantine", "empty"], env=env,
                             capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert refused.returncode == 64 and any((data_dir / "quarantine").iterdir())
    done = subprocess.run([sys.executable, "-m", "app", "quarantine", "empty", "--yes"], env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert not any((data_dir / "quarantine").iterdir())
