"""The Details view's readable evidence and the Servers tab, on real lab reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.report.helpers import raw_evidence_in

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
LAB_REPORTS = ROOT / "tests" / "report" / "lab_reports"
LOGIN = "login.wecom.lab.test"


def lab_report(name: str) -> dict[str, Any]:
    return json.loads((LAB_REPORTS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["polluted", "drop_443", "pmtu", "captive", "dead_proxy"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_details_show_readable_evidence_never_key_paths(qtbot: Any, make_window: Any,
                                                        name: str, lang: str) -> None:
    report = lab_report(name)
    window = make_window(lang=lang)
    window.show_report(report)
    for item in report["checks"]:
        row = window.rows[item["id"]]
        row.set_expanded(True)
        table = row.evidence_table()
        assert table is not None
        texts = table.texts()
        assert texts, item["id"]
        assert not raw_evidence_in("\n".join(texts), report), (item["id"], texts)
        # The raw JSON is one click away, exactly as the report holds it.
        row.copy_raw_button.click()
        from PySide6.QtWidgets import QApplication

        assert json.loads(QApplication.clipboard().text()) == item["evidence"]


def test_mtu_details_read_in_words(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="en")
    window.show_report(lab_report("pmtu"))
    row = window.rows["mtu"]
    row.set_expanded(True)
    table = row.evidence_table()
    assert ("Largest packet that passes", "1280 bytes") in table.rows()
    caption, rows = table.tables()[0]
    assert caption == "Packet sizes tried (with “don't fragment”)"
    assert ["1281–1500 bytes", "no reply"] in rows
    window.set_lang("zh")
    assert ("能通过的最大数据包", "1280 字节") in row.evidence_table().rows()


def test_open_details_follow_a_new_result_of_their_check(qtbot: Any, make_window: Any) -> None:
    """A fix's re-check hands an open row its new result: the details show that result,
    once, not the old evidence above the new."""
    from app.gui.widgets.evidence_table import EvidenceTable

    window = make_window(lang="en")
    window.show_report(lab_report("pmtu"))
    row = window.rows["mtu"]
    row.set_expanded(True)
    assert ("Largest packet that passes", "1280 bytes") in row.evidence_table().rows()
    (fresh,) = [c for c in lab_report("healthy")["checks"] if c["id"] == "mtu"]
    row.set_result(fresh)
    tables = [w for w in row.detail.findChildren(EvidenceTable) if not w.isHidden()]
    assert tables == [row.evidence_table()]
    rows = row.evidence_table().rows()
    assert ("Largest packet that passes", "1280 bytes") not in rows
    assert row.evidence_table().texts() == _texts_of(fresh)


def _texts_of(item: dict[str, Any]) -> list[str]:
    from app.gui.widgets.evidence_table import EvidenceTable

    table = EvidenceTable()
    table.set_evidence(item, "en")
    return table.texts()


def test_servers_tab_shows_the_matrix_with_words_and_reasons(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="en")
    assert window.tabs.tabText(1) == "Servers"
    assert window.tabs.servers.table.isHidden()  # nothing measured yet
    window.show_report(lab_report("drop_443"))
    window.tabs.show_servers()
    servers = window.tabs.servers
    header = [servers.table.horizontalHeaderItem(c).text() for c in range(servers.table.columnCount())]
    assert header[:4] == ["Server", "System DNS", "Trusted DNS", "TCP 443"]
    rows = {r[0][0].split("\n")[0]: r for r in servers.cells()}
    login = rows[LOGIN]
    assert login[0][0] == f"{LOGIN}\nWeCom"
    text, tip, state = login[header.index("TCP 443")]
    assert state == "fail" and text.startswith("✗ timed out")
    text, tip, state = login[header.index("TLS")]
    assert state == "none" and text.startswith("– (") and "TCP" in tip
    notes = servers.notes.text()
    assert f"{text[3]}) " in notes and tip in notes  # the numbered note under the table
    ok_text, _tip, ok_state = login[header.index("TCP 80")]
    assert ok_state == "ok" and ok_text.startswith("✓ ") and ok_text.endswith(" ms")
    window.set_lang("zh")
    assert window.tabs.tabText(1) == "服务器"
    zh = {r[0][0].split("\n")[0]: r for r in servers.cells()}[LOGIN]
    assert zh[0][0] == f"{LOGIN}\n企业微信" and zh[header.index("TCP 443")][0].startswith("✗ 超时")
    # A new run empties the tab until its report is there.
    window.tabs.show_report(None, "zh")
    assert servers.table.isHidden() and "检测完成后" in servers.notes.text()


def test_servers_screenshot(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    out = tmp_path / "servers.png"
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen",
           "WXDOCTOR_LOG_DIR": str(tmp_path / "log")}
    proc = subprocess.run(
        [sys.executable, "-m", "app.gui.main", "--report", str(LAB_REPORTS / "polluted.json"),
         "--screenshot", str(out), "--view", "servers", "--lang", "zh"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    image = QImage(str(out))
    assert image.width() >= 800 and 400 < image.height() < 1200
