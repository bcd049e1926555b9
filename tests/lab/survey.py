"""What the doctor says today about every fault in tests/lab/faults.py (root only).

    sudo python3 -m tests.lab.survey [--only ID ...] [--out FILE]

For the healthy world and each fault: a fresh lab, ``build_world(lab,
timeout_s=None, deadline_s=10, private_hosts=False)`` (the product's own
per-probe timeouts, the OS default hosts file), the client's resolv.conf with
glibc's stock options (5 s timeout, 2 attempts; the lab's tests use ``timeout:1
attempts:1``), the fault, then ``check --json``
in the client ns (several runs for random faults). Prints one row per run:
wall time, exit code, ``diagnosis.primary``, every cause code, and the status
of each check that is not ok (checks skipped in the healthy world too, such as
the client-app checks with no client installed, are left out).
tests/lab/survey-latest.txt is this output, committed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.lab import Lab, lab_unavailable  # noqa: E402
from tests.lab.faults import FAULTS, Fault  # noqa: E402
from tests.lab.topology import REPO_ROOT  # noqa: E402
from tests.lab.world import World, build_world  # noqa: E402

HEALTHY = Fault("healthy", lambda lab, world: None, "No fault.", 1)


def run_check(lab: Lab, world: World) -> tuple[float, int, dict[str, Any] | None, str]:
    path = lab.write_config(world.config)
    argv = [sys.executable, "-m", "app", "check", "--json", "--lang", "en", "--config", str(path)]
    start = time.monotonic()
    proc = lab.client.run(argv, timeout=90, check=False, cwd=REPO_ROOT,
                          env={**lab.doctor_env(), **world.env})
    wall = time.monotonic() - start
    try:
        report: dict[str, Any] | None = json.loads(proc.stdout)
    except ValueError:
        report = None
    return wall, proc.returncode, report, proc.stderr


def survey(fault: Fault, resolver_options: str) -> list[dict[str, Any]]:
    rows = []
    with Lab() as lab:
        world = build_world(lab, timeout_s=None, deadline_s=10, private_hosts=False)
        lab.client.set_resolvers([lab.dns_ip], options=resolver_options)
        fault.apply(lab, world)
        for n in range(1, fault.runs + 1):
            wall, rc, report, stderr = run_check(lab, world)
            row: dict[str, Any] = {"fault": fault.id, "run": n, "wall": wall, "rc": rc}
            if report is None:
                row.update(primary="(no report)", causes=[], checks={},
                           error=stderr.strip().splitlines()[-1:] or [""])
            else:
                diagnosis = report.get("diagnosis") or {}
                row.update(primary=diagnosis.get("primary"),
                           causes=[c["code"] for c in diagnosis.get("causes", [])],
                           checks={c["id"]: c["status"] for c in report["checks"]})
            rows.append(row)
    return rows


def table(rows: list[dict[str, Any]], baseline_skipped: set[str]) -> list[str]:
    cells = [("fault", "run", "wall s", "rc", "primary", "causes", "non-ok checks")]
    for r in rows:
        non_ok = [f"{cid}={st}" for cid, st in r["checks"].items()
                  if st != "ok" and not (st == "skipped" and cid in baseline_skipped)]
        cells.append((r["fault"], str(r["run"]), f"{r['wall']:.1f}", str(r["rc"]),
                      str(r["primary"]), ",".join(r["causes"]) or "-",
                      " ".join(non_ok) or "-"))
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]) - 1)]
    out = []
    for i, c in enumerate(cells):
        out.append("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=False)) + "  " + c[-1])
        if i == 0:
            out.append("  ".join("-" * w for w in widths) + "  " + "-" * 13)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", help="fault ids (healthy always runs)")
    ap.add_argument("--out", type=Path, help="also write the output here")
    ap.add_argument("--resolver-options", default="",
                    help='resolv.conf "options" of the client (default: none, glibc\'s stock)')
    args = ap.parse_args(argv)
    reason = lab_unavailable()
    if reason is not None:
        print(f"survey needs the lab: {reason}", file=sys.stderr)
        return 2
    chosen = [f for f in FAULTS if not args.only or f.id in args.only]
    unknown = set(args.only or []) - {f.id for f in FAULTS}
    if unknown:
        print(f"unknown fault ids: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    commit = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    started = time.strftime("%Y-%m-%d %H:%M")
    rows: list[dict[str, Any]] = []
    for fault in [HEALTHY, *chosen]:
        got = survey(fault, args.resolver_options)
        rows += got
        for r in got:
            print(f"  {r['fault']} #{r['run']}: {r['wall']:.1f}s rc={r['rc']} {r['primary']}",
                  file=sys.stderr, flush=True)
    baseline = {cid for cid, st in rows[0]["checks"].items() if st == "skipped"}
    lines = [f"# wxdoctor lab survey, {started}, tree {commit or '?'}, kernel "
             f"{platform.release()}, python {platform.python_version()}",
             "# build_world(timeout_s=None, deadline_s=10, private_hosts=False); client "
             f"resolv.conf options: {args.resolver_options or '(none: glibc stock)'}",
             f"# left out: checks skipped in the healthy world too ({', '.join(sorted(baseline))})",
             "", *table(rows, baseline), "", "# faults"]
    lines += [f"#   {f.id}: {f.summary}" for f in chosen]
    lines += [f"# {r['fault']} #{r['run']}: {r['error']}" for r in rows if "error" in r]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out is not None:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
