"""`wxdoctor-gui`: the desktop window.

`--report FILE --screenshot OUT.png` renders a saved report and saves a picture
of the window, for docs, support tickets and tests. Heavy modules are imported
inside main() so the window appears quickly.
"""

from __future__ import annotations

import time

_MARKS = {"main": time.monotonic()}  # start-up times (see app/gui/startup_probe.py)

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="wxdoctor-gui", description="The wxdoctor window.")
    parser.add_argument("--report", metavar="FILE", help="show a saved JSON report")
    parser.add_argument("--screenshot", metavar="PNG", help="save a picture of the window and exit")
    parser.add_argument("--lang", choices=("zh", "en"), help="language of the window")
    parser.add_argument("--dark", action="store_true", help="use the dark palette")
    parser.add_argument("--width", type=int, default=900, help="window width for --screenshot")
    parser.add_argument("--fix", metavar="FIX_ID", help="with --screenshot: picture the preview of this fix")
    parser.add_argument("--view", choices=("checks", "servers"), default="checks",
                        help="with --screenshot: the tab to picture (servers: the endpoint matrix)")
    # Qt's own options (-platform, -style ...) pass through.
    args, _ = parser.parse_known_args(argv)
    return args


def setup_logging() -> str:
    """A rotating log in the platform's log folder; never fatal if it cannot be written."""
    import logging
    from logging.handlers import RotatingFileHandler

    from platformdirs import user_log_dir

    folder = os.environ.get("WXDOCTOR_LOG_DIR") or user_log_dir("wxdoctor", "wxdoctor")
    logger = logging.getLogger("wxdoctor")
    logger.setLevel(logging.INFO)
    try:
        os.makedirs(folder, exist_ok=True)
        handler = RotatingFileHandler(os.path.join(folder, "wxdoctor-gui.log"), maxBytes=1_000_000,
                                      backupCount=3, encoding="utf-8")
    except OSError:
        return folder
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    return folder


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--engine-child"]:  # the window's check process (frozen builds)
        from app.child.check_process import child_main

        return child_main()
    if argv[:1] == ["fix-helper"]:
        # Elevation starts this very executable again for one admin fix step (see
        # app.cli.commands.fix_helper.self_command): serve it as the command line does, before
        # any Qt, so no window opens and the GUI's own options never see its arguments.
        from app.cli.main import main as cli_main

        return cli_main(argv)
    if argv[:1] == ["--watch-child"]:  # the window's watch process (frozen builds)
        from app.child import watch_process

        return watch_process.child_main()
    args = parse_args(argv)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    _MARKS["qapplication"] = time.monotonic()
    app.setOrganizationName("wxdoctor")
    app.setApplicationName("wxdoctor")
    from app.gui import theme

    if args.dark:
        theme.apply_dark(app)  # type: ignore[arg-type]
    log_dir = Path(setup_logging())

    from app.gui.window import MainWindow, load_report

    _MARKS["window_module"] = time.monotonic()
    if args.screenshot:
        return _screenshot(app, args, log_dir)
    window = MainWindow(lang=args.lang, log_dir=log_dir)
    _MARKS["window_built"] = time.monotonic()
    try:
        watch = _watch_report(args.report)
    except ValueError as exc:
        _say(f"wxdoctor-gui: {exc}")
        return 64
    if watch is not None:
        window.show_watch(watch)
    elif args.report:
        try:
            report = load_report(Path(args.report))
            window.show_report(report, note=str(report.get("started_at", "")))
        except (OSError, ValueError) as exc:
            _say(f"wxdoctor-gui: cannot open {args.report}: {exc}")
            return 64
    probe = os.environ.get("WXDOCTOR_STARTUP_PROBE")
    if probe:  # tests/bench/startup_bench.py: when the first frame came, what was loaded
        from app.gui import startup_probe

        startup_probe.install(probe, window, _MARKS)
    window.show()
    if os.environ.get("WXDOCTOR_GUI_SMOKE") == "1":
        # Packaging smoke test: prove the window opens, then quit once the loop has painted.
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, app.quit)
    return int(app.exec())


def _settle(app: Any, seconds: float = 0.15) -> None:
    """Let chained layout work finish (a table fits its rows on a zero-time timer after
    its columns get their widths, then its parent lays out again): one processEvents
    call runs only the first link of that chain."""
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def _screenshot(app: Any, args: argparse.Namespace, log_dir: Path) -> int:
    import tempfile

    from PySide6.QtCore import QSettings

    from app.gui.window import MainWindow, load_report

    # Private settings: a screenshot must not change the user's saved choices.
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(lang=args.lang or "en", settings=settings, log_dir=log_dir)
        try:
            watch = _watch_report(args.report)
        except ValueError as exc:
            _say(f"wxdoctor-gui: {exc}")
            return 64
        if watch is not None:
            window.show_watch(watch)
        elif args.report:
            try:
                window.show_report(load_report(Path(args.report)))
            except (OSError, ValueError) as exc:
                _say(f"wxdoctor-gui: cannot open {args.report}: {exc}")
                return 64
        else:
            window.populate(wait=True)
        window.resize(args.width, 700)
        window.show()
        app.processEvents()
        if args.view == "servers":
            window.tabs.show_servers()
            app.processEvents()
        for _ in range(3):  # wrapped labels and tables settle after a layout pass
            window.resize(args.width, 760 if watch is not None else _fitting_height(window, args.view))
            _settle(app)
        target: Any = window
        if args.fix:
            target = window.fixes.fix_dialog([args.fix])
            target.resize(620, 460)
            target.show()
            app.processEvents()
        ok = target.grab().save(args.screenshot)
        if target is not window:
            target.close()
        window.close()
        del settings
    if not ok:
        _say(f"wxdoctor-gui: could not write {args.screenshot}")
        return 70
    return 0


def _fitting_height(window: Any, view: str) -> int:
    if view != "servers":
        return int(window.fitting_height())
    chrome = window.height() - window.tabs.height()
    return min(1800, chrome + int(window.tabs.fitting_height()))


def _say(message: str) -> None:
    """A message on stderr; what it quotes from a file cannot act on the terminal."""
    from app.cli.output import terminal_text

    print(terminal_text(message), file=sys.stderr)


def _watch_report(path: str | None) -> dict[str, Any] | None:
    """`--report` may name a saved watch (`watch --json`): it opens in the Watch tab.
    ValueError says what is wrong with a watch that does not load."""
    if not path:
        return None
    from app.cli.sources import SourceError, load_watch

    try:
        return load_watch(path)
    except SourceError as exc:
        raise ValueError(str(exc)) from exc


if __name__ == "__main__":
    raise SystemExit(main())
