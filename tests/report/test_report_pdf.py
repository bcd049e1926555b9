"""The PDF report: pages, text in the right language, embedded fonts, page numbers."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.report.helpers import wxdoctor

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils not installed (.ci/apt-packages.txt)"
)


def pdf_text(path: Path) -> str:
    # -raw keeps drawing order, so a table cell that wraps stays contiguous.
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def pdf_fonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return [line.split() for line in out.stdout.splitlines()[2:] if line.strip()]


def save(report: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_of_a_real_faulty_run(faulty_report: dict[str, Any], tmp_path: Path,
                                  data_dir: Path, lang: str) -> None:
    source = save(faulty_report, tmp_path / "run.json")
    out = tmp_path / f"report-{lang}.pdf"
    result = wxdoctor("report", str(source), "--pdf", str(out), "--lang", lang, data_dir=data_dir)
    assert result.returncode == 0, result.stderr

    pages = pdf_pages(out)
    assert pages >= 1
    text = pdf_text(out)
    # The verdict and the primary cause in the right language.
    primary = faulty_report["diagnosis"]["causes"][0]["i18n"][lang]["summary"]
    assert ("故障" if lang == "zh" else "Problem") in text
    flowing = " ".join(text.split())  # a title may wrap inside its table cell
    assert primary[:12] in flowing
    for check in faulty_report["checks"]:
        assert check["id"] in text
        # Chinese wraps without spaces: compare with all white space removed.
        assert "".join(check["i18n"][lang]["title"].split()) in "".join(flowing.split())
    if lang == "zh":
        assert "网络检测报告" in text
        assert f"第 1 页，共 {pages} 页" in text
    else:
        assert "network report" in text
        assert f"page 1 of {pages}" in text
        assert not re.search(r"[\u4e00-\u9fff]", text), "Chinese text in the English PDF"

    fonts = pdf_fonts(out)
    assert fonts, "no fonts in the PDF"
    for row in fonts:
        emb = row[-5]  # columns: name type... encoding emb sub uni object ID
        assert emb == "yes", f"font not embedded: {row}"
    if lang == "zh":
        assert any("CJK" in row[0] or "YaHei" in row[0] or "PingFang" in row[0] for row in fonts)


def test_check_writes_a_pdf_of_its_run(tmp_path: Path, data_dir: Path) -> None:
    from tests.report.helpers import closed_port, loopback_config

    config = loopback_config(tmp_path / "c.toml", closed_port())
    out = tmp_path / "run.pdf"
    result = wxdoctor("check", "--config", str(config), "--lang", "en", "--no-history",
                      "--pdf", str(out), data_dir=data_dir)
    assert result.returncode == 2, result.stderr
    assert "[FAIL]" in result.stdout  # the normal output is still printed
    text = pdf_text(out)
    assert "TCP" in text and "tcp" in text


def test_pdf_to_a_missing_folder_is_a_usage_error(tmp_path: Path, data_dir: Path) -> None:
    result = wxdoctor("check", "--pdf", str(tmp_path / "nope" / "x.pdf"), "--no-history",
                      data_dir=data_dir)
    assert result.returncode == 64
    assert "does not exist" in result.stderr


def test_long_report_paginates_with_fixes_and_elided_evidence(
    faulty_report: dict[str, Any], tmp_path: Path
) -> None:
    from app.pdf.check_pages import write_pdf

    report = json.loads(json.dumps(faulty_report))
    template = next(c for c in report["checks"] if c["id"] == "tcp")
    for n in range(30):
        extra = json.loads(json.dumps(template))
        extra["id"] = f"extra_{n}"
        extra["evidence"] = {"items": [{"n": i, "nested": {"deep": i}} for i in range(50)],
                             "numbers": list(range(100)), "long": "x" * 2000}
        report["checks"].append(extra)
    report["fixes_applied"] = [{"fix_id": "flush_dns", "journal_id": "j-42",
                                "before": {"tcp": "fail"}, "after": {"tcp": "ok"}}]
    out = tmp_path / "long.pdf"
    write_pdf(report, out, "en")
    pages = pdf_pages(out)
    assert pages > 3
    text = pdf_text(out)
    assert f"page {pages} of {pages}" in text
    assert "extra_29" in text
    assert "Fixes applied" in text and "Fix: Flush the DNS cache" in text and "j-42" in text
    assert "flush_dns" in text.split("the codes behind this report", 1)[1]  # only the appendix
    # A list of 50 records is a table of 12 rows that says how many are left.
    assert "38 more rows (in the JSON report)" in text
    assert "x" * 200 not in text  # a 2000-character value is cut


def test_bad_report_file_is_a_usage_error(tmp_path: Path, data_dir: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe garbage")
    result = wxdoctor("report", str(bad), "--pdf", str(tmp_path / "x.pdf"), data_dir=data_dir)
    assert result.returncode == 64
    assert "not JSON" in result.stderr
    other = save({"hello": 1}, tmp_path / "other.json")
    result = wxdoctor("report", str(other), data_dir=data_dir)
    assert result.returncode == 64 and "not a wxdoctor report" in result.stderr


LAB_REPORTS = Path(__file__).resolve().parent / "lab_reports"
FIRST_PAGES = {"healthy": None, "polluted": "login.wecom.lab.test", "captive": "long.wechat.lab.test",
               "drop_443": "qyapi.wecom.lab.test", "intercepted": "qyapi.wecom.lab.test"}


@pytest.mark.parametrize("name", sorted(FIRST_PAGES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_real_lab_reports_show_the_matrix_early_and_no_key_paths(tmp_path: Path, name: str,
                                                                 lang: str) -> None:
    from app.pdf.check_pages import write_pdf
    from checks.report.matrix import build_matrix
    from tests.report.helpers import raw_evidence_in

    report = json.loads((LAB_REPORTS / f"{name}.json").read_text(encoding="utf-8"))
    out = tmp_path / f"{name}-{lang}.pdf"
    write_pdf(report, out, lang)
    text = pdf_text(out)
    assert not raw_evidence_in(text, report), raw_evidence_in(text, report)
    first = subprocess.run(["pdftotext", "-raw", "-f", "1", "-l", "2", str(out), "-"],
                           capture_output=True, text=True, check=True).stdout
    flowing = "".join(first.split())  # names and cells wrap inside their columns
    heading = "服务器" if lang == "zh" else "Servers"
    assert heading in first.splitlines()
    verdict = report["diagnosis"]["causes"][0]["i18n"][lang]["summary"]
    assert "".join(verdict.split()) in flowing
    matrix = build_matrix(report)
    for row in matrix["rows"]:
        assert row["host"] in flowing
        for cell in row["cells"].values():
            if cell["state"] in ("fail", "warn") and len(cell["text"][lang]) < 25:
                assert "".join(cell["text"][lang].split()) in flowing, cell
    failing = FIRST_PAGES[name]
    if failing is not None:
        row = next(r for r in matrix["rows"] if r["host"] == failing)
        assert row["state"] in ("fail", "warn")
    if lang == "en":
        assert not re.search(r"[\u4e00-\u9fff]", text), "Chinese text in the English PDF"
