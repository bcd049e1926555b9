"""`wxdoctor fix list` and `wxdoctor fix ID`: preview, confirm, apply, verify."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli.entries import print_recovered
from app.cli.output import print_json
from app.cli.sources import SourceError, load_report
from app.cli.usage import UsageError, add_config, add_lang, pdf_writable
from checks.engine.config import Config, load_config
from checks.engine.results import Status
from checks.fixes import FixEnv, all_fixes, get_fix, known_fix_ids
from checks.fixes.actions import FixError
from checks.fixes.preview import preview_text
from checks.fixes.session import FixSession
from checks.shared.i18n import detect_lang, t

COMMAND = "fix"
HELP = "List the fixes, or preview and apply one (undo with `wxdoctor undo`)."

# Exit codes: 0 applied (or previewed with --dry-run), 1 not applied (blocked or
# declined), 2 failed and rolled back, 64 usage.


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="ID|list", help="a fix id, or `list`")
    parser.add_argument("--dry-run", action="store_true", help="show the plan only")
    parser.add_argument("--yes", action="store_true", help="apply without asking")
    parser.add_argument("--choice", metavar="ID",
                        help="for a fix that offers choices (see `fix list`): which one, "
                             "e.g. --choice dnspod (default: the recommended one)")
    add_config(parser)
    parser.add_argument("--report", metavar="FILE|ID|latest",
                        help="the run to plan from: a `check --json` file or a history run")
    parser.add_argument("--pdf", metavar="FILE",
                        help="after applying: that run as a PDF, with the fix and its "
                             "before/after (needs --report)")
    parser.add_argument("--json", action="store_true", help="print the plan and outcome as JSON")
    add_lang(parser)


def run(args: argparse.Namespace) -> int:
    lang = args.lang or detect_lang()
    if args.target == "list":
        return _list(lang, args.json)
    if args.target not in known_fix_ids():
        raise UsageError(f"unknown fix {args.target!r}; valid: {', '.join(known_fix_ids())}")
    reason = get_fix(args.target).applicable()
    if reason is not None:
        print(f"{args.target}: {reason.render(lang)}", file=sys.stderr)
        return 1
    if args.pdf and not args.report:
        raise UsageError("--pdf needs --report (the run the fix plans from), e.g. --report latest")
    if args.pdf:

        pdf_writable(args.pdf)
    config = load_config(args.config)
    report = _load_report(args.report) if args.report else None
    session = FixSession(config, report, lang=lang)
    if not args.dry_run:  # a half-done earlier fix is rolled back before planning anew
        print_recovered(session.recover_interrupted(), lang)
    session.gather_evidence([args.target])
    picked = {args.target: args.choice} if args.choice is not None else None
    (planned,) = session.plan([args.target], picked)
    if args.choice is not None and args.choice not in [c.id for c in planned.choices]:
        offered = ", ".join(c.id for c in planned.choices)
        raise UsageError(f"--choice {args.choice}: " + (
            f"not one of the choices {args.target} offers here: {offered}" if offered
            else f"{args.target} offers no choices here"))
    if planned.plan is None:  # it could not be planned: say why
        sys.stdout.write(preview_text(planned, lang))
        return 1
    out: dict[str, Any] = {"plan": planned.plan.to_json(lang)}
    if not args.json:
        sys.stdout.write(preview_text(planned, lang))
    if not planned.runnable:
        return _done(out, args.json, 1)
    if args.dry_run:
        return _done(out, args.json, 0)
    if not args.yes and not _confirmed(lang):
        return _done(out, args.json, 64 if not sys.stdin.isatty() else 1)
    try:
        after = session.apply([planned])
    except FixError as exc:
        entry_id = session.journal.last.id if session.journal.last else "-"
        print(f"{exc.text.render(lang)} ({t('journal', '日志').render(lang)}: {entry_id})",
              file=sys.stderr)
        return _done(out, args.json, 2)
    (applied,) = session.applied
    out["fixes_applied"] = session.fixes_applied()
    if not args.json:
        print(t("Applied. Journal {id}; undo with: wxdoctor undo {id}",
                "已完成。日志编号 {id}；撤销：wxdoctor undo {id}", id=applied.entry.id).render(lang))
        if applied.restart_needed:
            print(t("Restart the computer to finish.", "请重启电脑以完成修复。").render(lang))
        _print_comparison(applied.before, after, lang)
    if args.pdf and session.report is not None:
        _write_fixed_pdf(session.report, session.fixes_applied(), args.pdf, lang)
        out["pdf"] = args.pdf
        if not args.json:
            print(t("Report with the fix: {path}", "含修复记录的报告：{path}",
                    path=args.pdf).render(lang))
    return _done(out, args.json, 0)


def _confirmed(lang: str) -> bool:
    if not sys.stdin.isatty():
        print(t("wxdoctor: not applied: confirm with --yes when not on a terminal",
                "wxdoctor：未执行：非终端环境下请加 --yes 确认").render(lang), file=sys.stderr)
        return False
    answer = input(t("Apply this fix? [y/N] ", "执行此修复？[y/N] ").render(lang))
    if answer.strip().lower() in ("y", "yes", "是"):
        return True
    print(t("Not applied.", "未执行。").render(lang))
    return False


def _done(out: dict[str, Any], as_json: bool, code: int) -> int:
    if as_json:
        _emit_json(out)
    return code


def _list(lang: str, as_json: bool) -> int:
    rows: list[dict[str, Any]] = []
    env = FixEnv(config=Config())
    for fix in all_fixes():
        reason = fix.applicable()
        rows.append({"id": fix.id, "title": fix.title.render(lang), "needs_admin": fix.needs_admin,
                     "can_undo": fix.can_undo, "risk": fix.risk,
                     "needs_restart": fix.needs_restart,
                     "drops_connection": fix.drops_connection,
                     "affects": list(fix.affects),
                     "available": reason is None,
                     "why_not": reason.render(lang) if reason else None,
                     "choices": _choices(fix, env, lang) if reason is None else []})
    if as_json:
        _emit_json({"fixes": rows})
        return 0
    for row in rows:
        mark = " " if row["available"] else "-"
        extra = f"  ({row['why_not']})" if row["why_not"] else ""
        print(f"{mark} {row['id']:<20} {row['title']}{extra}")
        for choice in row["choices"]:
            print(f"  {'':<20}   --choice {choice['id']}: {choice['label']}")
    return 0


def _choices(fix: Any, env: FixEnv, lang: str) -> list[dict[str, str]]:
    """What the fix offers on this computer now, without a run to plan from (as
    `fix ID --choice` takes them, the recommended one first)."""
    try:
        return [{"id": c.id, "label": c.label.render(lang)} for c in fix.choices(env)]
    except Exception:  # a fix that cannot look here now offers nothing to pick
        return []


def _print_comparison(before: dict[str, str], after: list[dict[str, Any]], lang: str) -> None:
    if not after:
        return
    print(t("Checks again:", "重新检测：").render(lang))
    for item in after:
        was = Status(before[item["id"]]).label.render(lang) if item["id"] in before else "-"
        now = Status(item["status"]).label.render(lang)
        summary = (item.get("i18n", {}).get(lang) or {}).get("summary") or item["summary"]
        print(f"  {item['id']:<12} {was:>7} -> {now:<7} {summary}")


def _load_report(ref: str) -> dict[str, Any]:

    try:
        return load_report(ref)[0].to_json()
    except SourceError as exc:
        raise UsageError(f"--report {ref}: {exc}") from None


def _write_fixed_pdf(report: dict[str, Any], fixes: list[dict[str, Any]], path: str,
                     lang: str) -> None:
    """The run the fix planned from, with its re-checked results and the fixes applied,
    as the window exports it after a fix (redacted, like every export by default)."""
    from app.pdf.check_pages import write_pdf
    from checks.report.redact import redact

    write_pdf(redact({**report, "fixes_applied": fixes}), path, lang)


def _emit_json(data: dict[str, Any]) -> None:
    print_json(data)
