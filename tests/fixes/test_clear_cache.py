from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from checks.engine.config import load_config_text
from checks.fixes import FixEnv, FixError, Journal, get_fix
from checks.fixes.executor import apply_plan, undo_entry
from checks.fixes.quarantine import Quarantine, inventory

from .conftest import ROOT, snapshot

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


# ---- what is not a regular file or folder, what may not be read or moved --------------------

def _make_socket(path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    return sock


def test_fifos_sockets_and_devices_stay_where_they_are(wxwork, data_dir, tmp_path):
    """A FIFO would make hashing wait forever, a socket cannot be opened at all: the
    plan is made at once, moves what is regular around them, and says what it left."""
    temp = wxwork / "Temp"
    os.mkfifo(temp / "nested" / "pipe")
    sock = _make_socket(tmp_path / "s")  # AF_UNIX paths are short: bind near, then move in
    os.rename(tmp_path / "s", temp / "ipc.sock")
    specials = [temp / "nested" / "pipe", temp / "ipc.sock"]
    if os.geteuid() == 0:
        os.mknod(temp / "null", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        specials.append(temp / "null")
    try:
        before = snapshot_with_specials(wxwork)
        fix = get_fix("clear_client_cache")
        result = run_in_child("plan", wxwork, data_dir)
        assert result.returncode == 0, result.stderr
        plan = fix.plan(env_for(wxwork))
        assert plan.blocked is None
        moved = [a.data["source"] for a in plan.actions]
        assert str(temp) not in moved  # the folder holding them is split up...
        assert str(temp / "临时 文件.tmp") in moved and str(temp / "nested" / "deeper") in moved
        not_moved = next(w for w in plan.warnings if "Not moved" in w.render("en")).render("en")
        assert "named pipe (FIFO)" in not_moved and "socket" in not_moved
        journal = Journal()
        apply_plan(fix, plan, journal)
        for special in specials:  # ...and they stay, untouched
            assert stat.S_ISFIFO(special.lstat().st_mode) or stat.S_ISSOCK(
                special.lstat().st_mode) or stat.S_ISCHR(special.lstat().st_mode)
        assert not (temp / "临时 文件.tmp").exists()
        undo_entry(fix, Journal().load(journal.last.id))  # type: ignore[union-attr]
        assert snapshot_with_specials(wxwork) == before
    finally:
        sock.close()


def test_a_special_file_named_as_a_cache_is_left_alone(tmp_path, data_dir):
    root = tmp_path / "WXWork"
    (root / ACCOUNT / "Data").mkdir(parents=True)
    os.mkfifo(root / "Temp")  # where a cache folder would be
    plan = get_fix("clear_client_cache").plan(env_for(root))
    assert not plan.actions and plan.blocked is not None
    assert any("FIFO" in w.render("en") for w in plan.warnings)


def snapshot_with_specials(root):
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            digest = ""
            if stat.S_ISREG(st.st_mode):
                with open(path, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
            found[os.path.relpath(path, root)] = (stat.S_IFMT(st.st_mode),
                                                  stat.S_IMODE(st.st_mode), digest)
    return found


def run_in_child(mode, root, data_dir, user=None, timeout=60):
    """Plan (or apply and undo) the cache fix in another process, optionally as another
    user; a hang shows as a timeout, a crash as a traceback."""
    code = (
        "import sys, json\n"
        "from checks.engine.config import load_config_text\n"
        "from checks.fixes import FixEnv, Journal, get_fix\n"
        "from checks.fixes.executor import apply_plan, undo_entry\n"
        "root = sys.argv[1].encode('utf-8', 'surrogateescape').decode('utf-8', 'surrogateescape')\n"
        "cfg = load_config_text('[client]\\ndata_dirs = [' + json.dumps('wecom:' + root) + ']\\n')\n"
        "fix = get_fix('clear_client_cache')\n"
        "plan = fix.plan(FixEnv(config=cfg, client_process_names=('none-running',)))\n"
        "print(json.dumps({'blocked': plan.blocked.render('en') if plan.blocked else None,\n"
        "                  'actions': len(plan.actions),\n"
        "                  'warnings': [w.render('en') for w in plan.warnings]}))\n"
        "if sys.argv[2] == 'apply':\n"
        "    journal = Journal()\n"
        "    entry = apply_plan(fix, plan, journal)\n"
        "    undo_entry(fix, Journal().load(entry.id))\n"
    )
    env = {**os.environ, "WXDOCTOR_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code, os.fsdecode(os.fsencode(root)), mode],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env,
                          user=user, stdin=subprocess.DEVNULL)


def as_user(uid: int, work):
    """Run `work()` in a forked child that has become `uid` (the interpreter cannot be
    started again as that user: it lives under /root), and return what it returned."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 1
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            with os.fdopen(write, "w") as out:
                json.dump(work(), out)
            status = 0
        except BaseException as exc:  # noqa: BLE001 - report anything to the parent
            try:
                os.write(write, json.dumps({"error": repr(exc)}).encode())
            except OSError:
                pass
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read) as inp:
        data = inp.read()
    os.waitpid(pid, 0)
    return json.loads(data)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a file another user cannot read")
def test_unreadable_files_as_a_normal_user_are_reported_per_item(data_dir):
    base = Path(tempfile.mkdtemp(prefix="wxd-cache-", dir="/tmp"))
    try:
        os.chmod(base, 0o755)
        root = base / "WXWork"
        build_tree(root)
        for dirpath, dirnames, filenames in os.walk(base):
            for name in dirnames + filenames:
                os.lchown(os.path.join(dirpath, name), 65534, 65534)
        os.chown(base, 65534, 65534)
        secret = root / "Temp" / "root-only.bin"
        secret.write_bytes(b"secret")
        secret.chmod(0o600)  # root's: nobody cannot read it
        mine = root / "1688850000000001" / "Cache"
        os.chown(mine, 0, 0)  # a cache folder nobody may not move (its ".." cannot change)
        before = snapshot_with_specials(root)

        def plan_apply_undo():
            os.environ["WXDOCTOR_DATA_DIR"] = str(base / "data")
            fix = get_fix("clear_client_cache")
            plan = fix.plan(env_for(root))
            result = {"blocked": plan.blocked.render("en") if plan.blocked else None,
                      "moved": [a.data["source"] for a in plan.actions],
                      "warnings": [w.render("en") for w in plan.warnings]}
            entry = apply_plan(fix, plan, Journal())
            undo_entry(fix, Journal().load(entry.id))
            return result

        report = as_user(65534, plan_apply_undo)
        assert "error" not in report, report
        assert report["blocked"] is None and str(root / "Temp") in report["moved"]
        assert any("root-only.bin" in w and "without a checksum" in w for w in report["warnings"])
        assert any(str(mine) in w and "no permission" in w for w in report["warnings"])
        assert str(mine) not in report["moved"]
        assert snapshot_with_specials(root) == before  # moved and moved back by nobody
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_file_names_that_are_not_utf8_move_and_come_back(tmp_path, data_dir):
    raw_root = os.fsencode(tmp_path) + b"/WXWork"
    os.makedirs(raw_root + b"/Temp/\xff\xfe-dir")
    for name in (b"/Temp/\xe4\xb8\xad\xff.tmp", b"/Temp/\xff\xfe-dir/\xc0\xaf", b"/Temp/ok.txt"):
        with open(raw_root + name, "wb") as fh:
            fh.write(name * 10)
    os.makedirs(raw_root + b"/1688850000000001/Data")
    root = Path(os.fsdecode(raw_root))
    before = snapshot(root)
    result = run_in_child("apply", root, data_dir)
    assert result.returncode == 0, result.stderr  # no UnicodeEncodeError, nothing rolled back
    assert snapshot(root) == before
    fix = get_fix("clear_client_cache")
    plan = fix.plan(env_for(root))
    journal = Journal()
    apply_plan(fix, plan, journal)
    assert not os.path.exists(raw_root + b"/Temp/\xe4\xb8\xad\xff.tmp")
    assert "\ufffd" in plan.actions[0].description.render("en") or plan.actions
    undo_entry(fix, Journal().load(journal.last.id))  # type: ignore[union-attr]
    assert snapshot(root) == before


def test_plain_undo_retries_an_undo_that_failed(wxwork, data_dir):
    """An undo refused while the client ran leaves the entry `failed`; a plain `undo`
    later must still put the cache back, not say there is nothing to undo."""
    from .test_interrupted import cli

    before = snapshot(wxwork)
    fix = get_fix("clear_client_cache")
    entry = apply_plan(fix, fix.plan(env_for(wxwork)), Journal())
    fake = wxwork.parent / "wxd-fake-client"
    shutil.copy("/bin/sleep", fake)
    client = subprocess.Popen([str(fake), "60"])
    try:
        with pytest.raises(FixError):
            undo_entry(fix, Journal().load(entry.id), env_for(wxwork, names=(fake.name,)))
    finally:
        client.kill()
        client.wait()
    assert Journal().load(entry.id).state == "failed"
    assert snapshot(wxwork) != before
    out = cli(data_dir, "undo", "--lang", "en")
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Undone: {entry.id}" in out.stdout
    assert snapshot(wxwork) == before
    assert Journal().load(entry.id).state == "undone"
