"""Readable evidence: every check of real lab reports in words, never as key paths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checks.engine import codes
from checks.engine.check import Check, check_class
from checks.report import evidence_view
from checks.report.readable import render
from tests.report.helpers import raw_evidence_in

REPORTS = Path(__file__).resolve().parent / "lab_reports"
ALL = sorted(p.stem for p in REPORTS.glob("*.json"))


def lab_report(name: str) -> dict[str, Any]:
    return json.loads((REPORTS / f"{name}.json").read_text(encoding="utf-8"))


def shown(name: str, check_id: str, lang: str = "en") -> evidence_view.Shown:
    check = next(c for c in lab_report(name)["checks"] if c["id"] == check_id)
    return render(check, lang)


def table(view: evidence_view.Shown, title: str) -> list[list[str]]:
    return next(rows for t, _h, rows in view.tables if t == title)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_check_renders_its_real_evidence_without_key_paths(name: str, lang: str) -> None:
    report = lab_report(name)
    for check in report["checks"]:
        # Called directly: a renderer that breaks on real evidence must not hide behind
        # the generic fallback.
        cls = check_class(check["id"])
        assert cls is not None and cls.show is not Check.show, check["id"]
        if set(check["evidence"]) != {"not_needed"}:  # cut short: said by the report itself
            assert cls().show(check["evidence"]), check["id"]
        texts = render(check, lang).texts()
        assert texts, check["id"]
        leaks = raw_evidence_in("\n".join(texts), report)
        assert not leaks, (check["id"], leaks)


def test_mtu_sizes_read_as_ranges_with_units() -> None:
    view = shown("pmtu", "mtu")
    assert ("Largest packet that passes", "1280 bytes") in view.lines
    assert ("Adapter", "eth0 · MTU 1500 bytes") in view.lines
    rows = table(view, "Packet sizes tried (with “don't fragment”)")
    assert rows == [["576–1280 bytes", "passed"], ["1281–1500 bytes", "no reply"]]
    zh = shown("pmtu", "mtu", "zh")
    assert ["1281–1500 字节", "无应答"] in table(zh, "尝试的数据包大小（禁止分片）")


def test_dns_failures_and_trusted_answers_in_words() -> None:
    rows = table(shown("dns_down", "dns"), "System resolver answers")
    assert rows[0][1:3] == ["—", "—"] and rows[0][3].endswith(" s")
    assert rows[0][4] in ("the DNS server cannot be reached", "no answer in time")
    pollution = shown("polluted", "dns_pollution")
    login = next(r for r in table(pollution, "System DNS compared with trusted DNS")
                 if r[0] == "login.wecom.lab.test")
    assert login[2].startswith("10.201.2.60: 10.201.16.") and login[2].endswith(" ms)")
    assert login[3] == "wrong server (it failed the TLS proof)"
    assert "certificate from an untrusted issuer" in login[4] and "Polluter CA" in login[4]


def test_connections_clock_tls_and_proxy_in_words() -> None:
    tcp = table(shown("drop_443", "tcp"), "TCP connects")
    assert tcp[0][:2] == ["login.wecom.lab.test", "443"]
    # The wait scaled to the lab's fast path (1.1 s), below the product's 3 s timeout.
    assert tcp[0][3].startswith("timed out (blocked by a firewall?) · 1.1 s")
    assert any(r[3].startswith("connected in ") for r in tcp)
    assert ("Clock compared with network time", "3.0 days behind") in shown("clock_off", "clock").lines
    assert ("与网络时间相比", "慢了 3.0 天") in shown("clock_off", "clock", "zh").lines
    tls = table(shown("expired", "tls"), "Secure connections")
    assert any(r[5].startswith("certificate expired") for r in tls)
    proxies = table(shown("dead_proxy", "proxy"), "Proxies tested")
    assert proxies[0][0] == "http://10.201.2.99:3128" and proxies[0][2].startswith("timed out")
    hosts = table(shown("hosts_override", "hosts"), "Lines naming Tencent servers")
    assert hosts[0][1:4] == ["127.0.0.1", "login.wecom.lab.test", "redirects a server the clients need"]


def test_long_tables_are_cut_and_say_how_many_rows_are_left() -> None:
    check = {"id": "tcp", "evidence": {"probes": [
        {"host": f"h{i}.lab.test", "port": 443, "address": "10.0.0.1", "ok": True, "ms": 1.0,
         "failure": None} for i in range(30)]}}
    rows = table(render(check, "en"), "TCP connects")
    assert len(rows) == evidence_view.MAX_ROWS + 1
    assert rows[-1][0] == f"… {30 - evidence_view.MAX_ROWS} more rows (in the JSON report)"


def test_unknown_checks_and_odd_shapes_stay_readable() -> None:
    odd = render({"id": "future_check", "evidence": {
        "target": "dns", "probes": [{"host": "a", "ok": True}, {"host": "b", "ok": False}],
        "nested": {"x": 1}, "long": "x" * 5000, "none": None}}, "en")
    assert ("target", "dns") in odd.lines
    assert ("nested", "x: 1") in odd.lines and ("none", "—") in odd.lines
    assert dict(odd.lines)["long"].endswith("…") and len(dict(odd.lines)["long"]) <= 160
    assert odd.tables == [("probes", ["host", "ok"], [["a", "yes"], ["b", "no"]])]
    # A known check with evidence of another shape falls back instead of failing.
    changed = render({"id": "tcp", "evidence": {"probes": "gone", "attempts": 2}}, "zh")
    assert ("attempts", "2") in changed.lines
    # A key this version does not know yet is shown as it is, after the known ones.
    check = next(c for c in lab_report("healthy")["checks"] if c["id"] == "tcp")
    newer = render({**check, "evidence": {**check["evidence"], "retries": 2}}, "en")
    assert newer.lines[-1] == ("retries", "2") and newer.tables[0][0] == "TCP connects"
    # An overrun leaves only its failure code: shown in words.
    timed_out = render({"id": "tls", "evidence": {"failure": "deadline"}}, "en")
    assert timed_out.lines == [("Failure", "did not finish in time")]


def test_product_names_and_failures_read_in_the_report_language() -> None:
    evidence = {"running": {"wecom": ["WXWork.exe"]}, "data_folders": {"wecom": ["D:\\WXWork"]},
                "installed": []}
    zh = " ".join(f"{a} {b}" for a, b in render(
        {"id": "client_version", "evidence": evidence}, "zh").lines)
    assert "企业微信：WXWork.exe" in zh and "企业微信：D:\\WXWork" in zh
    assert "WeCom" not in zh
    en = " ".join(f"{a} {b}" for a, b in render(
        {"id": "client_version", "evidence": evidence}, "en").lines)
    assert "WeCom: WXWork.exe" in en
    tls = {"probes": [], "ca_file_problems": [{"file": "/etc/it-ca.pem", "error": "ca_file_unreadable"}]}
    zh_tls = " ".join(b for _, b in render({"id": "tls", "evidence": tls}, "zh").lines)
    assert "/etc/it-ca.pem（" in zh_tls
    assert codes.meaning("ca_file_unreadable").render("zh") in zh_tls
