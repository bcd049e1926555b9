"""Record real lab reports for the matrix, evidence and PDF tests (tests/report/lab_reports/).

    sudo python tests/report/record_lab_reports.py          # as root: it builds network labs

Each scenario is a fresh lab world (tests/lab/world.py) with one fault from the
diagnosis matrix or tests/lab/faults.py, then `wxdoctor check --json` in the
client namespace (tests/lab/make_examples.py runs it). The tests read these files, so they run without root; rerun
this script when the evidence of a check changes shape.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.lab import faults  # noqa: E402
from tests.lab.make_examples import lab_report  # noqa: E402
from tests.test_lab_diagnosis_matrix import (  # noqa: E402
    captive,
    clock_off,
    dead_proxy,
    dns_down,
    drop_443,
    expired_cert,
    fake_ip,
    first_syn_lost,
    hosts_override,
    intercepted,
    pmtu_blackhole,
    polluted,
)

OUT = Path(__file__).resolve().parent / "lab_reports"
SCENARIOS = {
    "healthy": [], "polluted": [polluted], "captive": [captive], "intercepted": [intercepted],
    "drop_443": [drop_443], "dns_down": [dns_down], "expired": [expired_cert],
    "pmtu": [pmtu_blackhole], "dead_proxy": [dead_proxy], "hosts_override": [hosts_override],
    "fake_ip": [fake_ip], "slow": [faults.slow_path_300ms], "clock_off": [clock_off],
    "adblock": [faults.adblock_dns], "vpn": [faults.vpn_swallows_everything],
    "first_syn_lost": [first_syn_lost], "loss_25": [faults.loss_25],
    "service_502": [faults.service_502], "proxy_auth": [faults.proxy_auth_required],
    "port_8080": [faults.port_8080_dropped], "ipv6_broken": [faults.ipv6_blackhole],
    "dns_slow": [faults.dns_slow], "one_dead_address": [faults.one_dead_address],
    "proxy_only": [faults.proxy_only_network], "proxy_direct_works": [faults.proxy_set_direct_works],
    "dns_router_dead": [faults.dns_router_dead], "dns_provider_dead": [faults.dns_provider_dead],
    "dns_public_dead": [faults.dns_public_dead], "dns_vpn_dead": [faults.dns_vpn_dead],
    "dns_local_program_dead": [faults.dns_local_program_dead],
    "no_internet": [faults.no_internet_names_unknown],
}


def record(name: str) -> Path:
    report = lab_report(SCENARIOS[name], "en")
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def main(names: list[str]) -> int:
    OUT.mkdir(exist_ok=True)
    for name in names or list(SCENARIOS):
        path = record(name)
        print(f"{path.name}: {json.loads(path.read_text(encoding='utf-8'))['diagnosis']['primary']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
