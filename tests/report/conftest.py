"""Reports made by the real engine on this machine, with loopback-only endpoints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.report.helpers import closed_port, inject_private_data, loopback_config, wxdoctor


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def faulty_report(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> dict[str, Any]:
    """A real run in Chinese whose TCP check fails (nothing listens on the port)."""
    folder = tmp_path_factory.mktemp("faulty")
    config = loopback_config(folder / "loopback.toml", closed_port())
    result = wxdoctor("check", "--json", "--no-history", "--lang", "zh", "--config", str(config),
                      data_dir=data_dir)
    assert result.returncode == 2, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.fixture()
def private_report(faulty_report: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "private.json"
    report = inject_private_data(json.loads(json.dumps(faulty_report)))
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return path
