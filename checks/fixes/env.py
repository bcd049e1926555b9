"""What a fix may consult and use: the config, the report it plans from, commands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks import platform
from checks.config import Config
from checks.fixes import elevation
from checks.platform.commands import CommandResult, CommandRunner, run_command


@dataclass
class FixEnv:
    """The optional overrides let tests aim a fix at their own files and namespaces."""

    config: Config
    report: dict[str, Any] | None = None
    hosts_file: str | None = None
    data_dirs: list[Any] | None = None  # checks.clientdata.DataDir items
    quarantine_dir: str | None = None
    journal_dir: str | None = None
    runner: CommandRunner | None = None
    # Test hook: the process names that mean "the client is running".
    client_process_names: tuple[str, ...] | None = None

    def _check(self, check_id: str) -> dict[str, Any] | None:
        for check in (self.report or {}).get("checks", []):
            if isinstance(check, dict) and check.get("id") == check_id:
                return check
        return None

    def evidence(self, check_id: str) -> dict[str, Any] | None:
        evidence = (self._check(check_id) or {}).get("evidence")
        return evidence if isinstance(evidence, dict) else None

    def check_status(self, check_id: str) -> str | None:
        status = (self._check(check_id) or {}).get("status")
        return str(status) if status is not None else None

    @property
    def elevate(self) -> bool:
        """Admin commands need a prompt: not already admin and no test runner."""
        return self.runner is None and not platform.is_admin()

    def run(self, argv: Sequence[str], timeout: float = 30.0, admin: bool = False) -> CommandResult:
        if self.runner is not None:
            return self.runner(list(argv), timeout)
        if admin and self.elevate:
            return elevation.run_as_admin(list(argv), timeout)
        return run_command(argv, timeout)

    def hosts_path(self) -> Path:
        if self.hosts_file:
            return Path(self.hosts_file)
        if self.config.system.hosts_file:
            return Path(self.config.system.hosts_file)
        return platform.default_hosts_file()
