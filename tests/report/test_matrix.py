"""The endpoint matrix, built from real lab reports (tests/report/lab_reports/)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from checks.report.matrix import build_matrix
from checks.report.matrix_text import render_matrix, width

REPORTS = Path(__file__).resolve().parent / "lab_reports"
LOGIN, API, LONG = "login.wecom.lab.test", "qyapi.wecom.lab.test", "long.wechat.lab.test"
STATES = {"ok", "info", "warn", "fail", "none"}


def lab_report(name: str) -> dict[str, Any]:
    return json.loads((REPORTS / f"{name}.json").read_text(encoding="utf-8"))


def cells(report: dict[str, Any], host: str) -> dict[str, dict[str, Any]]:
    row = next(r for r in build_matrix(report)["rows"] if r["host"] == host)
    return row["cells"]


ALL = sorted(p.stem for p in REPORTS.glob("*.json"))


@pytest.mark.parametrize("name", ALL)
def test_every_cell_has_a_state_words_and_a_reason_when_not_measured(name: str) -> None:
    report = lab_report(name)
    matrix = build_matrix(report)
    assert [r["host"] for r in matrix["rows"]] == [e["host"] for e in report["endpoints"]]
    ids = [c["id"] for c in matrix["columns"]]
    assert ids[:2] == ["system_dns", "trusted_dns"] and ids[-3:] == ["tls", "http", "latency"]
    assert [f"tcp_{p}" for p in matrix["ports"]] == ids[2:-3] and matrix["ports"][:2] == [443, 80]
    for row in matrix["rows"]:
        assert set(row["cells"]) == set(ids)
        for cell in row["cells"].values():
            assert cell["state"] in STATES
            assert cell["text"]["en"] and cell["text"]["zh"]
            if cell["state"] == "none":
                assert cell["note"]["en"] and cell["note"]["zh"], cell
    # The report written by the engine carries the same matrix (words may have changed
    # since it was recorded; what was measured has not).
    def states(m: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
        return [(r["host"], {k: c["state"] for k, c in r["cells"].items()}) for r in m["rows"]]

    assert states(report["matrix"]) == states(matrix)


def test_healthy_run_is_green_where_measured() -> None:
    report = lab_report("healthy")
    for row in build_matrix(report)["rows"]:
        assert row["state"] == "ok", row
    login = cells(report, LOGIN)
    assert login["system_dns"]["addresses"] and login["trusted_dns"]["agrees"] is True
    assert login["tls"]["valid"] is True and login["tls"]["version"].startswith("TLS")
    assert login["tcp_8080"]["text"]["en"] == "not used"
    long = cells(report, LONG)
    assert long["tls"]["state"] == "none" and "mmtls" in long["tls"]["note"]["en"]
    assert long["http"]["status"] == 404 and long["http"]["text"]["en"] == "404 Not Found"


def test_polluted_dns_shows_both_answers_and_the_wrong_certificate() -> None:
    login = cells(lab_report("polluted"), LOGIN)
    assert login["trusted_dns"]["state"] == "fail" and login["trusted_dns"]["agrees"] is False
    assert login["trusted_dns"]["addresses"] != login["system_dns"]["addresses"]
    assert "not the real server" in login["trusted_dns"]["text"]["en"]
    assert login["tls"]["state"] == "fail" and login["tls"]["issuer"] == "Polluter CA"
    assert "untrusted issuer" in login["tls"]["text"]["en"]
    assert "证书颁发者不受信任" in login["tls"]["text"]["zh"]
    assert cells(lab_report("polluted"), API)["trusted_dns"]["text"]["en"] == "same"


def test_blocked_port_timed_out_and_tls_says_why_it_was_not_measured() -> None:
    login = cells(lab_report("drop_443"), LOGIN)
    assert login["tcp_443"]["state"] == "fail" and login["tcp_443"]["failure"] == "tcp_timeout"
    assert login["tcp_443"]["text"]["en"].startswith("timed out")
    assert login["tcp_80"]["state"] == "ok"
    assert login["tls"]["state"] == "none" and "TCP" in login["tls"]["note"]["en"]
    assert login["latency"]["state"] == "none"


def test_dns_failure_leaves_every_connection_unmeasured_with_the_reason() -> None:
    login = cells(lab_report("dns_down"), LOGIN)
    assert login["system_dns"]["state"] == "fail" and login["system_dns"]["error"]
    assert login["trusted_dns"]["state"] == "info" and login["trusted_dns"]["addresses"]
    for key in ("tcp_443", "tcp_80", "tls", "latency"):
        assert login[key]["state"] == "none"
        assert "did not resolve" in login[key]["note"]["en"], key


def test_captive_portal_hijack_interception_and_slow_path() -> None:
    long = cells(lab_report("captive"), LONG)
    assert long["http"]["state"] == "fail" and long["http"]["status"] == 302
    assert "portal.hotspot.lab.test" in long["http"]["text"]["en"]
    tls = cells(lab_report("intercepted"), LOGIN)["tls"]
    assert tls["state"] == "warn" and "unexpected issuer" in tls["text"]["en"]
    latency = cells(lab_report("slow"), LOGIN)["latency"]
    assert latency["state"] == "warn" and latency["median_ms"] > 300
    assert cells(lab_report("adblock"), API)["trusted_dns"]["state"] == "fail"
    assert cells(lab_report("fake_ip"), LOGIN)["trusted_dns"]["state"] == "warn"


def test_the_port_80_finding_shows_without_the_tls_check() -> None:
    report = lab_report("captive")
    report["checks"] = [c for c in report["checks"] if c["id"] != "tls"]
    http = cells(report, LONG)["http"]
    assert http["state"] == "fail" and http["status"] == 302
    assert "portal.hotspot.lab.test" in http["text"]["en"]
    both_gone = [c for c in report["checks"] if c["id"] != "http_hijack"]
    assert cells({**report, "checks": both_gone}, LONG)["http"]["state"] == "none"


def test_missing_checks_and_unknown_shapes_say_why() -> None:
    report = lab_report("polluted")
    report["checks"] = [c for c in report["checks"] if c["id"] != "latency"]
    tcp = next(c for c in report["checks"] if c["id"] == "tcp")
    tcp["evidence"] = {"probes": [{"host": LOGIN, "port": 443, "new_key": 1}], "extra": True}
    tls = next(c for c in report["checks"] if c["id"] == "tls")
    tls.update(status="error", evidence={"failure": "deadline"},
               i18n={"en": {"title": "TLS", "summary": "Did not finish in time."},
                     "zh": {"title": "TLS", "summary": "未能按时完成。"}})
    dns = next(c for c in report["checks"] if c["id"] == "dns")
    dns["evidence"] = {"answers": "not a list"}
    login = cells(report, LOGIN)
    assert login["latency"]["state"] == "none" and "latency" in login["latency"]["note"]["en"]
    assert login["tcp_443"]["state"] == "fail"  # no "ok", no time: not a success
    assert login["tcp_80"]["state"] == "none" and "recorded nothing" in login["tcp_80"]["note"]["en"]
    assert login["tls"]["note"]["en"] == "“TLS” could not check: Did not finish in time."
    assert login["tls"]["note"]["zh"] == "“TLS”无法检测：未能按时完成。"
    assert login["system_dns"]["state"] == "none"
    skipped = copy.deepcopy(report)
    for check in skipped["checks"]:
        if check["id"] == "dns_pollution":
            check["status"] = "skipped"
    assert "skipped" in cells(skipped, LOGIN)["trusted_dns"]["note"]["en"]
    assert build_matrix({"checks": [], "endpoints": []})["rows"] == []


def test_optional_servers_never_show_red() -> None:
    report = lab_report("drop_443")
    report["endpoints"][0]["necessary"] = False
    row = next(r for r in build_matrix(report)["rows"] if r["host"] == LOGIN)
    assert row["necessary"] is False and row["state"] == "warn"
    assert row["cells"]["tcp_443"]["state"] == "warn"


@pytest.mark.parametrize(("lang", "columns"), [("en", 120), ("zh", 100), ("en", 80)])
def test_text_matrix_fits_the_terminal_and_numbers_its_notes(lang: str, columns: int) -> None:
    report = lab_report("drop_443")
    text = render_matrix(build_matrix(report), lang, columns)
    lines = text.splitlines()
    assert all(width(line) <= columns for line in lines), max(lines, key=width)
    if columns >= 100:  # narrower, even the server names wrap
        assert any(line.startswith(LOGIN) for line in lines)
    marks = " ".join(lines)
    assert "x " in marks and "+ " in marks
    assert "[1]" in text and any(line.startswith("[1] ") for line in lines)
    if lang == "zh":
        assert "服务器" in lines[0] and "超时" in text


def _counting_width(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Characters measured by matrix_text.width: the work the layout does."""
    from checks.report import matrix_text

    measured = [0]
    real = matrix_text.width

    def counted(text: str) -> int:
        measured[0] += len(text)
        return real(text)

    monkeypatch.setattr(matrix_text, "width", counted)
    return measured


@pytest.mark.parametrize("cell_text", ["x" * 65_000, "word " * 13_000, "长" * 65_000,
                                       "a\x1b]0;t\x07 " * 8_000],
                         ids=["one_word", "words", "chinese", "escapes"])
def test_long_cells_are_laid_out_in_linear_work_and_bounded_output(
        monkeypatch: pytest.MonkeyPatch, cell_text: str) -> None:
    from checks.report.matrix_text import MAX_CELL

    measured = _counting_width(monkeypatch)
    matrix = build_matrix(lab_report("drop_443"))
    for row in matrix["rows"]:
        row["host"] = cell_text
        for cell in row["cells"].values():
            cell["text"] = {"en": cell_text, "zh": cell_text}
    text = render_matrix(matrix, "en", 120)
    cells = sum(1 + len(row["cells"]) for row in matrix["rows"])
    # Each cell shows at most MAX_CELL characters (saying how many were cut) ...
    assert f"[{len(cell_text) - MAX_CELL}" in text and "\x1b" not in text
    assert len(text) < cells * (MAX_CELL + 60) * 2
    # ... and each character shown is measured a bounded number of times, not once per
    # character after it (the old wrapping measured the whole line for every word).
    assert measured[0] < cells * (MAX_CELL + 60) * 8
    assert all(width(line) <= 120 for line in text.splitlines())


def test_every_cell_long_in_a_wide_matrix_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    measured = _counting_width(monkeypatch)
    matrix = build_matrix(lab_report("drop_443"))
    template = matrix["rows"][0]
    matrix["columns"] = [{"id": f"c{i}", "title": {"en": "T" * 300}} for i in range(60)]
    matrix["rows"] = [{**template, "host": f"h{r}" * 100,
                       "cells": {f"c{i}": {"state": "fail", "text": {"en": "y" * 5000}}
                                 for i in range(60)}} for r in range(20)]
    text = render_matrix(matrix, "en", 120)
    assert len(text) < 20 * 61 * 2 * 500 and measured[0] < 20 * 61 * 8 * 500


def test_a_huge_table_stops_at_its_size_limit_and_says_how_many_are_left() -> None:
    from checks.report.matrix_text import MAX_TABLE

    matrix = build_matrix(lab_report("drop_443"))
    template = matrix["rows"][0]
    matrix["rows"] = [{**template, "host": f"server{r}.lab.test",
                       "cells": {k: {"state": "fail", "text": {"en": "z" * 400}}
                                 for k in template["cells"]}} for r in range(3000)]
    text = render_matrix(matrix, "en", 120)
    assert len(text) < MAX_TABLE + 20_000
    last = text.rstrip("\n").split("\n")[-1]
    assert last.startswith("… and ") and "more servers, not shown here" in last
    shown = sum(1 for line in text.split("\n") if line.startswith("server"))
    assert last == (f"… and {3000 - shown} more servers, not shown here "
                    "(the JSON report has them all).")


def test_trusted_dns_saying_no_such_name_too_reads_so() -> None:
    """No internet: the trusted resolver answered "does not exist" as the system's did;
    the cell says so instead of "none"."""
    report = json.loads((REPORTS / "no_internet.json").read_text(encoding="utf-8"))
    matrix = build_matrix(report)
    for row in matrix["rows"]:
        cell = row["cells"]["trusted_dns"]
        assert cell["state"] == "info" and cell["addresses"] == [], cell
        assert cell["text"]["en"] == "says the name does not exist too", cell
        assert cell["text"]["zh"] == "同样称域名不存在", cell
