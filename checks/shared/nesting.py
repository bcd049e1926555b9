"""How deeply parsed JSON/TOML data nests, measured without recursion.

Config and report files come from people and other programs: a file nested
100 000 levels deep must be refused with a message, not end in a RecursionError
in whichever recursive function meets it first.
"""

from __future__ import annotations

import json
import re
from typing import Any

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def key_path(path: str, key: object) -> str:
    """`path.key`, or `path["odd key"]` when the key would make the path unreadable."""
    text = str(key)
    if _PLAIN_KEY.fullmatch(text):
        return f"{path}.{text}" if path else text
    return f"{path}[{json.dumps(text, ensure_ascii=False)}]"


class TooDeep(ValueError):
    """Nesting beyond the limit; `path` names the first value that is too deep."""

    def __init__(self, path: str, limit: int) -> None:
        super().__init__(f"{path}: nested more than {limit} levels deep")
        self.path = path
        self.limit = limit


def check_depth(value: Any, limit: int, root: str = "") -> None:
    """Raise TooDeep if lists/dicts inside `value` nest more than `limit` levels."""
    stack: list[tuple[Any, str, int]] = [(value, root, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict):
            children = [(v, key_path(path, k)) for k, v in item.items()]
        elif isinstance(item, list):
            children = [(v, f"{path}[{i}]") for i, v in enumerate(item)]
        else:
            continue
        if depth >= limit:
            raise TooDeep(path or "(top)", limit)
        stack.extend((child, child_path, depth + 1) for child, child_path in children)
