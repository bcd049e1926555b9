"""kill -9 at every point of a cache quarantine moved across volumes (not a test module).

    unshare -m --propagation private sh -c \
        'mount -t tmpfs wxd-q QDIR && exec python -m tests.fixes.cross_volume WORK QDIR [N]'

Run by tests/fixes/test_cross_volume.py inside a mount namespace of its own: QDIR (the
user data folder, which holds the journal and the quarantine) is a tmpfs there, the
cache lives in WORK on the disk, so every move is a copy and a delete. For each point
K, a child process applies the fix (phase "apply") or undoes it (phase "undo") and
kills itself with SIGKILL right after its K-th file-system call (every unlink, rmdir,
rename, mkdir, chmod, symlink, utime, file copy and journal or manifest write counts);
then `wxdoctor undo` runs as a person would, and once more if it asks. One JSON line per
point goes to stdout: what the kill left and how the undos ended. The test asserts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fixes.conftest import snapshot  # noqa: E402
from tests.fixes.test_clear_cache import build_tree  # noqa: E402

CHILD = """
import os, shutil, signal, sys
phase, limit = sys.argv[1], int(sys.argv[2])
count = [0]

def counted(fn):
    def call(*args, **kwargs):
        result = fn(*args, **kwargs)
        count[0] += 1
        if count[0] == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return call

for name in ("unlink", "rmdir", "rename", "replace", "mkdir", "chmod", "symlink", "utime",
             "fsync"):
    setattr(os, name, counted(getattr(os, name)))
shutil.copyfile = counted(shutil.copyfile)
from app.cli.main import main
if phase == "apply":
    code = main(["fix", "clear_client_cache", "--yes", "--config", sys.argv[3], "--lang", "en"])
else:
    code = main(["undo", "--lang", "en"])
print("calls", count[0], "code", code, flush=True)
"""


def env(qdir: Path) -> dict[str, str]:
    return {**os.environ, "WXDOCTOR_DATA_DIR": str(qdir / "data"), "WXDOCTOR_LANG": "en",
            "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}


def run(qdir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *argv], cwd=ROOT, env=env(qdir), capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def child(qdir: Path, phase: str, limit: int, config: Path) -> subprocess.CompletedProcess[str]:
    return run(qdir, "-c", CHILD, phase, str(limit), str(config))


def undo(qdir: Path) -> subprocess.CompletedProcess[str]:
    return run(qdir, "-m", "app", "undo", "--lang", "en")


def states(qdir: Path) -> dict[str, Any]:
    """Every quarantine item's state and every journal entry's state."""
    items: dict[str, str] = {}
    quarantine = qdir / "data" / "quarantine"
    for folder in sorted(quarantine.iterdir()) if quarantine.is_dir() else []:
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
        except (OSError, ValueError):
            items[folder.name] = "no manifest"
            continue
        for item in manifest["items"]:
            items[f"{folder.name}/{item['key']}"] = str(item.get("state"))
    entries = {}
    journal = qdir / "data" / "journal"
    for path in sorted(journal.glob("*.json")) if journal.is_dir() else []:
        try:
            entries[path.stem] = json.loads(path.read_text())["state"]
        except (OSError, ValueError, KeyError):
            entries[path.stem] = "unreadable"
    return {"items": items, "entries": entries}


def reset(work: Path, qdir: Path) -> None:
    for folder in (work / "WXWork", qdir / "data"):
        if folder.exists():
            for dirpath, dirnames, _ in os.walk(folder):
                for d in dirnames:
                    os.chmod(os.path.join(dirpath, d), 0o755)
            shutil.rmtree(folder)
    build_tree(work / "WXWork")


def main(argv: list[str]) -> int:
    work, qdir = Path(argv[0]), Path(argv[1])
    wanted = argv[2] if len(argv) > 2 else "all"
    config = work / "config.toml"
    config.write_text("[client]\ndata_dirs = [" + json.dumps("wecom:" + str(work / "WXWork"))
                      + "]\n", encoding="utf-8")
    reset(work, qdir)
    original = snapshot(work / "WXWork")
    for phase in ("apply", "undo"):
        # How many calls a whole run of this phase makes: every one is a kill point.
        reset(work, qdir)
        if phase == "undo":
            assert child(qdir, "apply", 0, config).returncode == 0
        full = child(qdir, phase, 0, config)
        last = [line for line in full.stdout.splitlines() if line.startswith("calls ")]
        assert last, full.stdout[-800:] + full.stderr[-800:]
        calls = int(last[-1].split()[1])
        points = list(range(1, calls + 1))
        if wanted != "all" and len(points) > int(wanted):  # spread evenly, ends included
            n = int(wanted)
            points = sorted({points[round(i * (len(points) - 1) / (n - 1))] for i in range(n)})
        print(json.dumps({"phase": phase, "calls": calls, "points": len(points)}), flush=True)
        for point in points:
            reset(work, qdir)
            if phase == "undo":
                assert child(qdir, "apply", 0, config).returncode == 0
            killed = child(qdir, phase, point, config)
            after_kill = states(qdir)
            first = undo(qdir)
            after_first = states(qdir)
            restored_after_first = snapshot(work / "WXWork") == original
            second = undo(qdir)
            print(json.dumps({
                "phase": phase, "point": point, "killed": killed.returncode == -9,
                "after_kill": after_kill,
                "first_undo": {"rc": first.returncode, "out": first.stdout[-600:],
                               "err": first.stderr[-600:]},
                "after_first": after_first,
                "second_undo": {"rc": second.returncode, "out": second.stdout[-300:],
                                "err": second.stderr[-300:]},
                "after_second": states(qdir),
                "restored": snapshot(work / "WXWork") == original,
                "restored_after_first": restored_after_first,
            }, ensure_ascii=False), flush=True)
    reset(work, qdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
