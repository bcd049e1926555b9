"""Record the network checks' real evidence in lab scenarios (root only).

    sudo python3 -m tests.lab.record_evidence [--only SCENARIO ...] [--out DIR]

For the healthy lab and the main faults of the diagnosis matrix
(tests/test_lab_diagnosis_matrix.py, the same user-like world), runs `check --json`
in the client namespace and writes, per network check, what its `collect()` returned
and the verdict it got to tests/fixtures/evidence/<scenario>/<check>.json:

    {"scenario", "check", "status", "cause", "problems", "evidence"}

and the run's config (assess() may grade against it) to <scenario>/config.json. The
verdict unit tests
take their evidence from these files, and tests/unit/test_recorded_evidence.py checks
that assess() on every recording still gives the status recorded beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.lab import Lab, lab_unavailable  # noqa: E402
from tests.lab.topology import REPO_ROOT  # noqa: E402
from tests.test_lab_diagnosis_matrix import CASES, matrix_world, run_full  # noqa: E402

OUT = REPO_ROOT / "tests" / "fixtures" / "evidence"
CHECKS = ("network", "dns", "tcp", "dns_pollution", "hosts", "tls", "http_hijack", "captive",
          "latency", "mtu", "proxy")
SCENARIOS = (
    "healthy", "no_default_route", "dns_server_down", "dns_server_silent", "one_name_dropped_everywhere",
    "port_443_rejected", "port_443_dropped", "polluted_dns", "fake_ip_answer", "hosts_loopback",
    "hosts_stale", "captive_portal", "pmtu_blackhole", "jumbo_adapter+one_silent_tls", "dead_proxy", "expired_certificate",
    "untrusted_certificate", "interception_ca", "first_syn_lost", "every_packet_dropped",
    "loss_25", "slow_path_300ms", "port_8080_dropped", "proxy_auth_required", "proxy_auth_wrong",
    "service_502", "ipv6_blackhole", "dns_slow", "adblock_dns", "sni_reset", "dns_flaky_servfail",
    "one_dead_address", "proxy_only_network", "proxy_set_direct_works",
)


def record(scenario: str, out: Path) -> list[str]:
    case = {c.id: c for c in CASES}[scenario]
    with Lab() as lab:
        world = matrix_world(lab)
        for fault in case.faults:
            fault(lab, world)
        report, _rc = run_full(lab, world)
    folder = out / scenario
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    written = []
    for result in report["checks"]:
        if result["id"] not in CHECKS or result["status"] == "skipped":
            continue
        data: dict[str, Any] = {
            "scenario": scenario, "check": result["id"], "status": result["status"],
            "cause": result["cause"], "problems": result["problems"],
            "evidence": result["evidence"],
        }
        _write(folder / f"{result['id']}.json", data)
        written.append(f"{result['id']}={result['status']}")
    _write(folder / "config.json", world.config)
    return written


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                    encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", choices=SCENARIOS, help="scenarios to record")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    reason = lab_unavailable()
    if reason is not None:
        print(f"recording needs the lab: {reason}", file=sys.stderr)
        return 2
    for scenario in args.only or SCENARIOS:
        print(f"{scenario}: {' '.join(record(scenario, args.out))}", flush=True)
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
