"""A saved watch report (`wxdoctor.watch/1`), read back only through the typed loader.

`report FILE|wN`, the window's `--report` and the history read a watch here, like a
check report in load.py: a field of the wrong type is refused with its path
(`watch.outages[0].start_x: expected a number, got "x"`), a missing one takes the
value an empty watch has, and what the chart loops over is bounded (times within a
year of the first sample, at most MAX_RECORDS outages, gaps, events and slow-DNS
episodes, MAX_BUCKETS chart buckets). The result is the report as a dict with every
field the renderers read present and of its type.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from checks.report.load import ReportReader
from checks.report.reader import (
    EMPTY,
    MISSING,
    ReportError,
    bounded_depth,
    decode_json,
    got,
    read_json_file,
)
from checks.watch.analysis import ATTRIBUTIONS, MAX_RECORDS

SCHEMA_PREFIX = "wxdoctor.watch/"
MAX_SPAN_S = 366 * 24 * 3600.0  # a watch lasts at most a day; sleep may stretch it
MAX_BUCKETS = 2000  # the chart keeps at most 480
MAX_TARGETS = 5000
KINDS = ("server", "control")


def is_watch_data(data: Any) -> bool:
    """Whether decoded JSON says it is a watch report (valid or not)."""
    return isinstance(data, dict) and isinstance(data.get("schema"), str) \
        and data["schema"].startswith(SCHEMA_PREFIX)


def load_watch_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    return parse_watch(read_json_file(path))


def parse_watch_text(text: str) -> dict[str, Any]:
    return parse_watch(decode_json(text))


def parse_watch(data: Any) -> dict[str, Any]:
    """The watch report checked field by field; ReportError names the bad field."""
    if not is_watch_data(data):
        raise ReportError(f"not a wxdoctor watch: schema: expected \"{SCHEMA_PREFIX}1\", "
                          f"got {got(data.get('schema') if isinstance(data, dict) else data)}")
    bounded_depth(data)
    return _WatchReader().watch_report(data)


class _WatchReader(ReportReader):
    def seconds(self, value: Any, path: str) -> float:
        """A time on the watch's axis or a length of time: 0 up to MAX_SPAN_S."""
        number = self.number(value, path)
        if not 0 <= number <= MAX_SPAN_S:
            raise self.fail(path, f"seconds from 0 to {MAX_SPAN_S:.0f}", value)
        return number

    def time(self, value: Any, path: str) -> str | None:
        """A wall-clock time as the watch writes it (2026-12-01T13:41:29+08:00), or null."""
        if value is None:
            return None
        text = self.text(value, path)
        try:
            year = datetime.fromisoformat(text).year
        except ValueError:
            year = 0
        if not 2000 <= year <= 2100:
            raise self.fail(path, "a time such as 2026-12-01T13:41:29+08:00", value)
        return text

    def bucket(self, value: Any, path: str) -> list[Any]:
        """[samples, lost, min ms, mean ms, max ms]; the times null where none answered."""
        cell = self.items(value, path, lambda v, p: v)
        if len(cell) != 5:
            raise self.fail(path, "a list of 5 values", value)
        return [self.count_of(cell[0], f"{path}[0]"), self.count_of(cell[1], f"{path}[1]"),
                *(self.opt_number(cell[i], f"{path}[{i}]") for i in (2, 3, 4))]

    def span(self, value: Any, path: str) -> list[float]:
        pair = self.items(value, path, self.seconds)
        if len(pair) != 2:
            raise self.fail(path, "a list of 2 times", value)
        return list(pair)

    def figures(self, value: Any, path: str, more: dict[str, Any] | None = None) -> dict[str, Any]:
        """Counts and connect times of one target, the DNS or the gateway."""
        fields: dict[str, Any] = {"samples": (self.count_of, 0), "lost": (self.count_of, 0),
                                  **{k: (self.opt_number, None) for k in (
                                      "loss_pct", "min_ms", "median_ms", "p95_ms", "max_ms",
                                      "mean_ms")},
                                  **(more or {})}
        return self.record(value, path, fields)

    def target(self, value: Any, path: str) -> dict[str, Any]:
        return self.figures(value, path, {
            "label": (self.text, MISSING), "host": (self.text, ""), "port": (self.opt_int, None),
            "kind": (self.one_of(KINDS), MISSING), "product": (self.opt_text, None)})

    def outage(self, value: Any, path: str) -> dict[str, Any]:
        return self.record(value, path, {
            "start": (self.text, MISSING), "end": (self.text, MISSING),
            "start_x": (self.seconds, MISSING), "end_x": (self.seconds, MISSING),
            "duration_s": (self.seconds, MISSING), "samples": (self.count_of, 0),
            "attribution": (self.one_of(ATTRIBUTIONS), MISSING),
            "ongoing": (self.flag, False), "until_gap": (self.flag, False),
            "during": (self.free_obj, dict)})

    def gap(self, value: Any, path: str) -> dict[str, Any]:
        return self.record(value, path, {
            "start": (self.text, MISSING), "end": (self.text, MISSING),
            "start_x": (self.seconds, MISSING), "end_x": (self.seconds, MISSING),
            "duration_s": (self.seconds, MISSING), "reason": (self.text, MISSING)})

    def event(self, value: Any, path: str) -> dict[str, Any]:
        return self.record(value, path, {
            "at": (self.text, MISSING), "x": (self.seconds, MISSING), "kind": (self.text, MISSING),
            "before": (self.opt_text, None), "after": (self.opt_text, None)})

    def slow_dns(self, value: Any, path: str) -> dict[str, Any]:
        return self.record(value, path, {
            "at": (self.text, MISSING), "start_x": (self.seconds, 0.0),
            "end_x": (self.seconds, 0.0), "worst_ms": (self.opt_number, None),
            "name": (self.text, ""), "samples": (self.count_of, 1)})

    def stats(self, value: Any, path: str) -> dict[str, Any]:
        return self.record(value, path, {
            "targets": (self.list_of(self.target, MAX_TARGETS), list),
            "dns": (self.figures, EMPTY),
            "gateway": (lambda v, p: self.figures(v, p, {"address": (self.opt_text, None),
                                                         "how": (self.opt_text, None)}), EMPTY)})

    def timeline(self, value: Any, path: str) -> dict[str, Any]:
        return self.record(value, path, {
            "spans": (self.list_of(self.span, MAX_BUCKETS), list),
            "per_bucket": (self.count_of, 1),
            "series": (self.mapping(self.list_of(self.bucket, MAX_BUCKETS), MAX_TARGETS + 2),
                       dict)})

    def measured(self, value: Any, path: str) -> dict[str, Any]:
        records = MAX_RECORDS + 1  # and an outage still going on
        return self.record(value, path, {
            "first_sample": (self.time, None), "samples": (self.count_of, 0),
            "down_samples": (self.count_of, 0), "span_s": (self.seconds, 0.0),
            "outages": (self.list_of(self.outage, records), list),
            "outages_dropped": (self.count_of, 0), "outage_total_s": (self.seconds, 0.0),
            "longest_outage_s": (self.seconds, 0.0),
            "gaps": (self.list_of(self.gap, records), list), "gaps_dropped": (self.count_of, 0),
            "events": (self.list_of(self.event, records), list),
            "events_dropped": (self.count_of, 0),
            "slow_dns": (self.list_of(self.slow_dns, records), list),
            "slow_dns_dropped": (self.count_of, 0),
            "stats": (self.stats, EMPTY), "known": (self.mapping(self.flag), dict),
            "timeline": (self.timeline, EMPTY)})

    def summary(self, value: Any, path: str) -> dict[str, Any]:
        return self.record(value, path, {
            "lines": (self.list_of(self.text), list),
            "i18n": (self.mapping(self.list_of(self.text)), dict)})

    def watch_diagnosis(self, value: Any, path: str) -> dict[str, Any]:
        return self.record(value, path, {
            "primary": (self.opt_text, None),
            "causes": (self.list_of(lambda v, p: self.cause(v, p).to_json()), list)})

    def watch_report(self, data: dict[str, Any]) -> dict[str, Any]:
        report = self.record(data, "", {
            "schema": (self.text, MISSING),
            "tool": (lambda v, p: self.shaped(v, p, self._tool_shape), dict),
            "started_at": (self.text, ""), "ended_at": (self.text, ""),
            "duration_s": (self.seconds, 0.0), "requested_s": (self.seconds, 0.0),
            "interval_s": (self.seconds, 0.0), "stopped": (self.text, "time"),
            "lang": (self.text, ""), "status": (lambda v, p: self.status(v, p).value, "ok"),
            "system": (lambda v, p: self.shaped(v, p, self._system_shape), dict),
            "endpoints": (self.list_of(lambda v, p: self.shaped(v, p, self._endpoint_shape)),
                          list),
            "summary": (self.summary, EMPTY),
            "diagnosis": (self.watch_diagnosis, EMPTY),
            "watch": (self.measured, MISSING),
            "redaction": (self.opt_free_obj, None),
            "history_id": (self.opt_any_id, None)})
        if report["redaction"] is None:
            del report["redaction"]
        if report["history_id"] is None:
            del report["history_id"]
        return report

    def opt_free_obj(self, value: Any, path: str) -> dict[str, Any] | None:
        return None if value is None else self.free_obj(value, path)

    def opt_any_id(self, value: Any, path: str) -> str | None:
        """A watch's history id: `w3`."""
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(path, "a history id such as \"w3\"", value)
        return self.text(value, path)
