"""The `wxdoctor` command line. Exit codes: 0 ok, 1 warn, 2 fail, 64 usage, 70 internal."""

from __future__ import annotations

import signal


def _interrupted_while_loading(_signum: int, _frame: object) -> None:
    # Ctrl-C while the modules below load: end as main() ends on Ctrl-C, without a
    # traceback (130 = interrupted).
    raise SystemExit(130)


try:  # every entry (wxdoctor, python -m app, the frozen app) imports this module first
    _LOADING = signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if _LOADING:
        signal.signal(signal.SIGINT, _interrupted_while_loading)
except ValueError:  # imported from a thread other than the main one: leave it
    _LOADING = False

import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    import argparse

# Everything else loads in _run, after `--version` has had its answer: the version path
# imports no subcommand, config, platform layer or psutil (tests/unit/test_cli_startup.py).


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given the arguments, only the subcommand they name is loaded (each
    one's module imports what it needs: loading them all costs a run ~50 ms)."""
    import argparse
    import importlib
    import pkgutil
    from typing import NoReturn

    import checks
    from app.cli.usage import EXIT_USAGE

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            self.print_usage(sys.stderr)
            print(f"{self.prog}: error: {message}", file=sys.stderr)
            raise SystemExit(EXIT_USAGE)

    parser = _Parser(
        prog="wxdoctor",
        description="Network doctor for WeChat and WeCom (企业微信) login problems.",
    )
    parser.add_argument("--version", action="version", version=f"wxdoctor {checks.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    import app.cli.commands as package

    names = sorted(info.name for info in pkgutil.iter_modules(package.__path__))
    named = _named_command(argv)
    # A module's command is its name with dashes (fix_helper: fix-helper).
    module_name = named.replace("-", "_") if named and "_" not in named else None
    if module_name in names:
        names = [module_name]
    for name in names:
        module = importlib.import_module(f"app.cli.commands.{name}")
        command = sub.add_parser(module.COMMAND, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return parser


def _named_command(argv: Sequence[str] | None) -> str | None:
    """The subcommand the arguments start with; None when an option comes first (such
    as --help, which lists every subcommand)."""
    args = list(sys.argv[1:] if argv is None else argv)
    return args[0] if args and not args[0].startswith("-") else None


def _safe_stdio() -> None:
    # A redirected Windows console may be GBK: never die on a character it lacks.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _guarded(argv)
    except KeyboardInterrupt:  # Ctrl-C while the subcommands load or the arguments parse
        return 130
    finally:
        if argv is None:  # the program's entry: the process ends with this call
            _spare_the_last_collection()


def _spare_the_last_collection() -> None:
    # Everything the run built is freed with the process. Left to the garbage collector,
    # the interpreter's exit walks it all once more (~60 ms after a check); frozen, it
    # is skipped. atexit handlers and buffered output are not affected.
    import gc

    gc.freeze()


def _guarded(argv: Sequence[str] | None) -> int:
    _safe_stdio()
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        return _print_version()
    from app.cli.output import guarded

    with guarded():  # text from networks and files never reaches a terminal as commands
        return _run(argv)


def _print_version() -> int:
    """`wxdoctor --version`, answered before every subcommand (and what it imports) is
    loaded for the parser. The text is this program's own: nothing to clean."""
    import checks

    try:
        print(f"wxdoctor {checks.__version__}", flush=True)
    except BrokenPipeError:
        _quiet_stdout()
    return 0


def _quiet_stdout() -> None:
    # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _run(argv: Sequence[str] | None) -> int:
    import traceback

    from app.cli.usage import EXIT_INTERNAL, EXIT_USAGE, UsageError
    from checks.engine.config import ConfigError

    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except ConfigError as exc:
        print(f"wxdoctor: config error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"wxdoctor: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except Exception:
        print("wxdoctor: internal error, please report it:", file=sys.stderr)
        traceback.print_exc()
        return EXIT_INTERNAL


if _LOADING:  # loaded: from here Ctrl-C is KeyboardInterrupt again, which main() handles
    signal.signal(signal.SIGINT, signal.default_int_handler)

if __name__ == "__main__":
    raise SystemExit(main())
