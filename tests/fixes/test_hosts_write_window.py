"""The hosts repair's write, at its edges: kill -9 at every point of writing the new
file (apply and undo) leaves no `.hosts.wxdoctor-*` file once undo ran, and an edit
that lands after the last comparison, right before the switch, is never lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from checks.fixes import FixEnv, FixError, Journal, get_fix
from checks.fixes import _files as files
from checks.fixes.executor import apply_plan
from checks.platform import file_swap

from .conftest import ROOT
from .test_interrupted import cli, env_of

ORIGINAL = ("127.0.0.1 localhost\r\n1.2.3.4 login.work.weixin.qq.com # 加速\r\n"
            "5.6.7.8 long.weixin.qq.com\r\n").encode("gbk")

# A child that applies (or undoes) the fix and kills itself with SIGKILL at one point
# of the write: the real functions run, the kill comes exactly there.
CHILD = """
import os, signal, sys
from checks.engine.config import load_config_text
from checks.fixes import FixEnv, Journal, get_fix
from checks.fixes import _files
from checks.fixes.executor import apply_plan, undo_entry
from checks.platform import file_swap
phase, point, hosts = sys.argv[1], sys.argv[2], sys.argv[3]

def die():
    os.kill(os.getpid(), signal.SIGKILL)

real_fdopen, real_fsync, real_exchange = os.fdopen, os.fsync, file_swap.exchange

def temporary(fd):  # the fix's temporary file beside the hosts file
    return os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(".hosts.wxdoctor")

class Half:
    def __init__(self, fh): self.fh = fh
    def __enter__(self): return self
    def __exit__(self, *a): pass
    def write(self, data):
        self.fh.write(data[: len(data) // 2]); self.fh.flush(); die()

def fdopen(fd, *a, **k):
    if temporary(fd):
        if point == "temp-created":  # the temporary file exists, nothing written
            die()
        if point == "half-written":
            return Half(real_fdopen(fd, *a, **k))
    return real_fdopen(fd, *a, **k)

def fsync(fd):
    real_fsync(fd)
    if point == "written" and temporary(fd):  # whole and synced, not yet switched
        die()

os.fdopen, os.fsync = fdopen, fsync
if point == "swapped":  # the new file is in place, the old one beside it
    def exchange(a, b):
        real_exchange(a, b)
        die()
    file_swap.exchange = exchange
cfg = load_config_text("")
fix, journal = get_fix("repair_hosts"), Journal()
env = FixEnv(config=cfg, hosts_file=hosts)
if phase == "apply":
    apply_plan(fix, fix.plan(env), journal)
else:
    undo_entry(fix, journal.latest("applied"), env)
print("finished", flush=True)
"""

POINTS = ["temp-created", "half-written", "written", "swapped"]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".wxdoctor-" in p.name)


def _run_child(phase: str, point: str, hosts: Path, data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, phase, point, str(hosts)], cwd=ROOT,
                          env=env_of(data), capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("point", POINTS)
def test_kill_9_while_writing_the_repair_leaves_nothing_after_undo(tmp_path, point) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    hosts = folder / "hosts"
    hosts.write_bytes(ORIGINAL)
    data = tmp_path / "data"
    killed = _run_child("apply", point, hosts, data)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-800:]
    assert _leftovers(folder), "the kill came after the temporary file was made"
    undone = cli(data, "undo")
    assert undone.returncode == 0, undone.stderr + undone.stdout
    assert "Rolled back the interrupted fix" in undone.stdout
    assert hosts.read_bytes() == ORIGINAL
    assert _leftovers(folder) == []
    assert [e.state for e in Journal(data / "journal").entries()] == ["rolled_back"]


@pytest.mark.parametrize("point", POINTS)
def test_kill_9_while_writing_the_undo_then_undo_again(tmp_path, point) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    hosts = folder / "hosts"
    hosts.write_bytes(ORIGINAL)
    data = tmp_path / "data"
    applied = _run_child("apply", "none", hosts, data)
    assert applied.returncode == 0 and "finished" in applied.stdout, applied.stderr[-800:]
    marked = hosts.read_bytes()
    assert marked != ORIGINAL
    killed = _run_child("undo", point, hosts, data)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-800:]
    assert _leftovers(folder)
    assert hosts.read_bytes() in (marked, ORIGINAL)
    undone = cli(data, "undo")
    assert undone.returncode == 0, undone.stderr + undone.stdout
    assert hosts.read_bytes() == ORIGINAL
    assert _leftovers(folder) == []


def test_a_file_under_the_name_that_is_not_ours_stays(tmp_path, data_dir, config) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    hosts = folder / "hosts"
    hosts.write_bytes(ORIGINAL)
    fix = get_fix("repair_hosts")
    entry = apply_plan(fix, fix.plan(FixEnv(config=config, hosts_file=str(hosts))), Journal())
    tag = entry.steps[0].action.data["temp_tag"]
    stranger = folder / f".hosts.wxdoctor-{tag}-0-undo"
    stranger.write_bytes(b"10.9.9.9 printer.office\n")  # content no fix version starts with
    out = cli(data_dir, "undo")
    assert out.returncode == 0, out.stderr
    assert hosts.read_bytes() == ORIGINAL
    assert stranger.read_bytes() == b"10.9.9.9 printer.office\n"
    assert Journal().load(entry.id).steps[0].facts["leftovers_kept"] == [str(stranger)]


# ---- an edit right before the switch --------------------------------------------------------


def _edit_by_rename(path: Path, content: bytes) -> None:
    """How most editors save: a new file renamed over the old one."""
    tmp = path.with_name("editor-save.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def _edit_in_place(path: Path, content: bytes) -> None:
    with open(path, "r+b") as fh:
        fh.write(content)
        fh.truncate()


@pytest.mark.parametrize("edit", [_edit_by_rename, _edit_in_place], ids=["rename", "in-place"])
def test_an_edit_after_the_last_comparison_is_kept(tmp_path, data_dir, config, monkeypatch,
                                                    edit) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    hosts = folder / "hosts"
    hosts.write_bytes(ORIGINAL)
    theirs = ORIGINAL + b"10.0.0.9 intranet.example.com\r\n"
    fix = get_fix("repair_hosts")
    plan = fix.plan(FixEnv(config=config, hosts_file=str(hosts)))
    real = files._same_as_planned
    calls = []

    def compared(path: Path, expected: str, limit: int) -> None:
        real(path, expected, limit)
        calls.append(path)
        if len(calls) == 2:  # the last comparison passed; the switch comes next
            edit(hosts, theirs)

    monkeypatch.setattr(files, "_same_as_planned", compared)
    with pytest.raises(FixError) as caught:
        apply_plan(fix, plan, Journal())
    assert "changed by someone else" in str(caught.value)
    assert hosts.read_bytes() == theirs  # their edit, whole
    assert _leftovers(folder) == []
    assert len(calls) == 2


def test_without_an_exchange_the_plain_replace_still_works(tmp_path, data_dir, config,
                                                           monkeypatch) -> None:
    """Where names cannot be exchanged (other systems, some file systems), the fix
    replaces the file as before: the remaining window is the one README names."""
    hosts = tmp_path / "hosts"
    hosts.write_bytes(ORIGINAL)

    def unsupported(first: str, second: str) -> None:
        raise file_swap.Unsupported(22, "Invalid argument", first)

    monkeypatch.setattr(file_swap, "exchange", unsupported)
    fix = get_fix("repair_hosts")
    apply_plan(fix, fix.plan(FixEnv(config=config, hosts_file=str(hosts))), Journal())
    assert b"# [wxdoctor] 1.2.3.4" in hosts.read_bytes()
    assert _leftovers(tmp_path) == []
