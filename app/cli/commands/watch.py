"""`wxdoctor watch`: sample the servers every few seconds and say what failed when."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli.output import print_json
from app.cli.usage import UsageError, add_config, add_lang, pdf_writable
from checks.engine.config import load_config
from checks.shared.i18n import detect_lang

COMMAND = "watch"
HELP = "Watch the connection for minutes and report every outage and where it happened."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=float, metavar="M",
                        help="how long to watch (default 10 from the config; at most 1440)")
    length.add_argument("--seconds", type=float, metavar="S", help="how long to watch, in seconds")
    parser.add_argument("--interval", type=float, metavar="S",
                        help="seconds between samples (default 5; at least 1)")
    parser.add_argument("--json", action="store_true", help="print the JSON report at the end")
    parser.add_argument("--pdf", metavar="FILE", help="also write the watch as a PDF report")
    parser.add_argument("--no-redact", action="store_true",
                        help="keep user name, host name and public addresses in the PDF")
    add_lang(parser)
    add_config(parser)
    parser.add_argument("--product", choices=("wecom", "wechat", "both"), default="both",
                        help="which client's servers to watch (default: both)")
    parser.add_argument("--no-history", action="store_true", help="do not store this watch")


def run(args: argparse.Namespace) -> int:
    from app.cli.stop_signals import StopLikeCtrlC

    # SIGTERM and SIGHUP (a closed terminal) end the watch as Ctrl-C does: with the
    # report, stored and printed.
    with StopLikeCtrlC() as stop:
        return _watch(args, stop)


def _watch(args: argparse.Namespace, stop: Any) -> int:
    from checks.watch.loop import Watch
    from checks.watch.plan import Plan, WatchError
    from checks.watch.terminal import header_line, live_line, news_lines, render_watch_text
    from checks.watch.watch_report import exit_code

    lang = args.lang or detect_lang()
    if args.pdf:
        pdf_writable(args.pdf)
    config = load_config(args.config).for_product(args.product)
    seconds = args.seconds if args.seconds is not None else (
        args.minutes * 60 if args.minutes is not None else None)
    try:
        plan = Plan.of(config, seconds, args.interval)
    except WatchError as exc:
        raise UsageError(str(exc)) from exc
    # The live lines go where a person reads them: stdout, or stderr when stdout is JSON.
    live = sys.stderr if args.json else sys.stdout
    show_live = [not args.json or sys.stderr.isatty()]

    def on_sample(sample: Any, news: list[Any], analysis: Any) -> None:
        if not show_live[0]:
            return
        try:
            print(live_line(sample, analysis.down, lang), file=live, flush=True)
            for line in news_lines(news, {"known": analysis.known}, lang):
                print(line, file=live, flush=True)
        except OSError:  # the terminal went away: keep measuring, report at the end
            show_live[0] = False

    watch = Watch(config, plan, lang=lang, on_sample=on_sample)
    stop.measuring = lambda: not watch.done_sampling
    servers = sum(1 for t in watch.sampler.targets if t.kind == "server")
    if show_live[0]:
        print(header_line(servers, plan.interval_s, plan.seconds, lang), file=live, flush=True)
    report = watch.run()
    stored = None if args.no_history else store_watch(report)
    try:
        if args.json:
            print_json(report)
        else:
            sys.stdout.write("\n" + render_watch_text(report, lang))
        sys.stdout.flush()
    except OSError as exc:  # the terminal is gone (SIGHUP): the report is in the history
        _silence_stdout()
        _tell(f"wxdoctor: the watch report could not be printed ({exc.strerror or exc})"
              + (f"; it is stored in the history as w{stored}" if stored else ""))
    if args.pdf:
        from app.pdf.watch_pages import write_watch_pdf
        from checks.report.redact import redact, unredacted

        write_watch_pdf(unredacted(report) if args.no_redact else redact(report), args.pdf, lang)
    return exit_code(report)


def _silence_stdout() -> None:
    """What is left in stdout's buffer goes nowhere, instead of failing again at exit."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _tell(message: str) -> None:
    try:
        print(message, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr went with the terminal
        pass


def store_watch(report: dict[str, Any]) -> int | None:
    """Keep the watch in the history; a history problem never loses the report."""
    import sqlite3

    from checks.report.history import History, HistoryError

    try:
        return History().add_watch(report)
    except (sqlite3.Error, OSError, HistoryError) as exc:  # HistoryBusy: another program has it
        print(f"wxdoctor: this watch was not stored in the history: {exc}", file=sys.stderr)
        return None
