"""Stopping the command line from outside: SIGTERM and SIGHUP end a watch as Ctrl-C does
(the report is printed and stored), a closed terminal loses nothing, and Ctrl-C while
the program is still loading ends it without a traceback."""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from checks.report.history import History
from tests.sandbox import ROOT, sandboxed

CONFIG = """\
[[endpoints]]
host = "127.0.0.1"
ports = [9]
product = "wecom"
tls = false
[watch]
control = ["127.0.0.1:9"]
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WXDOCTOR_DATA_DIR": str(tmp_path / "data"),
           "WXDOCTOR_LANG": "en", "NO_COLOR": "1"}
    env.pop("WXDOCTOR_CONFIG", None)
    return env


def _watch_argv(tmp_path: Path, *extra: str) -> list[str]:
    config = tmp_path / "watch.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return sandboxed([sys.executable, "-m", "app", "watch", "--seconds", "600", "--interval",
                      "1", "--config", str(config), *extra])


def _default_sigint() -> None:
    # A child of a test run may inherit SIGINT ignored; a person's terminal does not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _read_until(stream, text: bytes, timeout: float = 30.0) -> bytes:
    seen = b""
    end = time.monotonic() + timeout
    while text not in seen:
        ready, _, _ = select.select([stream], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            raise AssertionError(f"no {text!r} within {timeout} s: {seen[-500:]!r}")
        chunk = os.read(stream.fileno() if hasattr(stream, "fileno") else stream, 4096)
        if not chunk:
            raise AssertionError(f"output ended before {text!r}: {seen[-500:]!r}")
        seen += chunk
    return seen


def _stored_watches(tmp_path: Path) -> list:
    db = tmp_path / "data" / "history.db"
    return History(db).list_watches() if db.exists() else []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT],
                         ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_stop_signal_ends_the_watch_with_its_report_stored(tmp_path, signum) -> None:
    proc = subprocess.Popen(_watch_argv(tmp_path), cwd=ROOT, env=_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, preexec_fn=_default_sigint)
    try:
        _read_until(proc.stdout, b"OUTAGE")  # measuring: one sample is in
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = out.decode("utf-8", "replace")
    assert proc.returncode == 2, err.decode()[-800:]  # the closed port: an outage
    assert "Stopped early after" in text and "Outages" in text
    assert b"Traceback" not in err
    watches = _stored_watches(tmp_path)
    assert len(watches) == 1 and watches[0].status == "fail"


def test_a_closed_terminal_still_stores_the_watch(tmp_path) -> None:
    """The terminal goes away as a window closes: its master side closes, the kernel
    hangs up the session (SIGHUP) and every later write fails."""
    master, slave = os.openpty()

    def own_terminal() -> None:
        _default_sigint()
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(_watch_argv(tmp_path), cwd=ROOT, env=_env(tmp_path), stdin=slave,
                            stdout=slave, stderr=slave, preexec_fn=own_terminal,
                            pass_fds=(slave,))
    os.close(slave)
    try:
        _read_until(master, b"OUTAGE")
        os.close(master)  # the window closes
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 2
    watches = _stored_watches(tmp_path)
    assert len(watches) == 1 and watches[0].outages == 1


def test_a_later_signal_does_not_interrupt_the_report(tmp_path) -> None:
    """Signals that come while the report is being made are ignored: here SIGTERM, then
    SIGHUP and SIGINT at once, and the JSON report still comes out whole."""
    proc = subprocess.Popen(_watch_argv(tmp_path, "--json"), cwd=ROOT, env=_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, preexec_fn=_default_sigint)
    try:
        time.sleep(3)  # a few samples (the live lines go nowhere: stderr is no terminal)
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGTERM):
            proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    report = json.loads(out)
    assert report["schema"] == "wxdoctor.watch/1" and report["stopped"] == "user", err[-800:]
    assert len(_stored_watches(tmp_path)) == 1


INTERRUPT_WHILE_LOADING = """
import importlib.abc, os, runpy, signal, sys
target = sys.argv[1]

class Interrupt(importlib.abc.MetaPathFinder):
    # Ctrl-C exactly while `target` is being imported, as a person may press it at start.
    def find_spec(self, fullname, path, target_module=None):
        if fullname == target:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, Interrupt())
sys.argv = ["wxdoctor", *sys.argv[2:]]
runpy.run_module("app", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize("module", ["checks.engine.config", "checks.shared.resources",
                                    "app.cli.commands.watch", "checks.watch.loop"])
def test_ctrl_c_while_loading_ends_quietly(tmp_path, module) -> None:
    out = subprocess.run(sandboxed([sys.executable, "-c", INTERRUPT_WHILE_LOADING, module,
                                    "watch", "--seconds", "5", "--config",
                                    str(tmp_path / "missing.toml")]),
                         cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True,
                         timeout=60, preexec_fn=_default_sigint)
    assert out.returncode == 130, out.stderr[-1500:]
    assert "Traceback" not in out.stderr and "KeyboardInterrupt" not in out.stderr
