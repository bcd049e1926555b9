"""Big domain lists against the network lab (root; not a pytest module).

    python tests/bench/domain_list_bench.py [--deadline S] [--size DOMAINSxPORTS ...]
                                            [--blackhole]

A lab world (the usual three endpoints, trusted DNS, NTP, captive probe) plus a saved
get_server_domain_ip answer of DOMAINS names under `*.big.lab.test` (both resolvers
answer every one of them with one of four lab servers: two listen on 443/80/8080, two
drop everything) with PORTS ports each (443, 80, 8080, then 10000 upwards). For each
size: wall time and peak RSS of `check --json --deadline S --domain-list FILE` in the
client namespace, whether the report is complete (every check present, the diagnosis
set) and what it says about the cut. Nothing is asserted; tests/report/
test_lab_domain_list.py asserts the behaviour.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.lab import Lab  # noqa: E402
from tests.lab.world import build_world, serve  # noqa: E402

SIZES = ["2000x199", "500x20", "64x3"]
SUFFIX = "big.lab.test"


def ports_of(count: int) -> list[int]:
    base = [443, 80, 8080]
    return base[:count] + list(range(10000, 10000 + max(0, count - len(base))))


def write_list(path: Path, domains: int, ports: int) -> None:
    entries = [{"domain": f"s{i}.{SUFFIX}", "universal_domian": SUFFIX, "protocol": "TCP",
                "port": ports_of(ports), "is_necessary": i % 3 != 2,
                "description": "企业微信客户端长连接"} for i in range(domains)]
    for entry in entries:
        entry["is_necessary"] = int(entry["is_necessary"])
    path.write_text(json.dumps({"errcode": 0, "errmsg": "ok", "domain_list": entries}),
                    encoding="utf-8")


def run(lab: Lab, argv: list[str]) -> tuple[float, int, str, str, float | None]:
    rss_file = lab.tmp / f"rss-{time.monotonic_ns()}.txt"
    time_bin = shutil.which("time") or "/usr/bin/time"
    wrap = [time_bin, "-q", "-f", "%M", "-o", str(rss_file)] if os.path.exists(time_bin) else []
    env = lab.doctor_env()
    start = time.perf_counter()
    proc = lab.client.run([*wrap, *argv], timeout=600, check=False, cwd=REPO, env=env)
    wall = time.perf_counter() - start
    try:
        rss: float | None = int(rss_file.read_text().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        rss = None
    return wall, proc.returncode, proc.stdout, proc.stderr, rss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deadline", type=float, default=8.0)
    parser.add_argument("--size", action="append", help="DOMAINSxPORTS (repeatable)")
    parser.add_argument("--blackhole", action="store_true",
                        help="the router drops every packet: every probe runs to its timeout")
    args = parser.parse_args(argv)
    with Lab() as lab:
        world = build_world(lab, timeout_s=None, deadline_s=10)
        servers = []
        for n in range(4):
            addr = lab.add_address()
            if n < 2:
                serve(world, addr, [443, 80, 8080], world.ca.issue(f"*.{SUFFIX}"))
            else:
                lab.drop(addr)
            servers.append(addr)
        lab.dns.set(f"*.{SUFFIX}", a=servers)
        world.trusted_dns.set(f"*.{SUFFIX}", a=servers)
        config = lab.write_config(world.config)
        if args.blackhole:
            lab.blackhole()
        print(f"lab: {len(servers)} servers for *.{SUFFIX} (2 answering, 2 dropping)"
              f"{', everything dropped' if args.blackhole else ''}; --deadline {args.deadline:g}")
        for size in args.size or SIZES:
            domains, ports = (int(x) for x in size.split("x"))
            listed = lab.tmp / f"list-{size}.json"
            write_list(listed, domains, ports)
            wall, rc, out, err, rss = run(lab, [
                sys.executable, "-m", "app", "check", "--json", "--no-history", "--config",
                str(config), "--deadline", f"{args.deadline:g}", "--domain-list", str(listed)])
            try:
                report: dict[str, Any] = json.loads(out)
            except ValueError:
                print(f"{size:>9}: rc={rc} wall {wall:.1f} s, no report: {err[-400:]}")
                continue
            info = report.get("domain_list") or {}
            states = {c["id"]: c["status"] for c in report["checks"]}
            print(f"{size:>9}: {listed.stat().st_size / 1e6:.2f} MB, rc={rc}, wall {wall:.1f} s "
                  f"(engine {report['duration_s']:.1f} s), peak RSS "
                  f"{rss if rss is None else round(rss, 1)} MB, {len(states)} checks "
                  f"({sum(s == 'error' for s in states.values())} could not check), "
                  f"diagnosis {report['diagnosis']['primary']}, endpoints "
                  f"{len(report['endpoints'])}, cut {json.dumps(info.get('cut'))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
