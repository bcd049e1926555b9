"""Benchmark of full runs against the network lab (root; not a pytest module).

    python tests/bench/bench.py [--json OUT] [--quick] [--runs N] [--scenario S]
                                [--verdicts] [--case ID ...] [--no-watch]

Scenarios: a healthy lab network, the slow path (300 ms round trip, 3 % loss) and a
path where every packet is dropped. For each: wall time of `python -m app check
--json` in the client namespace (median of N runs), the same in serial mode
(WXDOCTOR_SERIAL=1), per-check times, peak RSS of the CLI process, plus the
interpreter start-up (`--version`) and, when the desktop window exists, the GUI
event-loop stall and RSS during a run. Then the time-to-verdict table: every case
of the diagnosis matrix (tests/test_lab_diagnosis_matrix.py) in its own lab, wall
time against its budget, the diagnosis it got, and the same run in serial mode.
Budgets are printed beside the figures (PASS/MISS); nothing here is asserted.
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

from checks.engine.config import load_config  # noqa: E402
from tests.lab import Lab, faults, lab_unavailable  # noqa: E402
from tests.lab.world import World, default_like_endpoints  # noqa: E402
from tests.test_lab_diagnosis_matrix import CASES, Case, matrix_world  # noqa: E402

GUI_PROBE = Path(__file__).with_name("gui_probe.py")
DEADLINE_S = 10.0  # the product's default; per-probe timeouts are the defaults too
SERIAL_DEADLINE_S = 120.0  # serial runs are not cut short, except with everything dropped
SLOW_PATH = ("a real 300 ms round trip (tests/lab/tunnels.delay_line, 150 ms each way) "
             "plus 3 % random loss both ways (iptables statistic), faults.slow_path_300ms")

_RUN_IDS = itertools.count()

BUDGETS = {
    "healthy_wall_s": 0.5,
    "version_wall_s": 0.1,
    "blackhole_wall_s": 1.5,
    "slow_path_wall_s": 3.0,
    "single_fault_wall_s": 1.5,  # a matrix case with one fault on the fast lab
    "fault_over_timeout_s": 0.5,  # several faults together: the longest probe timeout plus this
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


def check_run(lab: Lab, config_path: Path, serial: bool, deadline: float | None = None,
              env: dict[str, str | None] | None = None) -> dict[str, Any]:
    argv = [sys.executable, "-m", "app", "check", "--json", "--config", str(config_path)]
    if deadline is not None:
        argv += ["--deadline", f"{deadline:g}"]
    wall, rc, out, rss = timed_run(lab, argv, {**doctor_env(lab, serial), **(env or {})},
                                   timeout=300)
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


def slow_path(lab: Lab, world: World) -> str:
    faults.slow_path_300ms(lab, world)
    return SLOW_PATH


def blackhole(lab: Lab, world: World) -> str:
    lab.blackhole()
    return "router silently drops every packet (lab.blackhole())"


SCENARIOS: dict[str, Callable[[Lab, World], str]] = {
    "healthy": healthy, "slow_path": slow_path, "blackhole": blackhole}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run_scenario(name: str, runs: int) -> dict[str, Any]:
    with Lab() as lab:
        world = matrix_world(lab, endpoints=default_like_endpoints())
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
        "max_wall_s": max(r["wall_s"] for r in par),
        "engine_s": median([r["engine_s"] for r in par]),
        "serial_wall_s": median([r["wall_s"] for r in ser]),
        "serial_engine_s": median([r["engine_s"] for r in ser]),
        "serial_capped_by_deadline": capped,
        "rss_mb": max((r["rss_mb"] for r in par + ser if r["rss_mb"]), default=None),
        "primary": sorted({r["primary"] for r in par}),
        "exit_codes": [r["rc"] for r in par],
        # Which checks were red in which parallel run (one lost packet must not do it).
        "red": [sorted(c for c, (st, _) in r["checks"].items() if st == "fail") for r in par],
        "checks": {cid: {"status": sorted({r["checks"][cid][0] for r in par}),
                         "s": median([r["checks"][cid][1] for r in par]),
                         "serial_s": median([r["checks"][cid][1] for r in ser])}
                   for cid in check_ids},
        "gui": gui,
    }


# ---- time to verdict: the diagnosis matrix --------------------------------------------------

def case_budget(case: Case) -> float:
    """Healthy 0.5 s; one fault on the fast lab 1.5 s; anything on the slow path, and a
    path losing a quarter of its packets (LOSSY: its probes are given room for resends,
    engine.path_wait), 3 s.
    A server that answers only after a set delay (dns_slow: 2.5 s) is waited for, so
    its budget is that delay plus 0.5 s; several faults together keep the old budget
    (their longest probe timeout plus 0.5 s)."""
    if not case.faults:
        return BUDGETS["healthy_wall_s"]
    if "slow_path" in case.id or case.id in LOSSY:
        return BUDGETS["slow_path_wall_s"]
    if case.id in ANSWERS_LATE:
        return ANSWERS_LATE[case.id] + 0.5
    if "+" not in case.id:
        return BUDGETS["single_fault_wall_s"]
    if isinstance(case.waits_for, float):
        return case.waits_for
    if case.waits_for is None:
        return BUDGETS["healthy_wall_s"]
    section = getattr(load_config(None), case.waits_for)
    return float(section.timeout_s) + BUDGETS["fault_over_timeout_s"]


# Cases on a path that loses packets heavily: not a fast network.
LOSSY = {"loss_25"}

# Cases whose server answers only after a delay the lab sets (tests/lab/faults.py).
ANSWERS_LATE = {"dns_slow": 2.5}


def run_case(case: Case, serial: bool) -> dict[str, Any]:
    with Lab() as lab:
        world = matrix_world(lab)
        for fault in case.faults:
            fault(lab, world)
        path = lab.write_config(world.config)
        runs = [check_run(lab, path, serial=False, env=world.env) for _ in range(case.repeats)]
        ser = check_run(lab, path, serial=True, deadline=SERIAL_DEADLINE_S, env=world.env) \
            if serial else None
    budget = case_budget(case)
    wall = median([r["wall_s"] for r in runs])
    primaries = sorted({r["primary"] for r in runs})
    return {"case": case.id, "expected": case.primary, "primary": "/".join(primaries),
            "right": all(p in (case.primary, *case.also) for p in primaries), "runs": len(runs),
            "wall_s": wall, "max_wall_s": max(r["wall_s"] for r in runs),
            "engine_s": median([r["engine_s"] for r in runs]), "budget_s": budget,
            "within": wall <= budget, "serial_wall_s": ser["wall_s"] if ser else None,
            "serial_engine_s": ser["engine_s"] if ser else None}


def verdict_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [f"   {'case':<36} {'diagnosis':<24} {'wall s':>6} {'engine s':>8} {'budget s':>8} "
             f"{'':4} {'serial s':>8}  note"]
    for r in rows:
        got = r["primary"] if r["right"] else f"{r['primary']}!={r['expected']}"
        serial = f"{r['serial_wall_s']:>8.2f}" if r["serial_wall_s"] is not None else f"{'-':>8}"
        note = f"median of {r['runs']}, slowest {r['max_wall_s']:.2f} s" if r["runs"] > 1 else ""
        lines.append(f"   {r['case']:<36} {got:<24} {r['wall_s']:>6.2f} {r['engine_s']:>8.2f} "
                     f"{r['budget_s']:>8.2f} {verdict(r['within']):4} {serial}  {note}")
    return lines


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


def budget_lines(results: dict[str, Any], startup: dict[str, Any],
                 verdicts: list[dict[str, Any]]) -> list[str]:
    b = BUDGETS
    lines = [f"{verdict(startup['wall_s'] <= b['version_wall_s'])}  `python -m app --version` "
             f"{startup['wall_s']:.3f} s wall  budget <= {b['version_wall_s']} s"]
    h, bh, r = results.get("healthy"), results.get("blackhole"), results.get("slow_path")
    if h:
        lines.append(f"{verdict(h['wall_s'] <= b['healthy_wall_s'])}  healthy full run "
                     f"{h['wall_s']:.2f} s wall (engine {h['engine_s']:.2f} s, start-up "
                     f"{startup['wall_s']:.2f} s)  budget <= {b['healthy_wall_s']} s")
        lines.append(f"{verdict(set(h['primary']) == {'healthy'} and set(h['exit_codes']) == {0})}"
                     f"  healthy: diagnosis {'/'.join(h['primary'])}, exit codes "
                     f"{sorted(set(h['exit_codes']))} over {h['runs']} runs")
    if bh:
        lines.append(f"{verdict(bh['wall_s'] <= b['blackhole_wall_s'])}  every packet dropped "
                     f"{bh['wall_s']:.2f} s wall (engine {bh['engine_s']:.2f} s)  budget <= "
                     f"{b['blackhole_wall_s']} s")
    if r:
        lines.append(f"{verdict(r['wall_s'] <= b['slow_path_wall_s'])}  slow path "
                     f"{r['wall_s']:.2f} s wall (slowest run {r['max_wall_s']:.2f} s, engine "
                     f"{r['engine_s']:.2f} s)  budget <= {b['slow_path_wall_s']} s")
        red = [x for x in r["red"] if x]
        lines.append(f"{verdict(not red)}  slow path: no red light in {r['runs']} runs"
                     + (f" (red: {red})" if red else ""))
        # Only where probes wait: on the healthy lab nothing waits, so there is
        # nothing to overlap; with everything dropped both modes hit the deadline.
        ratio = r["serial_engine_s"] / r["engine_s"] if r["engine_s"] else float("nan")
        lines.append(f"{verdict(ratio >= b['speedup'])}  slow path: parallel {ratio:.1f}x "
                     f"faster than serial (engine {r['serial_engine_s']:.2f} s -> "
                     f"{r['engine_s']:.2f} s)  budget >= {b['speedup']:g}x")
    if verdicts:
        late = [v["case"] for v in verdicts if not v["within"]]
        wrong = [v["case"] for v in verdicts if not v["right"]]
        lines.append(f"{verdict(not late)}  time to verdict: {len(verdicts) - len(late)} of "
                     f"{len(verdicts)} matrix cases within budget" + (f" (late: {late})" if late else ""))
        lines.append(f"{verdict(not wrong)}  time to verdict: {len(verdicts) - len(wrong)} of "
                     f"{len(verdicts)} diagnoses right" + (f" (wrong: {wrong})" if wrong else ""))
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
    parser.add_argument("--verdicts", action="store_true",
                        help="only the time-to-verdict table (no scenarios)")
    parser.add_argument("--case", action="append", choices=[c.id for c in CASES],
                        help="only these matrix cases in the time-to-verdict table")
    parser.add_argument("--no-serial-verdicts", action="store_true",
                        help="time-to-verdict without the serial runs")
    parser.add_argument("--no-watch", action="store_true",
                        help="without the watch benchmark at the end (watch_bench.py)")
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
    verdicts: list[dict[str, Any]] = []
    try:
        for name in ([] if args.verdicts else args.scenario or list(SCENARIOS)):
            results[name] = run_scenario(name, runs)
            print_scenario(results[name])
        if args.verdicts or not args.scenario:
            chosen = [c for c in CASES if not args.case or c.id in args.case]
            print("\n== time to verdict: the diagnosis matrix, product timeouts, one run each "
                  "(serial: WXDOCTOR_SERIAL=1, --deadline 120)")
            for case in chosen:
                verdicts.append(run_case(case, serial=not args.no_serial_verdicts))
                print(verdict_table(verdicts[-1:])[1], flush=True)
            print("\n".join(verdict_table(verdicts)))
    except KeyboardInterrupt:
        print("\ninterrupted; labs closed", file=sys.stderr)
        return 130
    print("\nBudgets:")
    lines = budget_lines(results, startup, verdicts)
    for line in lines:
        print("  " + line)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"startup": startup, "scenarios": results, "verdicts": verdicts,
             "budgets": BUDGETS, "lines": lines,
             "deadline_s": DEADLINE_S, "load": os.getloadavg()[0]}, indent=2) + "\n")
    if not args.no_watch:
        subprocess.run([sys.executable, str(Path(__file__).with_name("watch_bench.py"))],
                       check=False)
    subprocess.run([sys.executable, str(Path(__file__).with_name("startup_bench.py"))], check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
