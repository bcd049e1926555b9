"""Judge a report again from the check results it carries.

After a fix re-runs some checks, the verdict at the top of the report (overall
status, diagnosis, endpoint matrix) must follow the fresh rows, or a ticket would
show "DNS pollution" above a green DNS row. The rows are read by the one report
loader (both languages travel under `i18n`), turned back into the CheckResults
they were made from and go through the same `diagnose()` a run uses, so a rebuilt
report judges exactly as the run did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.diagnosis.correlate import diagnose
from checks.diagnosis.headline import build_headline
from checks.engine.results import CheckResult, Problem, worst
from checks.report.load import CheckRecord, as_saved
from checks.report.matrix import build_matrix
from checks.shared.i18n import Text, t


def result_of(record: CheckRecord) -> CheckResult:
    """The CheckResult a report's check entry was made from (see CheckResult.to_json)."""

    def text(key: str) -> Text:
        return Text(en=record.text(key, "en"), zh=record.text(key, "zh"))

    advice = text("advice")
    return CheckResult(
        id=record.id, title=text("title"), group=record.group, status=record.status,
        summary=text("summary"), advice=advice if advice.en or advice.zh else None,
        evidence=dict(record.evidence),
        problems=tuple(Problem(p.code, p.host, p.port, p.address) for p in record.problems),
        cause=record.cause, fixes=record.fixes, duration_s=record.duration_s,
    )


def rejudged(report: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A copy of `report` whose status, diagnosis, headline and matrix follow its checks."""
    results = [result_of(record) for record in as_saved(dict(report)).checks]
    fresh = dict(report)
    fresh["status"] = worst(r.status for r in results).value
    diagnosis = diagnose(results)
    fresh["diagnosis"] = diagnosis.to_json(lang)
    fresh["headline"] = build_headline(
        diagnosis, results, started_at=str(report.get("started_at") or ""),
        endpoints=[e for e in report.get("endpoints") or [] if isinstance(e, Mapping)],
        domain_list=report.get("domain_list") if isinstance(report.get("domain_list"), Mapping)
        else None, lang=lang)
    fresh["matrix"] = build_matrix(fresh)
    return fresh


def headline(report: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The report's headline in `lang`, as stored. A report saved before reports carried
    one shows its stored diagnosis (what it said then, rendered as it is)."""
    stored = report.get("headline")
    if not isinstance(stored, Mapping):
        stored = _from_diagnosis(report)
    words = (stored.get("i18n") or {}).get(lang) or stored
    return {**stored, **words}


def _from_diagnosis(report: Mapping[str, Any]) -> dict[str, Any]:
    diagnosis = report.get("diagnosis")
    causes = [c for c in (diagnosis.get("causes") if isinstance(diagnosis, Mapping) else None)
              or [] if isinstance(c, Mapping)]
    if not causes:
        return {"cause": "", "status": str(report.get("status") or ""), "fixes": [],
                "summary": "", "advice": "", "proof": [], "also": [], "for_it": ""}

    def words(lang: str) -> dict[str, Any]:
        def text(cause: Mapping[str, Any], key: str) -> str:
            value = ((cause.get("i18n") or {}).get(lang) or {}).get(key)
            return str(value if value is not None else cause.get(key) or "")

        proof = text(causes[0], "proof")
        return {"summary": text(causes[0], "summary"), "advice": text(causes[0], "advice"),
                "proof": proof.splitlines(), "also": [text(c, "summary") for c in causes[1:]],
                "for_it": ""}

    primary = causes[0]
    return {"cause": str(primary.get("code") or ""), "status": str(primary.get("status") or ""),
            "fixes": [str(f) for f in primary.get("fixes") or []],
            "ask_it": bool(primary.get("for_it")), **words("en"),
            "i18n": {lang: words(lang) for lang in ("zh", "en")}}


NOTHING_FOR_IT = t("No network problem was found: there is nothing to send to the network "
                   "administrator.", "没有发现网络问题，无需联系网络管理员。")


def for_it_text(report: Mapping[str, Any], lang: str) -> str:
    """The text for the network administrator, or why there is none."""
    text = str(headline(report, lang).get("for_it") or "")
    return (text or NOTHING_FOR_IT.render(lang)) + "\n"
