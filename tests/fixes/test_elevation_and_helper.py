from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from checks.fixes import FixEnv, Journal, get_fix
from checks.fixes.elevation import (
    admin_argv,
    applescript_string,
    helper_argv,
    windows_runas_params,
)
from checks.fixes.executor import apply_plan
from checks.fixes.fix import Action, Plan
from checks.fixes.helper_files import result_path, take_result
from checks.platform.system_tools import macos_tool, windows_tool
from checks.shared.i18n import t

from .conftest import ROOT, helper_args, run_helper, started_entry

NETSH = windows_tool("netsh")
SC = windows_tool("sc")
NETWORKSETUP = macos_tool("networksetup")

TRICKY = [NETWORKSETUP, "-setwebproxystate", 'Wi-Fi "5G" $HOME `x`', "off"]


def test_linux_admin_argv_is_pkexec_of_the_same_list():
    assert admin_argv(["ip", "link", "set", "dev", "eth0", "mtu", "1400"], "linux") == [
        "pkexec", "ip", "link", "set", "dev", "eth0", "mtu", "1400"]


def test_macos_admin_argv_quotes_one_command_safely():
    argv = admin_argv(TRICKY, "macos")
    assert argv[:2] == ["/usr/bin/osascript", "-e"]
    script = argv[2]
    assert script.startswith('do shell script "') and script.endswith(
        '" with administrator privileges')
    # Undo the AppleScript string escaping, then the shell quoting: the same argv again.
    literal = script[len("do shell script "):-len(" with administrator privileges")]
    inner = literal[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    assert shlex.split(inner) == TRICKY
    assert applescript_string('a"b\\c') == '"a\\"b\\\\c"'


def test_windows_runas_starts_the_helper_with_journal_and_user_on_its_command_line():
    journal = r"C:\Users\张三\AppData\Local\wxdoctor\journal\x.json"
    argv = helper_argv(journal, "set_mtu", 0, user="S-1-5-21-1-2-3-1001")
    params = windows_runas_params(argv)
    assert params.verb == "runas" and params.file == sys.executable
    assert params.parameters.startswith("-m app fix-helper --journal ")
    assert "--fix set_mtu --step 0 --user S-1-5-21-1-2-3-1001" in params.parameters
    assert "--revert" in windows_runas_params(helper_argv("j.json", "set_mtu", 0, True)).parameters


def test_windows_powershell_free_quoting_of_spaces():
    params = windows_runas_params([NETSH, "interface", "ipv4", "set", "subinterface",
                                   "以太网 2", "mtu=1400", "store=persistent"])
    assert params.parameters == 'interface ipv4 set subinterface "以太网 2" mtu=1400 store=persistent'


def test_helper_argv_carries_everything_and_no_data_folder(data_dir, tmp_path, monkeypatch):
    """The elevated account may be another user (a standard user typed an administrator's
    password), and pkexec or a packaged app drops the environment: the journal's real
    path and the asking user travel on the command line, nothing through WXDOCTOR_DATA_DIR."""
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    argv = helper_argv(str(tmp_path / "link" / "e.json"), "repair_hosts", 1, elevated_posix=True)
    assert argv[0] == "/usr/bin/env" and not any(a.startswith("WXDOCTOR_DATA_DIR") for a in argv)
    assert argv[argv.index("--journal") + 1] == str(real / "e.json")
    assert argv[argv.index("--user") + 1] == str(os.getuid())
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/Applications/wxdoctor.app/Contents/MacOS/wxdoctor-gui")
    frozen = helper_argv("/j/journal/e.json", "repair_hosts", 0, elevated_posix=True)
    assert frozen[:2] == ["/Applications/wxdoctor.app/Contents/MacOS/wxdoctor-gui", "fix-helper"]


def test_helper_refuses_paths_outside_a_journal_folder(data_dir, tmp_path):
    outside = tmp_path / "evil.json"
    outside.write_text("{}")
    result = run_helper("--journal", str(outside), "--fix", "flush_dns", "--step", "0",
                        "--user", str(os.getuid()))
    assert result.returncode == 64 and "not an entry of a journal folder" in result.stderr


def test_helper_needs_the_user_on_its_command_line(data_dir):
    journal = Journal()
    entry = started_entry(journal, "flush_dns", Action("run", t("x", "x"),
                                                       argv=["nscd", "-i", "hosts"], needs_admin=True))
    args = helper_args(journal, entry, "flush_dns")
    without_user = args[: args.index("--user")]
    assert run_helper(*without_user).returncode == 64
    other = run_helper(*args[: args.index("--user")], "--user", "4242")
    assert other.returncode == 64 and "must be 4242's alone" in other.stderr


def test_helper_refuses_unknown_fix_and_foreign_commands(data_dir):
    journal = Journal()
    entry = started_entry(journal, "flush_dns", Action("run", t("x", "x"), argv=["rm", "-rf", "/x"],
                                                       needs_admin=True))
    assert run_helper(*helper_args(journal, entry, "bogus")).returncode == 64
    assert run_helper(*helper_args(journal, entry, "set_mtu")).returncode == 64
    refused = run_helper(*helper_args(journal, entry, "flush_dns"))
    assert refused.returncode == 64 and "not one the fix" in refused.stderr
    assert not result_path(journal.path(entry.id), 0).exists()


def test_helper_runs_an_allowed_step_and_leaves_its_result(data_dir):
    journal = Journal()
    entry = started_entry(journal, "flush_dns", Action(
        "run", t("x", "x"), argv=["nscd", "-i", "hosts"], needs_admin=True))
    before = journal.path(entry.id).read_bytes()
    result = run_helper(*helper_args(journal, entry, "flush_dns"))
    assert result.returncode in (0, 1), result.stderr
    assert journal.path(entry.id).read_bytes() == before  # the helper never writes the journal
    step = Journal().load(entry.id).steps[0]
    assert take_result(journal.path(entry.id), step, revert=False)
    assert step.helper is not None and step.helper.outcome == ("ok" if result.returncode == 0
                                                               else "error")
    assert step.outputs[0].argv == ["nscd", "-i", "hosts"]
    assert not result_path(journal.path(entry.id), 0).exists()  # taken: gone


def test_helper_finds_the_journal_without_any_data_folder_setting(data_dir):
    """As an administrator's account would run it: its own data folder is elsewhere."""
    journal = Journal()
    entry = started_entry(journal, "flush_dns", Action(
        "run", t("x", "x"), argv=["nscd", "-i", "hosts"], needs_admin=True))
    env = {k: v for k, v in os.environ.items() if k != "WXDOCTOR_DATA_DIR"}
    env["WXDOCTOR_DATA_DIR"] = "/nonexistent/other-account"
    result = run_helper(*helper_args(journal, entry, "flush_dns"), env=env)
    assert result.returncode in (0, 1), result.stderr
    assert result_path(journal.path(entry.id), 0).exists()


def test_the_window_executable_serves_the_helper_without_qt(data_dir):
    """Elevation from the window relaunches the window's own executable with
    `fix-helper ...`: it must act as the command line, never start a window or read
    `--fix` as its own option."""
    journal = Journal()
    entry = started_entry(journal, "flush_dns", Action(
        "run", t("x", "x"), argv=["nscd", "-i", "hosts"], needs_admin=True))
    code = ("import sys, app.gui.main as g; rc = g.main(sys.argv[1:]); "
            "assert 'PySide6' not in sys.modules, 'Qt was loaded'; raise SystemExit(rc)")
    result = subprocess.run(
        [sys.executable, "-c", code, "fix-helper", *helper_args(journal, entry, "flush_dns")],
        capture_output=True, text=True, timeout=60, cwd=ROOT, stdin=subprocess.DEVNULL,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode in (0, 1), result.stderr
    assert result_path(journal.path(entry.id), 0).exists()


def test_blocked_plan_is_never_applied(config, data_dir):
    from checks.fixes import FixError

    fix = get_fix("set_mtu")
    plan = fix.plan(FixEnv(config=config, report=None))
    with pytest.raises(FixError):
        apply_plan(fix, plan, Journal())


def test_an_admin_command_off_the_fix_list_is_refused_before_any_prompt(config, data_dir):
    """The gate sits in FixEnv.run: a plan (or a journal read at undo) naming another
    command never reaches pkexec, osascript or the runner."""
    from checks.fixes import FixError

    calls = []

    def runner(argv, timeout):
        calls.append(argv)
        raise AssertionError(f"ran {argv}")

    for fix_id, argv in (("flush_dns", ["kill", "-9", "1"]), ("flush_dns", ["rm", "-rf", "/x"]),
                         ("resync_clock", [SC, "create", "x", "binPath=", "C:\\evil.exe"])):
        plan = Plan(fix_id, t("x", "x"), env=FixEnv(config=config, runner=runner), actions=[
            Action("run", t("x", "x"), argv=argv, needs_admin=True)])
        with pytest.raises(FixError) as info:
            apply_plan(get_fix(fix_id), plan, Journal())
        assert "is not one of the commands this fix uses" in info.value.text.render("en")
    assert calls == []


def test_journal_parameters_outside_what_the_fix_sets_are_refused(config, data_dir):
    from checks.fixes import FixError
    from checks.platform.commands import CommandResult

    calls = []

    def runner(argv, timeout):
        calls.append(list(argv))
        return CommandResult(list(argv), 0, "2: eth0: <UP> mtu 1500 qdisc fq state UP")

    for data in ({"interface": "eth0", "mtu": 99999}, {"interface": "eth0", "mtu": "1400"},
                 {"interface": "-eth0", "mtu": 1400}, {"interface": "a/b", "mtu": 1400}):
        plan = Plan("set_mtu", t("x", "x"), env=FixEnv(config=config, runner=runner), actions=[
            Action("run", t("x", "x"), argv=["ip", "link", "set", "dev", "eth0", "mtu", "1400"],
                   needs_admin=True, data={**data, "previous": 1500})])
        with pytest.raises(FixError):
            apply_plan(get_fix("set_mtu"), plan, Journal())
    assert not any("set" in argv for argv in calls), calls  # only reads ran
