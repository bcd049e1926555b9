"""`wxdoctor check`: run the checks and print the report."""

from __future__ import annotations

import argparse
import threading
import time

from app.cli.usage import UsageError, add_config, add_lang, pdf_writable
from checks.engine.check import all_checks
from checks.engine.config import load_config
from checks.engine.runner import Runner
from checks.shared.i18n import detect_lang
from checks.tencent.domain_list import DomainListError

COMMAND = "check"
HELP = "Run the checks and print a traffic-light report."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the JSON report")
    add_config(parser)
    parser.add_argument("--only", metavar="IDS", help="comma-separated check ids to run")
    parser.add_argument("--deadline", metavar="S", type=float, help="time limit for the run")
    parser.add_argument(
        "--complete", action="store_true",
        help="run every check to its end, even once the most likely cause is certain "
             "(by default the checks that could not change it are stopped as not needed)")
    add_lang(parser, of="the report")
    parser.add_argument("--pdf", metavar="FILE", help="also write this run as a PDF report")
    parser.add_argument(
        "--no-redact", action="store_true",
        help="keep user name, host name and public addresses in the PDF",
    )
    parser.add_argument(
        "--redact", action="store_true",
        help="hide user name, host name and public addresses in the printed output too",
    )
    parser.add_argument("--no-history", action="store_true", help="do not store this run")
    parser.add_argument("--matrix", action="store_true",
                        help="also print the table of servers and what was measured on each")
    parser.add_argument("--for-it", action="store_true",
                        help="print only the text for the network administrator (what failed, "
                             "how, what to allow)")
    parser.add_argument(
        "--domain-list", metavar="FILE",
        help="also test the servers of Tencent's domain list (a saved get_server_domain_ip "
             "response); replaces the config's domain_list",
    )
    parser.add_argument(
        "--product", choices=("wecom", "wechat", "both"), default="both",
        help="which client's servers to test (default: both)",
    )


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    lang = args.lang or detect_lang()
    if args.pdf:
        pdf_writable(args.pdf)
    try:
        config = load_config(args.config, domain_list_file=args.domain_list)
    except DomainListError as exc:
        raise UsageError(f"--domain-list: {exc}") from exc
    config = config.for_product(args.product)
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

    # Checks named with --only are all wanted: the run waits for each of them.
    decide_early = not (args.complete or args.only)
    loading = _load_output_meanwhile()
    result = Runner(config, selected, lang=lang, decide_early=decide_early).run()
    loading.join()
    from app.cli.check_output import finish

    return finish(result, config, args, lang, started)


def _load_output_meanwhile() -> threading.Thread:
    """Import what prints the report on a thread of its own while the checks wait on the
    network (two threads may import at once: each module has its own import lock)."""

    def load() -> None:
        import app.cli.check_output  # noqa: F401

    thread = threading.Thread(target=load, name="wxdoctor-load-output", daemon=True)
    thread.start()
    return thread
