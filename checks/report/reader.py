"""Reading decoded JSON into checked values: the building blocks of the one report loader.

Every reader takes a value and the path it was found at, and returns it checked
(strings cut to MAX_TEXT characters) or raises ReportError naming the path:
`checks[0].status: expected one of ok, info, warn, fail, skipped, error, got 5`.
The values read are counted, so no file makes the loader do unbounded work.
Check reports (load.py), watch reports (load_watch.py) and the server matrix
(load_matrix.py) are all read with these.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from checks.engine.results import Status
from checks.shared.bounded_read import read_regular_file
from checks.shared.nesting import TooDeep, check_depth, key_path

MAX_REPORT_BYTES = 16 * 2**20  # a real report is well under 1 MB
MAX_DEPTH = 32
MAX_VALUES = 250_000
MAX_TEXT = 64 * 1024  # characters kept of any one string
STATUSES = tuple(s.value for s in Status)

T = TypeVar("T")
Read = Callable[[Any, str], Any]
MISSING = object()  # a field without a default: it must be there
EMPTY = object()  # a field whose default is what its reader makes of an empty object


class ReportError(ValueError):
    """The input is not a usable wxdoctor report; the message says where and why."""


def cut_text(text: str, limit: int = MAX_TEXT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} characters cut]"


def read_json_file(path: str | os.PathLike[str]) -> Any:
    """A report file's JSON; OSError if it cannot be read (a FIFO, a device or more than
    MAX_REPORT_BYTES are refused before a byte is read), ReportError if it is no JSON."""
    raw = read_regular_file(path, MAX_REPORT_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportError(f"not JSON: not UTF-8 text (byte {exc.start})") from None
    return decode_json(text)


def decode_json(text: str) -> Any:
    """JSON text without NaN or Infinity (its depth: bounded_depth)."""
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
    return data


def bounded_depth(data: Any) -> None:
    try:
        check_depth(data, MAX_DEPTH)
    except TooDeep as exc:
        raise ReportError(str(exc)) from None


def got(value: Any) -> str:
    """A value as an error message quotes it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(cut_text(value, 40), ensure_ascii=False)
    return "a list" if isinstance(value, list) else "an object"


class Reader:
    """One pass over decoded JSON; counts values so the total stays bounded."""

    def __init__(self) -> None:
        self.values = 0

    def fail(self, path: str, expected: str, value: Any) -> ReportError:
        return ReportError(f"{path}: expected {expected}, got {got(value)}")

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

    def opt_number(self, value: Any, path: str) -> float | None:
        return None if value is None else self.number(value, path)

    def count_of(self, value: Any, path: str) -> int:
        """A whole number from 0 up (a count of samples, of items dropped ...)."""
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**53:
            raise self.fail(path, "a whole number from 0", value)
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

    def one_of(self, choices: Sequence[str]) -> Callable[[Any, str], str]:
        def read(value: Any, path: str) -> str:
            if not isinstance(value, str) or value not in choices:
                raise self.fail(path, f"one of {', '.join(choices)}", value)
            self.count()
            return value
        return read

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

    def list_of(self, read: Callable[[Any, str], Any],
                limit: int | None = None) -> Callable[[Any, str], list[Any]]:
        return lambda value, path: list(self.items(value, path, read, limit))

    def texts(self, value: Any, path: str) -> tuple[str, ...]:
        return self.items(value, path, self.text)

    def mapping(self, read: Callable[[Any, str], Any],
                limit: int | None = None) -> Callable[[Any, str], dict[str, Any]]:
        """An object whose keys are free and whose values `read` checks."""
        def each(value: Any, path: str) -> dict[str, Any]:
            data = self.obj(value, path)
            if limit is not None and len(data) > limit:
                raise ReportError(f"{path}: at most {limit} entries, got {len(data)}")
            return {cut_text(k): read(v, key_path(path, k)) for k, v in data.items()}
        return each

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

    def shaped(self, value: Any, path: str, shape: dict[str, Read]) -> dict[str, Any]:
        """An object kept as it is, whose named keys, where present and not null, must have
        the type their reader wants (the renderers join and look them up as such)."""
        data = self.free_obj(value, path)
        for key, read in shape.items():
            if data.get(key) is not None:
                read(data[key], key_path(path, key))
        return data

    def fields(self, value: Any, path: str, shape: dict[str, Read]) -> dict[str, Any]:
        """An object whose named keys, where present and not null, must have the type their
        reader wants; the others are kept as they are. Each value is read once."""
        data = self.obj(value, path)
        out: dict[str, Any] = {}
        for key, item in data.items():
            where = key_path(path, key)
            read = shape.get(key)
            if read is None or item is None:
                out[cut_text(str(key))] = self.free(item, where)
            else:
                out[key] = read(item, where)
        return out

    def record(self, value: Any, path: str, fields: dict[str, tuple[Read, Any]]) -> dict[str, Any]:
        """An object with every field of `fields` present and checked: (reader, default);
        a missing field takes its default (MISSING: it must be there; EMPTY: read from an
        empty object). Other keys (from a newer version) are kept as they are."""
        data = self.obj(value, path)
        out: dict[str, Any] = {}
        for key, (read, default) in fields.items():
            where = key_path(path, key)
            if key in data:
                out[key] = read(data[key], where)
            elif default is MISSING:
                raise ReportError(f"{where}: missing")
            elif default is EMPTY:
                out[key] = read({}, where)
            else:
                out[key] = default() if callable(default) else default
        out.update(self.rest(data, tuple(fields), path))
        return out

    def rest(self, data: dict[str, Any], known: tuple[str, ...], path: str) -> dict[str, Any]:
        return {k: self.free(v, key_path(path, k)) for k, v in data.items() if k not in known}
