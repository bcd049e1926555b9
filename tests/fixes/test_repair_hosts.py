from __future__ import annotations

import pytest

from checks.fixes import FixEnv, FixError, Journal, get_fix
from checks.fixes.executor import apply_plan, undo_entry
from checks.fixes.repair_hosts import MARK, comment_out, flagged_lines

LINES = [
    "# hosts written by a \u201cspeed-up\u201d tool  加速工具",
    "127.0.0.1\tlocalhost",
    "1.2.3.4 login.work.weixin.qq.com qyapi.weixin.qq.com  # 加速",
    "10.0.0.5  intranet.example.com",
    "5.6.7.8 long.weixin.qq.com",
    "# 9.9.9.9 already.commented.qq.com",
    "",
]

CASES = {
    "utf8-lf": ("utf-8", b"", "\n"),
    "utf8-bom-crlf": ("utf-8", b"\xef\xbb\xbf", "\r\n"),
    "utf16le-bom": ("utf-16-le", b"\xff\xfe", "\r\n"),
    "utf16be-bom": ("utf-16-be", b"\xfe\xff", "\n"),
    "gbk-crlf": ("gbk", b"", "\r\n"),
}


def make_hosts(tmp_path, case: str) -> tuple:
    encoding, bom, newline = CASES[case]
    text = newline.join(LINES)
    raw = bom + text.encode(encoding)
    path = tmp_path / f"hosts-{case}"
    path.write_bytes(raw)
    return path, raw, encoding, bom


@pytest.mark.parametrize("case", sorted(CASES))
def test_comment_out_and_undo_byte_for_byte(tmp_path, data_dir, config, case):
    path, raw, encoding, bom = make_hosts(tmp_path, case)
    fix = get_fix("repair_hosts")
    plan = fix.plan(FixEnv(config=config, hosts_file=str(path)))
    assert plan.blocked is None
    assert plan.actions[0].data["line_numbers"] == [3, 5]
    assert plan.actions[0].needs_admin is False  # a file we may write needs no prompt

    journal = Journal()
    apply_plan(fix, plan, journal)
    entry = journal.last
    assert entry is not None and entry.state == "applied"

    changed = path.read_bytes()
    assert changed.startswith(bom)
    text = changed[len(bom):].decode(encoding)
    newline = CASES[case][2]
    lines = text.split(newline)
    assert lines[2] == MARK + LINES[2] and lines[4] == MARK + LINES[4]
    assert [ln for i, ln in enumerate(lines) if i not in (2, 4)] == [
        ln for i, ln in enumerate(LINES) if i not in (2, 4)]
    assert flagged_lines(changed, []) == []

    # The journal was written to disk and can be read back by another process.
    stored = Journal().load(entry.id)
    assert stored.state == "applied" and stored.steps[0].backup["sha256"]

    undo_entry(fix, stored)
    assert path.read_bytes() == raw
    assert Journal().load(entry.id).state == "undone"


def test_nothing_to_repair_is_blocked(tmp_path, config):
    path = tmp_path / "hosts"
    path.write_bytes(b"127.0.0.1 localhost\n# 1.2.3.4 login.work.weixin.qq.com\n")
    plan = get_fix("repair_hosts").plan(FixEnv(config=config, hosts_file=str(path)))
    assert plan.blocked is not None and not plan.actions


def test_configured_endpoint_names_count_too(tmp_path):
    raw = b"10.1.1.1 login.wecom.lab.test\n"
    assert flagged_lines(raw, ["login.wecom.lab.test"]) == [(1, "10.1.1.1 login.wecom.lab.test")]
    assert flagged_lines(raw, []) == []


def test_file_changed_after_preview_changes_nothing(tmp_path, data_dir, config):
    path, raw, *_ = make_hosts(tmp_path, "utf8-lf")
    fix = get_fix("repair_hosts")
    plan = fix.plan(FixEnv(config=config, hosts_file=str(path)))
    path.write_bytes(raw + b"8.8.8.8 other\n")
    journal = Journal()
    with pytest.raises(FixError):
        apply_plan(fix, plan, journal)
    assert path.read_bytes() == raw + b"8.8.8.8 other\n"
    assert journal.last is not None and journal.last.state == "rolled_back"


def test_undo_keeps_later_edits_in_the_journal(tmp_path, data_dir, config):
    path, raw, *_ = make_hosts(tmp_path, "utf8-lf")
    fix = get_fix("repair_hosts")
    journal = Journal()
    apply_plan(fix, fix.plan(FixEnv(config=config, hosts_file=str(path))), journal)
    path.write_bytes(path.read_bytes() + b"192.168.1.1 printer\n")
    entry = journal.last
    assert entry is not None
    undo_entry(fix, entry)
    assert path.read_bytes() == raw
    assert "replaced_content_b64" in Journal().load(entry.id).steps[0].facts


def test_comment_out_keeps_lone_cr_and_missing_final_newline():
    raw = b"a b\r1.2.3.4 x.qq.com\r\n\t5.6.7.8 y.qq.com"
    out = comment_out(raw, [2, 3])
    assert out == b"a b\r# [wxdoctor] 1.2.3.4 x.qq.com\r\n# [wxdoctor] \t5.6.7.8 y.qq.com"
