"""Finding a name as a token in text where words are not always separated by spaces.

A user name sits in paths (`/tmp/users/张三的资料/WXWork`), next to underscores
(`张三_backup`), in Chinese sentences (`# 由张三添加`) and right before Chinese
characters (`zhang的资料`). Regex word boundaries get all of these wrong: `_` is a
word character and Han characters are word characters too. Here an occurrence is
a token when each side is the end of the text, a character that is not a letter
or digit (path separators, punctuation, `_`, `-`, spaces), or a change of script;
and Chinese or Japanese characters never need a boundary, since those scripts do
not separate words at all. So `vm` is not found in `vmware` nor `zhang` in
`zhangwei`, but `zhang` is found in `zhang的资料` and `张三` in `由张三添加`.

`strict=True` demands a non-letter, non-digit neighbour on both sides whatever
the script: for one-character names, which would otherwise match inside any word.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Scripts written without spaces between words.
_UNSPACED = frozenset({"han", "kana"})


@functools.lru_cache(maxsize=4096)
def script(ch: str) -> str | None:
    """A coarse script class of a letter or digit; None for anything else."""
    if not ch.isalnum():
        return None
    if ch.isdigit() or ch.isascii():
        return "latin"  # digits join Latin letters into one name: zhangwei2
    name = unicodedata.name(ch, "")
    if "IDEOGRAPH" in name or name.startswith(("CJK", "KANGXI")):
        return "han"
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return "kana"
    return name.split(" ", 1)[0].lower() or "other"  # LATIN, CYRILLIC, GREEK, HANGUL ...


def _bounded(neighbour: str, edge: str, strict: bool) -> bool:
    other = script(neighbour)
    if other is None:
        return True
    if strict:
        return False
    mine = script(edge)
    return mine in _UNSPACED or mine != other


def spans(text: str, name: str, strict: bool = False) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of `name` as a token in `text`, case-insensitively."""
    if not name:
        return []
    found: list[tuple[int, int]] = []
    end = 0
    # A lookahead finds every start, so a rejected match cannot hide an overlapping one.
    for match in re.finditer(f"(?=({re.escape(name)}))", text, re.IGNORECASE):
        start, stop = match.start(1), match.end(1)
        if start < end:
            continue
        if start > 0 and not _bounded(text[start - 1], text[start], strict):
            continue
        if stop < len(text) and not _bounded(text[stop], text[stop - 1], strict):
            continue
        found.append((start, stop))
        end = stop
    return found


def replace_tokens(text: str, name: str, marker: str, strict: bool = False) -> str:
    """`text` with every token occurrence of `name` replaced by `marker`."""
    found = spans(text, name, strict)
    if not found:
        return text
    parts: list[str] = []
    pos = 0
    for start, stop in found:
        parts.append(text[pos:start])
        parts.append(marker)
        pos = stop
    parts.append(text[pos:])
    return "".join(parts)
