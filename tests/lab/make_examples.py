"""Regenerate docs/examples/ from real lab runs: reports, window screenshots, PDF pages.

    sudo python tests/lab/make_examples.py          # as root: it builds network namespaces
    sudo python tests/lab/make_examples.py no-internet proxy-only-network   # only these

Each scenario is a fresh lab "world" (tests/lab/world.py) with real faults applied,
then `wxdoctor check --json` inside the client namespace. The saved report is shown
in the window (`wxdoctor-gui --report ... --screenshot ...`, and its Servers tab with `--view
servers`) and turned into a PDF
(`wxdoctor report ... --pdf`), whose first pages become PNGs with pdftoppm.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.lab import REPO_ROOT, Lab  # noqa: E402
from tests.lab import faults as lab_faults  # noqa: E402
from tests.lab.world import World, user_world  # noqa: E402
from tests.test_lab_diagnosis_matrix import captive, clock_off, intercepted, polluted  # noqa: E402

OUT = ROOT / "docs" / "examples"
Fault = Callable[[Lab, World], None]

SCENARIOS: list[tuple[str, list[Fault]]] = [
    ("healthy", []),
    ("polluted-dns+clock", [polluted, clock_off]),
    ("interception+clock", [intercepted, clock_off]),
    ("captive-portal", [captive]),
    # A company network: only the proxy goes out; a firewall allow-list with an old address.
    ("proxy-only-network", [lab_faults.proxy_only_network]),
    ("one-dead-address", [lab_faults.one_dead_address]),
    ("router-dns-dead", [lab_faults.dns_router_dead]),
    ("vpn-swallows-everything", [lab_faults.vpn_swallows_everything]),
    ("service-outage", [lab_faults.service_502]),
    ("no-internet", [lab_faults.no_internet_names_unknown]),
]


def lab_report(faults: list[Fault], lang: str) -> dict[str, Any]:
    """`check --json` in a fresh lab world, as a user's machine has it, with `faults`."""
    with Lab() as lab:
        world = user_world(lab)
        for fault in faults:
            fault(lab, world)
        config = lab.write_config(world.config)
        argv = [sys.executable, "-m", "app", "check", "--json", "--no-history", "--lang", lang,
                "--config", str(config)]
        proc = lab.client.run(argv, timeout=90, check=False, cwd=REPO_ROOT,
                              env={**lab.doctor_env(), **world.env})
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def run_scenario(name: str, faults: list[Fault], lang: str) -> Path:
    report = lab_report(faults, lang)
    path = OUT / f"{name}-{lang}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def render(report: Path, lang: str, dark: bool = False) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    stem = report.stem + ("-dark" if dark else "")

    def shot(name: str, *extra: str) -> None:
        subprocess.run([sys.executable, "-m", "app.gui.main", "--report", str(report),
                        "--screenshot", str(OUT / name), "--lang", lang, *extra],
                       env=env, check=True, timeout=60)

    shot(f"{stem}.png", *(["--dark"] if dark else []))
    if dark:
        return
    shot(f"{stem}-servers.png", "--view", "servers")  # the endpoint matrix beside the lights
    pdf = OUT / f"{stem}.pdf"
    subprocess.run([sys.executable, "-m", "app", "report", str(report), "--pdf", str(pdf),
                    "--lang", lang], env=env, check=True, timeout=60)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf),
                    str(OUT / f"{stem}-page")], check=True, timeout=60)


def main(only: list[str]) -> int:
    """Every scenario, or only those named on the command line."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, faults in SCENARIOS:
        if only and name not in only:
            continue
        for lang in ("zh", "en"):
            report = run_scenario(name, faults, lang)
            primary = json.loads(report.read_text(encoding="utf-8"))["diagnosis"]["primary"]
            print(f"{report.name}: primary cause {primary}")
            render(report, lang)
            if name != "healthy" and lang == "en":
                render(report, lang, dark=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
