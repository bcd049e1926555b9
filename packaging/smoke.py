"""Figures for a frozen build: bundle size and start-up time (printed, never asserted).

    python packaging/smoke.py [DIST]      # DIST defaults to dist/

Runs `wxdoctor --version` and `wxdoctor check --only network --json` a few times and
prints the median wall time of each, writes that report as a PDF, and prints the size
of the onedir folder (and of the .app on macOS). Exits non-zero only if an executable fails to run at all, so CI on
Windows and macOS (loopback only, no lab) catches a broken bundle.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""


def folder_mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return total / 1e6


def timed(argv: list[str], runs: int, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    times = []
    proc = None
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)
        times.append(time.perf_counter() - start)
    assert proc is not None
    return statistics.median(times), proc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", nargs="?", type=Path, default=ROOT / "dist")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    bundle = args.dist / "wxdoctor"
    exe = bundle / f"wxdoctor{EXE_SUFFIX}"
    gui = bundle / f"wxdoctor-gui{EXE_SUFFIX}"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "WXDOCTOR_CONFIG")}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    failures = 0

    print(f"bundle: {bundle}  {folder_mb(bundle):.1f} MB")
    app = args.dist / "wxdoctor.app"
    if app.is_dir():
        print(f"app:    {app}  {folder_mb(app):.1f} MB")

    # The first run pays for a cold disk cache; the median keeps it from skewing the figure.
    t, proc = timed([str(exe), "--version"], args.runs, env)
    print(f"wxdoctor --version: {t * 1000:.0f} ms median of {args.runs} -> {proc.stdout.strip()!r}")
    failures += proc.returncode != 0

    t, proc = timed([str(exe), "check", "--only", "network", "--json"], args.runs, env)
    try:
        status = json.loads(proc.stdout)["checks"][0]["status"]
    except (ValueError, LookupError):
        status = f"no JSON (rc={proc.returncode}): {proc.stderr[-500:]}"
        failures += 1
    print(f"wxdoctor check --only network: {t * 1000:.0f} ms median of {args.runs} -> {status}")
    failures += not _pdf_written(exe, proc.stdout, env)

    if _gui_smoke_supported():
        t, proc = timed([str(gui)], 1, dict(env, WXDOCTOR_GUI_SMOKE="1"))
        print(f"wxdoctor-gui open+quit ({env['QT_QPA_PLATFORM']}): {t * 1000:.0f} ms, "
              f"rc={proc.returncode}")
        failures += proc.returncode != 0
    return 1 if failures else 0


def _pdf_written(exe: Path, report_json: str, env: dict[str, str]) -> bool:
    """The console executable loads Qt only for a PDF (without PyInstaller's PySide6
    start-up hook, see packaging/rthooks): prove that it still writes one."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        report, pdf = Path(tmp) / "report.json", Path(tmp) / "report.pdf"
        report.write_text(report_json, encoding="utf-8")
        proc = subprocess.run([str(exe), "report", str(report), "--pdf", str(pdf)],
                              capture_output=True, text=True, timeout=120, env=env)
        ok = proc.returncode == 0 and pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"
        print(f"wxdoctor report --pdf: rc={proc.returncode}, "
              f"{pdf.stat().st_size if pdf.is_file() else 0} bytes{'' if ok else ' FAILED'}")
        if not ok:
            print(proc.stderr[-2000:])
    return ok


def _gui_smoke_supported() -> bool:
    return "WXDOCTOR_GUI_SMOKE" in (ROOT / "app" / "gui" / "main.py").read_text("utf-8")


if __name__ == "__main__":
    sys.exit(main())
