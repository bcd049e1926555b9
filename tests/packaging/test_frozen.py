"""Smoke test of the frozen (PyInstaller) build on this machine.

Builds the onedir bundle once per session with `packaging/build.py`, then runs the
frozen executables: `--version`, `check --json` inside the test lab (every check
present, pkgutil discovery working without a source tree), and the window offscreen
and under Xvfb. Deselect with `-m "not frozen"`; CI runs it. Set WXDOCTOR_FROZEN_DIST
to an existing dist folder to test that build instead of building.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomllib

from checks.engine.check import check_ids
from tests.lab import Lab

pytestmark = pytest.mark.frozen

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
BUILD_TIMEOUT = 1800  # two cores shared with others: a cold build takes a few minutes


def _have_pyinstaller() -> bool:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    given = os.environ.get("WXDOCTOR_FROZEN_DIST")
    if given:
        yield Path(given) / "wxdoctor"
        return
    if not _have_pyinstaller():
        if os.environ.get("CI") == "true":
            pytest.fail("PyInstaller missing: install the build extra (pip install -e .[build,test])")
        pytest.skip("PyInstaller not installed (pip install -e .[build])")
    dist = tmp_path_factory.mktemp("frozen-dist")
    # The work folder under build/ lets a second run reuse PyInstaller's analysis cache.
    work = ROOT / "build" / "frozen-test"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(dist),
         "--work", str(work)],
        cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert proc.returncode == 0, f"build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
    yield dist / "wxdoctor"
    shutil.rmtree(dist, ignore_errors=True)


def frozen_env(**extra: str) -> dict[str, str]:
    """No PYTHONPATH or source tree to fall back on: the bundle must be self-sufficient."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "WXDOCTOR_CONFIG")}
    env.update(extra)
    return env


def run(bundle: Path, exe: str, *args: str, timeout: float = 60,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # cwd outside the repository, so nothing can be imported from the source tree.
    return subprocess.run([str(bundle / exe), *args], capture_output=True, text=True,
                          timeout=timeout, cwd="/", env=env or frozen_env())


def test_version_is_pyprojects(bundle: Path) -> None:
    proc = run(bundle, "wxdoctor", "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wxdoctor {VERSION}"
    assert (bundle / "_internal" / "resources" / "VERSION").read_text().strip() == VERSION


def test_version_loads_no_qt_and_the_pdf_still_does(bundle: Path, tmp_path: Path) -> None:
    """The console executable goes without PyInstaller's PySide6 start-up hook (it imports
    QtCore at every start): `--version` maps no Qt library, and the PDF writer, the one
    part that needs Qt, still finds its libraries and plugins (the dynamic loader's own
    account, LD_DEBUG=files, lists every library a process opens)."""
    proc = run(bundle, "wxdoctor", "--version", env=frozen_env(LD_DEBUG="files"))
    assert proc.returncode == 0 and proc.stdout == f"wxdoctor {VERSION}\n", proc.stderr[-2000:]
    assert "file=" in proc.stderr  # the loader did report
    assert "libQt6" not in proc.stderr
    pdf = tmp_path / "r.pdf"
    proc = run(bundle, "wxdoctor", "report", str(ROOT / "tests" / "fixtures" / "reports" / "faults.json"),
               "--pdf", str(pdf), env=frozen_env(LD_DEBUG="files", WXDOCTOR_DATA_DIR=str(tmp_path)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "libQt6Core" in proc.stderr and "libqoffscreen" in proc.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "wxdoctor" in text and "检测" in text


def test_window_paints_before_it_loads_the_engine_frozen(bundle: Path, tmp_path: Path) -> None:
    """The frozen window, as a double-click starts it: its first frame comes before the
    engine, the fixes and the PDF code are imported (tests/gui/test_gui_startup.py)."""
    from tests.gui.test_gui_startup import engine_beyond_first_frame, later

    probe = tmp_path / "probe.json"
    env = frozen_env(QT_QPA_PLATFORM="offscreen", WXDOCTOR_STARTUP_PROBE=str(probe),
                     WXDOCTOR_DATA_DIR=str(tmp_path / "data"), WXDOCTOR_LOG_DIR=str(tmp_path / "logs"),
                     XDG_CONFIG_HOME=str(tmp_path / "config"))
    proc = run(bundle, "wxdoctor-gui", env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    record = json.loads(probe.read_text(encoding="utf-8"))
    assert record["frozen"] is True
    assert record["marks"]["first_frame"] < record["marks"]["listed"]
    assert later(record["modules_at_first_frame"]) == []
    assert engine_beyond_first_frame(record["modules_at_first_frame"]) == []
    assert "checks.engine.runner" in record["modules_at_end"]


def test_subcommands_discovered_frozen(bundle: Path) -> None:
    """app/cli/commands is found by pkgutil.iter_modules inside the PYZ archive."""
    proc = run(bundle, "wxdoctor", "--help")
    assert proc.returncode == 0, proc.stderr
    import importlib

    commands = sorted(
        importlib.import_module(f"app.cli.commands.{p.stem}").COMMAND
        for p in (ROOT / "app" / "cli" / "commands").glob("[!_]*.py")
    )
    assert "fix-helper" in commands
    for command in commands:
        assert command in proc.stdout, proc.stdout


def test_check_json_in_lab_has_every_check(bundle: Path, lab: Lab) -> None:
    lab.add_host("login.wecom.lab.test", ports=[443, 80])
    config = lab.write_config({
        "deadline_s": 8,
        "endpoints": [{"host": "login.wecom.lab.test", "ports": [443, 80],
                       "product": "wecom", "tls": True}],
        "dns": {"trusted_resolvers": [lab.dns_ip], "timeout_s": 1.0},
        "tcp": {"timeout_s": 1.0},
        "ntp": {"servers": []},
        "captive": {"probes": []},
    })
    env = {k: v for k, v in lab.doctor_env().items() if v is not None}
    env = frozen_env(**env)
    env.pop("PYTHONPATH", None)
    proc = lab.client.run([str(bundle / "wxdoctor"), "check", "--json", "--config", str(config)],
                          timeout=60, check=False, cwd="/", env=env)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError(f"no JSON (rc={proc.returncode}):\n{proc.stdout}\n{proc.stderr}") from None
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert report["schema"] == "wxdoctor.report/1"
    assert report["tool"] == {"name": "wxdoctor", "version": VERSION}
    # Every check module of the source tree was found (pkgutil) and ran in the bundle.
    assert sorted(c["id"] for c in report["checks"]) == sorted(check_ids())
    assert not any(c["status"] == "error" and "import" in json.dumps(c).lower()
                   for c in report["checks"]), report
    by_id = {c["id"]: c for c in report["checks"]}
    assert by_id["network"]["status"] == "ok", by_id["network"]
    assert by_id["dns"]["status"] == "ok", by_id["dns"]  # dnspython's rdata types are bundled


def _gui_has_screenshot() -> bool:
    return "--screenshot" in (ROOT / "app" / "gui" / "main.py").read_text("utf-8")


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _start_gui(bundle: Path, tmp_path: Path, platform: str,
               wrapper: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    env = frozen_env(QT_QPA_PLATFORM=platform, HOME=str(tmp_path), XDG_RUNTIME_DIR=str(tmp_path),
                     WXDOCTOR_LOG_DIR=str(tmp_path / "logs"), WXDOCTOR_GUI_SMOKE="1")
    args: list[str] = []
    if _gui_has_screenshot():
        report = run(bundle, "wxdoctor", "check", "--json", "--only", "network", timeout=60)
        (tmp_path / "report.json").write_text(report.stdout)
        args = ["--report", str(tmp_path / "report.json"), "--screenshot", str(tmp_path / "w.png")]
    argv = [*(wrapper or []), str(bundle / "wxdoctor-gui"), *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd="/", env=env)


def test_gui_starts_offscreen(bundle: Path, tmp_path: Path) -> None:
    proc = _start_gui(bundle, tmp_path, "offscreen")
    assert proc.returncode == 0, proc.stderr
    if _gui_has_screenshot():
        width, height = _png_size(tmp_path / "w.png")
        assert width > 100 and height > 100


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run not installed")
def test_gui_starts_on_x11(bundle: Path, tmp_path: Path) -> None:
    """The xcb platform plugin and the libraries it loads are in the bundle and work."""
    proc = _start_gui(bundle, tmp_path, "xcb", wrapper=["xvfb-run", "-a"])
    assert proc.returncode == 0, proc.stderr
    assert "Could not load the Qt platform plugin" not in proc.stderr


def test_bundle_layout(bundle: Path) -> None:
    internal = bundle / "_internal"
    assert (internal / "resources" / "endpoints.toml").is_file()
    assert (internal / "resources" / "icons" / "app.svg").is_file()
    plugins = internal / "PySide6" / "Qt" / "plugins"
    names = {p.relative_to(plugins).as_posix() for p in plugins.rglob("*.so")}
    for needed in ("platforms/libqoffscreen.so", "platforms/libqxcb.so",
                   "imageformats/libqsvg.so", "iconengines/libqsvgicon.so"):
        assert needed in names, sorted(names)
    # Left out on purpose (size): embedded platforms, GTK theme, unused Qt modules.
    assert not {"platforms/libqvnc.so", "platforms/libqeglfs.so",
                "platformthemes/libqgtk3.so"} & names
    libs = {p.name for p in internal.rglob("*.so*")}
    for unused in ("libQt6WebEngineCore.so.6", "libQt6Qml.so.6", "libQt6Quick.so.6",
                   "libQt6Network.so.6", "libQt6Multimedia.so.6", "libgtk-3.so.0"):
        assert unused not in libs


def test_window_check_process_runs_frozen(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window runs its checks in `wxdoctor-gui --engine-child`: the same protocol
    must work from the bundle, whose GUI executable has no console streams of its own."""
    from app.child import check_process
    from checks.engine.check import all_checks
    from checks.engine.config import Config

    check_process.discard_spare()
    monkeypatch.setattr(check_process, "child_argv",
                        lambda: [str(bundle / "wxdoctor-gui"), check_process.CHILD_FLAG])
    local = [c for c in all_checks() if c.id in ("network", "hosts", "disk")]  # no traffic
    finished: list[str] = []
    result = check_process.ProcessRunner(
        Config(deadline_s=10), local, lang="zh", on_finished=lambda r: finished.append(r.id),
    ).run()
    check_process.discard_spare()
    assert [r.id for r in result.results] == ["network", "hosts", "disk"]
    assert sorted(finished) == ["disk", "hosts", "network"]
    assert all(r.evidence.get("failure") != "internal_error" for r in result.results)


def test_window_executable_carries_out_a_journalled_helper_step(bundle: Path, lab: Lab) -> None:
    """Admin fixes from the packaged window relaunch the window's own executable as
    `wxdoctor-gui fix-helper --journal PATH ... --user ID` (checks.fixes.elevation):
    run as root inside the lab's client namespace, whose /etc/hosts is the lab's file,
    it must carry out the journalled hosts repair and its undo, and never open a window."""
    from checks.engine.config import load_config_text
    from checks.fixes import FixEnv, Journal, Plan, get_fix
    from checks.shared.i18n import t

    lab.set_hosts_file("127.0.0.1\tlocalhost\n1.2.3.4 login.work.weixin.qq.com\n")
    raw = lab.hosts_path.read_bytes()
    fix = get_fix("repair_hosts")
    env = FixEnv(config=load_config_text(""), hosts_file=str(lab.hosts_path))
    (action,) = fix.plan(env).actions
    backup = fix.backup(action, env)
    action.paths = ["/etc/hosts"]  # what the plan names on a real machine
    journal = Journal(lab.tmp / "data" / "journal")
    entry = journal.begin(Plan("repair_hosts", t("x", "x"), actions=[action]))
    entry.steps[0].state, entry.steps[0].backup = "running", backup
    journal.save(entry)

    def helper(*extra: str) -> subprocess.CompletedProcess[str]:
        argv = [str(bundle / "wxdoctor-gui"), "fix-helper", "--journal", str(journal.path(entry.id)),
                "--fix", "repair_hosts", "--step", "0", "--user", str(os.getuid()), *extra]
        return lab.client.run(argv, timeout=120, check=False, cwd="/",
                              env=frozen_env(QT_QPA_PLATFORM="offscreen"))

    done = helper()
    assert done.returncode == 0, done.stderr
    assert b"# [wxdoctor] 1.2.3.4 login.work.weixin.qq.com" in lab.hosts_path.read_bytes()
    result = journal.path(entry.id).with_name(f"{entry.id}.step0.result")
    assert json.loads(result.read_text())["outcome"] == "ok"
    entry.steps[0].state = "done"
    journal.save(entry)
    undone = helper("--revert")
    assert undone.returncode == 0, undone.stderr
    assert lab.hosts_path.read_bytes() == raw
