"""What the watch chart shows, taken from a watch's JSON (live snapshot or saved report).

One model for the window's live chart and the PDF's: per server a line of connect
times over the watch's time axis (seconds since its first sample, sleep included),
outages as bands, gaps as hatched bands, changes of the route as marks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

Y_TICKS = 4  # grid lines above zero


@dataclass(frozen=True)
class Line:
    label: str
    # (x seconds, mean ms of the bucket, min, max); ms None where nothing answered
    points: tuple[tuple[float, float | None, float | None, float | None], ...]


@dataclass(frozen=True)
class ChartData:
    start_wall: float | None  # wall time at x = 0 (for the time labels)
    span_s: float
    lines: tuple[Line, ...]
    outages: tuple[tuple[float, float, str], ...]  # x0, x1, attribution
    gaps: tuple[tuple[float, float], ...]
    events: tuple[tuple[float, str], ...]
    y_max_ms: float

    @property
    def empty(self) -> bool:
        return not any(p[1] is not None for line in self.lines for p in line.points)


def nice_ceiling(ms: float) -> float:
    """The smallest 4 x (1, 2, 2.5 or 5 x 10^k) at or above `ms`: round grid labels."""
    magnitude = 1.0
    while magnitude * 10 * Y_TICKS < ms:
        magnitude *= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude * Y_TICKS >= ms:
            return step * magnitude * Y_TICKS
    return 10 * magnitude * Y_TICKS


def chart_data(watch: dict[str, Any]) -> ChartData:
    timeline = watch.get("timeline", {})
    spans = timeline.get("spans", [])
    servers = [t["label"] for t in watch.get("stats", {}).get("targets", [])
               if t.get("kind") == "server"]
    lines = []
    top = 0.0
    for label in servers:
        cells = timeline.get("series", {}).get(label, [])
        points = []
        for (x0, x1), cell in zip(spans, cells, strict=False):
            _n, _lost, low, mean, high = cell
            points.append(((x0 + x1) / 2, mean, low, high))
            if mean is not None:
                top = max(top, mean)
        lines.append(Line(label, tuple(points)))
    outages = tuple((o["start_x"], max(o["end_x"], o["start_x"]), o["attribution"])
                    for o in watch.get("outages", []))
    gaps = tuple((g["start_x"], g["end_x"]) for g in watch.get("gaps", []))
    events = tuple((e["x"], e["kind"]) for e in watch.get("events", []))
    ends = [float(watch.get("span_s") or 0.0), *(o[1] for o in outages), *(g[1] for g in gaps)]
    return ChartData(
        start_wall=_wall(watch.get("first_sample")), span_s=max(ends), lines=tuple(lines),
        outages=outages, gaps=gaps, events=events, y_max_ms=nice_ceiling(top * 1.1 or 10),
    )


def _wall(iso: Any) -> float | None:
    try:
        return datetime.fromisoformat(str(iso)).timestamp()
    except ValueError:
        return None


def time_step(span_s: float, max_ticks: int = 8) -> float:
    """A round step for the time axis: 10 s, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6 h."""
    for step in (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600):
        if span_s / step <= max_ticks:
            return float(step)
    return 43200.0
