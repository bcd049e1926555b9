"""Opening a very large saved report in the window: time and memory (not a pytest module).

    python tests/bench/big_report.py [--checks 500] [--mb 13] [--keep FILE]

Writes a report of N checks (each with evidence padded so the file reaches the size
asked for, within the loader's 16 MB), then, in a fresh process each, opens it in the
window offscreen (MainWindow.open_report, then every pending event) and prints the
wall time, the peak resident memory and how many check rows the window made. Nothing
is asserted: the figures go to docs/benchmark.md.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "tests" / "fixtures" / "reports" / "faults.json"

_OPEN = """
import json, os, resource, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, {repo!r})
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.gui.window import MainWindow
folder = {folder!r}
window = MainWindow(checks_factory=list, lang="en", log_dir=folder + "/logs",
                    settings=QSettings(folder + "/s.ini", QSettings.Format.IniFormat))
window.resize(900, 800)
window.show()
app.processEvents()
start = time.monotonic()
opened = window.exports.open_report(__import__("pathlib").Path({path!r}))
for _ in range(20):
    app.processEvents()
took = time.monotonic() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"opened": opened, "seconds": round(took, 2), "peak_mb": round(peak, 1),
                  "rows": len(window.rows), "message": window.statusBar().currentMessage()}}))
"""


def big_report(checks: int, megabytes: float) -> dict[str, Any]:
    base = json.loads(BASE.read_text(encoding="utf-8"))
    template = next(c for c in base["checks"] if c["status"] == "fail")
    pad = int(megabytes * 2**20 / checks)
    report = copy.deepcopy(base)
    report["checks"] = []
    for index in range(checks):
        check = copy.deepcopy(template)
        check["id"] = f"{template['id']}_{index}"
        check["status"] = ("fail", "warn", "ok", "info")[index % 4]
        check["evidence"] = {**check.get("evidence", {}),
                             "probes": [{"host": f"h{index}-{i}.example", "port": 443, "ok": False,
                                         "failure": "tcp_timeout", "note": "x" * 2000}
                                        for i in range(max(1, pad // 2100))]}
        report["checks"].append(check)
    report["diagnosis"]["causes"][0]["because"] = [c["id"] for c in report["checks"][:50]]
    return report


def measure(path: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        code = _OPEN.format(repo=str(REPO), folder=folder, path=str(path))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=600, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if out.returncode != 0:
        return {"error": out.stderr[-2000:]}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=500)
    parser.add_argument("--mb", type=float, default=13.0)
    parser.add_argument("--keep", type=Path, help="also write the report here")
    args = parser.parse_args()
    report = big_report(args.checks, args.mb)
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "big.json"
        path.write_text(json.dumps(report), encoding="utf-8")
        size = path.stat().st_size / 2**20
        print(f"report: {args.checks} checks, {size:.1f} MB")
        print(json.dumps(measure(path)))


if __name__ == "__main__":
    main()
