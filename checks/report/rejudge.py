"""Judge a report again from the check results it carries.

After a fix re-runs some checks, the verdict at the top of the report (overall
status, diagnosis, endpoint matrix) must follow the fresh rows, or a ticket would
show "DNS pollution" above a green DNS row. The results are rebuilt from their
JSON (both languages travel under `i18n`) and go through the same `diagnose()` a
run uses, so a rebuilt report judges exactly as the run did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.diagnosis import diagnose
from checks.i18n import Text
from checks.model import CheckResult, Problem, Status, worst
from checks.report.matrix import build_matrix


def _text(check: Mapping[str, Any], key: str) -> Text:
    i18n = check.get("i18n")
    plain = str(check.get(key) or "")
    by_lang = {lang: plain for lang in ("en", "zh")}
    if isinstance(i18n, Mapping):
        for lang in by_lang:
            texts = i18n.get(lang)
            if isinstance(texts, Mapping) and texts.get(key):
                by_lang[lang] = str(texts[key])
    return Text(en=by_lang["en"], zh=by_lang["zh"])


def _port(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _problem(item: Mapping[str, Any]) -> Problem:
    def optional(key: str) -> str | None:
        value = item.get(key)
        return value if isinstance(value, str) else None

    return Problem(str(item.get("code", "")), optional("host"), _port(item.get("port")),
                   optional("address"))


def result_of(check: Mapping[str, Any]) -> CheckResult:
    """The CheckResult a report's check entry was made from (see CheckResult.to_json)."""
    advice = _text(check, "advice")
    return CheckResult(
        id=str(check["id"]),
        title=_text(check, "title"),
        group=str(check.get("group") or ""),
        status=Status(check["status"]),
        summary=_text(check, "summary"),
        advice=advice if advice.en or advice.zh else None,
        evidence=dict(check.get("evidence") or {}),
        problems=tuple(_problem(p) for p in check.get("problems") or [] if isinstance(p, Mapping)),
        cause=check.get("cause") if isinstance(check.get("cause"), str) else None,
        fixes=tuple(str(f) for f in check.get("fixes") or []),
        duration_s=float(check.get("duration_s") or 0.0),
    )


def rejudged(report: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A copy of `report` whose status, diagnosis and matrix follow its checks."""
    results = [result_of(c) for c in report.get("checks") or [] if isinstance(c, Mapping)]
    fresh = dict(report)
    fresh["status"] = worst(r.status for r in results).value
    fresh["diagnosis"] = diagnose(results).to_json(lang)
    fresh["matrix"] = build_matrix(fresh)
    return fresh
