"""Crafted journals against the real elevated helper, running as root inside the lab's
client namespace, where /etc/hosts is the lab's own file (bind-mounted by `ip netns
exec`) and eth0 the lab's own adapter: nothing a crafted journal asks for changes
either, while the same helper given a genuine entry does change the hosts file.
"""

from __future__ import annotations

import os
import subprocess
import sys

from checks.engine.config import load_config_text
from checks.fixes import FixEnv, Journal, get_fix
from checks.fixes._files import b64, sha256_bytes
from checks.fixes.actions import Action
from checks.shared.i18n import t

from .conftest import ROOT, entry_with, helper_args

HOSTS = ("127.0.0.1\tlocalhost\n1.2.3.4 login.work.weixin.qq.com\n"
         "# [wxdoctor] 6.6.6.6 update.example.com\n")


def helper_in_client(lab, journal, entry, fix_id, *extra):
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["PYTHONPATH"] = str(ROOT)
    return lab.client.run([sys.executable, "-m", "app", "fix-helper",
                           *helper_args(journal, entry, fix_id, 0, *extra)],
                          timeout=60, check=False, cwd=ROOT, env=env)


def eth0_mtu(lab) -> str:
    return lab.client.run(["ip", "-o", "link", "show", "dev", "eth0"]).stdout.split(" mtu ")[1].split()[0]


def test_crafted_journals_change_nothing_and_a_genuine_one_does(lab):
    lab.set_hosts_file(HOSTS)
    raw = lab.hosts_path.read_bytes()
    mtu = eth0_mtu(lab)
    journal = Journal(lab.tmp / "data" / "journal")
    sleeper = subprocess.Popen(["sleep", "120"])
    system = "/etc/hosts"  # inside the client namespace: the lab's file
    try:
        crafted = [
            # Comment out a line that maps no Tencent name (localhost), hash correct.
            ("repair_hosts", Action("edit_file", t("x", "x"), paths=[system], needs_admin=True,
                                    data={"line_numbers": [1], "sha256_before": sha256_bytes(raw)}),
             "running", None, ()),
            # A line number beyond the file, or a hash of some other content.
            ("repair_hosts", Action("edit_file", t("x", "x"), paths=[system], needs_admin=True,
                                    data={"line_numbers": [99], "sha256_before": sha256_bytes(raw)}),
             "running", None, ()),
            ("repair_hosts", Action("edit_file", t("x", "x"), paths=[system], needs_admin=True,
                                    data={"line_numbers": [2], "sha256_before": "0" * 64}),
             "running", None, ()),
            # Undo with a crafted backup: an arbitrary line to "restore", and a foreign
            # marked line named as ours.
            ("repair_hosts", Action("edit_file", t("x", "x"), paths=[system], needs_admin=True,
                                    data={"line_numbers": [3],
                                          "lines": ["6.6.6.6 update.example.com"]}),
             "done", {"content_b64": b64(b"6.6.6.6 login.work.weixin.qq.com\n"),
                      "sha256": "x"}, ("--revert",)),
            # Another file than the system's hosts file.
            ("repair_hosts", Action("edit_file", t("x", "x"), paths=["/etc/passwd"],
                                    needs_admin=True, data={"line_numbers": [1]}),
             "running", None, ()),
            # An MTU this fix never sets, and a command it never runs.
            ("set_mtu", Action("run", t("x", "x"), argv=["ip", "link", "set", "dev", "eth0", "mtu", "1400"],
                               needs_admin=True, data={"interface": "eth0", "mtu": 100}),
             "running", None, ()),
            ("set_mtu", Action("run", t("x", "x"), argv=["ip", "link", "del", "eth0"],
                               needs_admin=True, data={"interface": "eth0", "mtu": 1400}),
             "running", None, ()),
            ("flush_dns", Action("run", t("x", "x"), argv=["kill", "-9", str(sleeper.pid)],
                                 needs_admin=True), "running", None, ()),
        ]
        for fix_id, action, state, backup, extra in crafted:
            entry = entry_with(journal, fix_id, action, state, backup)
            result = helper_in_client(lab, journal, entry, fix_id, *extra)
            assert result.returncode in (0, 1, 64), result.stderr
            assert lab.hosts_path.read_bytes() == raw, (fix_id, action.data, result.stderr)
            assert eth0_mtu(lab) == mtu, (fix_id, action.data)
            assert sleeper.poll() is None, (fix_id, action.argv)

        # The control: a genuine entry, planned from the same file, is carried out.
        fix = get_fix("repair_hosts")
        env = FixEnv(config=load_config_text(""), hosts_file=str(lab.hosts_path))
        (action,) = fix.plan(env).actions
        backup = fix.backup(action, env)
        action.paths = [system]  # as the plan names it on a real machine
        entry = entry_with(journal, "repair_hosts", action, "running", backup)
        done = helper_in_client(lab, journal, entry, "repair_hosts")
        assert done.returncode == 0, done.stderr
        changed = lab.hosts_path.read_bytes()
        assert b"# [wxdoctor] 1.2.3.4 login.work.weixin.qq.com" in changed
        assert b"# [wxdoctor] 6.6.6.6 update.example.com" in changed  # never touched
        entry.steps[0].state = "done"
        journal.save(entry)
        undone = helper_in_client(lab, journal, entry, "repair_hosts", "--revert")
        assert undone.returncode == 0, undone.stderr
        assert lab.hosts_path.read_bytes() == raw
    finally:
        sleeper.kill()
        sleeper.wait()
