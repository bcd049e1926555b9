"""Benchmark of full runs against the network lab (root; not a pytest module).

    python tests/bench/bench.py [--json OUT] [--quick] [--runs N]

Scenarios: a healthy lab network, a slow and lossy path, and a path where every
packet is dropped. For each: wall time of `python -m app check --json` in the
client namespace (median of N runs), the same in serial mode
(WXDOCTOR_SERIAL=1), per-check times, peak RSS of the CLI process, plus the
interpreter start-up (`--version`) and, when the desktop window exists, the GUI
event-loop stall and RSS during a run. Budgets are printed beside the figures
(PASS/MISS); nothing here is asserted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.lab import Lab, lab_unavailable  # noqa: E402
from tests.lab.world import World, build_world, default_like_endpoints  # noqa: E402

GUI_PROBE = Path(__file__).with_name("gui_probe.py")
DEADLINE_S = 10.0  # the product's default; per-probe timeouts are the defaults too
SERIAL_DEADLINE_S = 120.0  # serial runs are not cut short, except with everything dropped
LOSS = 0.05  # per-packet drop probability on the slow path, each direction
RATE = "1mbit"
DNS_DELAY_S = 0.2
SLOW_PATH = (f"no netem in this kernel: tbf {RATE} both ways on the router, iptables "
             f"statistic --mode random --probability {LOSS} DROP in FORWARD, and the lab "
             f"DNS servers delaying every answer by {DNS_DELAY_S:g} s")

_RUN_IDS = itertools.count()

BUDGETS = {
    "healthy_wall_s": 1.5,
    "blackhole_over_deadline_s": 0.5,
    "speedup": 5.0,
    "cli_rss_mb": 80.0,
    "gui_stall_ms": 50.0,
    "gui_rss_mb": 150.0,
}


# ---- running the doctor ---------------------------------------------------------------

def doctor_env(lab: Lab, serial: bool) -> dict[str, str | None]:
    env = lab.doctor_env()
    # An installed or frozen app has its bytecode; measure that, not recompiling.
    env["PYTHONDONTWRITEBYTECODE"] = None
    env["WXDOCTOR_SERIAL"] = "1" if serial else None
    return env


def timed_run(lab: Lab, argv: list[str], env: dict[str, str | None], timeout: float
              ) -> tuple[float, int, str, float | None]:
    """(wall s, rc, stdout, peak RSS MB) of one process in the client ns."""
    rss_file = lab.tmp / f"rss-{next(_RUN_IDS)}.txt"
    time_bin = shutil.which("time") or "/usr/bin/time"
    wrap = [time_bin, "-q", "-f", "%M", "-o", str(rss_file)] if os.path.exists(time_bin) else []
    start = time.perf_counter()
    proc = lab.client.run([*wrap, *argv], timeout=timeout, check=False, cwd=REPO, env=env)
    wall = time.perf_counter() - start
    rss = None
    try:
        rss = int(rss_file.read_text().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return wall, proc.returncode, proc.stdout, rss


def check_run(lab: Lab, config_path: Path, serial: bool, deadline: float | None = None
              ) -> dict[str, Any]:
    argv = [sys.executable, "-m", "app", "check", "--json", "--config", str(config_path)]
    if deadline is not None:
        argv += ["--deadline", f"{deadline:g}"]
    wall, rc, out, rss = timed_run(lab, argv, doctor_env(lab, serial), timeout=300)
    try:
        report = json.loads(out)
    except ValueError:
        raise SystemExit(f"no JSON report (rc={rc}):\n{out[-2000:]}") from None
    return {"wall_s": wall, "rc": rc, "rss_mb": rss, "engine_s": report["duration_s"],
            "checks": {c["id"]: (c["status"], c["duration_s"]) for c in report["checks"]},
            "primary": report["diagnosis"]["primary"]}


def version_run(lab: Lab) -> tuple[float, float | None]:
    wall, _, _, rss = timed_run(lab, [sys.executable, "-m", "app", "--version"],
                                doctor_env(lab, False), timeout=30)
    return wall, rss


# ---- scenarios ---------------------------------------------------------------------------

def healthy(lab: Lab, world: World) -> str:
    return "all servers answer"


def slow_lossy(lab: Lab, world: World) -> str:
    for server in lab.dns_servers:
        for host in world.endpoint_hosts():
            server.delay(host, DNS_DELAY_S)
    lab.rate_limit(RATE, direction="both")
    for v6 in (False, True):
        lab.router.iptables("-I", "FORWARD", "-m", "statistic", "--mode", "random",
                            "--probability", str(LOSS), "-j", "DROP", v6=v6)
    return SLOW_PATH


def blackhole(lab: Lab, world: World) -> str:
    lab.blackhole()
    return "router silently drops every packet (lab.blackhole())"


SCENARIOS: dict[str, Callable[[Lab, World], str]] = {
    "healthy": healthy, "slow_lossy": slow_lossy, "blackhole": blackhole}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run_scenario(name: str, runs: int) -> dict[str, Any]:
    with Lab() as lab:
        world = build_world(lab, deadline_s=DEADLINE_S, timeout_s=None,
                            endpoints=default_like_endpoints())
        how = SCENARIOS[name](lab, world)
        path = lab.write_config(world.config)
        check_run(lab, path, serial=False)  # warm-up: bytecode and page cache
        par = [check_run(lab, path, serial=False) for _ in range(runs)]
        # Serial runs get a long deadline so the ratio shows what parallel probes save;
        # with every packet dropped both are bounded by the deadline instead.
        capped = name == "blackhole"
        ser = [check_run(lab, path, serial=True, deadline=None if capped else SERIAL_DEADLINE_S)
               for _ in range(runs)]
        gui = gui_run(lab, path) if name == "healthy" else None
    check_ids = list(par[0]["checks"])
    return {
        "scenario": name,
        "how": how,
        "servers": world.servers,
        "runs": runs,
        "wall_s": median([r["wall_s"] for r in par]),
        "engine_s": median([r["engine_s"] for r in par]),
        "serial_wall_s": median([r["wall_s"] for r in ser]),
        "serial_engine_s": median([r["engine_s"] for r in ser]),
        "serial_capped_by_deadline": capped,
        "rss_mb": max((r["rss_mb"] for r in par + ser if r["rss_mb"]), default=None),
        "primary": sorted({r["primary"] for r in par}),
        "checks": {cid: {"status": sorted({r["checks"][cid][0] for r in par}),
                         "s": median([r["checks"][cid][1] for r in par]),
                         "serial_s": median([r["checks"][cid][1] for r in ser])}
                   for cid in check_ids},
        "gui": gui,
    }


# ---- GUI ---------------------------------------------------------------------------------

def gui_available() -> str | None:
    """Why the GUI cannot be measured, or None."""
    if not (REPO / "app" / "gui" / "window.py").exists():
        return "no desktop window in this tree (app/gui/window.py)"
    try:
        import PySide6  # noqa: F401
    except ImportError:
        return "PySide6 not installed"
    return None


def gui_run(lab: Lab, config_path: Path) -> dict[str, Any]:
    reason = gui_available()
    if reason is not None:
        return {"available": False, "reason": reason}
    env = {**doctor_env(lab, False), "QT_QPA_PLATFORM": "offscreen"}
    argv = [sys.executable, str(GUI_PROBE), "--config", str(config_path)]
    wall, rc, out, rss = timed_run(lab, argv, env, timeout=60)
    try:
        data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"available": False, "reason": f"GUI probe failed (rc={rc}): {out[-500:]}"}
    data.update(available=True, process_wall_s=wall, peak_rss_mb=rss)
    return data


# ---- output --------------------------------------------------------------------------------

def verdict(ok: bool | None) -> str:
    return "n/a " if ok is None else ("PASS" if ok else "MISS")


def budget_lines(results: dict[str, Any], startup: dict[str, Any]) -> list[str]:
    b = BUDGETS
    lines = []
    h, bh = results.get("healthy"), results.get("blackhole")
    if h:
        lines.append(f"{verdict(h['wall_s'] < b['healthy_wall_s'])}  healthy full run "
                     f"{h['wall_s']:.2f} s wall (engine {h['engine_s']:.2f} s, start-up "
                     f"{startup['wall_s']:.2f} s)  budget < {b['healthy_wall_s']} s")
    if bh:
        limit = DEADLINE_S + b["blackhole_over_deadline_s"]
        lines.append(f"{verdict(bh['wall_s'] <= limit)}  every packet dropped "
                     f"{bh['wall_s']:.2f} s wall (engine {bh['engine_s']:.2f} s)  budget <= "
                     f"deadline {DEADLINE_S:g} + {b['blackhole_over_deadline_s']} s")
    r = results.get("slow_lossy")
    if r:
        # Only where probes wait: on the healthy lab nothing waits, so there is
        # nothing to overlap; with everything dropped both modes hit the deadline.
        ratio = r["serial_engine_s"] / r["engine_s"] if r["engine_s"] else float("nan")
        lines.append(f"{verdict(ratio >= b['speedup'])}  slow path: parallel {ratio:.1f}x "
                     f"faster than serial (engine {r['serial_engine_s']:.2f} s -> "
                     f"{r['engine_s']:.2f} s)  budget >= {b['speedup']:g}x")
    rss = max((r["rss_mb"] for r in results.values() if r.get("rss_mb")), default=None)
    if rss is not None:
        lines.append(f"{verdict(rss < b['cli_rss_mb'])}  CLI peak RSS {rss:.1f} MB  "
                     f"budget < {b['cli_rss_mb']:g} MB")
    gui = (h or {}).get("gui") or {}
    if gui.get("available"):
        lines.append(f"{verdict(gui['max_stall_ms'] < b['gui_stall_ms'])}  GUI longest "
                     f"event-loop stall {gui['max_stall_ms']:.1f} ms  budget < "
                     f"{b['gui_stall_ms']:g} ms")
        rss_gui = gui.get("peak_rss_mb") or gui.get("rss_mb")
        lines.append(f"{verdict(rss_gui < b['gui_rss_mb'])}  GUI peak RSS {rss_gui:.1f} MB  "
                     f"budget < {b['gui_rss_mb']:g} MB")
    else:
        lines.append(f"GUI: not available ({gui.get('reason', 'not measured')})")
    return lines


def print_scenario(r: dict[str, Any]) -> None:
    ratio = r["serial_engine_s"] / r["engine_s"] if r["engine_s"] else float("nan")
    print(f"\n== {r['scenario']}: {r['how']}")
    print(f"   wall {r['wall_s']:.2f} s (median of {r['runs']}), engine {r['engine_s']:.3f} s; "
          f"serial wall {r['serial_wall_s']:.2f} s, engine {r['serial_engine_s']:.3f} s"
          f"{' (capped by the deadline)' if r['serial_capped_by_deadline'] else ''}; "
          f"speed-up {ratio:.1f}x; peak RSS {r['rss_mb'] or float('nan'):.1f} MB; "
          f"diagnosis {', '.join(r['primary'])}")
    print(f"   {'check':<20} {'status':<14} {'parallel s':>10} {'serial s':>10}")
    for cid, c in r["checks"].items():
        print(f"   {cid:<20} {'/'.join(c['status']):<14} {c['s']:>10.3f} {c['serial_s']:>10.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="OUT", help="also write the figures as JSON")
    parser.add_argument("--quick", action="store_true", help="one run per mode")
    parser.add_argument("--runs", type=int, default=5, help="runs per mode (default 5)")
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS),
                        help="only these scenarios (repeatable)")
    args = parser.parse_args(argv)
    reason = lab_unavailable()
    if reason is not None:
        print(f"bench: {reason}", file=sys.stderr)
        return 2
    # SIGTERM unwinds like Ctrl-C, so every lab is closed (namespaces, servers).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    runs = 1 if args.quick else max(1, args.runs)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "checks", "app"], cwd=REPO,
                   check=False)
    print(f"wxdoctor benchmark: {platform.node()}, {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}, "
          f"deadline {DEADLINE_S:g} s, {runs} run(s) per mode")
    with Lab() as lab:
        version_run(lab)
        walls = [version_run(lab) for _ in range(max(3, runs))]
    startup = {"wall_s": median([w for w, _ in walls]),
               "rss_mb": max((r for _, r in walls if r), default=None)}
    print(f"start-up: `python -m app --version` {startup['wall_s']:.2f} s wall, "
          f"{startup['rss_mb'] or float('nan'):.1f} MB")
    results: dict[str, Any] = {}
    try:
        for name in args.scenario or list(SCENARIOS):
            results[name] = run_scenario(name, runs)
            print_scenario(results[name])
    except KeyboardInterrupt:
        print("\ninterrupted; labs closed", file=sys.stderr)
        return 130
    print("\nBudgets:")
    lines = budget_lines(results, startup)
    for line in lines:
        print("  " + line)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"startup": startup, "scenarios": results, "budgets": BUDGETS, "lines": lines,
             "deadline_s": DEADLINE_S, "load": os.getloadavg()[0]}, indent=2) + "\n")
    subprocess.run([sys.executable, str(Path(__file__).with_name("watch_bench.py"))], check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
