"""Benchmark of watch mode against the network lab (root; not a pytest module).

    python tests/bench/watch_bench.py [--gui-seconds 30] [--minutes 10] [--json OUT]

1. The window's event loop while it watches: the window runs offscreen in the
   client namespace, as shipped (its watch in a watch process), its Watch tab samples
   the lab's servers every second, and a QTimer ticking every 5 ms records the largest
   gap between ticks (the same probe as tests/bench/gui_probe.py for a check).
2. Memory after 10 minutes (and after 24 hours): the real sampler probes the lab's
   servers back to back while a simulated clock advances by the interval at each
   wait, so 10 minutes of 1-second samples take seconds; the process's RSS is read
   every 10 % of the samples to show it stays flat.
3. A real-time `wxdoctor watch` process for a minute: its peak RSS.

Budgets are printed beside the figures (PASS/MISS); nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

TICK_MS = 5
BUDGETS = {"gui_stall_ms": 50.0, "rss_growth_mb": 5.0, "cli_rss_mb": 80.0}


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# ---- inside the client namespace -----------------------------------------------------------

def gui_probe(config_path: str, seconds: float) -> dict[str, Any]:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from app.gui.window import MainWindow
    from checks.engine.config import load_config

    app = QApplication([sys.argv[0]])
    tmp = tempfile.mkdtemp(prefix="wxd-watch-bench-")
    settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(config_loader=lambda: load_config(config_path), settings=settings,
                        lang="zh", log_dir=Path(tmp))
    window.resize(900, 760)
    window.show()
    window.modes.setCurrentIndex(1)
    view = window.watch_view
    view.store = lambda report: None
    state: dict[str, Any] = {"max": 0.0, "last": 0.0, "on": False, "gaps": [], "report": None}

    def tick() -> None:
        now = time.perf_counter()
        if state["on"]:
            gap = now - state["last"]
            state["max"] = max(state["max"], gap)
            state["gaps"].append(round(gap * 1000, 1))
        state["last"] = now

    def begin() -> None:
        state["last"], state["on"] = time.perf_counter(), True
        view.start(seconds=seconds, interval_s=1.0)

    def finished(report: object) -> None:
        state["report"] = report
        QTimer.singleShot(100, lambda: (state.update(on=False), app.quit()))

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    timer.start()
    view.finished.connect(finished)
    view.failed.connect(lambda reason: (state.update(failed=reason), app.quit()))
    QTimer.singleShot(500, begin)
    QTimer.singleShot(int((seconds + 30) * 1000), app.quit)
    app.exec()
    report = state["report"] or {}
    if not report:  # a stall figure of a watch that did not run would mean nothing
        return {"error": state.get("failed") or "the watch did not finish"}
    return {"max_stall_ms": state["max"] * 1000, "worst_gaps_ms": sorted(state["gaps"])[-5:],
            "samples": report.get("watch", {}).get("samples"), "seconds": seconds,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


class SimulatedClock:
    """Real time plus an offset: each wait returns at once and moves both clocks on."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def wall(self) -> float:
        return time.time() + self.offset

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        self.offset += max(0.0, seconds)
        return stop.is_set()


def memory_probe(config_path: str, minutes: float, interval: float) -> dict[str, Any]:
    from checks.engine.config import load_config
    from checks.watch.loop import Watch
    from checks.watch.plan import MAX_SECONDS, Plan

    config = load_config(config_path)
    total = int(minutes * 60 / interval)
    points: list[tuple[int, float]] = []
    step = max(1, total // 10)

    def on_sample(sample: Any, news: Any, analysis: Any) -> None:
        if sample.index % step == 0 or sample.index == total - 1:
            points.append((sample.index, round(_rss_mb(), 2)))

    start = time.perf_counter()
    report = Watch(config, Plan(min(minutes * 60, MAX_SECONDS), interval),
                   clock=SimulatedClock(), on_sample=on_sample).run()
    first_minute = next((mb for i, mb in points if i * interval >= 60), points[0][1])
    return {"minutes": minutes, "interval_s": interval, "samples": report["watch"]["samples"],
            "wall_s": round(time.perf_counter() - start, 1), "rss_mb": points,
            "growth_after_first_minute_mb": round(points[-1][1] - first_minute, 2),
            "report_kb": round(len(json.dumps(report)) / 1024, 1),
            "outages": len(report["watch"]["outages"])}


# ---- driving it from the host -----------------------------------------------------------------

def _in_client(lab: Any, argv: list[str], timeout: float, extra_env: dict[str, str] | None = None
               ) -> dict[str, Any]:
    env = {**lab.doctor_env(), "PYTHONDONTWRITEBYTECODE": None, **(extra_env or {})}
    proc = lab.client.run(argv, timeout=timeout, check=False, cwd=REPO, env=env)
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
    except (ValueError, IndexError):
        return {"error": f"rc={proc.returncode}: {proc.stderr[-800:]}"}


def cli_watch(lab: Any, config_path: Path, seconds: int) -> dict[str, Any]:
    rss_file = lab.tmp / "watch-rss.txt"
    time_bin = shutil.which("time") or "/usr/bin/time"
    argv = [time_bin, "-q", "-f", "%M", "-o", str(rss_file), sys.executable, "-m", "app",
            "watch", "--json", "--no-history", "--seconds", str(seconds), "--interval", "1",
            "--config", str(config_path)]
    env = {**lab.doctor_env(), "PYTHONDONTWRITEBYTECODE": None}
    proc = lab.client.run(argv, timeout=seconds + 60, check=False, cwd=REPO, env=env)
    report = json.loads(proc.stdout)
    return {"seconds": seconds, "samples": report["watch"]["samples"],
            "outages": len(report["watch"]["outages"]),
            "peak_rss_mb": int(rss_file.read_text().split()[-1]) / 1024}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gui-probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--interval", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument("--gui-seconds", type=float, default=30.0, help="length of the GUI watch")
    parser.add_argument("--minutes", type=float, default=10.0, help="simulated watch length")
    parser.add_argument("--cli-seconds", type=int, default=60, help="real-time CLI watch length")
    parser.add_argument("--json", metavar="OUT", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.gui_probe:
        print(json.dumps(gui_probe(args.config, args.gui_seconds)))
        return 0
    if args.memory_probe:
        print(json.dumps(memory_probe(args.config, args.minutes, args.interval)))
        return 0

    from tests.lab import Lab, lab_unavailable
    from tests.lab.world import build_world, default_like_endpoints

    reason = lab_unavailable()
    if reason is not None:
        print(f"watch bench: {reason}", file=sys.stderr)
        return 2
    me = [sys.executable, str(Path(__file__).resolve())]
    with Lab() as lab:
        world = build_world(lab, timeout_s=None, endpoints=default_like_endpoints())
        path = lab.write_config(world.config)
        print(f"watch benchmark: {len(world.config['endpoints'])} lab servers, "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        gui = _in_client(lab, [*me, "--gui-probe", "--config", str(path), "--gui-seconds",
                               str(args.gui_seconds)], args.gui_seconds + 60,
                         {"QT_QPA_PLATFORM": "offscreen"})
        print(f"GUI watch {args.gui_seconds:g} s at 1 s: {json.dumps(gui)}")
        memory = _in_client(lab, [*me, "--memory-probe", "--config", str(path), "--minutes",
                                  str(args.minutes), "--interval", "1"], 600)
        print(f"memory, {args.minutes:g} min of 1 s samples (simulated clock): "
              f"{json.dumps(memory)}")
        day = _in_client(lab, [*me, "--memory-probe", "--config", str(path), "--minutes",
                               "1440", "--interval", "10"], 1200)
        print(f"memory, 24 h of 10 s samples (simulated clock): {json.dumps(day)}")
        cli = cli_watch(lab, path, args.cli_seconds)
        print(f"CLI watch in real time: {json.dumps(cli)}")
    lines = []
    if "max_stall_ms" in gui:
        lines.append(f"{verdict(gui['max_stall_ms'] < BUDGETS['gui_stall_ms'])}  GUI longest "
                     f"event-loop stall while watching {gui['max_stall_ms']:.1f} ms  budget < "
                     f"{BUDGETS['gui_stall_ms']:g} ms")
    for name, figures in (("10 min", memory), ("24 h", day)):
        if "rss_mb" in figures:
            growth = figures["growth_after_first_minute_mb"]
            lines.append(f"{verdict(growth < BUDGETS['rss_growth_mb'])}  memory after {name}: "
                         f"{figures['rss_mb'][-1][1]:.1f} MB RSS, {growth:+.2f} MB since the "
                         f"first minute  budget < {BUDGETS['rss_growth_mb']:g} MB growth")
    lines.append(f"{verdict(cli['peak_rss_mb'] < BUDGETS['cli_rss_mb'])}  CLI watch peak RSS "
                 f"{cli['peak_rss_mb']:.1f} MB  budget < {BUDGETS['cli_rss_mb']:g} MB")
    print("\nBudgets:")
    for line in lines:
        print("  " + line)
    if args.json:
        Path(args.json).write_text(json.dumps({"gui": gui, "memory_10min": memory,
                                               "memory_24h": day, "cli": cli, "lines": lines},
                                              indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
