"""Comment out hosts-file lines that pin Tencent names to fixed addresses.

Lines are commented out, never deleted; every other byte (encoding, BOM, line
endings) stays as it was. The original file is journalled byte for byte and
undo writes it back exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checks import platform
from checks.fixes._files import b64, can_write, sha256_bytes, unb64, write_in_place
from checks.fixes.base import Fix
from checks.fixes.env import FixEnv
from checks.fixes.model import Action, FixError, Plan, Step
from checks.hostsfile import (
    decode_hosts,
    encode_hosts,
    is_tencent_name,
    lines_with_endings,
    parse_line,
)
from checks.i18n import Text, t

MARK = "# [wxdoctor] "


def flagged_lines(raw: bytes, endpoint_hosts: list[str]) -> list[tuple[int, str]]:
    """(1-based line number, line) of every active line mapping a Tencent name."""
    decoded = decode_hosts(raw)
    found = []
    for number, (line, _ending) in enumerate(lines_with_endings(decoded.text), start=1):
        entry = parse_line(line.lstrip("\ufeff"), number)
        if entry is not None and any(is_tencent_name(n, endpoint_hosts) for n in entry.names):
            found.append((number, line))
    return found


def comment_out(raw: bytes, line_numbers: list[int]) -> bytes:
    """The same bytes with those lines commented out, in the file's own encoding."""
    decoded = decode_hosts(raw)
    wanted = set(line_numbers)
    parts = []
    for number, (line, ending) in enumerate(lines_with_endings(decoded.text), start=1):
        if number in wanted:
            bom = "\ufeff" if line.startswith("\ufeff") else ""
            line = bom + MARK + line[len(bom):]
        parts.append(line + ending)
    return encode_hosts("".join(parts), decoded)


class RepairHosts(Fix):
    id = "repair_hosts"
    title = t("Repair the hosts file", "修复 hosts 文件")
    order = 50
    needs_admin = True
    affects = ("hosts", "dns", "tcp")

    def plan(self, env: FixEnv) -> Plan:
        path = env.hosts_path()
        summary = t(
            "Comment out the lines in {path} that send WeChat/WeCom names to fixed addresses.",
            "把 {path} 中将微信/企业微信域名指向固定地址的行注释掉（不删除）。", path=str(path),
        )
        plan = Plan(self.id, summary, env=env, undo=t(
            "Undo writes the original file back byte for byte.", "撤销会把原文件逐字节恢复。"))
        try:
            raw = path.read_bytes()
        except OSError as exc:
            plan.blocked = t("Cannot read {path}: {e}", "无法读取 {path}：{e}",
                             path=str(path), e=exc.strerror or str(exc))
            return plan
        lines = flagged_lines(raw, [e.host for e in env.config.endpoints])
        if not lines:
            plan.blocked = t(
                "No line in {path} overrides a WeChat/WeCom name: nothing to repair.",
                "{path} 中没有改写微信/企业微信域名的行，无需修复。", path=str(path),
            )
            return plan
        admin = not can_write(path)
        shown = "; ".join(f"{n}: {line.strip()}" for n, line in lines)
        plan.actions.append(Action(
            kind="edit_file",
            description=t("Comment out {count} line(s) of {path} — {lines}",
                          "注释掉 {path} 中的 {count} 行 —— {lines}",
                          count=len(lines), path=str(path), lines=shown),
            paths=[str(path)],
            needs_admin=admin,
            data={"line_numbers": [n for n, _ in lines], "lines": [ln for _, ln in lines],
                  "sha256_before": sha256_bytes(raw)},
        ))
        plan.needs_admin = admin
        return plan

    def helper_allows(self, action: Action) -> bool:
        # Elevated, it edits only the system's own hosts file.
        return action.kind == "edit_file" and action.paths == [str(platform.default_hosts_file())]

    def backup(self, action: Action, env: FixEnv) -> dict[str, Any]:
        raw = Path(action.paths[0]).read_bytes()
        if sha256_bytes(raw) != action.data["sha256_before"]:
            raise FixError(t("The file changed since the preview; preview the fix again.",
                             "预览之后文件已被修改，请重新预览此修复。"))
        return {"content_b64": b64(raw), "sha256": sha256_bytes(raw)}

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        path = Path(action.paths[0])
        original = unb64(step.backup["content_b64"])
        new = comment_out(original, action.data["line_numbers"])
        write_in_place(path, new)
        if path.read_bytes() != new:
            raise FixError(t("The file did not keep what was written.", "文件写入后内容不一致。"))
        step.facts["sha256_after"] = sha256_bytes(new)

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        path = Path(action.paths[0])
        original = unb64(step.backup["content_b64"])
        current = path.read_bytes()
        if current == original:
            return t("{path} was already as before.", "{path} 本来就是原样。", path=str(path))
        note = t("{path} restored byte for byte.", "{path} 已逐字节恢复。", path=str(path))
        if sha256_bytes(current) != step.facts.get("sha256_after"):
            # Edited by someone else since the fix: keep that version too, never lose it.
            step.facts["replaced_content_b64"] = b64(current)
            note = t("{path} restored; the version edited after the fix is kept in the journal.",
                     "{path} 已恢复；修复后被改过的版本保存在修复日志中。", path=str(path))
        write_in_place(path, original)
        if path.read_bytes() != original:
            raise FixError(t("Restoring {path} did not take.", "恢复 {path} 未成功。", path=str(path)))
        return note


FIX = RepairHosts
