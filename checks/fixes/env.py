"""What a fix may consult and use: the config, the report it plans from, commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks import platform
from checks.engine.config import Config
from checks.fixes import elevation
from checks.fixes.actions import FixError
from checks.platform.commands import CommandResult, CommandRunner, run_command
from checks.shared.i18n import t

NOT_ALLOWED = t(
    "Refused to run “{cmd}” with administrator rights: it is not one of the commands this fix uses.",
    "拒绝以管理员权限运行“{cmd}”：它不是此修复会用到的命令。")


@dataclass
class FixEnv:
    """The optional overrides let tests aim a fix at their own files and namespaces."""

    config: Config
    report: dict[str, Any] | None = None
    hosts_file: str | None = None
    data_dirs: list[Any] | None = None  # checks.tencent.data_folders.DataDir items
    quarantine_dir: str | None = None
    journal_dir: str | None = None
    runner: CommandRunner | None = None
    # Test hook: the process names that mean "the client is running".
    client_process_names: tuple[str, ...] | None = None
    # Test hook: how the clock fix asks time servers (servers, timeout) -> valid answers
    # (checks.fixes.clock_setting.measure when None).
    ntp: Callable[[list[str], float], Any] | None = None
    # The fix's own list of commands it may run with administrator rights (set by the
    # executor); an admin command not on it is refused, and so is every command inside
    # the elevated helper, which runs as administrator throughout.
    allows: Callable[[Sequence[str]], bool] | None = None
    in_helper: bool = False
    # The window an administrator prompt belongs to (Windows: its HWND), so the prompt
    # comes to the front instead of flashing in the taskbar.
    window: int | None = None
    # The id of the `Fix.choices` entry the person picked (None: the recommended one).
    choice: str | None = None

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
        """Admin commands need a prompt: not already admin, not the helper, no test runner."""
        return self.runner is None and not self.in_helper and not platform.is_admin()

    def run(self, argv: Sequence[str], timeout: float = 30.0, admin: bool = False) -> CommandResult:
        argv = list(argv)
        if (admin or self.in_helper) and not (self.allows is not None and self.allows(argv)):
            raise FixError(NOT_ALLOWED.with_params(cmd=" ".join(argv)))
        if self.runner is not None:
            return self.runner(argv, timeout)
        if admin and self.elevate:
            return elevation.run_as_admin(argv, timeout)
        return run_command(argv, timeout)

    def hosts_path(self) -> Path:
        if self.hosts_file:
            return Path(self.hosts_file)
        if self.config.system.hosts_file:
            return Path(self.config.system.hosts_file)
        return platform.default_hosts_file()


def trusted_config() -> Config:
    """The built-in defaults and the machine-wide file only an administrator can have
    written: what the elevated helper goes by, never the person's own config or
    WXDOCTOR_CONFIG, which any of their programs could write."""
    from checks.engine.config import ConfigError, load_config_text

    path = platform.machine_config_path()  # None unless only administrators could write it
    try:
        text = path.read_text(encoding="utf-8-sig") if path is not None and path.is_file() else ""
        return load_config_text(text, str(path))
    except (OSError, ConfigError):
        return load_config_text("")
