"""The Windows side of asking for administrator rights, as data on Linux.

What ShellExecuteExW ("runas") came to is a RunasResult; the UAC call itself cannot run
here, so a recorder stands in for `checks.platform.shell_execute_runas` (a thin ctypes
wrapper). Everything around it is the real code: whether the prompt is asked at all
(only for program files no one but an administrator can have changed, decided on this
machine's real files and owners), which window owns it, how Windows' answer is read
(declined, another error, finished, still running), and what the journal keeps when the
helper has not ended: the step is neither done nor put back.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checks import platform
from checks.fixes import FixEnv, Journal, elevation, executor, get_fix
from checks.fixes.actions import NotCarriedOut, StillRunning
from checks.fixes.executor import apply_plan, recover_interrupted
from checks.fixes.fix import Plan
from checks.fixes.flush_dns import flush_actions
from checks.platform import RunasResult

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="owners of real files need root")


class Runas:
    """Records each UAC request and answers with the next prepared result."""

    def __init__(self, *answers: RunasResult) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, str, float, int | None]] = []

    def __call__(self, file: str, parameters: str, timeout: float,
                 window: int | None = None) -> RunasResult:
        self.calls.append((file, parameters, timeout, window))
        return self.answers.pop(0)


def install(root: Path, owner: int = 0, mode: int = 0o755) -> list[str]:
    """A frozen app's folder, its _internal folder and its executable."""
    folder, internal, exe = root / "wxdoctor", root / "wxdoctor" / "_internal", root / "wxdoctor" / "wxdoctor-gui.exe"
    internal.mkdir(parents=True)
    exe.write_bytes(b"MZ")
    for path in (folder, internal, exe):
        os.chown(path, owner, owner)
        os.chmod(path, mode if path != exe else 0o755)
    return [str(folder), str(internal), str(exe)]


@pytest.fixture
def windows(monkeypatch):
    monkeypatch.setattr(elevation, "PLATFORM", "windows")
    monkeypatch.setattr(executor, "PLATFORM", "windows")
    monkeypatch.setattr(platform, "is_admin", lambda: False)


def test_the_prompt_belongs_to_the_window_and_its_exit_code_is_the_helpers(windows, tmp_path,
                                                                             monkeypatch):
    runas = Runas(RunasResult(True, exit_code=0, pid=4242))
    monkeypatch.setattr(platform, "shell_execute_runas", runas)
    monkeypatch.setattr(elevation, "elevated_code_paths", lambda: install(tmp_path))
    assert elevation.run_helper(str(tmp_path / "journal" / "e.json"), "set_mtu", 0, False,
                                120.0, window=0x1F0A2) == 0
    ((_file, parameters, waited, window),) = runas.calls
    assert window == 0x1F0A2 and waited == 240.0
    assert "fix-helper --journal" in parameters and "--fix set_mtu --step 0" in parameters


@pytest.mark.parametrize("make_unsafe", [
    lambda paths: os.chown(paths[0], 1000, 1000),  # a per-user install: the person's folder
    lambda paths: os.chmod(paths[1], 0o777),  # anyone may add a DLL to _internal
    lambda paths: os.chown(paths[2], 1000, 1000),  # the executable is the person's
    lambda paths: os.chmod(os.path.dirname(paths[0]), 0o777),  # the folder could be swapped
], ids=["folder-owner", "internal-writable", "exe-owner", "parent-writable"])
def test_no_prompt_for_program_files_someone_else_could_have_changed(windows, tmp_path,
                                                                     monkeypatch, make_unsafe):
    runas = Runas()
    monkeypatch.setattr(platform, "shell_execute_runas", runas)
    paths = install(tmp_path)
    make_unsafe(paths)
    monkeypatch.setattr(elevation, "elevated_code_paths", lambda: paths)
    with pytest.raises(NotCarriedOut) as refused:
        elevation.run_helper(str(tmp_path / "e.json"), "set_mtu", 0, False, 120.0)
    assert runas.calls == []  # the prompt was never shown
    assert "will not ask for administrator rights" in refused.value.text.render("en")
    assert "本程序不会请求管理员权限" in refused.value.text.render("zh")


def test_windows_answers_are_reported_as_they_are():
    assert elevation.helper_exit(RunasResult(True, exit_code=1, pid=7), 240) == 1
    assert elevation.helper_exit(RunasResult(False, 1223, "The operation was canceled by the user."),
                                 240) == 1223
    with pytest.raises(NotCarriedOut) as other:  # no longer every failure is "cancelled"
        elevation.helper_exit(RunasResult(False, 1155, "No application is associated with the specified file for this operation."), 240)
    assert "error 1155" in other.value.text.render("en")
    assert "No application is associated" in other.value.text.render("en")
    with pytest.raises(StillRunning) as running:  # STILL_ACTIVE is not an exit code
        elevation.helper_exit(RunasResult(True, pid=5150), 240)
    assert running.value.pid == 5150
    assert "still running after 240 s" in running.value.text.render("en")


def test_a_helper_still_running_leaves_its_step_started_and_nothing_put_back(
        windows, tmp_path, monkeypatch, config, data_dir):
    """Windows' flush is one non-admin command, so a macOS-shaped two-command step is
    sent to the helper here; the helper outlives the wait. The earlier state is kept:
    no rollback runs while it may still be acting, the entry stays `planned`, and
    recovery leaves it alone while that process lives."""
    runas = Runas(RunasResult(True, pid=os.getpid()))  # a process that is certainly alive
    monkeypatch.setattr(platform, "shell_execute_runas", runas)
    monkeypatch.setattr(elevation, "elevated_code_paths", lambda: install(tmp_path))
    (action,) = flush_actions("macos", {}, [])
    fix = get_fix("flush_dns")
    journal = Journal()
    plan = Plan(fix.id, fix.title, actions=[action], needs_admin=True,
                env=FixEnv(config=config, window=77))
    with pytest.raises(StillRunning):
        apply_plan(fix, plan, journal)
    (entry,) = journal.entries()
    (step,) = entry.steps
    assert (entry.state, step.state) == ("planned", "running")
    assert step.helper is not None and step.helper.running["pid"] == os.getpid()
    assert [call[3] for call in runas.calls] == [77]  # asked once, owned by the window
    assert recover_interrupted(journal, get_fix, FixEnv(config=config), entries=[entry]) == []
    assert journal.load(entry.id).state == "planned" and len(runas.calls) == 1
