"""How long and how often a watch samples, checked once before it starts."""

from __future__ import annotations

from dataclasses import dataclass

from checks.engine.config import Config

MIN_INTERVAL_S = 1.0
MAX_SECONDS = 24 * 3600.0


class WatchError(ValueError):
    """A watch asked for with an impossible interval or duration."""


@dataclass(frozen=True)
class Plan:
    seconds: float
    interval_s: float

    @classmethod
    def of(cls, config: Config, seconds: float | None = None,
           interval_s: float | None = None) -> Plan:
        """The config's [watch] defaults, overridden by what was asked for."""
        seconds = config.watch.minutes * 60 if seconds is None else seconds
        interval_s = config.watch.interval_s if interval_s is None else interval_s
        if not MIN_INTERVAL_S <= interval_s <= 3600:
            raise WatchError(f"the interval must be between {MIN_INTERVAL_S:g} and 3600 seconds")
        if not 0 < seconds <= MAX_SECONDS:
            raise WatchError("a watch lasts more than 0 seconds and at most 24 hours")
        return cls(seconds, interval_s)
