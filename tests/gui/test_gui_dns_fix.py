"""The fix dialog of a fix that offers choices: a choice box above the preview, the
recommended choice first, the preview planned again when another is picked, and the
picked one applied (the real DNS fix on a resolv.conf of the test's own) and undone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checks.engine.config import Config
from checks.engine.results import Status
from checks.fixes import dns_adapter
from checks.fixes.session import FixSession
from tests.fixes.dns_fixtures import lab_report
from tests.gui.fakes import FakeCheck

ORIGINAL = b"nameserver 192.168.1.1\noptions timeout:1 attempts:1\n"


@pytest.fixture
def resolv(tmp_path: Path, monkeypatch: Any) -> Path:
    monkeypatch.setenv("WXDOCTOR_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "resolv.conf"
    path.write_bytes(ORIGINAL)
    monkeypatch.setattr(dns_adapter, "RESOLV_CONF", str(path))
    monkeypatch.setattr(dns_adapter, "PLATFORM", "linux")
    return path


def dialog_for(qtbot: Any, lang: str) -> Any:
    from app.gui.widgets.fix_dialog import FixDialog

    # The router's DNS relay failed (the lab's run, its router and DNS server at 192.168.1.1).
    report = lab_report(swap={"10.201.1.1": "192.168.1.1", "10.201.2.53": "192.168.1.1"})
    session = FixSession(Config(), report, lang=lang,
                         checks=lambda: [FakeCheck("dns", "dns", Status.OK)])
    dialog = FixDialog(session, ["set_dns_servers"])
    qtbot.addWidget(dialog)
    return dialog


def test_the_choice_box_offers_the_services_and_the_preview_follows_it(qtbot: Any,
                                                                       resolv: Path) -> None:
    dialog = dialog_for(qtbot, "en")
    box = dialog.choice_boxes[0]
    assert [box.itemText(i) for i in range(box.count())] == [
        "AliDNS: 223.5.5.5, 223.6.6.6 (recommended)",
        "Tencent DNSPod: 119.29.29.29, 182.254.116.116",
        "114DNS: 114.114.114.114, 114.114.115.115"]
    assert box.currentIndex() == 0
    lines = dialog.text_lines()
    assert lines[0] == "Change the DNS servers"
    assert (f"Change the DNS servers of this computer ({resolv}) from 192.168.1.1 to AliDNS "
            "(223.5.5.5, 223.6.6.6).") in lines
    box.setCurrentIndex(1)
    lines = dialog.text_lines()
    assert (f"Change the DNS servers of this computer ({resolv}) from 192.168.1.1 to Tencent "
            "DNSPod (119.29.29.29, 182.254.116.116).") in lines
    assert not any("AliDNS (223.5.5.5" in line for line in lines)
    assert dialog.apply_button.isEnabled()
    with qtbot.waitSignal(dialog.state_changed, timeout=10000,
                          check_params_cb=lambda state: state == "applied"):
        dialog.apply_button.click()
    assert not box.isEnabled()  # the choice was made: it cannot change under an applied fix
    assert b"nameserver 119.29.29.29 # [wxdoctor]\n" in resolv.read_bytes()
    with qtbot.waitSignal(dialog.state_changed, timeout=10000,
                          check_params_cb=lambda state: state == "undone"):
        dialog.undo_button.click()
    assert resolv.read_bytes() == ORIGINAL


def test_the_choice_box_speaks_chinese(qtbot: Any, resolv: Path) -> None:
    dialog = dialog_for(qtbot, "zh")
    box = dialog.choice_boxes[0]
    assert box.itemText(0) == "阿里 DNS：223.5.5.5、223.6.6.6（推荐）"
    assert "请选择：" in [w.text() for w in dialog.findChildren(type(dialog.status))]
