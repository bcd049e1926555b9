"""tests/bench/startup_bench.py with a --dist that holds no bundle: a clear message
before any measuring, not a traceback halfway through."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_dist_without_a_bundle_is_named_before_anything_runs(tmp_path: Path) -> None:
    (tmp_path / "dist" / "wxdoctor").mkdir(parents=True)
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "bench" / "startup_bench.py"),
                           "--runs", "1", "--dist", "dist"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    # The relative folder is named as the absolute one the programs would be started from.
    assert f"no built bundle in {tmp_path / 'dist' / 'wxdoctor'}" in proc.stderr
    assert proc.stdout == ""
