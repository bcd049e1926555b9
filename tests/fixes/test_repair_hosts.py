from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.fixes import FixEnv, FixError, Journal, Step, get_fix
from checks.fixes.executor import apply_plan, undo_entry
from checks.fixes.repair_hosts import MARK, comment_out, flagged_lines, marked_lines, uncomment

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


def test_undo_keeps_an_edit_made_after_the_fix(tmp_path, data_dir, config):
    path, raw, *_ = make_hosts(tmp_path, "utf8-lf")
    fix = get_fix("repair_hosts")
    journal = Journal()
    apply_plan(fix, fix.plan(FixEnv(config=config, hosts_file=str(path))), journal)
    path.write_bytes(path.read_bytes() + b"192.168.1.1 printer\n")
    entry = journal.last
    assert entry is not None
    (note,) = undo_entry(fix, entry)
    assert path.read_bytes() == raw + b"192.168.1.1 printer\n"  # our marks gone, theirs kept
    assert "kept" in note.render("en")
    assert "replaced_content_b64" in Journal().load(entry.id).steps[0].facts


def test_an_edit_made_while_the_prompt_is_open_is_never_lost(tmp_path, data_dir, config):
    """Between the backup and the write (on Windows the UAC prompt sits there) someone
    else edits the file: the fix compares right before writing and leaves their edit."""
    path, raw, *_ = make_hosts(tmp_path, "gbk-crlf")
    fix = get_fix("repair_hosts")
    env = FixEnv(config=config, hosts_file=str(path))
    plan = fix.plan(env)
    (action,) = plan.actions
    step = Step(0, action, backup=fix.backup(action, env))
    edited = raw + "\r\n10.0.0.9 nas 网盘\r\n".encode("gbk")
    path.write_bytes(edited)
    with pytest.raises(FixError) as info:
        fix.execute(action, step, env)
    assert "changed by someone else" in info.value.text.render("en")
    assert "其他程序修改" in info.value.text.render("zh")
    assert path.read_bytes() == edited


def test_the_write_replaces_the_file_at_once_keeping_owner_mode_and_acl(tmp_path, data_dir,
                                                                        config):
    path, raw, *_ = make_hosts(tmp_path, "utf8-lf")
    os.chmod(path, 0o640)
    if os.geteuid() == 0:
        os.chown(path, 4321, 4322)
    # A POSIX ACL (user 1000 may read) and a user attribute, straight as the kernel keeps them.
    acl = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, perm, ident) for tag, perm, ident in (
        (0x01, 6, 0xFFFFFFFF), (0x02, 4, 1000), (0x04, 4, 0xFFFFFFFF), (0x10, 4, 0xFFFFFFFF),
        (0x20, 0, 0xFFFFFFFF)))
    try:
        os.setxattr(path, "system.posix_acl_access", acl)
        os.setxattr(path, "user.wxdoctor-test", b"kept")
    except OSError as exc:
        pytest.skip(f"no ACLs on this file system: {exc}")
    before = os.stat(path)
    xattrs = {n: os.getxattr(path, n) for n in os.listxattr(path)}
    fix = get_fix("repair_hosts")
    journal = Journal()
    apply_plan(fix, fix.plan(FixEnv(config=config, hosts_file=str(path))), journal)
    after = os.stat(path)
    assert after.st_ino != before.st_ino  # a new file took the old one's place in one rename
    assert (after.st_mode, after.st_uid, after.st_gid) == (before.st_mode, before.st_uid,
                                                           before.st_gid)
    assert {n: os.getxattr(path, n) for n in os.listxattr(path)} == xattrs
    assert not [p for p in tmp_path.iterdir() if ".wxdoctor-" in p.name]  # no leftovers
    undo_entry(fix, Journal().load(journal.last.id))  # type: ignore[union-attr]
    assert path.read_bytes() == raw
    assert {n: os.getxattr(path, n) for n in os.listxattr(path)} == xattrs


@pytest.mark.parametrize("kind", ["fifo", "device", "too-large", "folder"])
def test_a_hosts_path_that_is_not_a_small_regular_file_is_refused_at_once(tmp_path, config, kind):
    path = tmp_path / "hosts"
    if kind == "fifo":
        os.mkfifo(path)  # reading it would wait forever for a writer
    elif kind == "device":
        path = Path("/dev/zero")  # reading it would never end
    elif kind == "too-large":
        path.write_bytes(b"1.2.3.4 x.qq.com\n" + b"#" * (5 * 1024 * 1024))
    else:
        path.mkdir()
    plan = get_fix("repair_hosts").plan(FixEnv(config=config, hosts_file=str(path)))
    assert plan.blocked is not None and not plan.actions
    assert any(w in plan.blocked.render("en") for w in ("not a regular file", "larger than",
                                                         "Is a directory"))


def test_undo_restores_only_lines_this_fix_marked_and_only_tencent_ones(tmp_path, data_dir, config):
    path, raw, *_ = make_hosts(tmp_path, "utf8-lf")
    fix = get_fix("repair_hosts")
    journal = Journal()
    apply_plan(fix, fix.plan(FixEnv(config=config, hosts_file=str(path))), journal)
    foreign = MARK + "6.6.6.6 update.example.com"
    path.write_bytes(path.read_bytes() + foreign.encode() + b"\n")
    entry = Journal().load(journal.last.id)  # type: ignore[union-attr]
    entry.steps[0].action.data["lines"].append("6.6.6.6 update.example.com")  # a crafted journal
    undo_entry(fix, entry)
    assert path.read_bytes() == raw + foreign.encode() + b"\n"


def test_comment_out_keeps_lone_cr_and_missing_final_newline():
    raw = b"a b\r1.2.3.4 x.qq.com\r\n\t5.6.7.8 y.qq.com"
    out = comment_out(raw, [2, 3])
    assert out == b"a b\r# [wxdoctor] 1.2.3.4 x.qq.com\r\n# [wxdoctor] \t5.6.7.8 y.qq.com"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "127.0.0.1 localhost", "1.2.3.4 login.work.weixin.qq.com", "\t5.6.7.8 a.qq.com b.example",
    "# comment 加速", "", "0.0.0.0 x.wechat.com # 屏蔽", "10.0.0.1 intranet"]), max_size=12),
    st.sampled_from(["\n", "\r\n", "\r"]), st.sampled_from(["utf-8", "gbk", "utf-16-le"]),
    st.booleans())
def test_marking_then_unmarking_gives_the_same_bytes(lines, newline, encoding, bom):
    prefix = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "gbk": b""}[encoding] if bom else b""
    raw = prefix + newline.join(lines).encode(encoding)
    flagged = [n for n, _ in flagged_lines(raw, [])]
    marked = comment_out(raw, flagged)
    assert flagged_lines(marked, []) == []
    back = [n for n, _ in marked_lines(marked, [])]
    assert back == flagged
    assert uncomment(marked, back) == raw
