"""What a person reads in the window is words: no failure, cause, check or fix code in any
label, button, table cell or tooltip, in either language, for every recorded lab report."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from checks.engine import check_ids, codes, fix_ids

REPORTS = sorted((Path(__file__).resolve().parents[1] / "report" / "lab_reports").glob("*.json"))
CODES = sorted(c for c in [*codes.FAILURES, *codes.CAUSES,
                           *(v for k, v in vars(check_ids).items() if k.isupper()),
                           *(v for k, v in vars(fix_ids).items() if k.isupper())] if "_" in c)
CODE = re.compile(r"(?<![\w.\-/])(" + "|".join(re.escape(c) for c in CODES) + r")(?![\w.\-/])")


def window_texts(window: Any) -> list[str]:
    from PySide6.QtWidgets import QAbstractButton, QLabel, QTableWidget, QWidget

    texts: list[str] = []
    for widget in window.findChildren(QWidget):
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, QTableWidget):
            for row in range(widget.rowCount()):
                for column in range(widget.columnCount()):
                    item = widget.item(row, column)
                    if item is not None:
                        texts += [item.text(), item.toolTip()]
        texts.append(widget.toolTip())
    return [t for t in texts if t]


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_no_code_in_the_window(qtbot: Any, make_window: Any, path: Path) -> None:
    report = json.loads(path.read_text("utf-8"))
    window = make_window([])
    window.show_report(report)
    for lang in ("zh", "en"):
        window.set_lang(lang)
        for row in window.rows.values():
            row.set_expanded(True)  # the details and evidence tables too
        window.tabs.setCurrentIndex(1)  # the Servers tab
        qtbot.wait(1)
        leaked = sorted({m.group(1) for text in window_texts(window) for m in CODE.finditer(text)})
        assert leaked == [], (lang, leaked)
