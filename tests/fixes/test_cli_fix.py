from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.sandbox import LOOPBACK_BASE, sandboxed


def cli(args, data_dir, **kw):
    env = {**os.environ, "WXDOCTOR_DATA_DIR": str(data_dir), "WXDOCTOR_LANG": "en"}
    return subprocess.run(sandboxed([sys.executable, "-m", "app", *args]), env=env,
                          capture_output=True,
                          text=True, stdin=kw.pop("stdin", subprocess.DEVNULL), timeout=60, **kw)


@pytest.fixture
def setup(tmp_path):
    hosts = tmp_path / "hosts"
    raw = "127.0.0.1 localhost\r\n1.2.3.4 login.work.weixin.qq.com # 加速\r\n".encode("gbk")
    hosts.write_bytes(raw)
    cfg = tmp_path / "it.toml"
    # Loopback only: the checks run before and after the fix touch nothing else.
    cfg.write_text(
        f'deadline_s = 5\n[[endpoints]]\nhost = "localhost"\nports = [9]\nproduct = "wecom"\n'
        f'tls = false\n[system]\nhosts_file = "{hosts}"\n' + LOOPBACK_BASE, encoding="utf-8")
    return hosts, raw, cfg, tmp_path / "data"


def test_fix_then_undo_leaves_the_file_byte_identical(setup):
    hosts, raw, cfg, data = setup
    applied = cli(["fix", "repair_hosts", "--yes", "--config", str(cfg)], data)
    assert applied.returncode == 0, applied.stderr
    assert "[wxdoctor]" in hosts.read_bytes().decode("gbk")
    assert "wxdoctor undo" in applied.stdout
    assert "Checks again" in applied.stdout
    listing = cli(["journal"], data)
    assert "applied" in listing.stdout
    undone = cli(["undo"], data)
    assert undone.returncode == 0, undone.stderr
    assert hosts.read_bytes() == raw
    assert cli(["undo"], data).returncode == 1  # nothing left to undo


def test_fix_without_yes_off_a_terminal_refuses(setup):
    hosts, raw, cfg, data = setup
    result = cli(["fix", "repair_hosts", "--config", str(cfg)], data)
    assert result.returncode == 64
    assert "--yes" in result.stderr
    assert hosts.read_bytes() == raw
    assert "1.2.3.4 login.work.weixin.qq.com" in result.stdout  # the preview was shown


def test_dry_run_json_and_report(setup, tmp_path):
    hosts, raw, cfg, data = setup
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"schema": "wxdoctor.report/1", "status": "fail", "checks": [
        {"id": "captive", "status": "fail",
         "evidence": {"portal_url": "http://portal.lab.test/login"}}]}))
    result = cli(["fix", "open_captive_portal", "--dry-run", "--json", "--report", str(report),
                  "--config", str(cfg)], data)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)["plan"]
    assert plan["actions"][0]["argv"] == ["xdg-open", "http://portal.lab.test/login"]
    assert hosts.read_bytes() == raw


def test_unknown_fix_and_bad_report(setup, tmp_path):
    _, _, cfg, data = setup
    assert cli(["fix", "no_such_fix"], data).returncode == 64
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert cli(["fix", "set_mtu", "--report", str(bad), "--config", str(cfg)], data).returncode == 64


def test_fix_list_names_every_fix(tmp_path):
    out = cli(["fix", "list", "--json"], tmp_path).stdout
    ids = {f["id"] for f in json.loads(out)["fixes"]}
    assert ids == {"flush_dns", "clear_client_cache", "disable_proxy", "resync_clock",
                   "repair_hosts", "set_mtu", "reset_winsock", "open_captive_portal",
                   "set_dns_servers"}


def test_fix_list_says_what_each_fix_risks(tmp_path):
    rows = {f["id"]: f for f in json.loads(cli(["fix", "list", "--json"], tmp_path).stdout)["fixes"]}
    winsock = rows["reset_winsock"]
    assert (winsock["can_undo"], winsock["risk"], winsock["needs_restart"],
            winsock["drops_connection"]) == (False, "high", True, True)
    assert rows["flush_dns"]["can_undo"] and rows["flush_dns"]["risk"] == "low"
    assert rows["set_mtu"]["drops_connection"] and not rows["set_mtu"]["needs_restart"]


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="poppler-utils not installed (.ci/apt-packages.txt)")
def test_fix_from_a_history_run_writes_the_ticket_pdf_with_before_and_after(setup, tmp_path):
    hosts, raw, cfg, data = setup
    checked = cli(["check", "--json", "--only", "hosts", "--config", str(cfg)], data)
    before = json.loads(checked.stdout)
    assert before["checks"][0]["status"] in ("warn", "fail"), checked.stdout
    assert before["diagnosis"]["primary"] == "hosts_override"
    pdf = tmp_path / "ticket.pdf"
    applied = cli(["fix", "repair_hosts", "--yes", "--json", "--report", "latest",
                   "--pdf", str(pdf), "--config", str(cfg)], data)
    assert applied.returncode == 0, applied.stderr
    out = json.loads(applied.stdout)
    (record,) = out["fixes_applied"]
    assert record["fix_id"] == "repair_hosts"
    assert record["before"]["hosts"] in ("warn", "fail") and record["after"]["hosts"] == "ok"
    assert out["pdf"] == str(pdf)
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Fixes applied" in text and "Fix: Repair the hosts file" in text
    assert "repair_hosts" in text.split("the codes behind this report", 1)[1]  # the appendix
    # The verdict on top is judged again from the re-checked rows: the hosts file is
    # fine now, and the fix's re-check also ran `tcp`, which finds port 9 closed.
    assert "The hosts file redirects" not in text
    assert "Most likely cause: Connections to" in text
    assert "a firewall between this computer and Tencent's servers blocks them" in text
    assert record["journal_id"] in text
    assert cli(["undo"], data).returncode == 0
    assert hosts.read_bytes() == raw


def test_fix_pdf_without_a_report_is_a_usage_error(setup, tmp_path):
    hosts, raw, cfg, data = setup
    result = cli(["fix", "repair_hosts", "--yes", "--pdf", str(tmp_path / "x.pdf"),
                  "--config", str(cfg)], data)
    assert result.returncode == 64
    assert "--report" in result.stderr
    assert hosts.read_bytes() == raw
