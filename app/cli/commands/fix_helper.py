"""`wxdoctor fix-helper`: the elevated helper that carries out ONE journalled step.

Started by the app itself with administrator rights, with everything it needs on
its command line: the journal entry's path and the id of the person asking. The
entry is opened only under the checks of `checks.fixes.helper_files` (the
person's own file in their own journal folder, no links, no one else may write
it); it must belong to the named, known fix; the step must be one that fix runs
with administrator rights. Then the fix's own code carries it out, deriving every
command and file content again and running only commands on its own list. The
outcome goes to a result file beside the entry. Exit codes: 0 done, 1 the step
failed, 64 refused.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from checks.engine.config import Config, ConfigError, load_config_text, read_config_text
from checks.fixes import get_fix
from checks.fixes.elevation import use_helper
from checks.fixes.env import trusted_config
from checks.fixes.executor import run_helper_step
from checks.fixes.helper_files import Refused, invoking_user_conflict, open_journal, result_of

COMMAND = "fix-helper"
HELP = "(internal) carry out one journalled fix step with administrator rights"
PROJECT_ROOT = Path(__file__).resolve().parents[3]


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


class AppHelper:
    """This command's own command line, for checks.fixes.elevation to start it elevated:
    both sides of the helper's arguments live in this module."""

    def argv(self, journal_path: str, fix_id: str, step: int, revert: bool,
             elevated_posix: bool, user: str) -> list[str]:
        argv = [*self_command(elevated_posix), COMMAND, "--journal", journal_path,
                "--fix", fix_id, "--step", str(step), "--user", user]
        return [*argv, "--revert"] if revert else argv

    def code_paths(self) -> list[str]:
        """What the UAC prompt would run as administrator: frozen, the app's folder, its
        `_internal` folder (Python, Qt and every library) and the executable, which
        carries the code; from source, Python's folder and executable and the packages."""
        exe = os.path.abspath(sys.executable)
        if getattr(sys, "frozen", False):
            folder = os.path.dirname(exe)
            internal = getattr(sys, "_MEIPASS", os.path.join(folder, "_internal"))
            return [folder, *([internal] if os.path.isdir(internal) else []), exe]
        return [os.path.dirname(exe), exe, str(PROJECT_ROOT / "checks"), str(PROJECT_ROOT / "app")]


use_helper(AppHelper())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--journal", required=True, metavar="PATH")
    parser.add_argument("--fix", required=True, metavar="ID")
    parser.add_argument("--step", required=True, type=int, metavar="N")
    parser.add_argument("--user", required=True, metavar="UID|SID",
                        help="who asked: the journal must be theirs alone")
    parser.add_argument("--revert", action="store_true")


def refuse(message: str) -> int:
    if sys.stderr is not None:  # the windowed executable has no console
        print(f"wxdoctor fix-helper: refused: {message}", file=sys.stderr)
    return 64


def helper_config() -> Config:
    """The defaults and the machine-wide file an administrator installed: never the
    person's own config or WXDOCTOR_CONFIG, which any of their programs could write."""
    from checks import platform

    path = platform.machine_config_path()
    try:
        text = read_config_text(path) if path is not None and path.is_file() else ""
        return load_config_text(text, str(path))
    except (OSError, ConfigError):
        return load_config_text("")


def run(args: argparse.Namespace) -> int:
    conflict = invoking_user_conflict(args.user)
    if conflict:
        return refuse(conflict)
    try:
        fix = get_fix(args.fix)
    except KeyError:
        return refuse(f"unknown fix {args.fix!r}")
    try:
        opened = open_journal(args.journal, args.user)
    except Refused as exc:
        return refuse(str(exc))
    try:
        entry = opened.entry
        if entry.fix_id != fix.id:
            return refuse(f"the journal entry belongs to {entry.fix_id}, not {fix.id}")
        if not 0 <= args.step < len(entry.steps):
            return refuse(f"no step {args.step}")
        step = entry.steps[args.step]
        wanted = ("done", "failed", "running") if args.revert else ("running",)
        if entry.state not in ("planned", "applied") or step.state not in wanted:
            return refuse(f"step {args.step} is {step.state} in a {entry.state} entry")
        refusal = fix.helper_refusal(step.action)
        if refusal is not None:
            return refuse(refusal.render("en"))
        opened.write_result(args.step, result_of(step, args.revert, None, started=True))
        step, error = run_helper_step(fix, entry, args.step, args.revert, trusted_config())
        opened.write_result(args.step, result_of(step, args.revert, error))
        return 1 if error else 0
    finally:
        opened.close()
