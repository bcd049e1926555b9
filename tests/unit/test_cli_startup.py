"""`wxdoctor --version` answers before the program loads: what it imports, not how long
it takes (the time is measured by tests/bench/startup_bench.py, never asserted)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import tomllib

from checks.shared import version
from tests.sandbox import run_app

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]

# What a run needs and `--version` must not load: the subcommands, the config and its
# schema, the platform layer, the engine, the printing guard, psutil, dnspython, Qt.
HEAVY = ("app.cli.commands", "app.cli.output", "app.cli.usage", "checks.engine",
         "checks.platform", "checks.catalog", "checks.probes", "checks.shared.i18n",
         "checks.shared.resources", "psutil", "dns", "PySide6", "argparse", "tomllib",
         "importlib.metadata")


def imported(stderr: str) -> list[str]:
    """Module names from `-X importtime` lines: `import time: self | cumulative | name`."""
    names = []
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.append(name)
    return names


def test_version_imports_nothing_heavy() -> None:
    out = run_app("--version", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout == f"wxdoctor {VERSION}\n"
    names = imported(out.stderr)
    assert "app.cli.main" in names and "checks.shared.version" in names  # the probe works
    loaded = [n for n in names if any(n == h or n.startswith(h + ".") for h in HEAVY)]
    assert loaded == [], loaded


# sys.modules as the program exits: also what importlib.import_module loaded, which
# `-X importtime` does not list.
MODULES_AT_EXIT = """
import atexit, runpy, sys
atexit.register(lambda: print("\\n".join(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["wxdoctor", *sys.argv[1:]]
runpy.run_module("app", run_name="__main__", alter_sys=True)
"""


def modules_at_exit(*args: str) -> tuple[str, set[str]]:
    import subprocess

    out = subprocess.run([sys.executable, "-c", MODULES_AT_EXIT, *args], cwd=ROOT,
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    return out.stdout, set(out.stderr.split())


def test_version_leaves_the_program_unloaded() -> None:
    stdout, modules = modules_at_exit("--version")
    assert stdout == f"wxdoctor {VERSION}\n"
    assert "app.cli.main" in modules
    assert sorted(n for n in modules if n.startswith(HEAVY)) == []


def test_anything_else_loads_the_commands() -> None:
    """The quick path is `--version` alone: with anything more the parser is built."""
    stdout, modules = modules_at_exit("--help")
    assert "watch" in stdout and "fix-helper" in stdout
    assert {"app.cli.commands.check", "checks.engine.config", "app.cli.output"} <= modules
    stdout, modules = modules_at_exit("--version", "check")
    assert stdout == f"wxdoctor {VERSION}\n"  # argparse's own --version action
    assert "app.cli.commands.check" in modules


def test_a_named_command_loads_only_itself() -> None:
    """`wxdoctor check ...` builds the parser of `check` alone: the other commands'
    modules (and what they import) stay unloaded; a misspelt one lists them all."""
    stdout, modules = modules_at_exit("check", "--help")
    assert "--deadline" in stdout
    commands = sorted(n for n in modules if n.startswith("app.cli.commands."))
    assert commands == ["app.cli.commands.check"]
    out = run_app("chek")
    assert out.returncode == 64 and "fix-helper" in out.stderr and "watch" in out.stderr


def test_each_command_is_named_after_its_module() -> None:
    """What lets the parser load one command by name: fix_helper.py is `fix-helper`."""
    import importlib
    import pkgutil

    import app.cli.commands as package

    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"app.cli.commands.{info.name}")
        assert info.name.replace("_", "-") == module.COMMAND


def test_version_into_a_closed_pipe_is_quiet() -> None:
    import subprocess

    proc = subprocess.Popen([sys.executable, "-m", "app", "--version"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before anything is written
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert b"Traceback" not in err and b"Exception ignored" not in err, err


def test_version_from_the_bundled_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Frozen: no pyproject.toml beside the code, the bundle's resources/VERSION instead."""
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "VERSION").write_text("7.8.9\n", encoding="utf-8")
    monkeypatch.setattr(version, "_SOURCE_ROOT", str(tmp_path / "code"))
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert version.project_version() == "7.8.9"
    (tmp_path / "resources" / "VERSION").unlink()
    assert version.project_version() == version.UNKNOWN


@pytest.mark.parametrize(("text", "expected"), [
    ('[project]\nname = "x"\nversion = "1.2.3"\n', "1.2.3"),
    ('version="4"\n', "4"),
    ('versions = "1"\nversion = 2\n', None),
    ('version = ""\nversion = "5rc1"  # comment\n', "5rc1"),
    ('  version = "6"\n', None),  # indented: not a top-level key of a table
])
def test_version_line(text: str, expected: str | None) -> None:
    assert version._version_line(text) == expected
