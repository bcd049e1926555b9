"""Build the schema-versioned JSON report from a run."""

from __future__ import annotations

import platform as _platform
import socket
import sys
from typing import Any

import checks
from checks.diagnosis.correlate import diagnose
from checks.diagnosis.headline import build_headline
from checks.engine.config import Config
from checks.engine.results import Status, worst
from checks.engine.runner import RunResult
from checks.platform import NAME as OS_NAME
from checks.report.matrix import build_matrix

SCHEMA = "wxdoctor.report/1"


def system_info(lang: str, config: Config) -> dict[str, Any]:
    return {
        "os": OS_NAME,
        "os_version": _platform.platform(terse=True),
        "machine": _platform.machine(),
        "hostname": socket.gethostname(),
        "python": _platform.python_version(),
        "frozen": bool(getattr(sys, "frozen", False)),
        "lang": lang,
        "config_sources": list(config.sources),
    }


def build_report(run: RunResult, config: Config, lang: str) -> dict[str, Any]:
    overall = worst(r.status for r in run.results)
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "tool": {"name": "wxdoctor", "version": checks.__version__},
        "started_at": run.started_at.isoformat(timespec="seconds"),
        "duration_s": round(run.duration_s, 3),
        "lang": lang,
        "cancelled": run.cancelled,
        "status": overall.value,
        "system": system_info(lang, config),
        "endpoints": [e.to_json() for e in config.endpoints],
        "checks": [r.to_json(lang) for r in run.results],
    }
    if run.decided_early is not None:
        # The verdict was certain before every check finished: the checks still running
        # then were not needed (each says so; see checks.engine.runner).
        report["decided_early"] = dict(run.decided_early)
    diagnosis = diagnose(run.results)
    report["diagnosis"] = diagnosis.to_json(lang)
    if config.listed is not None:
        report["domain_list"] = config.listed.info()
    report["headline"] = build_headline(
        diagnosis, run.results, started_at=report["started_at"], endpoints=report["endpoints"],
        domain_list=config.listed.info() if config.listed is not None else None, lang=lang)
    report["matrix"] = build_matrix(report)
    return report


def exit_code(report: dict[str, Any]) -> int:
    """0 for ok/info/skipped/error (grey is not a fault), 1 for warn, 2 for fail."""
    statuses = [Status(c["status"]) for c in report["checks"]]
    top = worst(statuses)
    return {Status.WARN: 1, Status.FAIL: 2}.get(top, 0)
