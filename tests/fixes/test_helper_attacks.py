"""A program of the person's own, writing their journal folder, tries to make the
elevated helper do something else: every attempt is refused, and nothing runs.

The attacks found in the adversarial pass, one test each: a step running `kill -9`,
`sc create … binPath=` and `netsh advfirewall … state off` through fixes whose
own programs those are; a symlinked journal; and the journal-file tricks around it
(hard links, other owners, writable by others, FIFOs, huge or absurdly nested files).
The hosts-file attacks need the system hosts file and run in the network lab
(test_helper_attacks_lab.py).
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import time

import pytest

from checks.fixes import Journal, all_fixes
from checks.fixes.actions import Action
from checks.fixes.helper_files import Refused, open_journal, result_path
from checks.platform.system_tools import macos_tool, windows_tool
from checks.shared.i18n import t

from .conftest import helper_args, run_helper, started_entry

NETSH = windows_tool("netsh")
SC = windows_tool("sc")
NETWORKSETUP = macos_tool("networksetup")
SNTP = macos_tool("sntp")

FOREIGN = [
    ["kill", "-9", "1"],
    ["kill", "-HUP", "1"],
    [SC, "create", "evil", "binPath=", "C:\\evil.exe"],
    [SC, "config", "w32time", "binPath=", "C:\\evil.exe"],
    [NETSH, "advfirewall", "set", "allprofiles", "state", "off"],
    [NETSH, "interface", "ipv4", "set", "subinterface", "eth0", "mtu=1400", "store=active"],
    [NETSH, "winhttp", "set", "proxy", "evil:8080"],
    ["ip", "link", "set", "dev", "eth0", "down"],
    ["ip", "link", "set", "dev", "eth0", "mtu", "1400", "up"],
    [NETWORKSETUP, "-setwebproxy", "Wi-Fi", "evil", "8080"],
    [NETWORKSETUP, "-setwebproxystate", "Wi-Fi", "off", "&&", "sh"],
    ["timedatectl", "set-time", "2001-01-01"],
    [SNTP, "-sS", "evil.example.com"],
    ["gsettings", "set", "org.gnome.system.proxy", "mode", "manual"],
    ["/bin/sh", "-c", "id"],
]


@pytest.mark.parametrize("argv", FOREIGN, ids=lambda a: " ".join(a[:3]))
def test_no_fix_allows_a_command_it_does_not_use(argv):
    assert not [f.id for f in all_fixes() if f.allows(argv)]


# A bare name is looked up in the starting program's own folder first on Windows: a
# `netsh.exe` planted beside wxdoctor would run as administrator.
BARE = [["netsh", "winsock", "reset"], ["sc", "start", "w32time"], ["w32tm", "/resync", "/force"],
        ["netsh", "winhttp", "reset", "proxy"], ["ipconfig", "/flushdns"],
        ["networksetup", "-setwebproxystate", "Wi-Fi", "off"], ["sntp", "-sS", "time.apple.com"],
        ["dscacheutil", "-flushcache"]]


@pytest.mark.parametrize("argv", BARE, ids=lambda a: " ".join(a[:2]))
def test_system_programs_run_elevated_only_by_their_full_path(argv):
    assert not [f.id for f in all_fixes() if f.allows(argv)]


def test_windows_programs_are_started_from_system32_and_mac_ones_from_the_system_volume():
    from checks.fixes.flush_dns import flush_actions
    from checks.fixes.resync_clock import resync_actions

    windows = [c for a in resync_actions("windows", False, False) + flush_actions("windows", {}, [])
               for c in a.commands()]
    assert {c[0] for c in windows} == {windows_tool(n) for n in ("sc", "w32tm", "ipconfig")}
    assert all(c[0].startswith("C:\\Windows\\System32\\") and c[0].endswith(".exe")
               for c in windows)
    mac = [c for a in flush_actions("macos", {}, []) for c in a.commands()]
    assert [c[0] for c in mac] == ["/usr/bin/dscacheutil", "/usr/bin/killall"]


def test_every_fix_allows_exactly_the_commands_it_plans():
    from checks.fixes.flush_dns import flush_actions
    from checks.fixes.resync_clock import resync_actions
    from checks.fixes.set_mtu import set_mtu_argv

    fixes = {f.id: f for f in all_fixes()}
    planned = {
        "flush_dns": [c for os_name in ("linux", "macos") for a in flush_actions(
            os_name, {"systemd-resolved": True, "nscd": True}, []) for c in a.commands()],
        "resync_clock": [c for os_name in ("windows", "macos") for a in resync_actions(
            os_name, False, False) for c in a.commands()],
        "set_mtu": [set_mtu_argv(o, "以太网 2", 1400, "Wi-Fi") for o in ("windows", "macos", "linux")],
        "reset_winsock": [[NETSH, "winsock", "reset"]],
    }
    for fix_id, commands in planned.items():
        for argv in commands:
            assert fixes[fix_id].allows(argv), (fix_id, argv)
    for bad in (["ip", "link", "set", "dev", "eth0", "mtu", "100"],  # not an MTU we set
                ["ip", "link", "set", "dev", "eth0", "mtu", "１４００"],  # not ASCII digits
                ["ip", "link", "set", "dev", "-eth0", "mtu", "1400"],  # an option, not a name
                [NETSH, "interface", "ipv4", "set", "subinterface", "x", "mtu=1400²",
                 "store=persistent"]):
        assert not fixes["set_mtu"].allows(bad), bad


def test_kill_only_signals_a_running_dnsmasq():
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        fix = next(f for f in all_fixes() if f.id == "flush_dns")
        assert not fix.allows(["kill", "-HUP", str(sleeper.pid)])  # a pid, but not dnsmasq
        assert not fix.allows(["kill", "-9", str(sleeper.pid)])
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_journalled_kill_9_is_refused_and_the_process_lives(data_dir):
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        journal = Journal()
        entry = started_entry(journal, "flush_dns", Action(
            "run", t("x", "x"), argv=["kill", "-9", str(sleeper.pid)], needs_admin=True))
        refused = run_helper(*helper_args(journal, entry, "flush_dns"))
        assert refused.returncode == 64, refused.stderr
        time.sleep(0.2)
        assert sleeper.poll() is None
        # The same through a batch, hidden behind a command the fix does use.
        entry = started_entry(journal, "flush_dns", Action(
            "run", t("x", "x"), batch=[["nscd", "-i", "hosts"], ["kill", "-9", str(sleeper.pid)]],
            needs_admin=True))
        assert run_helper(*helper_args(journal, entry, "flush_dns")).returncode == 64
        assert sleeper.poll() is None
    finally:
        sleeper.send_signal(signal.SIGKILL)
        sleeper.wait()


@pytest.mark.parametrize(("fix_id", "argv"), [
    ("resync_clock", [SC, "create", "evil", "binPath=", "C:\\evil.exe"]),
    ("set_mtu", [NETSH, "advfirewall", "set", "allprofiles", "state", "off"]),
    ("reset_winsock", [NETSH, "advfirewall", "set", "allprofiles", "state", "off"]),
    ("disable_proxy", [NETSH, "winhttp", "set", "proxy", "evil:8080"]),
])
def test_windows_commands_outside_the_list_are_refused_by_the_helper(data_dir, fix_id, argv):
    journal = Journal()
    entry = started_entry(journal, fix_id, Action("run", t("x", "x"), argv=argv, needs_admin=True))
    refused = run_helper(*helper_args(journal, entry, fix_id))
    assert refused.returncode == 64 and "not one the fix" in refused.stderr
    assert not result_path(journal.path(entry.id), 0).exists()


# ---- the journal file itself -------------------------------------------------------------

@pytest.fixture
def entry_file(data_dir):
    journal = Journal()
    entry = started_entry(journal, "flush_dns", Action(
        "run", t("x", "x"), argv=["nscd", "-i", "hosts"], needs_admin=True))
    return journal, entry, journal.path(entry.id)


def refused_because(path, user=None) -> str:
    with pytest.raises(Refused) as info:
        open_journal(str(path), user or str(os.getuid())).close()
    return str(info.value)


def test_the_real_entry_opens(entry_file):
    journal, entry, path = entry_file
    opened = open_journal(str(path), str(os.getuid()))
    assert opened.entry.id == entry.id
    opened.close()


def test_a_symlinked_entry_is_refused(entry_file, tmp_path):
    journal, entry, path = entry_file
    decoy = tmp_path / "decoy.json"
    decoy.write_bytes(path.read_bytes())
    link = path.with_name(path.stem[:-1] + "x.json")
    link.symlink_to(decoy)
    assert "link" in refused_because(link)
    # And through the helper itself: refused before anything is read.
    result = run_helper("--journal", str(link), "--fix", "flush_dns", "--step", "0",
                        "--user", str(os.getuid()))
    assert result.returncode == 64 and "link" in result.stderr


def test_a_symlinked_journal_folder_is_refused(entry_file, tmp_path):
    journal, entry, path = entry_file
    elsewhere = tmp_path / "elsewhere" / "journal"
    elsewhere.parent.mkdir()
    os.rename(journal.root, elsewhere)
    journal.root.symlink_to(elsewhere)
    assert "link" in refused_because(path)


def test_a_hard_link_is_refused(entry_file, tmp_path):
    journal, entry, path = entry_file
    os.link(path, tmp_path / "other-name")
    assert "hard links" in refused_because(path)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand the file to another user")
def test_a_file_of_another_user_is_refused(entry_file):
    journal, entry, path = entry_file
    os.chown(path, 65534, 65534)
    assert "owned by 65534" in refused_because(path)


@pytest.mark.parametrize("mode", [0o620, 0o602])
def test_a_file_others_may_write_is_refused(entry_file, mode):
    journal, entry, path = entry_file
    os.chmod(path, mode)
    assert "writable by" in refused_because(path)


def test_a_journal_folder_others_may_write_is_refused(entry_file):
    journal, entry, path = entry_file
    os.chmod(journal.root, 0o777)
    assert "journal folder" in refused_because(path)


def test_a_umask_of_002_still_gives_folders_the_helper_accepts(tmp_path, monkeypatch):
    """Systems with a group per user set umask 002: the folders the app makes (and a data
    folder made group-writable before) are kept writable by this person alone."""
    data = tmp_path / "data"
    data.mkdir(mode=0o775)
    os.chmod(data, 0o775)
    monkeypatch.setenv("WXDOCTOR_DATA_DIR", str(data))
    old = os.umask(0o002)
    try:
        journal = Journal()
        entry = started_entry(journal, "flush_dns", Action(
            "run", t("x", "x"), argv=["nscd", "-i", "hosts"], needs_admin=True))
    finally:
        os.umask(old)
    for folder in (data, journal.root):
        assert stat.S_IMODE(folder.stat().st_mode) & 0o022 == 0, oct(folder.stat().st_mode)
    opened = open_journal(str(journal.path(entry.id)), str(os.getuid()))
    assert opened.entry.id == entry.id
    opened.close()


def test_the_started_word_stays_until_the_outcome_is_written(entry_file, monkeypatch):
    """The outcome replaces the "started" result in one rename: if writing it fails
    (a full disk, the helper dying), the app still learns the step began, so rollback
    and recovery undo it instead of taking it for a step that never ran."""
    from checks.fixes.helper_files import result_of, take_result

    journal, entry, path = entry_file
    opened = open_journal(str(path), str(os.getuid()))
    step = opened.entry.steps[0]
    opened.write_result(0, result_of(step, False, None, started=True))
    real_write = os.write

    def full_disk(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError):
        opened.write_result(0, result_of(step, False, None))
    monkeypatch.setattr(os, "write", real_write)
    opened.close()
    assert sorted(p.name for p in journal.root.iterdir()) == sorted(
        [path.name, result_path(path, 0).name])  # no temporary file left behind
    assert take_result(path, step, revert=False)
    assert step.helper is not None and step.helper.outcome == "started"


def test_a_fifo_is_refused_without_waiting(entry_file):
    journal, entry, path = entry_file
    fifo = path.with_name("20990101-000000-flush_dns-ffffff.json")
    os.mkfifo(fifo, 0o600)
    started = time.monotonic()
    assert "not a regular file" in refused_because(fifo)
    assert time.monotonic() - started < 5


def test_absurd_files_are_refused_cleanly(entry_file):
    journal, entry, path = entry_file
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert "not a readable journal entry" in refused_because(path)
    with open(path, "r+b") as fh:
        fh.truncate(17 * 1024 * 1024)
    assert "too large" in refused_because(path)


def test_an_entry_claiming_another_id_is_refused(entry_file):
    journal, entry, path = entry_file
    data = json.loads(path.read_text())
    data["id"] = "20000101-000000-flush_dns-000000"
    path.write_text(json.dumps(data))
    assert "the entry inside" in refused_because(path)


def test_the_user_pkexec_names_must_be_the_one_given(entry_file):
    journal, entry, path = entry_file
    env = {**os.environ, "PKEXEC_UID": "4242"}
    result = run_helper(*helper_args(journal, entry, "flush_dns"), env=env)
    assert result.returncode == 64 and "pkexec" in result.stderr
