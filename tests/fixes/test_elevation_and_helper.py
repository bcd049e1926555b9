from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from checks.fixes import FixEnv, Journal, get_fix
from checks.fixes.base import Action, Plan
from checks.fixes.elevation import (
    admin_argv,
    applescript_string,
    helper_argv,
    windows_runas_params,
)
from checks.fixes.executor import apply_plan
from checks.i18n import t

TRICKY = ["networksetup", "-setwebproxystate", 'Wi-Fi "5G" $HOME `x`', "off"]


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


def test_windows_runas_starts_the_helper_with_quoted_parameters():
    argv = helper_argv(r"C:\Users\张三\AppData\Local\wxdoctor\journal\x.json", "set_mtu", 0)
    params = windows_runas_params(argv)
    assert params.verb == "runas" and params.file == sys.executable
    assert params.parameters.startswith("-m app fix-helper --journal ")
    assert "--fix set_mtu --step 0" in params.parameters
    assert "--revert" in windows_runas_params(helper_argv("j.json", "set_mtu", 0, True)).parameters


def test_windows_powershell_free_quoting_of_spaces():
    params = windows_runas_params(["netsh", "interface", "ipv4", "set", "subinterface",
                                   "以太网 2", "mtu=1400", "store=persistent"])
    assert params.parameters == 'interface ipv4 set subinterface "以太网 2" mtu=1400 store=persistent'


def test_elevated_posix_helper_names_the_users_journal(data_dir):
    argv = helper_argv("/j.json", "repair_hosts", 1, elevated_posix=True)
    assert argv[0] == "/usr/bin/env" and f"WXDOCTOR_DATA_DIR={data_dir}" in argv


def helper(data_dir, *args):
    env = {**os.environ, "WXDOCTOR_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "app", "fix-helper", *args], env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def planned_entry(journal, fix_id, action):
    plan = Plan(fix_id, t("x", "x"), actions=[action])
    entry = journal.begin(plan)
    entry.steps[0].state = "running"
    journal.save(entry)
    return entry


def test_helper_refuses_paths_outside_the_journal(data_dir, tmp_path):
    outside = tmp_path / "evil.json"
    outside.write_text("{}")
    result = helper(data_dir, "--journal", str(outside), "--fix", "flush_dns", "--step", "0")
    assert result.returncode == 64 and "refused" in result.stderr


def test_helper_refuses_unknown_fix_and_foreign_commands(data_dir):
    journal = Journal()
    entry = planned_entry(journal, "flush_dns", Action("run", t("x", "x"), argv=["rm", "-rf", "/x"],
                                                       needs_admin=True))
    path = str(journal.path(entry.id))
    assert helper(data_dir, "--journal", path, "--fix", "bogus", "--step", "0").returncode == 64
    assert helper(data_dir, "--journal", path, "--fix", "set_mtu", "--step", "0").returncode == 64
    refused = helper(data_dir, "--journal", path, "--fix", "flush_dns", "--step", "0")
    assert refused.returncode == 64 and "not one the fix" in refused.stderr
    assert Journal().load(entry.id).steps[0].helper is None


def test_helper_runs_an_allowed_step_and_records_it(data_dir):
    journal = Journal()
    entry = planned_entry(journal, "flush_dns", Action(
        "run", t("x", "x"), argv=["nscd", "--definitely-not-an-option"], needs_admin=True))
    result = helper(data_dir, "--journal", str(journal.path(entry.id)), "--fix", "flush_dns",
                    "--step", "0")
    step = Journal().load(entry.id).steps[0]
    assert result.returncode == 1 and step.helper.outcome == "error"
    assert step.outputs[0].argv[0] == "nscd"


def test_helper_edits_only_the_system_hosts_file(data_dir, tmp_path):
    journal = Journal()
    target = tmp_path / "not-hosts"
    target.write_text("1.2.3.4 x.qq.com\n")
    entry = planned_entry(journal, "repair_hosts", Action(
        "edit_file", t("x", "x"), paths=[str(target)], needs_admin=True,
        data={"line_numbers": [1], "sha256_before": ""}))
    result = helper(data_dir, "--journal", str(journal.path(entry.id)), "--fix", "repair_hosts",
                    "--step", "0")
    assert result.returncode == 64 and target.read_text() == "1.2.3.4 x.qq.com\n"


def test_blocked_plan_is_never_applied(config, data_dir):
    from checks.fixes import FixError

    fix = get_fix("set_mtu")
    plan = fix.plan(FixEnv(config=config, report=None))
    with pytest.raises(FixError):
        apply_plan(fix, plan, Journal())
