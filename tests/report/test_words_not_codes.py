"""What a person reads in the CLI's text and in the PDF (before its appendix for
technicians) is words: no failure, cause, check or fix code, in either language, for
every recorded lab report. The JSON and the appendix keep the codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from checks.report.plain_text import render_text
from tests.gui.test_gui_words_not_codes import CODE, REPORTS

APPENDIX = {"en": "the codes behind this report", "zh": "本报告使用的代码"}


def _leaked(text: str) -> list[str]:
    return sorted({m.group(1) for m in CODE.finditer(text)})


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_no_code_in_the_text_report(path: Path) -> None:
    report = json.loads(path.read_text("utf-8"))
    for lang in ("zh", "en"):
        assert _leaked(render_text(report, lang)) == [], lang


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_no_code_in_the_pdf_before_its_appendix(path: Path, tmp_path: Path) -> None:
    from app.pdf.check_pages import write_pdf

    report = json.loads(path.read_text("utf-8"))
    for lang in ("zh", "en"):
        out = tmp_path / f"{lang}.pdf"
        write_pdf(report, out, lang)
        text = subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True,
                              text=True, check=True).stdout
        body, marker, appendix = text.partition(APPENDIX[lang])
        assert marker, f"no appendix in the {lang} PDF"
        assert _leaked(body) == [], lang
        assert report["diagnosis"]["primary"] in appendix  # the codes are kept there
