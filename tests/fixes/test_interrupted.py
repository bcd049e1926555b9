"""Fixes killed halfway (kill -9) can always be rolled back, and nothing of them is lost.

A child process plans a fix, waits, applies it and is killed at points spread over
the time an apply takes; then, as a person would, `wxdoctor quarantine empty --yes`
and `wxdoctor undo` run. Whatever moment the kill hit, the files end as they were.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from checks.fixes import FixEnv, Journal, get_fix
from checks.fixes.executor import apply_plan
from checks.fixes.journal import owner_alive, this_process
from tests.sandbox import LOOPBACK_BASE, sandboxed

from .conftest import ROOT, snapshot
from .test_clear_cache import build_tree, env_for

KILLS = 10  # per fix: bounded, so CI stays quick

CHILD = """
import json, sys
from checks.engine.config import load_config_text
from checks.fixes import FixEnv, Journal, get_fix
from checks.fixes.executor import apply_plan
kind, target = sys.argv[1], sys.argv[2]
if kind == "hosts":
    fix, env = get_fix("repair_hosts"), FixEnv(config=load_config_text(""), hosts_file=target)
else:
    cfg = load_config_text("[client]\\ndata_dirs = [" + json.dumps("wecom:" + target) + "]\\n")
    fix, env = get_fix("clear_client_cache"), FixEnv(config=cfg, client_process_names=("-",))
plan = fix.plan(env)
assert plan.blocked is None, plan.blocked.render("en")
print("ready", flush=True)
sys.stdin.readline()
apply_plan(fix, plan, Journal())
print("done", flush=True)
"""


def env_of(data: Path) -> dict[str, str]:
    return {**os.environ, "WXDOCTOR_DATA_DIR": str(data), "WXDOCTOR_LANG": "en",
            "PYTHONPATH": str(ROOT)}


def apply_in_child(kind: str, target: Path, data: Path, kill_after: float | None) -> float:
    """Apply in a child; kill -9 it `kill_after` seconds after it starts applying (None:
    let it finish). Returns how long the apply ran."""
    proc = subprocess.Popen([sys.executable, "-c", CHILD, kind, str(target)], cwd=ROOT,
                            env=env_of(data), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline() == b"ready\n", proc.stderr.read() if proc.stderr else ""
        start = time.monotonic()
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
        if kill_after is None:
            assert proc.stdout.readline() == b"done\n"
        else:
            time.sleep(kill_after)
            proc.kill()
        proc.wait(timeout=60)
        return time.monotonic() - start
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def cli(data: Path, *args: str, own_processes: bool = True) -> subprocess.CompletedProcess[str]:
    # Sandboxed: a fix re-runs checks, and nothing may leave this machine. In a process
    # namespace of its own (as root): undo refuses while WeCom runs, and a test elsewhere
    # on this machine may be running a fake WXWork.exe right now.
    argv = sandboxed([sys.executable, "-m", "app", *args])
    if own_processes and os.geteuid() == 0 and shutil.which("unshare"):
        argv = ["unshare", "--pid", "--fork", "--mount-proc", *argv]
    return subprocess.run(argv, cwd=ROOT, env=env_of(data), capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def recover_and_check(data: Path, original, current) -> bool:
    """What a person does after a crash; True when an interrupted entry was rolled back."""
    if not any(e.state == "applied" for e in Journal(data / "journal").entries()):
        # Emptying the quarantine now must not destroy what an interrupted fix moved there.
        emptied = cli(data, "quarantine", "empty", "--yes")
        assert emptied.returncode in (0, 1), emptied.stderr
    undone = cli(data, "undo")
    assert undone.returncode in (0, 1), undone.stderr + undone.stdout
    assert current() == original, undone.stdout
    entries = Journal(data / "journal").entries()
    assert not [e.id for e in entries if e.state in ("planned", "failed", "applied")]
    return "Rolled back the interrupted fix" in undone.stdout


def kill_loop(kind: str, target: Path, data: Path, current) -> int:
    original = current()
    duration = apply_in_child(kind, target, data, None)  # how long one apply takes here
    assert cli(data, "undo").returncode == 0 and current() == original
    interrupted = 0
    for i in range(KILLS):
        apply_in_child(kind, target, data, duration * (i + 0.5) / KILLS)
        interrupted += recover_and_check(data, original, current)
    return interrupted


def test_kill_9_during_a_hosts_repair_never_loses_the_file(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_bytes("127.0.0.1 localhost\r\n1.2.3.4 login.work.weixin.qq.com # 加速\r\n"
                      "5.6.7.8 long.weixin.qq.com\r\n".encode("gbk"))
    kill_loop("hosts", hosts, tmp_path / "data", hosts.read_bytes)


def test_kill_9_during_a_cache_quarantine_never_strands_a_cache(tmp_path):
    root = tmp_path / "WXWork"
    build_tree(root)
    for n in range(8):  # many cache folders: many steps, a wide window to be killed in
        for sub in ("Cache/GPUCache/data_0", "WebCache/index"):
            path = root / f"16888500000000{n:02d}" / sub
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(os.urandom(512))
    try:
        interrupted = kill_loop("cache", root, tmp_path / "data", lambda: snapshot(root))
    finally:
        for dirpath, dirnames, _ in os.walk(tmp_path):
            for d in dirnames:
                os.chmod(os.path.join(dirpath, d), 0o755)
    # The kills were spread over the apply: some must have hit it halfway.
    assert interrupted >= 1


# ---- the rules behind it, one at a time ---------------------------------------------------

def interrupted_cache_fix(root: Path, data: Path):
    """A cache fix whose process died after moving everything, before saying so.
    Returns the tree as it was before."""
    build_tree(root)
    original = snapshot(root)
    fix = get_fix("clear_client_cache")
    journal = Journal(data / "journal")
    entry = apply_plan(fix, fix.plan(env_for(root, quarantine_dir=str(data / "quarantine"))),
                       journal)
    entry.state = "planned"
    entry.steps[-1].state = "running"
    entry.owner = {"pid": 999_999_999, "started": 1.0}  # gone
    journal.save(entry)
    return original


def test_quarantine_empty_keeps_what_an_interrupted_fix_moved(tmp_path, data_dir):
    root = tmp_path / "WXWork"
    original = interrupted_cache_fix(root, data_dir)
    assert snapshot(root) != original
    kept = cli(data_dir, "quarantine", "empty", "--yes")
    assert kept.returncode == 1 and "Kept" in kept.stderr and "planned" in kept.stderr
    assert any((data_dir / "quarantine").iterdir())
    undone = cli(data_dir, "undo")
    assert undone.returncode == 0 and "Rolled back the interrupted fix" in undone.stdout
    assert snapshot(root) == original
    assert cli(data_dir, "quarantine", "empty", "--yes").returncode == 0
    for dirpath, dirnames, _ in os.walk(tmp_path):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)


def test_an_entry_whose_process_still_runs_is_left_alone(tmp_path, data_dir):
    hosts = tmp_path / "hosts"
    hosts.write_bytes(b"1.2.3.4 login.work.weixin.qq.com\n")
    fix = get_fix("repair_hosts")
    journal = Journal()
    entry = journal.begin(fix.plan(FixEnv(config=load_default(), hosts_file=str(hosts))))
    assert entry.owner == this_process() and owner_alive(entry.owner)
    assert journal.interrupted() == []
    # Another process, which sees this one running: hands off.
    assert "Nothing to undo" in cli(data_dir, "undo", own_processes=False).stdout
    entry.owner = {"pid": os.getpid(), "started": entry.owner["started"] - 100}  # pid reused
    journal.save(entry)
    assert [e.id for e in journal.interrupted()] == [entry.id]


def test_a_fix_run_recovers_what_an_earlier_one_left_before_planning(tmp_path, data_dir):
    hosts = tmp_path / "hosts"
    raw = b"127.0.0.1 localhost\n1.2.3.4 login.work.weixin.qq.com\n"
    hosts.write_bytes(raw)
    fix = get_fix("repair_hosts")
    journal = Journal()
    entry = apply_plan(fix, fix.plan(FixEnv(config=load_default(), hosts_file=str(hosts))),
                       journal)
    entry.state, entry.steps[0].state = "planned", "running"
    entry.owner = {}  # written by a run that no longer exists
    journal.save(entry)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'deadline_s = 5\n[system]\nhosts_file = "{hosts}"\n[[endpoints]]\n'
                   'host = "localhost"\nports = [9]\nproduct = "wecom"\ntls = false\n'
                   + LOOPBACK_BASE)
    out = cli(data_dir, "fix", "repair_hosts", "--dry-run", "--config", str(cfg))
    assert "Rolled back" not in out.stdout  # a dry run changes nothing, not even this
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"schema": "wxdoctor.report/1", "status": "ok", "checks": []}))
    out = cli(data_dir, "fix", "repair_hosts", "--yes", "--config", str(cfg), "--report",
              str(report))
    assert out.returncode == 0, out.stderr
    assert "Rolled back the interrupted fix " + entry.id in out.stdout
    assert Journal().load(entry.id).state == "rolled_back"
    assert hosts.read_bytes() != raw and b"# [wxdoctor] 1.2.3.4" in hosts.read_bytes()


def load_default():
    from checks.engine.config import load_config_text

    return load_config_text("")

