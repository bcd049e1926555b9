"""Make docs/watch.md's pictures from a real watch in the lab (root).

    python3 -m tests.lab.make_watch_examples [--out docs/watch]

A 60 s watch at 1 s intervals over the default-like lab servers: the router drops
everything from 12 s to 22 s (itself included), then only the servers' addresses
from 36 s to 42 s. Writes the report (JSON), the window's screenshot and the PDF
with its pages as PNG, in Chinese and English.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from tests.lab import Lab
from tests.lab.topology import REPO_ROOT
from tests.lab.world import build_world, default_like_endpoints

SECONDS = 60


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(REPO_ROOT / "docs" / "watch"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    with Lab() as lab:
        world = build_world(lab, timeout_s=None, endpoints=default_like_endpoints())
        path = lab.write_config(world.config)
        argv = [sys.executable, "-m", "app", "watch", "--json", "--no-history", "--seconds",
                str(SECONDS), "--interval", "1", "--config", str(path), "--lang", "zh"]
        proc = lab.client.popen(argv, env=lab.doctor_env(), cwd=REPO_ROOT,
                                stdout=subprocess.PIPE)
        began = time.monotonic()
        servers = sorted({world.addresses[h] for h in world.endpoint_hosts()})

        def at(seconds: float) -> None:
            time.sleep(max(0.0, began + seconds - time.monotonic()))

        at(12)
        lab.blackhole()
        at(22)
        lab.clear_faults()
        at(36)
        for address in servers:
            lab.drop(address)
        at(42)
        lab.clear_faults()
        stdout, _ = proc.communicate(timeout=SECONDS + 30)
    from checks.report.redact import redact

    report = redact(json.loads(stdout))
    for lang in ("zh", "en"):
        report["lang"] = lang
        source = out / f"lab-watch-{lang}.json"
        source.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                          encoding="utf-8")
        subprocess.run([sys.executable, "-m", "app.gui.main", "--report", str(source),
                        "--screenshot", str(out / f"lab-watch-{lang}.png"), "--lang", lang],
                       check=True, cwd=REPO_ROOT, env=_offscreen())
        pdf = out / f"lab-watch-{lang}.pdf"
        subprocess.run([sys.executable, "-m", "app", "report", str(source), "--pdf", str(pdf),
                        "--lang", lang], check=True, cwd=REPO_ROOT)
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / f"lab-watch-{lang}-page")],
                       check=True)
    print("\n".join(report["summary"]["lines"]))
    return 0


def _offscreen() -> dict[str, str]:
    import os

    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO_ROOT)}


if __name__ == "__main__":
    raise SystemExit(main())
