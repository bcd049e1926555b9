"""Start-up benchmark (not a pytest module; budgets are printed, never asserted).

    python tests/bench/startup_bench.py [--runs N] [--dist DIR | --no-frozen] [--json OUT]

1. `--version`: wall time of `python -m app --version` from this tree (bytecode cache
   written first, as an installed app has it) and of the frozen `wxdoctor --version`,
   beside `python -c pass` (the interpreter alone) for scale. Median of N.
2. The window's first frame, from the source tree (`python -m app.gui.main`) and from
   the Linux PyInstaller bundle (`wxdoctor-gui`), on Qt's offscreen platform and on an X
   server (Xvfb, when installed): the time from just before the benchmark starts the
   process to the moment the window's first complete frame was handed to the window
   system (app/gui/startup_probe.py says how that is found). Warm: the median of N
   starts after one unmeasured start. Cold: the program's own files (the bundle, or the
   source tree and PySide6) evicted from the page cache before each start
   (posix_fadvise DONTNEED); the system's libraries (libc, X, fontconfig) stay cached,
   as on a desktop that is already running.
3. What is loaded when that frame is out: the Python modules (frozen: with the size of
   their bytecode in PyInstaller's archive), the shared libraries, and what loads after
   the frame until the list of checks is shown. The source run is also timed once with
   `-X importtime`.

The bundle is built first with packaging/build.py into build/startup-bench/ (about
45 s here when PyInstaller's cache is cold), unless --dist names a built one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build" / "startup-bench"
BUDGETS = {"version_s": 0.1, "first_frame_warm_s": 1.0}
# Loaded only for a run, a fix, an export or a watch: none of it should come before the
# first frame (module name prefixes; the same list as tests/gui/test_gui_startup.py).
LATER = {
    "check engine": ("checks.engine.config", "checks.engine.check", "checks.engine.context",
                     "checks.engine.runner", "checks.platform", "checks.catalog",
                     "checks.probes"),
    "diagnosis": ("checks.diagnosis", "checks.report.build", "checks.report.matrix",
                  "checks.report.rejudge"),
    "fixes": ("checks.fixes", "app.cli.commands", "app.gui.widgets.fix_dialog"),
    "evidence views": ("app.gui.widgets.evidence_table",),
    "PDF": ("app.pdf",),
    "watch": ("checks.watch.loop", "checks.watch.sampler", "app.child.watch_process"),
    "check process": ("app.child.check_process",),
    "psutil": ("psutil",),
    "dnspython": ("dns",),
}

# ---- processes ----------------------------------------------------------------------------

def base_env(home: Path) -> dict[str, str]:
    """No source tree or config to fall back on; settings, data and logs in `home`."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "WXDOCTOR_CONFIG", "PYTHONDONTWRITEBYTECODE",
                        "PYTHONPROFILEIMPORTTIME", "WXDOCTOR_GUI_SMOKE")}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(home / name.lower())
    env["WXDOCTOR_DATA_DIR"] = str(home / "data")
    env["WXDOCTOR_LOG_DIR"] = str(home / "logs")
    return env


def wall(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=60)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv}: exit {proc.returncode}\n{proc.stderr.decode()[-2000:]}")
    return took


def median_wall(argv: list[str], env: dict[str, str], cwd: Path, runs: int) -> float:
    wall(argv, env, cwd)  # warms the page cache, writes bytecode
    return statistics.median(wall(argv, env, cwd) for _ in range(runs))


def evict(folders: list[Path]) -> None:
    """Drop these files' pages from the page cache (only clean pages go: nothing is lost)."""
    for folder in folders:
        for path in [folder] if folder.is_file() else folder.rglob("*"):
            if path.is_symlink() or not path.is_file():
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def start_window(argv: list[str], env: dict[str, str], cwd: Path, probe: Path) -> dict[str, Any]:
    """One start of the window; its probe record with times relative to the exec."""
    probe.unlink(missing_ok=True)
    env = dict(env, WXDOCTOR_STARTUP_PROBE=str(probe))
    t0 = time.monotonic()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=90)
    if proc.returncode != 0 or not probe.is_file():
        raise SystemExit(f"{argv}: exit {proc.returncode}, no probe record\n"
                         f"{proc.stderr.decode(errors='replace')[-3000:]}")
    record: dict[str, Any] = json.loads(probe.read_text(encoding="utf-8"))
    record["since_exec"] = {k: v - t0 for k, v in record["marks"].items()}
    record["stderr"] = proc.stderr.decode(errors="replace")
    return record


def window_figures(argv: list[str], env: dict[str, str], cwd: Path, runs: int,
                   own_files: list[Path]) -> dict[str, Any]:
    probe = Path(env["WXDOCTOR_DATA_DIR"]).parent / "probe.json"
    start_window(argv, env, cwd, probe)  # unmeasured: settings written, caches warm
    warm = [start_window(argv, env, cwd, probe) for _ in range(runs)]
    cold = []
    for _ in range(max(1, runs // 3)):
        evict(own_files)
        cold.append(start_window(argv, env, cwd, probe))
    frame = [r["since_exec"]["first_frame"] for r in warm]
    middle = sorted(warm, key=lambda r: r["since_exec"]["first_frame"])[len(warm) // 2]
    return {
        "first_frame_warm_s": statistics.median(frame),
        "first_frame_warm_max_s": max(frame),
        "first_frame_cold_s": statistics.median(r["since_exec"]["first_frame"] for r in cold),
        "listed_warm_s": statistics.median(r["since_exec"].get("listed", float("nan"))
                                           for r in warm),
        "stages_s": {k: round(v, 4) for k, v in middle["since_exec"].items()},
        "record": middle,
    }


@contextmanager
def xvfb() -> Iterator[str | None]:
    """An X server of our own on a free display (None when Xvfb is not installed)."""
    binary = shutil.which("Xvfb")
    if binary is None:
        yield None
        return
    display = next(n for n in range(99, 400) if not Path(f"/tmp/.X11-unix/X{n}").exists()
                   and not Path(f"/tmp/.X{n}-lock").exists())
    proc = subprocess.Popen([binary, f":{display}", "-screen", "0", "1280x1024x24",
                             "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{display}").exists():
                break
            time.sleep(0.05)
        else:
            raise SystemExit("Xvfb did not start")
        yield f":{display}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ---- what is loaded -------------------------------------------------------------------------

def archive_sizes(exe: Path) -> dict[str, int]:
    """Bytes of each module's compressed bytecode in the executable's PYZ archive."""
    try:
        from PyInstaller.archive.readers import CArchiveReader
    except ImportError:
        return {}
    package = CArchiveReader(str(exe))
    names = [n for n, entry in package.toc.items() if entry[-1] == "z"]
    if not names:
        return {}
    pyz = package.open_embedded_archive(names[0])
    return {name: int(entry[2]) for name, entry in pyz.toc.items()}


def group(name: str) -> str:
    top = name.split(".")[0]
    if top in ("app", "checks"):
        return "wxdoctor"
    if top in ("PySide6", "shiboken6", "shibokensupport"):
        return "Qt (PySide6)"
    if top in sys.stdlib_module_names or top.startswith("_") or top.startswith("pyi"):
        return "standard library"
    return "other packages"


def module_table(modules: list[str], sizes: dict[str, int]) -> list[str]:
    groups: dict[str, list[str]] = {}
    for name in modules:
        groups.setdefault(group(name), []).append(name)
    lines = []
    for title, names in sorted(groups.items()):
        kb = sum(sizes.get(n, 0) for n in names) / 1024
        size = f", {kb:,.0f} kB bytecode" if sizes else ""
        lines.append(f"{title}: {len(names)} modules{size}")
    return lines


def later_present(modules: list[str]) -> dict[str, list[str]]:
    present = {}
    for title, prefixes in LATER.items():
        found = [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]
        if found:
            present[title] = found
    return present


def import_times(env: dict[str, str], before: set[str]) -> list[tuple[str, float]]:
    """`-X importtime` of one source start: cumulative ms of the top-level imports that
    were loaded before the first frame, largest first."""
    probe = Path(env["WXDOCTOR_DATA_DIR"]).parent / "probe-importtime.json"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "app.gui.main"], cwd=REPO,
                          env=dict(env, WXDOCTOR_STARTUP_PROBE=str(probe)),
                          capture_output=True, text=True, timeout=90)
    times = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line[len("import time:"):].split("|")
        if not name.startswith("  ") and name.strip() in before:  # top level only
            times.append((name.strip(), int(cumulative) / 1000))
    return sorted(times, key=lambda t: -t[1])


def libraries_line(libs: list[dict[str, Any]]) -> str:
    total = sum(lib["bytes"] for lib in libs) / 1e6
    biggest = sorted(libs, key=lambda lib: -lib["bytes"])[:6]
    names = ", ".join(f"{Path(lib['path']).name} {lib['bytes'] / 1e6:.1f}" for lib in biggest)
    return f"{len(libs)} shared libraries, {total:.0f} MB on disk (largest, MB: {names})"


# ---- report ---------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_window(title: str, figures: dict[str, Any], sizes: dict[str, int]) -> None:
    stages = figures["stages_s"]
    order = ["main", "qapplication", "window_module", "window_built", "first_paint_event",
             "first_frame", "listed"]
    steps = "  ".join(f"{k} {stages[k]:.3f}" for k in order if k in stages)
    print(f"{title}: first frame warm {figures['first_frame_warm_s']:.3f} s "
          f"(slowest {figures['first_frame_warm_max_s']:.3f}), cold "
          f"{figures['first_frame_cold_s']:.3f} s; checks listed {figures['listed_warm_s']:.3f} s")
    print(f"   stages of the median start, s since exec: {steps}")
    record = figures["record"]
    before = record.get("modules_at_first_frame", [])
    after = sorted(set(record.get("modules_at_end", [])) - set(before))
    print(f"   before the first frame: {len(before)} Python modules; "
          + "; ".join(module_table(before, sizes)))
    print(f"   {libraries_line(record.get('libraries_at_first_frame', []))}")
    ours = [m for m in before if group(m) == "wxdoctor"]
    print(f"   wxdoctor's modules before the first frame: {', '.join(ours)}")
    present = later_present(before)
    print("   loaded for later, already there: "
          + ("; ".join(f"{k} ({', '.join(v[:4])}{' ...' if len(v) > 4 else ''})"
                       for k, v in present.items()) or "none"))
    ours_after = [m for m in after if group(m) == "wxdoctor"]
    print(f"   after the frame, until the checks are listed: {len(after)} modules, "
          f"{len(ours_after)} of them wxdoctor's")


def build_bundle() -> Path:
    dist = BUILD / "dist"
    start = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "packaging" / "build.py"), "--dist", str(dist),
                    "--work", str(BUILD / "work")], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"built the bundle in {time.perf_counter() - start:.0f} s: {dist / 'wxdoctor'}")
    return dist


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="measured starts of each (default 9)")
    parser.add_argument("--dist", type=Path, help="a built dist folder (default: build one)")
    parser.add_argument("--no-frozen", action="store_true", help="source tree only")
    parser.add_argument("--json", metavar="OUT", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    runs = max(1, args.runs)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "checks", "app"], cwd=REPO,
                   check=False)
    bundle = None
    if not args.no_frozen:
        # Resolved: the frozen programs are started from "/", away from the source tree.
        bundle = (args.dist.resolve() if args.dist else build_bundle()) / "wxdoctor"
        if not (bundle / "wxdoctor").is_file() or not (bundle / "wxdoctor-gui").is_file():
            parser.error(f"no built bundle in {bundle} (wxdoctor and wxdoctor-gui); "
                         "build one with packaging/build.py --dist DIR, or leave out --dist")
    print(f"start-up benchmark: {platform.node()}, {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}, median of {runs}")
    home = Path(tempfile.mkdtemp(prefix="wxd-startup-"))
    env = base_env(home)
    results: dict[str, Any] = {"runs": runs, "load": os.getloadavg()[0]}
    try:
        results["python_pass_s"] = median_wall([sys.executable, "-c", "pass"], env, REPO, runs)
        results["version_source_s"] = median_wall([sys.executable, "-m", "app", "--version"],
                                                  env, REPO, runs)
        print(f"`python -c pass` (the interpreter alone) {results['python_pass_s']:.3f} s; "
              f"`python -m app --version` {results['version_source_s']:.3f} s")
        if bundle is not None:
            results["version_frozen_s"] = median_wall([str(bundle / "wxdoctor"), "--version"],
                                                      env, Path("/"), runs)
            print(f"frozen `wxdoctor --version` {results['version_frozen_s']:.3f} s")
        import PySide6
        import shiboken6

        source_files = [REPO / "app", REPO / "checks", Path(PySide6.__file__).parent,
                        Path(shiboken6.__file__).parent]
        starts = [("source", [sys.executable, "-m", "app.gui.main"], REPO, source_files, {})]
        if bundle is not None:
            starts.append(("frozen", [str(bundle / "wxdoctor-gui")], Path("/"), [bundle],
                           archive_sizes(bundle / "wxdoctor-gui")))
        with xvfb() as display:
            platforms = [("offscreen", {"QT_QPA_PLATFORM": "offscreen"})]
            if display is not None:
                platforms.append(("xcb", {"QT_QPA_PLATFORM": "xcb", "DISPLAY": display}))
            for name, argv_, cwd, own, sizes in starts:
                for qpa, extra in platforms:
                    figures = window_figures(argv_, {**env, **extra}, cwd, runs, own)
                    print_window(f"window, {name}, {qpa}", figures, sizes)
                    results[f"window_{name}_{qpa}"] = figures
        source = results["window_source_offscreen"]
        before = set(source["record"]["modules_at_first_frame"])
        top = import_times({**env, "QT_QPA_PLATFORM": "offscreen"}, before)[:12]
        results["import_times_ms"] = top
        print("source, offscreen, `-X importtime` before the first frame (cumulative ms): "
              + ", ".join(f"{n} {ms:.0f}" for n, ms in top))
    finally:
        shutil.rmtree(home, ignore_errors=True)

    print("\nBudgets:")
    lines = [f"{verdict(results['version_source_s'] <= BUDGETS['version_s'])}  "
             f"`python -m app --version` {results['version_source_s']:.3f} s wall  "
             f"budget <= {BUDGETS['version_s']} s"]
    if "version_frozen_s" in results:
        lines.append(f"{verdict(results['version_frozen_s'] <= BUDGETS['version_s'])}  "
                     f"frozen `wxdoctor --version` {results['version_frozen_s']:.3f} s wall  "
                     f"budget <= {BUDGETS['version_s']} s")
    for key, figures in results.items():
        if key.startswith("window_frozen_"):
            lines.append(f"{verdict(figures['first_frame_warm_s'] <= BUDGETS['first_frame_warm_s'])}"
                         f"  frozen window first frame ({key.rsplit('_', 1)[1]}), warm "
                         f"{figures['first_frame_warm_s']:.3f} s  budget <= "
                         f"{BUDGETS['first_frame_warm_s']} s")
    for line in lines:
        print("  " + line)
    if args.json:
        for figures in results.values():
            if isinstance(figures, dict):
                figures.get("record", {}).pop("stderr", None)
        Path(args.json).write_text(json.dumps({**results, "budgets": BUDGETS, "lines": lines},
                                              indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
