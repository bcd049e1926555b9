"""`wxdoctor fix-helper`: the elevated helper that carries out ONE journalled step.

Started by the app itself with administrator rights. It accepts only a known
fix id, a journal file inside the journal folder that belongs to that fix, and
a step the fix itself planned; it never runs a command given on its own
command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from checks.fixes import get_fix
from checks.fixes.executor import run_helper_step
from checks.fixes.journal import Journal

COMMAND = "fix-helper"
HELP = "(internal) carry out one journalled fix step with administrator rights"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--journal", required=True, metavar="PATH")
    parser.add_argument("--fix", required=True, metavar="ID")
    parser.add_argument("--step", required=True, type=int, metavar="N")
    parser.add_argument("--revert", action="store_true")


def refuse(message: str) -> int:
    print(f"wxdoctor fix-helper: refused: {message}", file=sys.stderr)
    return 64


def run(args: argparse.Namespace) -> int:
    journal = Journal()
    if not journal.contains(args.journal):
        return refuse(f"{args.journal} is not an entry of the journal folder {journal.root}")
    try:
        fix = get_fix(args.fix)
    except KeyError:
        return refuse(f"unknown fix {args.fix!r}")
    try:
        entry = journal.load(Path(args.journal).stem)
    except (KeyError, ValueError) as exc:
        return refuse(f"unreadable journal entry ({exc})")
    if entry.fix_id != fix.id:
        return refuse(f"the journal entry belongs to {entry.fix_id}, not {fix.id}")
    if not 0 <= args.step < len(entry.steps):
        return refuse(f"no step {args.step}")
    step = entry.steps[args.step]
    wanted = ("done", "failed", "running") if args.revert else ("running",)
    if entry.state not in ("planned", "applied") or step.state not in wanted:
        return refuse(f"step {args.step} is {step.state} in a {entry.state} entry")
    if not fix.helper_allows(step.action):
        return refuse("this step is not one the fix would carry out with administrator rights")
    return run_helper_step(fix, journal, entry, args.step, args.revert)
