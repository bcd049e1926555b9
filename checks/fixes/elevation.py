"""Admin rights for one action at a time, never for the whole app.

Linux: pkexec; macOS: an administrator prompt from osascript for exactly one
command; Windows (and a step that is more than one command, or a file edit):
ShellExecuteW "runas" / pkexec / osascript of this app's own helper, which carries
out one journalled step of a known fix. Already admin: direct. How the app starts
itself as that helper is the front end's to say (`use_helper`).

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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from checks import platform
from checks.fixes.actions import NotCarriedOut, StillRunning
from checks.platform import NAME as PLATFORM
from checks.platform._common import ERROR_CANCELLED, RunasResult
from checks.platform.commands import CommandResult, run_command
from checks.shared.i18n import t


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


class HelperCommand(Protocol):
    """How the front end starts itself again as the elevated helper: it alone knows its
    own command line (python -m ..., the frozen executable, the helper's arguments)."""

    def argv(self, journal_path: str, fix_id: str, step: int, revert: bool,
             elevated_posix: bool, user: str) -> list[str]: ...

    def code_paths(self) -> list[str]:
        """The files the elevated process would run (checked before a Windows prompt)."""
        ...


_HELPER: list[HelperCommand] = []


def use_helper(command: HelperCommand) -> None:
    """The front end says how its helper is started (app/cli/commands/fix_helper.py)."""
    _HELPER[:] = [command]


def _helper() -> HelperCommand:
    if not _HELPER:
        raise NotCarriedOut(t("No administrator helper is available in this program.",
                              "本程序中没有可用的管理员助手。"))
    return _HELPER[0]


def helper_argv(
    journal_path: str, fix_id: str, step: int, revert: bool = False, elevated_posix: bool = False,
    user: str | None = None,
) -> list[str]:
    """The helper's command line: the entry's real path (the helper refuses any other) and
    who is asking (it refuses files that person does not own alone)."""
    return _helper().argv(os.path.realpath(journal_path), fix_id, step, revert, elevated_posix,
                          user if user is not None else platform.current_user_id())


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


def elevated_code_paths() -> list[str]:
    """What the UAC prompt would run as administrator (the front end knows its files)."""
    return _helper().code_paths()


def untrusted_code(problem: str) -> NotCarriedOut:
    return NotCarriedOut(t(
        "wxdoctor will not ask for administrator rights: {why}, so what would run as administrator might not be wxdoctor's own code. Install it for all users with the setup program (one administrator confirmation), then try again.",
        "本程序不会请求管理员权限：它的程序文件无需管理员权限就能被改动，以管理员身份运行的可能已不是本程序自己的代码。请用安装程序为这台电脑的所有用户安装（需要管理员确认一次），然后再试。",
        why=problem))


def helper_exit(outcome: RunasResult, waited: float) -> int:
    """The helper's exit code from what the UAC prompt came to. Declined: ERROR_CANCELLED
    (nothing began). Windows' own error is reported as it is; a helper still running
    when the wait ended is never taken for finished: it may still be acting."""
    if outcome.started and outcome.exit_code is not None:
        return outcome.exit_code
    if outcome.declined:
        return ERROR_CANCELLED
    if not outcome.started:
        raise NotCarriedOut(t(
            "Windows could not start the administrator step ({message}, error {code}); nothing was changed.",
            "Windows 无法启动需要管理员权限的步骤（{message}）；没有做任何改动。",
            message=outcome.message or "-", code=outcome.error))
    raise StillRunning(t(
        "The administrator step was still running after {s:.0f} s (process {pid}): it may still be changing things, so it is neither counted as done nor put back now. wxdoctor looks at it again when it next starts.",
        "需要管理员权限的步骤在 {s:.0f} 秒后仍在进行，可能还在修改设置，所以现在既不算完成，也不恢复原样。本程序下次启动时会再检查它。",
        s=waited, pid=outcome.pid or "?"), outcome.pid)


def run_helper(journal_path: str, fix_id: str, step: int, revert: bool, timeout: float,
               window: int | None = None) -> int:
    """Run one journalled step in an elevated helper; its exit code. The outcome is in a
    result file beside the entry (`helper_files.take_result`), never in the journal.
    On Windows the prompt is asked only for program files that only administrators can
    have changed (a per-machine install under Program Files)."""
    if platform.is_admin():
        return run_command(helper_argv(journal_path, fix_id, step, revert), timeout).returncode
    if PLATFORM == "windows":
        problem = platform.code_location_problem(elevated_code_paths())
        if problem is not None:
            raise untrusted_code(problem)
        params = windows_runas_params(helper_argv(journal_path, fix_id, step, revert))
        waited = timeout + 120
        return helper_exit(platform.shell_execute_runas(params.file, params.parameters, waited,
                                                        window), waited)
    argv = admin_argv(helper_argv(journal_path, fix_id, step, revert, elevated_posix=True))
    return run_command(argv, timeout + 120).returncode
