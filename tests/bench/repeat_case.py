"""Run one lab fault many times in a row and print each run's verdict, wall time and red
lights (with the failed probes' evidence): how often a fault that is random by nature
(packet loss) turns a light red.

    python3 tests/bench/repeat_case.py loss_25 20

Needs root (it builds the network-namespace lab, tests/lab). The fault names are those
of tests/lab/faults.py (`BY_ID`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.lab import Lab, faults  # noqa: E402
from tests.test_lab_diagnosis_matrix import matrix_world, run_full  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fault", choices=sorted(faults.BY_ID))
    parser.add_argument("runs", type=int, nargs="?", default=10)
    args = parser.parse_args(argv)
    reds = 0
    with Lab() as lab:
        world = matrix_world(lab)
        faults.BY_ID[args.fault].apply(lab, world)
        for run in range(args.runs):
            started = time.monotonic()
            report, _rc = run_full(lab, world)
            wall = time.monotonic() - started
            red = {c["id"]: [p["code"] for p in c["problems"]] for c in report["checks"]
                   if c["status"] == "fail"}
            reds += bool(red)
            print(f"{run:3d} {report['diagnosis']['primary']:<22} {wall:5.2f} s  red: {red or '-'}",
                  flush=True)
            for check in report["checks"]:
                if check["id"] in red:
                    records = check["evidence"].get("probes") or check["evidence"].get("answers")
                    failed = [r for r in records or [] if isinstance(r, dict)
                              and (r.get("error") or r.get("failure"))]
                    print("      " + json.dumps(failed, default=str)[:1200])
    print(f"{reds} of {args.runs} runs had a red light")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
