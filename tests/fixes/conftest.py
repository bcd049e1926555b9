from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from checks.config import Config, load_config_text


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
