from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import app.cli.commands.fix_helper  # noqa: F401 (says how the app starts its elevated helper)
from checks.engine.config import Config, load_config_text
from checks.fixes import Journal, Plan
from checks.fixes.actions import Action
from checks.shared.i18n import t

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A private user data folder: the journal and quarantine live here."""
    root = tmp_path / "wxdoctor-data"
    monkeypatch.setenv("WXDOCTOR_DATA_DIR", str(root))
    return root


@pytest.fixture
def config() -> Config:
    return load_config_text("")


def snapshot(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every file and folder below root: (kind, mode, sha256) — to compare byte for byte."""
    result = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            rel = path.relative_to(root).as_posix()
            if stat.S_ISDIR(st.st_mode):
                result[rel] = ("dir", stat.S_IMODE(st.st_mode), "")
            else:
                result[rel] = ("file", stat.S_IMODE(st.st_mode),
                               hashlib.sha256(path.read_bytes()).hexdigest())
    return result


def run_helper(*args: str, env: dict[str, str] | None = None,
               argv0: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real `fix-helper` in a child process, as an elevation would start it."""
    command = argv0 or [sys.executable, "-m", "app"]
    return subprocess.run([*command, "fix-helper", *args], env=env or dict(os.environ),
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                          cwd=ROOT)


def started_entry(journal, fix_id: str, *actions, state: str = "running"):
    """A journal entry whose first step is marked as started, as apply leaves it right
    before it hands that step to the helper."""
    from checks.fixes import Plan
    from checks.shared.i18n import t

    entry = journal.begin(Plan(fix_id, t("x", "x"), actions=list(actions)))
    entry.steps[0].state = state
    journal.save(entry)
    return entry


def helper_args(journal, entry, fix_id: str, step: int = 0, *extra: str) -> list[str]:
    return ["--journal", str(journal.path(entry.id)), "--fix", fix_id, "--step", str(step),
            "--user", str(os.getuid()), *extra]


def entry_with(journal: Journal, fix_id: str, action: Action, state: str = "running",
               backup: dict[str, Any] | None = None) -> Any:
    """A journal entry of one step in `state`, saved, as a fix left it (for the helper)."""
    entry = journal.begin(Plan(fix_id, t("x", "x"), actions=[action]))
    entry.steps[0].state = state
    entry.steps[0].started = "2026-01-01T00:00:00+00:00"
    entry.steps[0].backup = backup or {}
    journal.save(entry)
    return entry
