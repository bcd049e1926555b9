"""The data every part of wxdoctor exchanges: statuses, verdicts, results.

A check collects raw `Evidence` (JSON-able facts) and a pure function turns it
into a `Verdict`. Failures are stable short codes, never raw exception text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from checks.shared.i18n import Text, t

Evidence = Mapping[str, Any]


class Status(str, Enum):
    OK = "ok"
    INFO = "info"
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"  # not applicable on this OS or configuration
    ERROR = "error"  # could not check (grey)

    @property
    def severity(self) -> int:
        """Order for "worst of": ok/skipped < info/error < warn < fail."""
        return _SEVERITY[self]

    @property
    def label(self) -> Text:
        return _LABELS[self]


_SEVERITY = {
    Status.SKIPPED: 0,
    Status.OK: 0,
    Status.INFO: 1,
    Status.ERROR: 1,
    Status.WARN: 2,
    Status.FAIL: 3,
}
_LABELS = {
    Status.OK: t("OK", "正常"),
    Status.INFO: t("Info", "提示"),
    Status.WARN: t("Warning", "警告"),
    Status.FAIL: t("Problem", "故障"),
    Status.SKIPPED: t("Skipped", "跳过"),
    Status.ERROR: t("Could not check", "无法检测"),
}


def worst(statuses: Iterable[Status]) -> Status:
    result = Status.OK
    for status in statuses:
        if status.severity > result.severity or (
            status.severity == result.severity and status is Status.INFO
        ):
            result = status
    return result


@dataclass(frozen=True)
class Problem:
    """One failure of one target, in a form the diagnosis can correlate."""

    code: str
    host: str | None = None
    port: int | None = None
    address: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "host": self.host, "port": self.port, "address": self.address}


@dataclass(frozen=True)
class Verdict:
    status: Status
    summary: Text
    advice: Text | None = None
    problems: tuple[Problem, ...] = ()
    cause: str | None = None  # the root-cause code this finding points at, if any
    fixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: Text
    group: str
    status: Status
    summary: Text
    advice: Text | None = None
    evidence: Evidence = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    cause: str | None = None
    fixes: tuple[str, ...] = ()
    duration_s: float = 0.0

    def to_json(self, lang: str) -> dict[str, Any]:
        advice = self.advice.render(lang) if self.advice else ""
        return {
            "id": self.id,
            "title": self.title.render(lang),
            "group": self.group,
            "status": self.status.value,
            "summary": self.summary.render(lang),
            "advice": advice,
            "cause": self.cause,
            "evidence": dict(self.evidence),
            "problems": [p.to_json() for p in self.problems],
            "fixes": list(self.fixes),
            "duration_s": round(self.duration_s, 3),
            "i18n": {
                lang_: {
                    "title": self.title.render(lang_),
                    "summary": self.summary.render(lang_),
                    "advice": self.advice.render(lang_) if self.advice else "",
                }
                for lang_ in ("zh", "en")
            },
        }


def error_result(
    check_id: str, title: Text, group: str, code: str, reason: Text, duration_s: float = 0.0
) -> CheckResult:
    """A grey "could not check" result with a stable code and a readable reason."""
    return CheckResult(
        id=check_id,
        title=title,
        group=group,
        status=Status.ERROR,
        summary=reason,
        evidence={"failure": code},
        problems=(Problem(code),),
        duration_s=duration_s,
    )
