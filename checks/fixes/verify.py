"""Re-run the checks a fix affects, for the before/after comparison."""

from __future__ import annotations

from typing import Any

from checks.base import Check, all_checks
from checks.config import Config
from checks.model import CheckResult


def checks_by_id(ids: tuple[str, ...] | list[str]) -> list[Check]:
    """The registered checks among `ids` (a check another branch has not added yet is skipped)."""
    return [c for c in all_checks() if c.id in ids]


def run_checks(config: Config, ids: tuple[str, ...] | list[str], lang: str = "en") -> list[CheckResult]:
    from checks.runner import Runner

    selected = checks_by_id(ids)
    if not selected:
        return []
    return Runner(config, selected, lang=lang).run().results


def mini_report(results: list[CheckResult], lang: str = "en") -> dict[str, Any]:
    """Enough of a report for `FixEnv.report` (checks with their evidence)."""
    return {"checks": [r.to_json(lang) for r in results]}


def statuses(report: dict[str, Any] | None, ids: tuple[str, ...] | list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for check in (report or {}).get("checks", []):
        if check.get("id") in ids:
            found[check["id"]] = str(check.get("status"))
    return found
