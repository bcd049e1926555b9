"""Every text the window draws is plain text: markup in a saved report is shown as the
characters it is made of, never as a heading, an image or a link."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

APP_GUI = Path(__file__).resolve().parents[2] / "app" / "gui"
REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
MARKUP = '<h1 style="color:green">ALL GOOD</h1><img src="file:///etc/passwd"><a href="x:">link</a>'


def test_no_label_of_the_window_can_interpret_markup() -> None:
    """Labels are PlainLabel (app/gui/widgets/plain.py); nothing switches markup on."""
    for path in APP_GUI.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if path.name != "plain.py":
            assert not re.search(r"(?<![\w.])QLabel\(", source), path
        assert "TextFormat.RichText" not in source and "TextFormat.AutoText" not in source, path
        assert "setOpenExternalLinks" not in source, path


def _hostile(tmp_path: Path) -> dict[str, Any]:
    report = json.loads((REPORTS / "faults.json").read_text(encoding="utf-8"))
    for item in [*report["checks"], *report["diagnosis"]["causes"], report["headline"]]:
        for texts in (item, *item.get("i18n", {}).values()):
            for key in ("summary", "advice", "title"):
                if key in texts:
                    texts[key] = MARKUP + texts[key]
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    from app.gui.window import load_report

    return load_report(path)


def test_a_saved_report_full_of_markup_shows_it_as_text(qtbot: Any, make_window: Any,
                                                       tmp_path: Path) -> None:
    from PySide6.QtWidgets import QLabel

    from app.gui.widgets.plain import tip_text

    window = make_window([])
    report = _hostile(tmp_path)
    window.show_report(report)
    for row in window.rows.values():
        row.set_expanded(True)
    window.tabs.show_servers()
    qtbot.wait(20)
    labels = window.findChildren(QLabel)
    assert len(labels) > 40
    for label in labels:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
    headline = window.card.headline.text().replace("\u200b", "")
    assert headline.startswith(MARKUP)  # the characters, not a green heading
    for row in window.rows.values():
        assert row.summary.text().replace("\u200b", "").startswith(MARKUP)
    table = window.tabs.servers.table
    tips = [table.item(r, c).toolTip() for r in range(table.rowCount())
            for c in range(table.columnCount())]
    # A note quoting a check's title: the markup is read, escaped, as characters.
    assert any(MARKUP in tip_text(tip).replace("\u200b", "") for tip in tips)
