"""A hostile captive portal in the lab: what its `Location` header can make the doctor show.

The portal (router DNAT of every port-80 connection, tests/lab/path_faults.py) answers
with a redirect whose Location carries HTML (a big "ALL GOOD" heading, an image
loading a local file), terminal escapes (window title, clear screen, OSC 52 writing
the clipboard, an 8-bit CSI) and, in the second case, 70,000 characters. The doctor
runs in the lab's client namespace; its raw stdout bytes, the real window showing the
report it wrote, the PDF (read back with pdftotext) and the captive fix's preview are
what the tests look at.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.cli.output import LINE_LIMIT
from tests.lab import Lab
from tests.lab.http_server import Answer, spawn_http
from tests.lab.path_faults import intercept_port
from tests.test_lab_net_paths import PORTAL, PROBE_204, SHORT, healthy

HEADING = "<h1>ALL GOOD - no problem found</h1>"
IMAGE = "<img src=file:///etc/passwd>"
ESCAPES = "\x1b]0;PWNED\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07\x9b31m"
HOSTILE = f"http://{PORTAL}/login?{HEADING}{IMAGE}{ESCAPES}"
# As the probe keeps it: controls and spaces percent-escaped, nothing else changed.
KEPT = (f"http://{PORTAL}/login?<h1>ALL%20GOOD%20-%20no%20problem%20found</h1>"
        "<img%20src=file:///etc/passwd>%1B]0;PWNED%07%1B[2J%1B]52;c;cHduZWQ=%07%C2%9B31m")
ONLY = "captive,http_hijack"
# What a terminal would act on: every C0 control but the line break, DEL, C1 controls.
TERMINAL_CONTROLS = {chr(c) for c in [*range(0x0A), *range(0x0B, 0x20), *range(0x7F, 0xA0)]}


def _doctor(lab: Lab, config: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """`python -m app ARGS` in the client namespace; stdout and stderr as raw bytes."""
    env = dict(os.environ)
    env.update({k: v for k, v in lab.doctor_env().items() if v is not None})
    for key, value in lab.doctor_env().items():
        if value is None:
            env.pop(key, None)
    argv = lab.client.argv([sys.executable, "-m", "app", *args, "--config", str(config)])
    return subprocess.run(argv, capture_output=True, env=env, cwd=Path(__file__).parents[2],
                          timeout=60, check=False)


def _hostile_lab(lab: Lab, location: str) -> Path:
    cfg = healthy(lab)
    portal = lab.add_host(PORTAL)
    # The lab server writes header values as latin-1: the 8-bit CSI goes out as one byte.
    spawn_http(lab, portal, Answer(302, "", [f"Location: {location}"], "text/html"))
    intercept_port(lab, portal)  # the captive probes and the short links meet the portal
    return lab.write_config(cfg)


def _terminal_safe(raw: bytes, whole_lines: bool = False) -> str:
    """The output as text, after checking it holds nothing a terminal acts on and (but
    for JSON, which must stay whole) no line longer than the limit."""
    text = raw.decode("utf-8")
    assert not TERMINAL_CONTROLS & set(text), sorted(TERMINAL_CONTROLS & set(text))
    if not whole_lines:
        assert all(len(line) <= LINE_LIMIT + 40 for line in text.split("\n"))
    return text


def _labels_are_plain(window: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    for label in window.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, (label, label.text())


def _unbroken(text: str) -> str:
    return text.replace("\u200b", "")  # the window's wrap points in long runs


def _same_pixels(label: Any, text_format: Any) -> bool:
    """Whether `label` looks exactly as a fresh label with the same text in `text_format`."""
    from PySide6.QtWidgets import QLabel

    twin = QLabel(label.parentWidget())
    twin.setTextFormat(text_format)
    for setter, value in ((twin.setFont, label.font()), (twin.setPalette, label.palette()),
                          (twin.setWordWrap, label.wordWrap()), (twin.setMargin, label.margin()),
                          (twin.setIndent, label.indent()), (twin.setAlignment, label.alignment()),
                          (twin.setStyleSheet, label.styleSheet())):
        setter(value)
    twin.setText(label.text())
    twin.setGeometry(label.geometry())
    try:
        return bool(twin.grab().toImage() == label.grab().toImage())
    finally:
        twin.deleteLater()


def test_hostile_location_stays_plain_text_in_terminal_window_pdf_and_fix(
        lab: Lab, qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    from checks.report.redact import redact

    config = _hostile_lab(lab, HOSTILE)

    # The terminal: the text report and the server table carry no control character.
    text = _terminal_safe(_doctor(lab, config, "check", "--only", ONLY, "--no-history",
                                  "--matrix").stdout)
    assert f"redirected to {KEPT}" in text  # the header is shown, as data
    raw_json = _doctor(lab, config, "check", "--json", "--only", ONLY, "--no-history")
    report = json.loads(_terminal_safe(raw_json.stdout, whole_lines=True))
    checks = {c["id"]: c for c in report["checks"]}
    captive = checks["captive"]
    assert (captive["status"], report["diagnosis"]["primary"]) == ("fail", "captive_portal")
    assert {p["location"] for p in captive["evidence"]["probes"]} == {KEPT}
    assert captive["evidence"]["portal_url"] == KEPT

    # The window: every label plain, the heading is text in the HTTP row, not a heading.
    window = make_window([])
    window.show_report(report)
    window.resize(900, 1400)
    row = window.rows["http_hijack"]
    row.set_expanded(True)
    window.tabs.show_servers()
    qtbot.wait(50)
    _labels_are_plain(window)
    # The sentence names the portal's host only; the whole address is a line of its own.
    assert window.card.headline.text() == ("This Wi-Fi wants you to log in first: it answers web "
                                           "requests with its login page on "
                                           "portal.hotspot.lab.test instead of the real sites.")
    assert "ALL GOOD" not in window.card.headline.text() + window.card.detail.text()
    summary = row.summary
    assert f"{HEADING}{IMAGE}".replace(" ", "%20") in _unbroken(summary.text())
    assert _same_pixels(summary, Qt.TextFormat.PlainText)  # drawn exactly as plain text
    assert not _same_pixels(summary, Qt.TextFormat.RichText)  # as markup it would differ
    table = row.evidence_table()
    assert table is not None
    # The evidence shows the start of a long value (the whole is in "Copy raw evidence").
    assert any(_unbroken(cell).startswith(KEPT[:120]) for cell in table.texts())
    shown = [(text, tip) for line in window.tabs.servers.cells() for text, tip, _ in line]
    http_cell = next((t, tip) for t, tip in shown if "→" in t)
    assert KEPT in _unbroken(http_cell[0]) and KEPT in _unbroken(http_cell[1])
    assert any(SHORT in t for t, _ in shown)

    # The captive fix opens the portal's address only after showing it, and only that.
    dialog = window.fixes.fix_dialog(["open_captive_portal"])
    qtbot.addWidget(dialog)
    lines = [_unbroken(line) for line in dialog.text_lines()]
    assert any(KEPT in line for line in lines), lines
    _labels_are_plain(dialog)
    preview = _doctor(lab, config, "fix", "open_captive_portal", "--dry-run", "--json",
                      "--report", str(_saved(tmp_path, report)))
    plan = json.loads(_terminal_safe(preview.stdout, whole_lines=True))["plan"]
    assert plan["actions"][0]["argv"] == ["xdg-open", KEPT]

    # The PDF: the markup is printed as the characters it is made of.
    pdf = tmp_path / "hostile.pdf"
    from app.pdf.check_pages import write_pdf

    write_pdf(redact(report), pdf, "en")
    joined = "".join(_pdftotext(pdf).split())  # the address wraps over lines and cells
    assert f"login?{HEADING}{IMAGE}".replace(" ", "%20") in joined


def test_overlong_location_is_cut_and_the_fix_opens_the_probe_again(
        lab: Lab, make_window: Any, tmp_path: Path) -> None:
    config = _hostile_lab(lab, HOSTILE + "A" * 70_000)
    raw = _doctor(lab, config, "check", "--json", "--only", ONLY, "--no-history")
    report = json.loads(_terminal_safe(raw.stdout, whole_lines=True))
    captive = next(c for c in report["checks"] if c["id"] == "captive")
    probe = captive["evidence"]["probes"][0]
    assert probe["location_cut"] is True and len(probe["location"]) == 2048
    assert probe["location"].startswith(KEPT)
    # Cut, it is no address: the probe URL is opened, which the portal redirects again.
    probe_url = f"http://{PROBE_204}/generate_204"
    assert captive["evidence"]["portal_url"] == probe_url
    text = _terminal_safe(_doctor(lab, config, "check", "--only", ONLY, "--no-history",
                                  "--matrix").stdout)
    assert len(text) < 30_000
    preview = _doctor(lab, config, "fix", "open_captive_portal", "--dry-run", "--report",
                      str(_saved(tmp_path, report)))
    assert f"Open {probe_url}" in _terminal_safe(preview.stdout)
    # The window keeps its size: the 2,048-character address wraps.
    window = make_window([])
    window.show_report(report)
    summary = window.rows["http_hijack"].summary
    assert summary.minimumSizeHint().width() < 800


def _saved(folder: Path, report: dict[str, Any]) -> Path:
    path = folder / "report.json"
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return path


def _pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed to read the PDF back")
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout.replace("\u200b", "")
