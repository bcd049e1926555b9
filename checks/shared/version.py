"""wxdoctor's version, read with nothing but `os`: `wxdoctor --version` answers before
anything else loads (re and pathlib alone cost a few ms of a 0.1 s start)."""

from __future__ import annotations

import os
import sys

UNKNOWN = "0+unknown"

# The tree that holds checks/ (pyproject.toml and resources/ beside it when not frozen).
_SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def project_version() -> str:
    """The version lives once, in pyproject.toml; a frozen bundle ships a copy of it as
    resources/VERSION. UNKNOWN when neither is there (an installed wheel)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    resources = os.path.join(frozen_root or _SOURCE_ROOT, "resources")
    for path in (os.path.join(_SOURCE_ROOT, "pyproject.toml"), os.path.join(resources, "VERSION")):
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (OSError, ValueError):
            continue
        found = _version_line(text)
        if found:
            return found
        if path.endswith("VERSION") and text.strip():
            return text.strip()
    return UNKNOWN


def _version_line(text: str) -> str | None:
    """The first `version = "..."` at the start of a line (the [project] table's)."""
    for line in text.splitlines():
        if not line.startswith("version"):
            continue
        key, sep, value = line.partition("=")
        value = value.strip()
        if key.strip() == "version" and sep and value[:1] == '"' and value.count('"') >= 2:
            found = value[1:value.index('"', 1)]
            if found:
                return found
    return None
