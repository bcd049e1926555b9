"""The watch report (schema `wxdoctor.watch/1`): one JSON document that the terminal
text, the window, the PDF and the history are all rendered from.

Its `diagnosis` has the shape of a check report's, so the history and the support
tools read the most likely cause the same way; `watch` holds the measurements.
"""

from __future__ import annotations

from typing import Any

import checks
from checks.engine.config import Config
from checks.report.build import system_info
from checks.shared.i18n import LANGS
from checks.watch.analysis import WatchAnalysis
from checks.watch.plan import Plan
from checks.watch.summary import findings

SCHEMA = "wxdoctor.watch/1"


def is_watch(report: dict[str, Any]) -> bool:
    return str(report.get("schema", "")).startswith("wxdoctor.watch/")


def build_watch_report(analysis: WatchAnalysis, config: Config, *, started_wall: float,
                       ended_mono: float, ended_wall: float, plan: Plan, stopped: str,
                       lang: str) -> dict[str, Any]:
    analysis.finish(ended_mono, ended_wall)
    data = analysis.to_json()
    servers = sum(1 for t in analysis.targets if t.kind == "server")
    found = findings(data, servers=servers, latency=config.latency,
                     dns_slow_ms=config.watch.dns_slow_ms)
    causes = [c.to_json(lang) for c in found.causes]
    return {
        "schema": SCHEMA,
        "tool": {"name": "wxdoctor", "version": checks.__version__},
        "started_at": _utc(started_wall),
        "ended_at": _utc(ended_wall),
        "duration_s": round(max(0.0, ended_wall - started_wall), 1),
        "requested_s": plan.seconds,
        "interval_s": plan.interval_s,
        "stopped": stopped,  # "time" | "user"
        "lang": lang,
        "status": found.status.value,
        "system": system_info(lang, config),
        "endpoints": [
            {"host": e.host, "ports": list(e.ports), "product": e.product, "tls": e.tls}
            for e in config.endpoints
        ],
        "summary": {"lines": [line.render(lang) for line in found.lines],
                    "i18n": {code: [line.render(code) for line in found.lines]
                             for code in LANGS}},
        "diagnosis": {"primary": found.primary, "causes": causes},
        "watch": data,
    }


def exit_code(report: dict[str, Any]) -> int:
    """As for a check: 0 nothing wrong, 1 warnings, 2 outages."""
    return {"warn": 1, "fail": 2}.get(str(report.get("status")), 0)


def summary_lines(report: dict[str, Any], lang: str) -> list[str]:
    summary = report.get("summary", {})
    lines = summary.get("i18n", {}).get(lang) or summary.get("lines") or []
    return [str(line) for line in lines]


def advice_lines(report: dict[str, Any], lang: str) -> list[str]:
    """What to do, in the causes' order, each advice once."""
    causes = report.get("diagnosis", {}).get("causes", [])
    advice = (c.get("i18n", {}).get(lang, {}).get("advice", "") for c in causes)
    return list(dict.fromkeys(a for a in advice if a))


def _utc(wall: float) -> str:
    """Like a check report's `started_at`; outage times are local (what people read)."""
    from datetime import datetime, timezone

    return datetime.fromtimestamp(wall, timezone.utc).isoformat(timespec="seconds")
