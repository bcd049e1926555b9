"""A report's check entry as a person reads it, in one language: what the window's
Details and the PDF draw.

The check's own module renders its evidence (`Check.show`); a check this version does
not know, evidence of another shape (a newer or older report) and keys the check does
not know are shown as they are (evidence_view.generic), never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.engine.check import check_class
from checks.report import words as w
from checks.report.evidence_view import (
    L_FAILURE,
    MAX_ROWS,
    MORE_ROWS,
    Item,
    Line,
    Shown,
    Table,
    clip,
    generic,
)
from checks.shared.i18n import t

L_NOT_NEEDED = t("Not needed", "无需检测")
DECIDED_AFTER = t("the most likely cause was certain after {time}, before this check finished",
                  "检测开始 {time}后，最可能的原因已经确定，当时本项检测尚未完成")


def items(check: Mapping[str, Any]) -> list[Item]:
    """The readable evidence of one check result (a report's `checks[]` entry)."""
    evidence = check.get("evidence")
    if not isinstance(evidence, Mapping) or not evidence:
        return []
    if set(evidence) == {"failure"}:  # an overrun or a crash: only the reason is known
        return [Line(L_FAILURE, w.failure(evidence["failure"]))]
    if set(evidence) == {"not_needed"}:  # still running when the verdict was certain
        decided = w.sub(evidence, "not_needed")
        return [Line(L_NOT_NEEDED, DECIDED_AFTER.with_params(time=w.seconds(decided.get("after_s"))))]
    cls = check_class(str(check.get("id")))
    if cls is None:
        return generic(evidence)
    try:
        shown = cls().show(evidence)
    except (KeyError, TypeError, ValueError, AttributeError):
        # Evidence of another shape (a newer or older report): still readable.
        return generic(evidence)
    # Keys this version does not know yet (a newer report) are shown as they are.
    extra = {k: v for k, v in evidence.items() if k not in cls.evidence_keys}
    return shown + generic(extra)


def render(check: Mapping[str, Any], lang: str) -> Shown:
    shown = Shown()
    for item in items(check):
        if isinstance(item, Table) and not item.rows:  # an empty table says so in a line
            item = Line(item.title, w.NONE)
        if isinstance(item, Line):
            shown.order.append(("line", len(shown.lines)))
            shown.lines.append((item.label.render(lang), clip(item.value.render(lang))))
        else:
            rows = [[clip(c.render(lang)) for c in row] for row in item.rows[:MAX_ROWS]]
            more = item.more + max(0, len(item.rows) - MAX_ROWS)
            if more:
                rows.append([MORE_ROWS.with_params(n=more).render(lang)]
                            + [""] * (len(item.headers) - 1))
            shown.order.append(("table", len(shown.tables)))
            shown.tables.append((item.title.render(lang), [h.render(lang) for h in item.headers],
                                 rows))
    return shown
