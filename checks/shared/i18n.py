"""One translation mechanism for the core and the GUI.

Every user-visible sentence is a `Text` carrying both languages, so a saved
report can be shown again in the other language without re-running a check.
"""

from __future__ import annotations

import locale
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LANGS = ("zh", "en")
DEFAULT_LANG = "en"


@dataclass(frozen=True)
class Text:
    en: str
    zh: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        template = self.zh if lang == "zh" else self.en
        if not self.params:
            return template
        try:
            return template.format(**{k: _localize(v, lang) for k, v in self.params.items()})
        except (KeyError, IndexError, ValueError):
            return template  # a broken template must not take a report down

    def with_params(self, **params: Any) -> Text:
        """The same sentence with more parameters, supplied where it is shown."""
        return Text(self.en, self.zh, {**self.params, **params})

    def both(self) -> dict[str, str]:
        return {lang: self.render(lang) for lang in LANGS}

    @classmethod
    def from_json(cls, value: Any, fallback: str = "") -> Text:
        """The inverse of `both()`: {"en": ..., "zh": ...}; a plain string is both languages."""
        if isinstance(value, Mapping):
            en = str(value.get("en", value.get("zh", fallback)))
            return cls(en, str(value.get("zh", en)))
        text = str(value) if value is not None else fallback
        return cls(text, text)


def t(en: str, zh: str, **params: Any) -> Text:
    return Text(en=en, zh=zh, params=params)


def _localize(value: Any, lang: str) -> Any:
    if isinstance(value, Text):
        return value.render(lang)
    if isinstance(value, (list, tuple)):
        sep = "、" if lang == "zh" else ", "
        return sep.join(str(_localize(v, lang)) for v in value)
    return value


def normalize_lang(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower().replace("-", "_")
    if value.startswith("zh"):
        return "zh"
    if value.startswith("en"):
        return "en"
    return None


def detect_lang() -> str:
    """WXDOCTOR_LANG, then the POSIX locale variables, then the OS UI language."""
    for var in ("WXDOCTOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        lang = normalize_lang(os.environ.get(var))
        if lang:
            return lang
    if sys.platform == "win32":
        try:
            import ctypes

            lang_id = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
            # The primary language id of every Chinese UI language is 0x04.
            return "zh" if lang_id & 0x3FF == 0x04 else "en"
        except (AttributeError, OSError):
            pass
    try:
        lang = normalize_lang(locale.getlocale()[0])
    except ValueError:
        lang = None
    return lang or DEFAULT_LANG
