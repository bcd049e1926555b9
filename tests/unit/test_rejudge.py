"""A report judged again from the check results it carries (after a fix re-ran some)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checks.report.rejudge import rejudged

LAB_REPORTS = Path(__file__).resolve().parents[1] / "report" / "lab_reports"


def _load(name: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((LAB_REPORTS / f"{name}.json").read_text("utf-8"))
    return report


@pytest.mark.parametrize("path", sorted(LAB_REPORTS.glob("*.json")), ids=lambda p: p.stem)
def test_a_recorded_run_judged_again_gives_its_own_verdict(path: Path) -> None:
    report = json.loads(path.read_text("utf-8"))
    again = rejudged(report, report["lang"])
    assert again["diagnosis"] == report["diagnosis"]
    assert again["status"] == report["status"]
    assert again["matrix"] == report["matrix"]


def test_a_repaired_check_changes_the_verdict_and_the_matrix() -> None:
    polluted, healthy = _load("polluted"), _load("healthy")
    assert polluted["diagnosis"]["primary"] == "dns_pollution"
    good = {c["id"]: c for c in healthy["checks"]}
    # What a fix's re-check brings: the DNS rows as on the healthy network.
    fixed = {**polluted, "checks": [good.get(c["id"], c) if c["id"] in ("dns_pollution", "tls", "dns")
                                    else c for c in polluted["checks"]]}
    again = rejudged(fixed, "en")
    assert again["diagnosis"]["primary"] != "dns_pollution"
    assert again["matrix"] != polluted["matrix"]
    assert polluted["diagnosis"]["primary"] == "dns_pollution"  # the original is left alone
    everything = rejudged({**polluted, "checks": healthy["checks"]}, "zh")
    assert everything["diagnosis"]["primary"] == "healthy"
    assert everything["status"] == healthy["status"]
