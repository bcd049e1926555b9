"""Redaction: no user name, host name or public address leaves the machine unless asked."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from checks.report.chat_summary import summary_text
from checks.report.redact import Identity, redact, reduce_address
from checks.report.rejudge import headline
from checks.report.words import local_time
from tests.report.helpers import FAKE_USER, PUBLIC_V4, PUBLIC_V6, inject_private_data, wxdoctor

HOST = socket.gethostname()


def leaks(text: str) -> list[str]:
    found = []
    if FAKE_USER in text:
        found.append(FAKE_USER)
    if re.search(r"(?<![\w-])" + re.escape(HOST) + r"(?![\w-])", text, re.IGNORECASE):
        found.append(HOST)
    if PUBLIC_V4 in text:
        found.append(PUBLIC_V4)
    if PUBLIC_V6 in text:
        found.append(PUBLIC_V6)
    return found


def test_redact_everywhere_in_a_real_report(faulty_report: dict[str, Any]) -> None:
    report = inject_private_data(json.loads(json.dumps(faulty_report)))
    original = json.dumps(report, ensure_ascii=False)
    assert set(leaks(original)) == {FAKE_USER, HOST, PUBLIC_V4, PUBLIC_V6}

    clean = redact(report)
    text = json.dumps(clean, ensure_ascii=False)
    assert leaks(text) == []
    assert json.dumps(report, ensure_ascii=False) == original, "redact must not modify its input"
    assert clean["redaction"]["applied"] is True
    assert set(clean["redaction"]["items"]) == {"user_name", "host_name", "public_addresses"}
    evidence = next(c for c in clean["checks"] if c["id"] == "tcp")["evidence"]
    assert evidence["cache_dir"] == "/home/<user>/.cache/wecom"
    assert evidence["mac_dir"].startswith("/Users/<user>/Library")
    assert "C:\\Users\\<user>\\AppData\\Roaming\\Tencent" in evidence  # keys too
    assert evidence["public_peer"] == "36.112.5.0/24:443"
    assert evidence["public_v6"] == "2408:8000:1234::/48"
    assert evidence["gateway"] == "192.168.1.1"  # private addresses stay
    assert clean["system"]["hostname"] == "<host>"
    # Both languages of the texts, and the report still renders.
    tcp = next(c for c in clean["checks"] if c["id"] == "tcp")
    assert "<user>" in tcp["i18n"]["zh"]["summary"] and "<host>" in tcp["i18n"]["en"]["summary"]
    assert redact(clean) == clean  # idempotent


def test_identity_of_this_machine_and_bare_names() -> None:
    report = {"system": {"hostname": "DESKTOP-7QK2M"}, "checks": [{
        "id": "x", "summary": "DESKTOP-7QK2M.corp.example: wangfang logged in; vmware ok",
        "evidence": {"home": "/home/wangfang/x", "me": "/srv/profiles/wangfang",
                     "lo": "127.0.0.1", "lan": "10.1.2.3", "v6": "fe80::1", "ula": "fd00::2",
                     "dns": "119.29.29.29", "time": "12:30:45"},
    }]}
    ident = Identity(users=("wangfang",), hosts=("DESKTOP-7QK2M",), homes=("/home/wangfang",))
    clean = redact(report, ident)
    check = clean["checks"][0]
    assert check["summary"] == "<host>.corp.example: <user> logged in; vmware ok"
    assert check["evidence"]["home"] == "~/x"
    assert check["evidence"]["me"] == "/srv/profiles/<user>"
    for key in ("lo", "lan", "v6", "ula", "dns", "time"):
        assert check["evidence"][key] == report["checks"][0]["evidence"][key]  # type: ignore[index]


@pytest.mark.parametrize(("address", "network"), [
    ("36.112.5.77", "36.112.5.0/24"), ("2408:8000:1234:5678::1", "2408:8000:1234::/48"),
    ("10.0.0.1", None), ("127.0.0.1", None), ("192.0.2.7", None), ("::1", None),
    ("169.254.1.1", None), ("100.64.1.1", None), ("not-an-ip", None),
])
def test_reduce_address(address: str, network: str | None) -> None:
    assert reduce_address(address) == network


def test_summary_text_is_short_and_redacted(faulty_report: dict[str, Any]) -> None:
    report = inject_private_data(json.loads(json.dumps(faulty_report)))
    for lang in ("zh", "en"):
        text = summary_text(report, lang)
        assert leaks(text) == []
        head = headline(report, lang)
        assert head["summary"] in text and head["advice"] in text
        titles = {c["id"]: c["i18n"][lang]["title"] for c in report["checks"]}
        # Only the checks that are not ok, by title: no check id reaches the text.
        assert titles["tcp"] in text and titles["network"] not in text
        assert "(tcp)" not in text
        assert report["tool"]["version"] in text and local_time(report["started_at"]) in text
        assert len(text.splitlines()) <= 16
    assert FAKE_USER in summary_text(report, "en", redacted=False)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_cli_exports_redact_by_default(private_report: Path, tmp_path: Path,
                                       data_dir: Path) -> None:
    pdf, js = tmp_path / "r.pdf", tmp_path / "r.json"
    result = wxdoctor("report", str(private_report), "--pdf", str(pdf), "--json", str(js),
                      data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    pdf_text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
    assert leaks(pdf_text) == []
    assert "<user>" in pdf_text
    assert leaks(js.read_text(encoding="utf-8")) == []
    chat = wxdoctor("report", str(private_report), "--text", data_dir=data_dir)
    assert chat.returncode == 0 and leaks(chat.stdout) == []
    full = wxdoctor("report", str(private_report), data_dir=data_dir)
    assert leaks(full.stdout) == []

    # --no-redact keeps everything, for IT.
    pdf2, js2 = tmp_path / "full.pdf", tmp_path / "full.json"
    result = wxdoctor("report", str(private_report), "--no-redact", "--pdf", str(pdf2),
                      "--json", str(js2), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    full_text = subprocess.run(["pdftotext", str(pdf2), "-"], capture_output=True, text=True,
                               check=True).stdout
    assert FAKE_USER in full_text and PUBLIC_V4 in full_text
    saved = json.loads(js2.read_text(encoding="utf-8"))
    assert saved["redaction"]["applied"] is False
    assert set(leaks(json.dumps(saved, ensure_ascii=False))) == {FAKE_USER, HOST, PUBLIC_V4,
                                                                 PUBLIC_V6}
