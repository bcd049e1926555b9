"""The one way a saved report comes back in: read bounded, parsed, validated, typed.

`report`, `compare`, the history and the window all load reports here. A file
that does not fit the schema is refused with the path of the bad field
(`checks[0].status: expected one of ok, info, warn, fail, skipped, error, got 5`),
never passed on to crash a renderer. What is loaded is bounded: the file size,
the nesting depth, the number of checks and values, and the length of every
string (longer ones are cut and say so), so a hostile or broken file costs
seconds and megabytes, not a minute and gigabytes.

Renderers read `SavedReport.to_json()`: the same report with every field present
in its type. Keys this version does not know (from a newer wxdoctor) are kept.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from checks.engine.results import Status, worst
from checks.report.load_matrix import read_matrix
from checks.report.reader import (  # noqa: F401 (the limits, for the loader's users)
    MAX_DEPTH,
    MAX_REPORT_BYTES,
    MAX_TEXT,
    MAX_VALUES,
    Reader,
    ReportError,
    bounded_depth,
    cut_text,
    decode_json,
    got,
    read_json_file,
)
from checks.shared.i18n import LANGS
from checks.shared.nesting import key_path

SCHEMA_PREFIX = "wxdoctor.report/"
MAX_CHECKS = 500


# ---- typed report ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemRecord:
    code: str
    host: str | None = None
    port: int | None = None
    address: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "host": self.host, "port": self.port,
                "address": self.address, **self.extra}


@dataclass(frozen=True)
class CheckRecord:
    id: str
    status: Status
    title: str = ""
    group: str = ""
    summary: str = ""
    advice: str = ""
    cause: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    problems: tuple[ProblemRecord, ...] = ()
    fixes: tuple[str, ...] = ()
    duration_s: float = 0.0
    i18n: dict[str, dict[str, str]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def text(self, key: str, lang: str) -> str:
        """A text in `lang`, else in the language the report was made in."""
        value = self.i18n.get(lang, {}).get(key)
        return value if value is not None else str(getattr(self, key, ""))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "group": self.group,
            "status": self.status.value, "summary": self.summary, "advice": self.advice,
            "cause": self.cause, "evidence": self.evidence,
            "problems": [p.to_json() for p in self.problems], "fixes": list(self.fixes),
            "duration_s": self.duration_s, "i18n": self.i18n, **self.extra,
        }


@dataclass(frozen=True)
class CauseRecord:
    code: str
    status: str = "fail"
    summary: str = ""
    advice: str = ""
    because: tuple[str, ...] = ()
    explains: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    fixes: tuple[str, ...] = ()
    i18n: dict[str, dict[str, str]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code, "status": self.status, "summary": self.summary,
            "advice": self.advice, "because": list(self.because),
            "explains": list(self.explains), "evidence": list(self.evidence),
            "fixes": list(self.fixes), "i18n": self.i18n, **self.extra,
        }


@dataclass(frozen=True)
class DiagnosisRecord:
    primary: str | None = None
    causes: tuple[CauseRecord, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"primary": self.primary, "causes": [c.to_json() for c in self.causes],
                **self.extra}


@dataclass(frozen=True)
class SavedReport:
    schema: str
    status: Status
    checks: tuple[CheckRecord, ...]
    diagnosis: DiagnosisRecord
    lang: str = ""  # "zh" or "en"; "" when the report does not say
    started_at: str = ""
    duration_s: float = 0.0
    cancelled: bool = False
    tool: dict[str, Any] = field(default_factory=dict)
    system: dict[str, Any] = field(default_factory=dict)
    endpoints: tuple[dict[str, Any], ...] = ()
    fixes_applied: tuple[dict[str, Any], ...] | None = None
    redaction: dict[str, Any] | None = None
    history_id: int | None = None
    matrix: dict[str, Any] | None = None  # checked by load_matrix; rebuilt when missing
    extra: dict[str, Any] = field(default_factory=dict)

    def check(self, check_id: str) -> CheckRecord | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema": self.schema, "tool": self.tool, "started_at": self.started_at,
            "duration_s": self.duration_s, "lang": self.lang, "cancelled": self.cancelled,
            "status": self.status.value, "system": self.system,
            "endpoints": list(self.endpoints), "checks": [c.to_json() for c in self.checks],
            "diagnosis": self.diagnosis.to_json(),
        }
        if self.fixes_applied is not None:
            data["fixes_applied"] = list(self.fixes_applied)
        if self.redaction is not None:
            data["redaction"] = self.redaction
        if self.history_id is not None:
            data["history_id"] = self.history_id
        if self.matrix is not None:
            data["matrix"] = self.matrix
        data.update(self.extra)
        return data


# ---- entry points ----------------------------------------------------------------------


def load_report_file(path: str | os.PathLike[str]) -> SavedReport:
    """A report file (`check --json` output or an export); OSError if it cannot be read."""
    return parse_report(read_json_file(path))  # no FIFO, no device, no 150 MB file


def parse_report_text(text: str) -> SavedReport:
    return parse_report(decode_json(text))


def parse_report(data: Any) -> SavedReport:
    """Validate a decoded report into typed records; ReportError names the bad field."""
    bounded_depth(data)
    return ReportReader().report(data)


def as_saved(report: SavedReport | dict[str, Any]) -> SavedReport:
    return report if isinstance(report, SavedReport) else parse_report(report)


# ---- validation ------------------------------------------------------------------------


class ReportReader(Reader):
    """The check report's records, on top of the shared readers."""

    # -- records

    def problem(self, value: Any, path: str) -> ProblemRecord:
        data = self.obj(value, path)
        if "code" not in data:
            raise ReportError(f"{path}.code: missing")
        return ProblemRecord(
            code=self.text(data["code"], f"{path}.code"),
            host=self.opt_text(data.get("host"), f"{path}.host"),
            port=self.opt_int(data.get("port"), f"{path}.port"),
            address=self.opt_text(data.get("address"), f"{path}.address"),
            extra=self.rest(data, ("code", "host", "port", "address"), path),
        )

    def check(self, value: Any, path: str) -> CheckRecord:
        data = self.obj(value, path)
        for key in ("id", "status"):
            if key not in data:
                raise ReportError(f"{path}.{key}: missing")
        check_id = self.text(data["id"], f"{path}.id")
        if not check_id:
            raise self.fail(f"{path}.id", "a check id", check_id)
        return CheckRecord(
            id=check_id,
            status=self.status(data["status"], f"{path}.status"),
            title=self.text(data.get("title", check_id), f"{path}.title"),
            group=self.text(data.get("group", ""), f"{path}.group"),
            summary=self.text(data.get("summary", ""), f"{path}.summary"),
            advice=self.text(data.get("advice", ""), f"{path}.advice"),
            cause=self.opt_text(data.get("cause"), f"{path}.cause"),
            evidence=self.free_obj(data.get("evidence", {}), f"{path}.evidence"),
            problems=self.items(data.get("problems", []), f"{path}.problems", self.problem),
            fixes=self.texts(data.get("fixes", []), f"{path}.fixes"),
            duration_s=self.number(data.get("duration_s", 0.0), f"{path}.duration_s"),
            i18n=self.translations(data.get("i18n", {}), f"{path}.i18n"),
            extra=self.rest(data, _CHECK_KEYS, path),
        )

    def cause(self, value: Any, path: str) -> CauseRecord:
        data = self.obj(value, path)
        if "code" not in data:
            raise ReportError(f"{path}.code: missing")
        return CauseRecord(
            code=self.text(data["code"], f"{path}.code"),
            status=self.status(data.get("status", "fail"), f"{path}.status").value,
            summary=self.text(data.get("summary", ""), f"{path}.summary"),
            advice=self.text(data.get("advice", ""), f"{path}.advice"),
            because=self.texts(data.get("because", []), f"{path}.because"),
            explains=self.texts(data.get("explains", []), f"{path}.explains"),
            evidence=self.texts(data.get("evidence", []), f"{path}.evidence"),
            fixes=self.texts(data.get("fixes", []), f"{path}.fixes"),
            i18n=self.translations(data.get("i18n", {}), f"{path}.i18n"),
            extra=self.rest(data, _CAUSE_KEYS, path),
        )

    def diagnosis(self, value: Any, path: str) -> DiagnosisRecord:
        data = self.obj(value, path)
        return DiagnosisRecord(
            primary=self.opt_text(data.get("primary"), f"{path}.primary"),
            causes=self.items(data.get("causes", []), f"{path}.causes", self.cause),
            extra=self.rest(data, ("primary", "causes"), path),
        )

    def fix_record(self, value: Any, path: str) -> dict[str, Any]:
        data = self.free_obj(value, path)
        self.text(data.get("fix_id"), f"{path}.fix_id")
        for key in ("before", "after"):
            where = f"{path}.{key}"
            for check_id, status in self.obj(data.get(key, {}), where).items():
                self.text(status, key_path(where, check_id))
        return data

    @property
    def _tool_shape(self) -> dict[str, Callable[[Any, str], Any]]:
        return {"name": self.text, "version": self.text}

    @property
    def _system_shape(self) -> dict[str, Callable[[Any, str], Any]]:
        return {**{k: self.text for k in ("os", "os_version", "machine", "hostname", "python",
                                          "lang")},
                "frozen": self.flag, "config_sources": self.texts}

    @property
    def _endpoint_shape(self) -> dict[str, Callable[[Any, str], Any]]:
        return {**{k: self.text for k in ("host", "product", "source", "universal_domain",
                                          "description")},
                "tls": self.flag, "necessary": self.flag,
                "ports": lambda v, p: self.items(v, p, self.opt_int)}

    def report(self, value: Any) -> SavedReport:
        if not isinstance(value, dict):
            raise ReportError(f"not a wxdoctor report: expected a JSON object, got {got(value)}")
        data = value
        schema = data.get("schema")
        if not isinstance(schema, str) or not schema.startswith(SCHEMA_PREFIX):
            raise ReportError(f"not a wxdoctor report: schema: expected \"{SCHEMA_PREFIX}1\", "
                              f"got {got(schema)}")
        if "checks" not in data:
            raise ReportError("checks: missing (the report has no list of checks)")
        checks = self.items(data["checks"], "checks", self.check, limit=MAX_CHECKS)
        seen: set[str] = set()
        for i, check in enumerate(checks):
            if check.id in seen:
                raise ReportError(f"checks[{i}].id: {check.id!r} appears twice")
            seen.add(check.id)
        status = (self.status(data["status"], "status") if "status" in data
                  else worst(c.status for c in checks))
        lang = self.text(data.get("lang", ""), "lang")
        fixes_applied = data.get("fixes_applied")
        return SavedReport(
            schema=schema,
            status=status,
            checks=checks,
            diagnosis=self.diagnosis(data.get("diagnosis", {}), "diagnosis"),
            lang=lang if lang in LANGS else "",
            started_at=self.text(data.get("started_at", ""), "started_at"),
            duration_s=self.number(data.get("duration_s", 0.0), "duration_s"),
            cancelled=self.flag(data.get("cancelled", False), "cancelled"),
            tool=self.shaped(data.get("tool", {}), "tool", self._tool_shape),
            system=self.shaped(data.get("system", {}), "system", self._system_shape),
            endpoints=self.items(data.get("endpoints", []), "endpoints",
                                 lambda v, p: self.shaped(v, p, self._endpoint_shape)),
            fixes_applied=None if fixes_applied is None else self.items(
                fixes_applied, "fixes_applied", self.fix_record),
            redaction=(None if data.get("redaction") is None
                       else self.free_obj(data["redaction"], "redaction")),
            history_id=self.opt_int(data.get("history_id"), "history_id"),
            matrix=None if data.get("matrix") is None else read_matrix(self, data["matrix"]),
            extra=self.rest(data, _REPORT_KEYS, ""),
        )


_CHECK_KEYS = ("id", "status", "title", "group", "summary", "advice", "cause", "evidence",
               "problems", "fixes", "duration_s", "i18n")
_CAUSE_KEYS = ("code", "status", "summary", "advice", "because", "explains", "evidence",
               "fixes", "i18n")
_REPORT_KEYS = ("schema", "status", "checks", "diagnosis", "lang", "started_at", "duration_s",
                "cancelled", "tool", "system", "endpoints", "fixes_applied", "redaction",
                "history_id", "matrix")
