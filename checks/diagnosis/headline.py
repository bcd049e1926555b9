"""The headline of a report, built once: the most likely cause in the words a technician
would use, what to do, what else was found, the measurements it rests on, the fixes
that do what the advice says (the one for this cause first) and the text for the
network administrator. The window's card, the command line, the chat summary and the
PDF render it as it is (report["headline"]); none of them assembles its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from checks.diagnosis.correlate import Diagnosis
from checks.diagnosis.facts import Facts
from checks.diagnosis.for_it import it_text
from checks.engine import codes
from checks.engine.results import CheckResult
from checks.shared.i18n import LANGS, Text


def build_headline(diagnosis: Diagnosis, results: Sequence[CheckResult], *, started_at: str,
                   endpoints: Sequence[Mapping[str, Any]],
                   domain_list: Mapping[str, Any] | None, lang: str) -> dict[str, Any]:
    primary, others = diagnosis.causes[0], diagnosis.causes[1:]
    facts = Facts(results)
    healthy = primary.code == codes.HEALTHY
    it: Text | None = None if healthy else it_text(
        primary.summary, primary.proof, facts, code=primary.code, started_at=started_at, endpoints=endpoints,
        domain_list=domain_list)

    def words(lang_: str) -> dict[str, Any]:
        return {
            "summary": primary.summary.render(lang_),
            "advice": primary.advice.render(lang_),
            "proof": [p.render(lang_) for p in primary.proof],
            "also": [o.summary.render(lang_) for o in others],
            "for_it": it.render(lang_) if it is not None else "",
        }

    return {
        "cause": primary.code,
        "status": primary.status,
        "fixes": list(primary.fixes),
        "ask_it": primary.for_it,  # the advice is to hand the text to the administrator
        **words(lang),
        "i18n": {lang_: words(lang_) for lang_ in LANGS},
    }
