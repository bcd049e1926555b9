"""What the elevated helper may do, and only that (README, "Safety rules"):

- `flush_dns` signals only the system's dnsmasq, never a person's (another's or the
  asking one's), even when a journal names its pid;
- `set_mtu` acts on the adapter and MTU its command names, and refuses a journal whose
  details say something else;
- `repair_hosts` changes only lines that map WeChat/WeCom names and nothing else, and
  never a line the organisation keeps (`[system] hosts_keep` of the machine-wide config):
  not when commenting out, not when taking its mark off again.

The helper runs for real (as root): in a network namespace for the MTU, and with /etc
overlaid in a mount namespace of its own for the hosts file and the machine-wide config,
so this machine's own files are never touched.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from checks.engine.config import load_config_text
from checks.fixes import FixEnv, Journal, get_fix
from checks.fixes._files import b64, sha256_bytes
from checks.fixes.actions import Action
from checks.fixes.allowlist import is_system_pid_of, login_uid_range
from checks.shared.i18n import t

from .conftest import ROOT, entry_with, helper_args

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"),
                                reason="the helper runs as root")

PERSON_UID = 4242  # a login account (1000-60000)


def _helper(prefix: list[str], journal: Journal, entry, fix_id: str, *extra: str):
    return subprocess.run([*prefix, sys.executable, "-m", "app", "fix-helper",
                           *helper_args(journal, entry, fix_id, 0, *extra)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


# ---- flush_dns: the system's dnsmasq only ---------------------------------------------------


def test_login_uid_range_of_the_real_login_defs() -> None:
    # This machine's /etc/login.defs as Debian installs it (package login, 1:4.13 on Debian 12).
    text = Path("/etc/login.defs").read_text(errors="replace")
    assert "UID_MIN" in text
    assert login_uid_range(text) == (1000, 60000)
    assert login_uid_range("UID_MIN 500\nUID_MAX\t29999 # comment\n") == (500, 29999)
    assert login_uid_range("UID_MIN ²\n") == (1000, 60000)


@pytest.fixture
def fake_dnsmasqs():
    """Two processes named dnsmasq: one of root's (the system's) and one of a person's."""
    folder = Path(tempfile.mkdtemp(prefix="wxd-dnsmasq-"))
    os.chmod(folder, 0o755)
    binary = folder / "dnsmasq"
    shutil.copy("/bin/sleep", binary)
    os.chmod(binary, 0o755)
    system = subprocess.Popen([str(binary), "120"])
    person = subprocess.Popen([str(binary), "120"], preexec_fn=lambda: os.setuid(PERSON_UID))
    try:
        for proc in (system, person):  # exec'd under its new name
            deadline = time.monotonic() + 5
            while not is_named(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.02)
        yield system, person
    finally:
        for proc in (system, person):
            proc.kill()
            proc.wait()
        shutil.rmtree(folder)


def is_named(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).name() == "dnsmasq"
    except psutil.Error:
        return False


def test_flush_dns_signals_only_the_systems_dnsmasq(fake_dnsmasqs, data_dir, config) -> None:
    system, person = fake_dnsmasqs
    fix = get_fix("flush_dns")
    assert is_system_pid_of("dnsmasq")(str(system.pid))
    assert not is_system_pid_of("dnsmasq")(str(person.pid))
    assert fix.allows(["kill", "-HUP", str(system.pid)])
    assert not fix.allows(["kill", "-HUP", str(person.pid)])
    planned = [c for a in fix.plan(FixEnv(config=config)).actions for c in a.commands()]
    assert ["kill", "-HUP", str(person.pid)] not in planned
    assert ["kill", "-HUP", str(system.pid)] in planned
    # A journal naming the person's dnsmasq: refused, and the process never signalled.
    journal = Journal()
    entry = entry_with(journal, "flush_dns", Action(
        "run", t("x", "x"), argv=["kill", "-HUP", str(person.pid)], needs_admin=True))
    refused = _helper([], journal, entry, "flush_dns")
    assert refused.returncode == 64 and "not one the fix" in refused.stderr, refused.stderr
    time.sleep(0.3)
    assert person.poll() is None  # a HUP would have ended it (it is a sleep)
    # The system's one is what the step is for: the helper signals it.
    entry = entry_with(journal, "flush_dns", Action(
        "run", t("x", "x"), argv=["kill", "-HUP", str(system.pid)], needs_admin=True))
    done = _helper([], journal, entry, "flush_dns")
    assert done.returncode == 0, done.stderr
    assert system.wait(timeout=5) == -1  # SIGHUP


# ---- set_mtu: what its command says -----------------------------------------------------------


@pytest.fixture
def netns():
    if not shutil.which("ip"):
        pytest.skip("needs iproute2")
    name = f"wxdlim-{secrets.token_hex(3)}"
    subprocess.run(["ip", "netns", "add", name], check=True, timeout=10)
    try:
        subprocess.run(["ip", "-n", name, "link", "add", "v0", "type", "veth", "peer", "name",
                        "v1"], check=True, timeout=10)
        subprocess.run(["ip", "-n", name, "link", "set", "v0", "up"], check=True, timeout=10)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], timeout=10)


def _mtu(ns: str, dev: str) -> int:
    out = subprocess.run(["ip", "-n", ns, "-o", "link", "show", "dev", dev], capture_output=True,
                         text=True, check=True, timeout=10).stdout
    return int(out.split(" mtu ")[1].split()[0])


@pytest.mark.parametrize("data", [{"interface": "v0", "mtu": 1300},
                                  {"interface": "v1", "mtu": 1400},
                                  {"mtu": 1400}],
                         ids=["other-mtu", "other-adapter", "no-adapter"])
def test_set_mtu_refuses_details_that_differ_from_its_command(netns, data_dir, data) -> None:
    journal = Journal()
    argv = ["ip", "link", "set", "dev", "v0", "mtu", "1400"]
    entry = entry_with(journal, "set_mtu", Action("run", t("x", "x"), argv=argv, needs_admin=True,
                                              data={**data, "previous": 1500}))
    result = _helper(["ip", "netns", "exec", netns], journal, entry, "set_mtu")
    assert result.returncode == 1
    assert (_mtu(netns, "v0"), _mtu(netns, "v1")) == (1500, 1500)


def test_set_mtu_does_what_its_command_says(netns, data_dir) -> None:
    journal = Journal()
    argv = ["ip", "link", "set", "dev", "v0", "mtu", "1400"]
    entry = entry_with(journal, "set_mtu", Action("run", t("x", "x"), argv=argv, needs_admin=True,
                                              data={"interface": "v0", "mtu": 1400,
                                                    "previous": 1500}),
                   backup={"previous": 1500})
    done = _helper(["ip", "netns", "exec", netns], journal, entry, "set_mtu")
    assert done.returncode == 0, done.stderr
    assert _mtu(netns, "v0") == 1400
    entry.steps[0].state = "done"
    journal.save(entry)
    undone = _helper(["ip", "netns", "exec", netns], journal, entry, "set_mtu", "--revert")
    assert undone.returncode == 0, undone.stderr
    assert _mtu(netns, "v0") == 1500


# ---- repair_hosts: Tencent-only lines, never the organisation's ------------------------------


@pytest.fixture
def own_etc(tmp_path):
    """/etc overlaid for the helper alone: the hosts file and the machine-wide config it
    reads are these, and whatever it writes lands here, not in this machine's /etc."""
    upper, work = tmp_path / "etc-upper", tmp_path / "etc-work"
    upper.mkdir()
    work.mkdir()
    (upper / "wxdoctor").mkdir()

    def prefix() -> list[str]:
        script = (f"mount -t overlay wxd-etc -o lowerdir=/etc,upperdir={upper},workdir={work} "
                  '/etc && exec "$@"')
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"]

    return upper, prefix


IT_CONFIG = '[system]\nhosts_keep = ["login.work.weixin.qq.com"]\n'


def test_the_helper_leaves_a_line_the_organisation_keeps(own_etc, data_dir) -> None:
    upper, prefix = own_etc
    raw = (b"127.0.0.1 localhost\n10.1.2.3 login.work.weixin.qq.com\n"
           b"5.6.7.8 long.weixin.qq.com\n")
    (upper / "hosts").write_bytes(raw)
    (upper / "wxdoctor" / "config.toml").write_text(IT_CONFIG, encoding="utf-8")
    journal = Journal()
    edit = {"sha256_before": sha256_bytes(raw), "temp_tag": "0123abcd"}
    entry = entry_with(journal, "repair_hosts", Action("edit_file", t("x", "x"), paths=["/etc/hosts"],
                                                   needs_admin=True,
                                                   data={"line_numbers": [2, 3], **edit}))
    refused = _helper(prefix(), journal, entry, "repair_hosts")
    assert refused.returncode == 1 and (upper / "hosts").read_bytes() == raw, refused.stderr
    entry = entry_with(journal, "repair_hosts", Action("edit_file", t("x", "x"), paths=["/etc/hosts"],
                                                   needs_admin=True,
                                                   data={"line_numbers": [3], **edit}))
    done = _helper(prefix(), journal, entry, "repair_hosts")
    assert done.returncode == 0, done.stderr
    assert (upper / "hosts").read_bytes() == raw.replace(
        b"5.6.7.8 long", b"# [wxdoctor] 5.6.7.8 long")


def test_the_helper_changes_no_line_that_maps_other_names(own_etc, data_dir) -> None:
    upper, prefix = own_etc
    raw = b"127.0.0.1 localhost\n1.2.3.4 login.work.weixin.qq.com intranet.example.com\n"
    (upper / "hosts").write_bytes(raw)
    journal = Journal()
    entry = entry_with(journal, "repair_hosts", Action(
        "edit_file", t("x", "x"), paths=["/etc/hosts"], needs_admin=True,
        data={"line_numbers": [2], "sha256_before": sha256_bytes(raw)}))
    refused = _helper(prefix(), journal, entry, "repair_hosts")
    assert refused.returncode == 1 and (upper / "hosts").read_bytes() == raw, refused.stderr
    # Taking the mark off such a line, which this fix never writes: refused too.
    marked = b"127.0.0.1 localhost\n# [wxdoctor] 6.6.6.6 update.example.com login.work.weixin.qq.com\n"
    (upper / "hosts").write_bytes(marked)
    entry = entry_with(journal, "repair_hosts", Action(
        "edit_file", t("x", "x"), paths=["/etc/hosts"], needs_admin=True,
        data={"line_numbers": [2], "lines": ["6.6.6.6 update.example.com login.work.weixin.qq.com"]}),
        state="done", backup={"content_b64": b64(marked.replace(b"# [wxdoctor] ", b"")),
                              "sha256": "x"})
    refused = _helper(prefix(), journal, entry, "repair_hosts", "--revert")
    assert refused.returncode == 1, refused.stderr
    assert (upper / "hosts").read_bytes() == marked


def test_the_plan_says_which_lines_it_leaves_and_why(tmp_path, data_dir) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_bytes(b"10.1.2.3 login.work.weixin.qq.com\n"
                      b"1.2.3.4 qyapi.weixin.qq.com intranet.example.com\n"
                      b"5.6.7.8 long.weixin.qq.com\n")
    config = load_config_text(IT_CONFIG)
    plan = get_fix("repair_hosts").plan(FixEnv(config=config, hosts_file=str(hosts)))
    assert plan.blocked is None and plan.actions[0].data["line_numbers"] == [3]
    en = [w.render("en") for w in plan.warnings]
    zh = [w.render("zh") for w in plan.warnings]
    assert ("Not changed: line 1 is kept on purpose by your organisation's configuration, "
            "line 2 also maps intranet.example.com: commenting it out would change those too; "
            "edit it by hand.") in en
    assert ("不会改动：第 1 行是贵单位的配置要求保留的、第 2 行还指向 intranet.example.com："
            "注释掉它会连带影响这些域名，请手动修改。") in zh
    hosts.write_bytes(b"1.2.3.4 qyapi.weixin.qq.com intranet.example.com\n")
    blocked = get_fix("repair_hosts").plan(FixEnv(config=config, hosts_file=str(hosts))).blocked
    assert blocked is not None and "line 1 also maps intranet.example.com" in blocked.render("en")
