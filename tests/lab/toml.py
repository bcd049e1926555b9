"""Minimal TOML writer for test configs (tables, arrays of tables, scalars, lists)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            raise ValueError(f"unsupported float {v!r}")
        return repr(v)
    if isinstance(v, str):
        # A JSON string is a valid TOML basic string (same escapes).
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _key(k: str) -> str:
    bare = k and all(c.isalnum() and c.isascii() or c in "-_" for c in k)
    return k if bare else json.dumps(k, ensure_ascii=False)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and bool(v) and all(isinstance(x, Mapping) for x in v)


def _table(data: Mapping[str, Any], path: list[str], out: list[str]) -> None:
    nested = []
    for k, v in data.items():
        if isinstance(v, Mapping) or _is_table_array(v):
            nested.append((k, v))
        else:
            out.append(f"{_key(k)} = {_value(v)}")
    for k, v in nested:
        sub = [*path, _key(k)]
        if isinstance(v, Mapping):
            out.append(f"\n[{'.'.join(sub)}]")
            _table(v, sub, out)
        else:
            for item in v:
                out.append(f"\n[[{'.'.join(sub)}]]")
                _table(item, sub, out)


def dumps(data: Mapping[str, Any]) -> str:
    out: list[str] = []
    _table(data, [], out)
    return "\n".join(out).lstrip("\n") + "\n"
