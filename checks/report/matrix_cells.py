"""The pieces a check declares its endpoint-matrix columns with, and the cells they fill.

A check module declares the columns its evidence fills (`Check.matrix_columns`); each
column's function reads the check's evidence for one server, defensively: a key that is
missing (an older or newer report) leaves the cell "not measured" with a reason
(`Unmeasured`). report.matrix puts the columns side by side, one row per server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from checks.engine import check_ids
from checks.engine.results import Status
from checks.shared.i18n import Text, t

CellReader = Callable[[str, Mapping[str, Any], dict[Any, Any], int | None], dict[str, Any]]


@dataclass(frozen=True)
class Column:
    """One column of the endpoint matrix (`key` is its id in the JSON `matrix` object)."""

    key: str
    title: Text
    position: int  # left to right: DNS 10-20, TCP ports 30, TLS 40, HTTP 50, latency 60
    read: CellReader  # (host, endpoint, checks by id, port) -> cell
    per_port: bool = False  # one column per port the servers use ("tcp_443" ...)


DASH = "—"  # a cell that was not measured; its note says why


ORDER = {"none": 0, "ok": 1, "info": 2, "warn": 3, "fail": 4}


NOT_RUN = t("The “{title}” check was not run.", "未运行“{title}”检测。")


NOT_POSSIBLE = t("“{title}” could not check: {why}", "“{title}”无法检测：{why}")


SKIPPED = t("“{title}” was skipped: {why}", "“{title}”已跳过：{why}")


NOT_IN_EVIDENCE = t("“{title}” recorded nothing for this server.", "“{title}”没有记录这台服务器的数据。")


AN_ADDRESS = t("An IP address: there is no name to resolve.", "IP 地址：没有需要解析的域名。")


NOT_RESOLVED = t("The name did not resolve (see System DNS).", "域名无法解析（见系统 DNS 列）。")


def cell(state: str, text: Text, **values: Any) -> dict[str, Any]:
    return {"state": state, "text": text.both(), **values}


def unmeasured_cell(note: Text, text: Text | None = None, **values: Any) -> dict[str, Any]:
    """Not measured: the cell says "—" (or `text`), the note why."""
    shown = text.both() if text is not None else {"en": DASH, "zh": DASH}
    return {"state": "none", "text": shown, "note": note.both(), **values}


def check_text(check: Mapping[str, Any], key: str, fallback: str = "") -> Text:
    """A check's title or summary in both languages (Chinese falls back to English)."""
    i18n = check.get("i18n") or {}
    en = (i18n.get("en") or {}).get(key) or check.get(key) or fallback
    return Text(str(en), str((i18n.get("zh") or {}).get(key) or en))


class Unmeasured(Exception):
    """A cell that cannot be filled, with the reason a person reads."""

    def __init__(self, note: Text, **values: Any) -> None:
        super().__init__(note.en)
        self.note, self.values = note, values


class Skipped(Unmeasured):
    """The check did not run this time (not needed, or left out)."""


DNS_COLUMNS = ("system_dns", "trusted_dns")


def measure(column: Column, host: str, endpoint: Mapping[str, Any], checks: dict[Any, Any],
            port: int | None) -> dict[str, Any]:
    try:
        return column.read(host, endpoint, checks, port)
    except Skipped as why:
        # A connection to a name that did not resolve could not have been made anyway:
        # that is the reason a person needs, not that the run ended before the check.
        if column.key not in DNS_COLUMNS and _did_not_resolve(checks, host):
            return unmeasured_cell(NOT_RESOLVED)
        return unmeasured_cell(why.note, **why.values)
    except Unmeasured as why:
        return unmeasured_cell(why.note, **why.values)


def _did_not_resolve(checks: dict[Any, Any], host: str) -> bool:
    """The system DNS column's verdict for host: failed (see catalog/dns_resolve.py)."""
    evidence = (checks.get(check_ids.DNS) or {}).get("evidence")
    if not isinstance(evidence, Mapping):
        return False
    answers = records_for(evidence, "answers", host)
    return bool(answers) and all(a.get("error") or not answer_addresses(a) for a in answers)


def answer_addresses(answer: Mapping[str, Any]) -> list[str]:
    """The addresses a system lookup gave for a name, IPv4 first."""
    return [a for rtype in ("A", "AAAA") for a in ((answer.get(rtype) or {}).get("addresses") or [])]


def evidence_of(checks: dict[Any, Any], check_id: str) -> Mapping[str, Any]:
    """The check's evidence, or Unmeasured saying why there is none."""
    check = checks.get(check_id)
    if check is None:
        raise Unmeasured(NOT_RUN.with_params(title=check_id))
    name = check_text(check, "title", check_id)
    evidence = check.get("evidence")
    if check.get("status") == Status.SKIPPED.value:
        raise Skipped(SKIPPED.with_params(title=name, why=check_text(check, "summary")))
    if not isinstance(evidence, Mapping) or set(evidence) <= {"failure"}:
        # An overrun, a crash or a cancel leaves only the failure code.
        why = check_text(check, "summary")
        raise Unmeasured(NOT_POSSIBLE.with_params(title=name, why=why))
    return evidence


def records_for(evidence: Mapping[str, Any], key: str, host: str) -> list[Mapping[str, Any]]:
    items = evidence.get(key)
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, Mapping) and str(i.get("host", "")).lower() == host.lower()]


def found_for(evidence: Mapping[str, Any], key: str, host: str, checks: dict[Any, Any],
           check_id: str) -> list[Mapping[str, Any]]:
    records = records_for(evidence, key, host)
    if not records:
        title = check_text(checks[check_id], "title", check_id)
        raise Unmeasured(NOT_IN_EVIDENCE.with_params(title=title))
    return records


def problem_hosts(checks: dict[Any, Any], check_id: str) -> set[str]:
    check = checks.get(check_id) or {}
    return {str(p.get("host")).lower() for p in check.get("problems") or []
            if isinstance(p, Mapping) and p.get("host")}


def finding_state(checks: dict[Any, Any], check_id: str) -> str:
    status = (checks.get(check_id) or {}).get("status")
    return status if status in ("warn", "fail") else "warn"

