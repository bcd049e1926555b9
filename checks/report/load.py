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

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from checks.engine.results import Status, worst
from checks.shared.bounded_read import read_regular_file
from checks.shared.i18n import LANGS
from checks.shared.nesting import TooDeep, check_depth, key_path

SCHEMA_PREFIX = "wxdoctor.report/"
MAX_REPORT_BYTES = 16 * 2**20  # a real report is well under 1 MB
MAX_DEPTH = 32
MAX_CHECKS = 500
MAX_VALUES = 250_000
MAX_TEXT = 64 * 1024  # characters kept of any one string
STATUSES = tuple(s.value for s in Status)

T = TypeVar("T")


class ReportError(ValueError):
    """The input is not a usable wxdoctor report; the message says where and why."""


def cut_text(text: str, limit: int = MAX_TEXT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} characters cut]"


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
        data.update(self.extra)
        return data


# ---- entry points ----------------------------------------------------------------------


def load_report_file(path: str | os.PathLike[str]) -> SavedReport:
    """A report file (`check --json` output or an export); OSError if it cannot be read."""
    raw = read_regular_file(path, MAX_REPORT_BYTES)  # no FIFO, no device, no 150 MB file
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportError(f"not JSON: not UTF-8 text (byte {exc.start})") from None
    return parse_report_text(text)


def parse_report_text(text: str) -> SavedReport:
    def no_constants(name: str) -> Any:
        raise ReportError(f"not JSON: {name} is not a JSON number")

    try:
        data = json.loads(text, parse_constant=no_constants)
    except RecursionError:
        raise ReportError(f"nested more than {MAX_DEPTH} levels deep") from None
    except ReportError:
        raise
    except ValueError as exc:
        raise ReportError(f"not JSON: {exc}") from None
    return parse_report(data)


def parse_report(data: Any) -> SavedReport:
    """Validate a decoded report into typed records; ReportError names the bad field."""
    try:
        check_depth(data, MAX_DEPTH)
    except TooDeep as exc:
        raise ReportError(str(exc)) from None
    return _Reader().report(data)


def as_saved(report: SavedReport | dict[str, Any]) -> SavedReport:
    return report if isinstance(report, SavedReport) else parse_report(report)


# ---- validation ------------------------------------------------------------------------


def _got(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(cut_text(value, 40), ensure_ascii=False)
    return "a list" if isinstance(value, list) else "an object"


class _Reader:
    """One pass over the decoded JSON; counts values so the total stays bounded."""

    def __init__(self) -> None:
        self.values = 0

    def fail(self, path: str, expected: str, value: Any) -> ReportError:
        return ReportError(f"{path}: expected {expected}, got {_got(value)}")

    def count(self, n: int = 1) -> None:
        self.values += n
        if self.values > MAX_VALUES:
            raise ReportError(f"more than {MAX_VALUES} values: too large to be a wxdoctor report")

    # -- scalars

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise self.fail(path, "a string", value)
        self.count()
        return cut_text(value)

    def opt_text(self, value: Any, path: str) -> str | None:
        return None if value is None else self.text(value, path)

    def number(self, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(path, "a number", value)
        self.count()
        return value

    def opt_int(self, value: Any, path: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, "a whole number or null", value)
        self.count()
        return value

    def flag(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, "true or false", value)
        self.count()
        return value

    def status(self, value: Any, path: str) -> Status:
        if not isinstance(value, str) or value not in STATUSES:
            raise self.fail(path, f"one of {', '.join(STATUSES)}", value)
        self.count()
        return Status(value)

    # -- containers

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "an object", value)
        self.count()
        return value

    def items(self, value: Any, path: str, read: Callable[[Any, str], T],
              limit: int | None = None) -> tuple[T, ...]:
        if not isinstance(value, list):
            raise self.fail(path, "a list", value)
        if limit is not None and len(value) > limit:
            raise ReportError(f"{path}: at most {limit} entries, got {len(value)}")
        self.count()
        return tuple(read(v, f"{path}[{i}]") for i, v in enumerate(value))

    def texts(self, value: Any, path: str) -> tuple[str, ...]:
        return self.items(value, path, self.text)

    def free(self, value: Any, path: str) -> Any:
        """Any JSON (evidence, system facts): strings cut, values counted; no recursion."""
        if isinstance(value, str):
            self.count()
            return cut_text(value)
        if not isinstance(value, (dict, list)):
            self.count()
            return value
        root: list[Any] = [None]
        stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
        while stack:
            item, parent, key = stack.pop()
            self.count()
            if isinstance(item, dict):
                copy: Any = {}
                stack.extend((v, copy, cut_text(str(k))) for k, v in item.items())
            elif isinstance(item, list):
                copy = [None] * len(item)
                stack.extend((v, copy, i) for i, v in enumerate(item))
            else:
                copy = cut_text(item) if isinstance(item, str) else item
            parent[key] = copy
        return root[0]

    def free_obj(self, value: Any, path: str) -> dict[str, Any]:
        result: dict[str, Any] = self.free(self.obj(value, path), path)
        return result

    def translations(self, value: Any, path: str) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {}
        for lang, texts in self.obj(value, path).items():
            where = key_path(path, lang)
            inner = self.obj(texts, where)
            result[lang] = {k: self.text(v, key_path(where, k)) for k, v in inner.items()}
        return result

    def shaped(self, value: Any, path: str,
               shape: dict[str, Callable[[Any, str], Any]]) -> dict[str, Any]:
        """An object kept as it is, whose named keys, where present and not null, must have
        the type their reader wants (the renderers join and look them up as such)."""
        data = self.free_obj(value, path)
        for key, read in shape.items():
            if data.get(key) is not None:
                read(data[key], key_path(path, key))
        return data

    def rest(self, data: dict[str, Any], known: tuple[str, ...], path: str) -> dict[str, Any]:
        return {k: self.free(v, key_path(path, k)) for k, v in data.items() if k not in known}

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
            raise ReportError(f"not a wxdoctor report: expected a JSON object, got {_got(value)}")
        data = value
        schema = data.get("schema")
        if not isinstance(schema, str) or not schema.startswith(SCHEMA_PREFIX):
            raise ReportError(f"not a wxdoctor report: schema: expected \"{SCHEMA_PREFIX}1\", "
                              f"got {_got(schema)}")
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
            extra=self.rest(data, _REPORT_KEYS, ""),
        )


_CHECK_KEYS = ("id", "status", "title", "group", "summary", "advice", "cause", "evidence",
               "problems", "fixes", "duration_s", "i18n")
_CAUSE_KEYS = ("code", "status", "summary", "advice", "because", "explains", "evidence",
               "fixes", "i18n")
_REPORT_KEYS = ("schema", "status", "checks", "diagnosis", "lang", "started_at", "duration_s",
                "cancelled", "tool", "system", "endpoints", "fixes_applied", "redaction",
                "history_id")
