"""Memory that stays flat however long a watch runs.

`Aggregate` keeps running figures of one measured quantity (count, lost, min, max,
sum and a fixed log-scale histogram for the median and 95th percentile), never the
values themselves. `Timeline` keeps the chart's data as at most `cap` time buckets:
when it is full, neighbouring buckets are merged pairwise and each new bucket takes
twice as many samples, so a 24-hour watch has the same size as a 10-minute one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

# Histogram bins: 0.1 ms .. ~100 s on a log scale, 16 bins per decade.
_BINS_PER_DECADE = 16
_LOW_MS = 0.1
_NBINS = 6 * _BINS_PER_DECADE + 1


def _bin(ms: float) -> int:
    if ms <= _LOW_MS:
        return 0
    return min(_NBINS - 1, int(math.log10(ms / _LOW_MS) * _BINS_PER_DECADE))


def _bin_value(index: int) -> float:
    """The geometric middle of a bin, in ms."""
    return float(_LOW_MS * 10 ** ((index + 0.5) / _BINS_PER_DECADE))


class Aggregate:
    __slots__ = ("n", "lost", "min", "max", "sum", "hist")

    def __init__(self) -> None:
        self.n = 0  # samples, answered or not
        self.lost = 0
        self.min: float | None = None
        self.max: float | None = None
        self.sum = 0.0
        self.hist = [0] * _NBINS

    def add(self, ms: float | None) -> None:
        self.n += 1
        if ms is None:
            self.lost += 1
            return
        self.sum += ms
        self.min = ms if self.min is None else min(self.min, ms)
        self.max = ms if self.max is None else max(self.max, ms)
        self.hist[_bin(ms)] += 1

    @property
    def answered(self) -> int:
        return self.n - self.lost

    def quantile(self, q: float) -> float | None:
        if not self.answered:
            return None
        rank = q * (self.answered - 1)
        seen = 0
        for index, count in enumerate(self.hist):
            seen += count
            if seen > rank:
                value = _bin_value(index)
                assert self.min is not None and self.max is not None
                return round(min(max(value, self.min), self.max), 1)
        return self.max

    def to_json(self) -> dict[str, Any]:
        return {
            "samples": self.n, "lost": self.lost,
            "loss_pct": round(100 * self.lost / self.n, 1) if self.n else None,
            "min_ms": self.min, "median_ms": self.quantile(0.5), "p95_ms": self.quantile(0.95),
            "max_ms": self.max,
            "mean_ms": round(self.sum / self.answered, 1) if self.answered else None,
        }


# One bucket of one series: [samples, lost, min ms, sum ms, max ms].
Cell = list[float]


def _empty() -> Cell:
    return [0, 0, math.inf, 0.0, -math.inf]


def _merge(a: Cell, b: Cell) -> Cell:
    return [a[0] + b[0], a[1] + b[1], min(a[2], b[2]), a[3] + b[3], max(a[4], b[4])]


class Timeline:
    """Aligned time buckets for every series; `x` is seconds since the watch began."""

    def __init__(self, names: Iterable[str], cap: int = 480) -> None:
        self.names = list(names)
        self.cap = max(4, cap - cap % 2)
        self.spans: list[list[float]] = []  # [x of the first sample, x of the last]
        self.cells: dict[str, list[Cell]] = {n: [] for n in self.names}
        self.per_bucket = 1
        self._in_last = 0
        self._break = False

    def cut(self) -> None:
        """The next sample opens a new bucket (after a gap in the data)."""
        self._break = True

    def add(self, x: float, values: Mapping[str, float | None]) -> None:
        if not self.spans or self._in_last >= self.per_bucket or self._break:
            self.spans.append([x, x])
            for name in self.names:
                self.cells[name].append(_empty())
            self._in_last = 0
            self._break = False
        self.spans[-1][1] = x
        self._in_last += 1
        for name in self.names:
            cell = self.cells[name][-1]
            value = values.get(name)
            cell[0] += 1
            if value is None:
                cell[1] += 1
            else:
                cell[2] = min(cell[2], value)
                cell[3] += value
                cell[4] = max(cell[4], value)
        if len(self.spans) > self.cap:
            self._halve()

    def _halve(self) -> None:
        pairs = range(0, len(self.spans) - 1, 2)
        spans = [[self.spans[i][0], self.spans[i + 1][1]] for i in pairs]
        cells = {n: [_merge(c[i], c[i + 1]) for i in pairs] for n, c in self.cells.items()}
        if len(self.spans) % 2:  # the odd newest bucket stays as it is
            spans.append(self.spans[-1])
            for name, column in self.cells.items():
                cells[name].append(column[-1])
        self.spans, self.cells = spans, cells
        self.per_bucket *= 2

    def to_json(self) -> dict[str, Any]:
        """{"spans": [[x0, x1]...], "series": {name: [[n, lost, min, mean, max] | ...]}};
        min/mean/max are null where nothing answered."""
        def out(cell: Cell) -> list[Any]:
            answered = cell[0] - cell[1]
            if not answered:
                return [int(cell[0]), int(cell[1]), None, None, None]
            return [int(cell[0]), int(cell[1]), round(cell[2], 1),
                    round(cell[3] / answered, 1), round(cell[4], 1)]

        return {"spans": [[round(a, 2), round(b, 2)] for a, b in self.spans],
                "per_bucket": self.per_bucket,
                "series": {n: [out(c) for c in cells] for n, cells in self.cells.items()}}
