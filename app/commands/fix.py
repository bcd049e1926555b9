"""`wxdoctor fix list` and `wxdoctor fix ID`: preview, confirm, apply, verify."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.fixui import note_text, render_plan
from checks.config import load_config
from checks.fixes import all_fixes, fix_ids, get_fix
from checks.fixes.base import FixEnv, FixError
from checks.fixes.journal import Journal
from checks.fixes.verify import mini_report, run_checks, statuses
from checks.i18n import detect_lang, t

COMMAND = "fix"
HELP = "List the fixes, or preview and apply one (undo with `wxdoctor undo`)."

# Exit codes: 0 applied (or previewed with --dry-run), 1 not applied (blocked or
# declined), 2 failed and rolled back, 64 usage.


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="ID|list", help="a fix id, or `list`")
    parser.add_argument("--dry-run", action="store_true", help="show the plan only")
    parser.add_argument("--yes", action="store_true", help="apply without asking")
    parser.add_argument("--config", metavar="FILE", help="override file (TOML)")
    parser.add_argument("--report", metavar="FILE", help="a saved `check --json` report to plan from")
    parser.add_argument("--json", action="store_true", help="print the plan and outcome as JSON")
    parser.add_argument("--lang", choices=("zh", "en"), help="language of the output")


def run(args: argparse.Namespace) -> int:
    from app.cli import UsageError

    lang = args.lang or detect_lang()
    if args.target == "list":
        return _list(lang, args.json)
    try:
        fix = get_fix(args.target)
    except KeyError:
        raise UsageError(f"unknown fix {args.target!r}; valid: {', '.join(fix_ids())}") from None
    reason = fix.applicable()
    if reason is not None:
        print(f"{fix.id}: {reason.render(lang)}", file=sys.stderr)
        return 1
    config = load_config(args.config)
    report = _load_report(args.report) if args.report else None
    before_ids = tuple(dict.fromkeys(fix.needs_checks + fix.affects))
    if report is None and before_ids:
        # Plan from fresh evidence, and keep it as the "before" of the comparison.
        report = mini_report(run_checks(config, before_ids, lang), lang)
    plan = fix.plan(FixEnv(config=config, report=report))
    if args.json:
        _emit_json({"plan": plan.to_json(lang)})
    else:
        sys.stdout.write(render_plan(fix, plan, lang))
    if plan.blocked is not None:
        return 1
    if args.dry_run:
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            print(t("wxdoctor: not applied: confirm with --yes when not on a terminal",
                    "wxdoctor：未执行：非终端环境下请加 --yes 确认").render(lang), file=sys.stderr)
            return 64
        answer = input(t("Apply this fix? [y/N] ", "执行此修复？[y/N] ").render(lang))
        if answer.strip().lower() not in ("y", "yes", "是"):
            print(t("Not applied.", "未执行。").render(lang))
            return 1
    journal = Journal()
    try:
        fix.apply(plan, journal)
    except FixError as exc:
        entry_id = journal.last.id if journal.last else "-"
        print(f"{exc.text.render(lang)} ({t('journal', '日志').render(lang)}: {entry_id})",
              file=sys.stderr)
        return 2
    entry = journal.last
    assert entry is not None
    print(t("Applied. Journal {id}; undo with: wxdoctor undo {id}",
            "已完成。日志编号 {id}；撤销：wxdoctor undo {id}", id=entry.id).render(lang))
    for step in entry.steps:
        if step.get("restart_needed"):
            print(t("Restart the computer to finish.", "请重启电脑以完成修复。").render(lang))
    after = run_checks(config, fix.affects, lang)
    _print_comparison(statuses(report, fix.affects), after, lang)
    return 0


def _list(lang: str, as_json: bool) -> int:
    rows = []
    for fix in all_fixes():
        reason = fix.applicable()
        rows.append({"id": fix.id, "title": fix.title.render(lang), "needs_admin": fix.needs_admin,
                     "affects": list(fix.affects),
                     "available": reason is None,
                     "why_not": reason.render(lang) if reason else None})
    if as_json:
        _emit_json({"fixes": rows})
        return 0
    for row in rows:
        mark = " " if row["available"] else "-"
        extra = f"  ({row['why_not']})" if row["why_not"] else ""
        print(f"{mark} {row['id']:<20} {row['title']}{extra}")
    return 0


def _print_comparison(before: dict[str, str], after: list[Any], lang: str) -> None:
    if not after:
        return
    print(t("Checks again:", "重新检测：").render(lang))
    for result in after:
        was = before.get(result.id, "-")
        print(f"  {result.id:<12} {was:>7} -> {result.status.value:<7} {result.summary.render(lang)}")


def _load_report(path: str) -> dict[str, Any]:
    from app.cli import UsageError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"--report {path}: not a readable JSON report ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("checks"), list):
        raise UsageError(f"--report {path}: not a wxdoctor report (no checks list)")
    return data


def _emit_json(data: dict[str, Any]) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


__all__ = ["note_text"]
