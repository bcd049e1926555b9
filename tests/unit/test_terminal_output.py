"""What the command line prints: text from networks and files never reaches a terminal
as commands (escape sequences, 8-bit controls, bidi overrides), lines are capped, JSON
stays whole and exact."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.cli.output import LINE_LIMIT, SafeStream, json_text, terminal_text
from checks.report.plain_text import render_text
from checks.shared.safe_text import clean_url, printable
from tests.sandbox import ROOT, sandboxed

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
# Window title, clear screen, OSC 52 (writes the clipboard), an 8-bit CSI, a bidi override.
ESCAPES = "\x1b]0;PWNED\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07\x9b31m\u202egnp.exe"
# What a terminal acts on: C0 but the line break, DEL, C1, and the bidi controls.
ACTIVE = {chr(c) for c in [*range(0x0A), *range(0x0B, 0x20), *range(0x7F, 0xA0)]} | {
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


def _hostile_report(tmp_path: Path) -> Path:
    report = json.loads((REPORTS / "faults.json").read_text(encoding="utf-8"))
    for check in report["checks"]:
        for texts in (check, *check.get("i18n", {}).values()):
            texts["summary"] = f"{texts.get('summary', '')} {ESCAPES}\n[ OK ] forged line"
            texts["title"] = f"<h1>{texts.get('title', '')}</h1>" + "W" * 9000
    report["diagnosis"]["causes"][0]["evidence"] = [ESCAPES]
    for texts in (report["headline"], *report["headline"]["i18n"].values()):
        texts["summary"] = f"{texts['summary']} {ESCAPES}\n[ OK ] forged line"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return path


def _raw(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(sandboxed([sys.executable, "-m", "app", *args]), cwd=ROOT,
                          capture_output=True, timeout=90, env=env, check=False)


def _clean(raw: bytes) -> str:
    text = raw.decode("utf-8")
    assert not ACTIVE & set(text), sorted(ACTIVE & set(text))
    return text


def test_report_text_matrix_and_chat_text_print_no_control_character(tmp_path: Path) -> None:
    path = _hostile_report(tmp_path)
    for extra in ([], ["--matrix"], ["--text"], ["--lang", "zh"]):
        out = _raw("report", str(path), *extra)
        assert out.returncode == 0, out.stderr.decode()
        text = _clean(out.stdout)
        assert all(len(line) <= LINE_LIMIT + 40 for line in text.split("\n"))
        if not extra:
            assert "␛]0;PWNED␇␛[2J␛]52;c;cHduZWQ=␇" in text  # shown, as symbols
            # A line break in a summary cannot start a line that looks like ours.
            assert not any(line.startswith("[ OK ] forged") for line in text.split("\n"))
            assert "characters cut]" in text  # the 9,000-character titles
    out = _raw("report", str(path), "--json", "-")
    again = json.loads(_clean(out.stdout))  # whole, exact JSON: the data is unchanged
    assert ESCAPES in again["checks"][0]["summary"]


def test_an_error_message_quoting_a_file_prints_no_control_character(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "wxdoctor.report/1",
                               "checks": [{"id": "x", "status": "\x9b2J\u202e"}]},
                              ensure_ascii=False), encoding="utf-8")
    out = _raw("report", str(bad))
    assert out.returncode == 64
    assert "checks[0].status" in _clean(out.stderr)


def test_the_stream_keeps_only_our_colours_where_we_colour() -> None:
    hostile = {"checks": [{"id": "x", "status": "fail", "title": "T", "advice": "",
                           "summary": f"\x1b[32mALL GOOD\x1b[0m {ESCAPES}"}],
               "diagnosis": {"causes": []}, "duration_s": 1.0}
    sink = io.StringIO()
    SafeStream(sink, colour=True).write(render_text(hostile, "en", colour=True))
    shown = sink.getvalue()
    # Our red light stays; the summary's own colour codes and commands are symbols.
    assert shown.startswith("\x1b[31m[FAIL]\x1b[0m T: ␛[32mALL GOOD␛[0m ␛]0;PWNED␇")
    assert shown.count("\x1b") == 2
    sink = io.StringIO()
    SafeStream(sink, colour=False).write("\x1b[31m[FAIL]\x1b[0m")
    assert "\x1b" not in sink.getvalue()


def test_long_lines_are_cut_saying_how_much_even_across_writes() -> None:
    sink = io.StringIO()
    stream = SafeStream(sink, colour=False)
    stream.write("a" * (LINE_LIMIT - 10))
    stream.write("b" * 5000)
    stream.write("c" * 5 + "\nnext\n")
    first, second, _ = sink.getvalue().split("\n")
    assert first == "a" * (LINE_LIMIT - 10) + "b" * 10 + f"… [{5000 - 10 + 5} characters cut]"
    assert second == "next"


def test_json_is_whole_and_its_controls_escaped() -> None:
    data: dict[str, Any] = {"location": "x" * 10_000 + ESCAPES}
    text = json_text(data)
    assert not ACTIVE & set(text)
    assert json.loads(text) == data
    assert "\\u009b" in text and "\\u202e" in text


def test_safe_text_helpers() -> None:
    assert printable("a\x1b]0;t\x07b\nc\x9b\u202e") == "a␛]0;t␇b␊c\ufffd\ufffd"
    assert printable("a\nb", newlines=True) == "a\nb"
    assert printable("abcdef", 3) == "abc… [3 characters cut]"
    assert clean_url("http://a/\x1b[2J x\u202e", 100) == ("http://a/%1B[2J%20x%E2%80%AE", False)
    assert clean_url("http://a/" + "x" * 50, 20) == ("http://a/" + "x" * 11, True)
    assert terminal_text("\x1b[31mred\x1b[0m", colour=True) == "\x1b[31mred\x1b[0m"
    assert terminal_text("\x1b[31mred\x1b[0m") == "␛[31mred␛[0m"
    assert terminal_text("\x1b[38;2;1;2;3m", colour=True) == "␛[38;2;1;2;3m"  # not ours
