"""Admin rights for one action at a time, never for the whole app.

Linux: pkexec; macOS: an administrator prompt from osascript for exactly one
command; Windows (and a step that is more than one command, or a file edit):
ShellExecuteW "runas" / pkexec / osascript of this app's own `fix-helper`, which
carries out one journalled step of a known fix. Already admin: direct.

The helper is told everything on its command line: the journal file's real path
and the id of the person asking (uid, or SID on Windows), because the elevated
process may run as another account (a standard user typing an administrator's
password) whose own data folder holds no journal, and because neither pkexec nor
a packaged app passes the environment on. The argv and ShellExecute parameters
are built by pure functions, so the Windows and macOS paths are tested as data on
Linux.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checks import platform
from checks.platform import NAME as PLATFORM
from checks.platform.commands import CommandResult, run_command

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def applescript_string(text: str) -> str:
    """A double-quoted AppleScript string literal holding `text` exactly."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def admin_argv(argv: Sequence[str], platform: str = PLATFORM) -> list[str]:
    """The argv that runs `argv` (one command) with an administrator prompt."""
    if platform == "linux":
        return ["pkexec", *argv]
    if platform == "macos":
        # `do shell script` runs /bin/sh: shlex.join quotes every argument for it.
        script = f"do shell script {applescript_string(shlex.join(argv))} with administrator privileges"
        return ["/usr/bin/osascript", "-e", script]
    raise ValueError("on Windows an admin command runs through the fix helper")


def self_command(elevated_posix: bool = False) -> list[str]:
    """How to start this app again: the frozen executable, or `python -m app`.

    Frozen, `sys.executable` is whichever executable runs: the console `wxdoctor` or
    the windowed `wxdoctor-gui`. Both serve `fix-helper` (app/gui/main.py hands it to
    the command line before any Qt is loaded), so the helper is the very program the
    person started and trusts, no console window opens from the window, and there is
    no second file name to find beside it (wxdoctor.exe, Contents/MacOS/wxdoctor).
    """
    if getattr(sys, "frozen", False):
        return [sys.executable]
    command = [sys.executable, "-m", "app"]
    if elevated_posix:
        # pkexec clears the environment and the working folder: say where the code is.
        return ["/usr/bin/env", f"PYTHONPATH={PROJECT_ROOT}", *command]
    return command


def helper_argv(
    journal_path: str, fix_id: str, step: int, revert: bool = False, elevated_posix: bool = False,
    user: str | None = None,
) -> list[str]:
    """The helper's command line: the entry's real path (the helper refuses any other) and
    who is asking (it refuses files that person does not own alone)."""
    argv = [*self_command(elevated_posix), "fix-helper", "--journal",
            os.path.realpath(journal_path), "--fix", fix_id, "--step", str(step),
            "--user", user if user is not None else platform.current_user_id()]
    return [*argv, "--revert"] if revert else argv


@dataclass(frozen=True)
class ShellExecuteParams:
    """The arguments of ShellExecuteExW, as data."""

    verb: str
    file: str
    parameters: str
    directory: str | None
    show: int  # SW_HIDE = 0


def windows_runas_params(argv: Sequence[str]) -> ShellExecuteParams:
    return ShellExecuteParams(
        verb="runas",
        file=argv[0],
        parameters=subprocess.list2cmdline(list(argv[1:])),
        directory=None,
        show=0,
    )


def run_as_admin(argv: Sequence[str], timeout: float) -> CommandResult:
    """One command with an administrator prompt (Linux, macOS)."""
    if platform.is_admin():
        return run_command(argv, timeout)
    # The prompt waits for a person: allow them time to type a password.
    result = run_command(admin_argv(argv), timeout + 120)
    result.argv = list(argv)
    return result


def run_helper(journal_path: str, fix_id: str, step: int, revert: bool, timeout: float) -> int:
    """Run one journalled step in an elevated helper; its exit code. The outcome is in a
    result file beside the entry (`helper_files.take_result`), never in the journal."""
    if platform.is_admin():
        return run_command(helper_argv(journal_path, fix_id, step, revert), timeout).returncode
    if PLATFORM == "windows":
        params = windows_runas_params(helper_argv(journal_path, fix_id, step, revert))
        return platform.shell_execute_runas(params.file, params.parameters, timeout + 120)
    argv = admin_argv(helper_argv(journal_path, fix_id, step, revert, elevated_posix=True))
    return run_command(argv, timeout + 120).returncode
