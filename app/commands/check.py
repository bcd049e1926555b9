"""`wxdoctor check`: run the checks and print the report."""

from __future__ import annotations

import argparse
import json
import os
import sys

from checks.base import all_checks
from checks.config import load_config
from checks.i18n import detect_lang
from checks.report.build import build_report, exit_code
from checks.report.text import render_text
from checks.runner import Runner

COMMAND = "check"
HELP = "Run the checks and print a traffic-light report."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the JSON report")
    parser.add_argument("--config", metavar="FILE", help="override file (TOML)")
    parser.add_argument("--only", metavar="IDS", help="comma-separated check ids to run")
    parser.add_argument("--deadline", metavar="S", type=float, help="time limit for the run")
    parser.add_argument("--lang", choices=("zh", "en"), help="language of the report")
    parser.add_argument(
        "--product", choices=("wecom", "wechat", "both"), default="both",
        help="which client's servers to test (default: both)",
    )


def run(args: argparse.Namespace) -> int:
    from app.cli import UsageError

    lang = args.lang or detect_lang()
    config = load_config(args.config).for_product(args.product)
    if args.deadline is not None:
        if not 0 < args.deadline <= 600:
            raise UsageError("--deadline must be between 0 and 600 seconds")
        config = config.with_deadline(args.deadline)
    selected = all_checks()
    if args.only:
        wanted = [i.strip() for i in args.only.split(",") if i.strip()]
        valid = [c.id for c in selected]
        unknown = [i for i in wanted if i not in valid]
        if unknown:
            raise UsageError(
                f"unknown check id(s): {', '.join(unknown)}; valid ids: {', '.join(valid)}"
            )
        selected = [c for c in selected if c.id in wanted]

    result = Runner(config, selected, lang=lang).run()
    report = build_report(result, config, lang)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(report, lang, colour=_use_colour()))
    sys.stdout.flush()
    return exit_code(report)


def _use_colour() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"
