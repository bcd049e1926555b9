"""Where wxdoctor keeps its own files: history, fix journal, quarantine, logs.

All live in the user data folder; WXDOCTOR_DATA_DIR overrides it (tests, portable
use, and the elevated helper, which must find the person's folder, not its own).
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "wxdoctor"


def data_root() -> Path:
    override = os.environ.get("WXDOCTOR_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def journal_root() -> Path:
    return data_root() / "journal"


def quarantine_root() -> Path:
    return data_root() / "quarantine"


def history_path() -> Path:
    return data_root() / "history.db"


def log_root() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir(APP, APP))
