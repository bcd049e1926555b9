"""kill -9 at every point of a cache quarantine whose data folder and quarantine are on
different file systems (so every move is a copy and a delete): whether it hit the fix or
its undo, the next `wxdoctor undo` ends with every item restored, byte for byte, and
nothing left to undo; no item is ever in a state undo cannot resume from.

The mechanics are in tests/fixes/cross_volume.py, run in a mount namespace of its own
with a tmpfs for the quarantine. Points are file-system calls of the killed process; CI
takes an even spread of them, WXDOCTOR_KILL_POINTS=all takes every one (169 here).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT

POINTS = os.environ.get("WXDOCTOR_KILL_POINTS", "8")
RESUMABLE = {"moving", "quarantined", "restoring", "restored"}


@pytest.fixture
def outcomes(tmp_path) -> list[dict]:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        if os.environ.get("CI") == "true":
            raise RuntimeError("CI runs as root with unshare")
        pytest.skip("needs root and unshare for a tmpfs in a mount namespace")
    work, qdir = tmp_path / "disk", tmp_path / "tmpfs"
    work.mkdir()
    qdir.mkdir()
    script = (f"mount -t tmpfs wxd-quarantine {qdir} && exec {sys.executable} "
              f"-m tests.fixes.cross_volume {work} {qdir} {POINTS}")
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "--net", "--pid",
                           "--fork", "--mount-proc", "sh", "-c", script], cwd=ROOT,
                          capture_output=True, text=True, timeout=3000)
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_kill_9_at_every_point_across_volumes_ends_restored(outcomes) -> None:
    phases = [o for o in outcomes if "calls" in o]
    assert [p["phase"] for p in phases] == ["apply", "undo"]
    assert all(p["calls"] > 20 for p in phases), phases  # copies, deletes, journal writes
    points = [o for o in outcomes if "point" in o]
    assert len(points) == sum(p["points"] for p in phases)
    for o in points:
        where = f"{o['phase']} killed after call {o['point']}"
        assert o["killed"], where
        assert set(o["after_kill"]["items"].values()) <= RESUMABLE | {"no manifest"}, where
        # The undo after the kill finishes the job: everything back, byte for byte...
        assert o["first_undo"]["rc"] in (0, 1), (where, o["first_undo"])
        assert o["restored_after_first"], (where, o["first_undo"], o["after_first"])
        assert set(o["after_first"]["items"].values()) <= {"restored"}, (where, o["after_first"])
        assert set(o["after_first"]["entries"].values()) <= {"rolled_back", "undone"}, where
        # ...and nothing is left for another one, nor stranded in the quarantine.
        assert o["second_undo"]["rc"] == 1 and "Nothing to undo" in o["second_undo"]["out"], where
        assert o["restored"], where
    # The kills hit both kinds of interruption: a fix cut short and an undo cut short.
    assert any("restoring" in o["after_kill"]["items"].values() for o in points)
    assert any("moving" in o["after_kill"]["items"].values() for o in points)
