"""Redaction judges every output by what it holds, never by what the report says about
itself: fresh results merged into a redacted export are redacted too, and addresses,
user folders, MAC addresses and account ids are found wherever they stand."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checks.report.redact import Identity, redact
from tests.sandbox import LOOPBACK_BASE, ROOT, sandboxed

NOBODY = Identity()  # no user or host name of this machine: only what the text holds


def _redacted(text: str, field: str = "summary") -> str:
    report = {"checks": [{"id": "x", "evidence": {field: text}}]}
    return str(redact(report, NOBODY)["checks"][0]["evidence"][field])


@pytest.mark.parametrize(("text", "shown"), [
    # Public addresses touching Chinese, letters, `_` or a port.
    ("服务器58.250.137.36无法连接", "服务器58.250.137.0/24无法连接"),
    ("ip58.250.137.36", "ip58.250.137.0/24"), ("host_58.250.137.36", "host_58.250.137.0/24"),
    ("58.250.137.36:443", "58.250.137.0/24:443"),
    ("地址2408:8000:1010:1::8无法连接", "地址2408:8000:1010::/48无法连接"),
    ("[2408:8000:1010:1::8]:443", "[2408:8000:1010::/48]:443"),
    # An IPv4 address inside IPv6: its IPv4 network, not a mangled remainder.
    ("::ffff:58.250.137.36", "::ffff:58.250.137.0/120"),
    ("::FFFF:58.250.137.36 refused", "::ffff:58.250.137.0/120 refused"),
    ("64:ff9b::58.250.137.36", "64:ff9b::58.250.137.0/120"),
    ("2002:3afa:8924::1", "2002:3afa:8900::/40"),  # 6to4 holds the whole IPv4 address
    ("::ffff:10.0.0.8", "::ffff:10.0.0.8"),  # private stays
    # A network card's address, and the link-local address made from it.
    ("a8:5e:45:12:34:56", "a8:5e:45:xx:xx:xx"), ("A8-5E-45-12-34-56", "A8-5E-45-xx-xx-xx"),
    ("fe80::aa5e:45ff:fe12:3456%eth0", "fe80::aa5e:45ff:fe00:0/104%eth0"),
    ("fe80::1c2b:3a4d:5e6f:7a8b", "fe80::1c2b:3a4d:5e6f:7a8b"),  # a random id: no card
    # Windows account ids: the machine or domain part goes, the account number stays.
    ("S-1-5-21-1004336348-1177238915-682003330-1001",
     "S-1-5-21-<sid>-1001"),
    ("--user S-1-12-1-3451267089-1102362233-3163285130-2513447093", "--user S-1-12-1-<sid>"),
    ("S-1-5-32-544 S-1-5-18", "S-1-5-32-544 S-1-5-18"),  # well-known groups name no one
    # Not addresses: versions, times, private and documentation addresses.
    ("WeChat 3.9.12.51 (needs 3.9.13 or newer)", "WeChat 3.9.12.51 (needs 3.9.13 or newer)"),
    ("微信 4.0.6.33（运行中）", "微信 4.0.6.33（运行中）"), ("13:41:29", "13:41:29"),
    ("10.0.0.1 192.0.2.7 2001:db8::1", "10.0.0.1 192.0.2.7 2001:db8::1"),
])
def test_what_identifies_a_line_a_device_or_an_account_is_hidden(text: str, shown: str) -> None:
    assert _redacted(text) == shown
    assert _redacted(shown) == shown  # redacting again changes nothing


def test_a_version_field_is_never_an_address() -> None:
    assert _redacted("3.9.12.51", field="version") == "3.9.12.51"
    assert _redacted("3.9.12.51", field="summary") == "3.9.12.0/24"  # bare, it could be one


@pytest.mark.parametrize("path", [
    r"C:\Users\Zhang San\AppData\Roaming\Tencent\WeChat",
    r"C:\\Users\\Zhang San\\Documents\\WeChat Files",
    "C:/Users/Zhang San/AppData",
])
def test_a_windows_user_folder_with_a_space_hides_the_whole_name(path: str) -> None:
    report = {"checks": [{"id": "x", "evidence": {"folder": path,
                                                  "end": r"the folder is C:\Users\Zhang San",
                                                  "said": "Zhang San's files"}}]}
    evidence = redact(report, NOBODY)["checks"][0]["evidence"]
    assert "Zhang" not in json.dumps(evidence) and "San" not in json.dumps(evidence)
    assert "<user>" in evidence["folder"] and evidence["end"].endswith("<user>")
    assert evidence["said"] == "<user>'s files"


def test_fresh_results_in_a_redacted_export_are_redacted_too() -> None:
    export = redact({"checks": [{"id": "tcp", "summary": "58.250.137.36 refused"}],
                     "system": {"hostname": "desk"}}, NOBODY)
    assert export["redaction"]["found"] == ["host_name", "public_addresses"]
    # After a fix, the re-checked rows are merged into the export as they were measured.
    merged = {**export, "checks": [{"id": "tcp", "summary": "2408:8000:1010:1::8 and "
                                                            "58.250.137.36 refused"}]}
    again = redact(merged, NOBODY)
    assert again["checks"][0]["summary"] == "2408:8000:1010::/48 and 58.250.137.0/24 refused"
    assert again["redaction"]["found"] == ["host_name", "public_addresses"]  # both passes
    assert redact(export, NOBODY) == export


HOSTS = "127.0.0.1 localhost\n58.250.137.36 login.work.weixin.qq.com\n" \
        "2408:8000:1010:1::8 login.work.weixin.qq.com\n"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_a_fix_pdf_from_a_redacted_export_redacts_the_rechecked_rows(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text(HOSTS, encoding="utf-8")
    config = tmp_path / "it.toml"
    # The servers are public addresses (each connect fails: nothing leaves the sandbox), so
    # the re-checked rows name them; the hosts file maps a name to them too.
    endpoints = "".join(f'[[endpoints]]\nhost = "{host}"\nports = [443]\nproduct = "wecom"\n'
                        'tls = false\n' for host in ("58.250.137.36", "2408:8000:1010:1::8"))
    config.write_text(f"deadline_s = 5\n{endpoints}[tcp]\ntimeout_s = 1.0\n[system]\n"
                      f'hosts_file = "{hosts}"\n' + LOOPBACK_BASE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WXDOCTOR_DATA_DIR": str(tmp_path / "data"),
           "WXDOCTOR_LANG": "en"}

    def doctor(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(sandboxed([sys.executable, "-m", "app", *args]), cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=90, check=False)

    assert doctor("check", "--json", "--only", "hosts,tcp", "--config", str(config)).stdout
    export = tmp_path / "export.json"
    assert doctor("report", "latest", "--json", str(export)).returncode == 0
    assert "58.250.137.36" not in export.read_text(encoding="utf-8")
    pdf = tmp_path / "ticket.pdf"
    fixed = doctor("fix", "repair_hosts", "--yes", "--report", str(export), "--pdf", str(pdf),
                   "--config", str(config))
    try:
        assert fixed.returncode == 0, fixed.stderr
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "58.250.137.36" not in text and "2408:8000:1010:1::8" not in text
        assert "58.250.137.0/24" in text and "2408:8000:1010::/48" in text
    finally:
        assert doctor("undo").returncode == 0
    assert hosts.read_text(encoding="utf-8") == HOSTS
