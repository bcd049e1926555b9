"""Locate bundled resources in a source tree, an installed tree or a frozen bundle."""

from __future__ import annotations

import sys
from pathlib import Path

# The tree that holds checks/ (and resources/, pyproject.toml beside it when not frozen).
_SOURCE_ROOT = Path(__file__).resolve().parents[2]


def resources_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return _SOURCE_ROOT / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def read_project_version() -> str:
    """The version lives once, in pyproject.toml; a frozen bundle ships a copy of it."""
    from checks.shared.version import project_version

    return project_version()
