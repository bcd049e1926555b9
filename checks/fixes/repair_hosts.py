"""Comment out hosts-file lines that pin Tencent names to fixed addresses.

Lines are commented out, never deleted; every other byte (encoding, BOM, line
endings) stays as it was. What is written is always derived from the file as it
is right then, which must still be byte-identical to what the preview read (else
nothing is written: someone else's edit is never lost), and it replaces the file
at once with its owner, mode and ACLs. Undo takes the mark off exactly the lines
this fix marked (and only lines that map a Tencent name), so the file is the
original byte for byte, and an edit made since the fix stays.

With administrator rights (the elevated helper) this fix touches only the
system's own hosts file, whatever the journal names, and comments out or restores
only Tencent-mapping lines: a crafted journal cannot add a line or write content.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

from checks import platform
from checks.engine import check_ids, fix_ids
from checks.fixes._files import (
    CHANGED,
    b64,
    can_write,
    discard_leftovers,
    read_regular,
    replace_checked,
    sha256_bytes,
    unb64,
)
from checks.fixes.actions import Action, FixError, Plan, Step
from checks.fixes.env import FixEnv
from checks.fixes.fix import Fix, register
from checks.platform.hosts_format import (
    decode_hosts,
    encode_hosts,
    in_names,
    is_tencent_name,
    lines_with_endings,
    parse_line,
)
from checks.shared.i18n import Text, t

MARK = "# [wxdoctor] "
HOSTS_LIMIT = 4 * 1024 * 1024  # real hosts files are kilobytes; block lists a few MB

NOT_THE_HOSTS_FILE = t(
    "With administrator rights only the system's hosts file ({path}) is edited.",
    "以管理员权限只会修改系统的 hosts 文件（{path}）。")
LINE_NOT_TENCENT = t(
    "Line {n} of {path} is not a line this fix changes (it must map WeChat/WeCom names only, none your organisation keeps): not touching it.",
    "{path} 的第 {n} 行不是此修复会改动的行（只能是仅指向微信/企业微信域名、且不是贵单位要求保留的行），不予改动。")
LEFT_OTHER_NAMES = t(
    "line {n} also maps {names}: commenting it out would change those too; edit it by hand",
    "第 {n} 行还指向 {names}：注释掉它会连带影响这些域名，请手动修改")
LEFT_KEPT = t(
    "line {n} is kept on purpose by your organisation's configuration",
    "第 {n} 行是贵单位的配置要求保留的")
NOT_CHANGED = t("Not changed: {items}.", "不会改动：{items}。")
STAYS_MARKED = t(
    "Line(s) {lines} of {path} stay commented out: they also map names that are not WeChat/WeCom's, which this fix never changes; take the “# [wxdoctor] ” off by hand if you want them back.",
    "{path} 的第 {lines} 行仍保持注释：这些行还指向非微信/企业微信的域名，此修复不会改动；如需恢复，请手动删除这些行开头的注释标记。")


def _maps_tencent(line: str, number: int, endpoint_hosts: list[str]) -> bool:
    """The line maps Tencent names and nothing else: commenting it out (or taking the
    mark off again) changes no other name's address."""
    entry = parse_line(line, number)
    return entry is not None and all(is_tencent_name(n, endpoint_hosts) for n in entry.names)


def _left(line: str, number: int, endpoint_hosts: list[str], keep: tuple[str, ...]) -> Text | None:
    """Why an active line that maps a Tencent name is not one the fix changes (None:
    it is one, or maps no Tencent name)."""
    entry = parse_line(line, number)
    if entry is None or not any(is_tencent_name(n, endpoint_hosts) for n in entry.names):
        return None
    others = [n for n in entry.names if not is_tencent_name(n, endpoint_hosts)]
    if others:
        return LEFT_OTHER_NAMES.with_params(n=number, names=others)
    if any(in_names(n, keep) for n in entry.names):
        return LEFT_KEPT.with_params(n=number)
    return None


def _split_bom(line: str) -> tuple[str, str]:
    return ("\ufeff", line[1:]) if line.startswith("\ufeff") else ("", line)


def flagged_lines(raw: bytes, endpoint_hosts: list[str],
                  keep: tuple[str, ...] = ()) -> list[tuple[int, str]]:
    """(1-based line number, line) of every active line mapping Tencent names only, none
    of them one the organisation keeps (`[system] hosts_keep`)."""
    decoded = decode_hosts(raw)
    found = []
    for number, (line, _ending) in enumerate(lines_with_endings(decoded.text), start=1):
        rest = _split_bom(line)[1]
        if (_maps_tencent(rest, number, endpoint_hosts)
                and _left(rest, number, endpoint_hosts, keep) is None):
            found.append((number, line))
    return found


def left_lines(raw: bytes, endpoint_hosts: list[str], keep: tuple[str, ...]) -> list[Text]:
    """The lines mapping a Tencent name that the fix leaves alone, each with why."""
    decoded = decode_hosts(raw)
    reasons = (_left(_split_bom(line)[1], number, endpoint_hosts, keep)
               for number, (line, _ending) in enumerate(lines_with_endings(decoded.text), 1))
    return [why for why in reasons if why is not None]


def marked_lines(raw: bytes, endpoint_hosts: list[str],
                 any_names: bool = False) -> list[tuple[int, str]]:
    """(line number, the line without the mark) of every line this fix commented out
    that maps Tencent names only once the mark is taken off (with `any_names`: every
    marked line)."""
    decoded = decode_hosts(raw)
    found = []
    for number, (line, _ending) in enumerate(lines_with_endings(decoded.text), start=1):
        bom, rest = _split_bom(line)
        if rest.startswith(MARK) and (
                any_names or _maps_tencent(rest[len(MARK):], number, endpoint_hosts)):
            found.append((number, bom + rest[len(MARK):]))
    return found


def comment_out(raw: bytes, line_numbers: list[int]) -> bytes:
    """The same bytes with those lines commented out, in the file's own encoding."""
    return _rewrite(raw, line_numbers, lambda rest: MARK + rest)


def uncomment(raw: bytes, line_numbers: list[int]) -> bytes:
    """The same bytes with the mark taken off those lines."""
    return _rewrite(raw, line_numbers,
                    lambda rest: rest[len(MARK):] if rest.startswith(MARK) else rest)


def _rewrite(raw: bytes, line_numbers: list[int], change: Any) -> bytes:
    decoded = decode_hosts(raw)
    wanted = set(line_numbers)
    parts = []
    for number, (line, ending) in enumerate(lines_with_endings(decoded.text), start=1):
        if number in wanted:
            bom, rest = _split_bom(line)
            line = bom + change(rest)
        parts.append(line + ending)
    return encode_hosts("".join(parts), decoded)


_TAG = re.compile(r"[0-9a-f]{8}")


def _temp_name(action: Action, step: Step, path: Path, revert: bool = False) -> str | None:
    """`.hosts.wxdoctor-<tag>-<step>[-undo]` beside the file; None for a journal
    written before fixes named them (then the name is random, as it was)."""
    tag = action.data.get("temp_tag")
    if not isinstance(tag, str) or not _TAG.fullmatch(tag):
        return None
    name = Path(os.path.realpath(path)).name
    return f".{name}.wxdoctor-{tag}-{step.index}{'-undo' if revert else ''}"


def _line_numbers(action: Action) -> list[int]:
    numbers = action.data.get("line_numbers")
    if (not isinstance(numbers, list) or not numbers or len(numbers) > 10_000
            or not all(type(n) is int and n > 0 for n in numbers)):
        raise FixError(t("The journal does not say which lines to change.",
                         "修复日志中没有说明要修改哪些行。"))
    return sorted(set(numbers))


@register
class RepairHosts(Fix):
    id = fix_ids.REPAIR_HOSTS
    title = t("Repair the hosts file", "修复 hosts 文件")
    order = 50
    needs_admin = True
    affects = (check_ids.HOSTS, check_ids.DNS, check_ids.TCP)

    def plan(self, env: FixEnv) -> Plan:
        path = env.hosts_path()
        summary = t(
            "Comment out the lines in {path} that send WeChat/WeCom names to fixed addresses.",
            "把 {path} 中将微信/企业微信域名指向固定地址的行注释掉（不删除）。", path=str(path),
        )
        plan = Plan(self.id, summary, env=env, undo=t(
            "Undo takes the mark off exactly these lines again: the original file byte for byte, keeping any later edit.",
            "撤销会把这些行的注释标记去掉：原文件逐字节恢复，之后的其他修改也会保留。"))
        try:
            raw = read_regular(path, HOSTS_LIMIT)
        except OSError as exc:
            plan.blocked = t("Cannot read {path}: {e}", "无法读取 {path}：{e}",
                             path=str(path), e=exc.strerror or str(exc))
            return plan
        keep = env.config.system.hosts_keep
        lines = flagged_lines(raw, self._endpoint_hosts(env), keep)
        left = left_lines(raw, self._endpoint_hosts(env), keep)
        if left:
            plan.warnings.append(NOT_CHANGED.with_params(items=left))
        if not lines:
            plan.blocked = NOT_CHANGED.with_params(items=left) if left else t(
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
                  "sha256_before": sha256_bytes(raw),
                  # Names the temporary files for this fix's writes, so that undo after
                  # a kill removes exactly what it left beside the hosts file.
                  "temp_tag": secrets.token_hex(4)},
        ))
        plan.needs_admin = admin
        return plan

    def helper_refusal(self, action: Action) -> Text | None:
        system = str(platform.default_hosts_file())
        if action.kind == "edit_file" and action.paths == [system]:
            return None
        return NOT_THE_HOSTS_FILE.with_params(path=system)

    def backup(self, action: Action, env: FixEnv) -> dict[str, Any]:
        raw = self._read(self._target(action, env))
        if sha256_bytes(raw) != action.data["sha256_before"]:
            raise FixError(t("The file changed since the preview; preview the fix again.",
                             "预览之后文件已被修改，请重新预览此修复。"))
        return {"content_b64": b64(raw), "sha256": sha256_bytes(raw)}

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        path = self._target(action, env)
        expected = str(action.data.get("sha256_before") or "")
        current = self._read(path)
        if sha256_bytes(current) != expected:
            raise FixError(CHANGED.with_params(path=str(path)))
        numbers = _line_numbers(action)
        flagged = {n for n, _ in flagged_lines(current, self._endpoint_hosts(env),
                                              env.config.system.hosts_keep)}
        for n in numbers:
            if n not in flagged:
                raise FixError(LINE_NOT_TENCENT.with_params(n=n, path=str(path)))
        new = comment_out(current, numbers)
        replace_checked(path, new, expected, HOSTS_LIMIT, _temp_name(action, step, path))
        if self._read(path) != new:
            raise FixError(t("The file did not keep what was written.", "文件写入后内容不一致。"))
        step.facts["sha256_after"] = sha256_bytes(new)

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        path = self._target(action, env)
        current = self._read(path)
        ours = {str(line) for line in action.data.get("lines") or []}
        numbers = [n for n, line in marked_lines(current, self._endpoint_hosts(env))
                   if line in ours]
        # Marked lines that map WeChat/WeCom names and others too are never made active
        # again by this fix (it does not mark such lines; an older version did): say so.
        stays = [n for n, line in marked_lines(current, [], any_names=True)
                 if line in ours and n not in numbers
                 and _left(line, n, self._endpoint_hosts(env), ()) is not None]
        original = uncomment(current, numbers)
        kept = self._discard_leftovers(path, action, step, [current, original])
        if kept:  # not a version this fix wrote or displaced: left where it is
            step.facts["leftovers_kept"] = [str(p) for p in kept]
        if stays:
            step.facts["left_marked"] = stays
        if not numbers:
            if stays:
                raise FixError(STAYS_MARKED.with_params(path=str(path), lines=stays))
            return t("{path} was already as before.", "{path} 本来就是原样。", path=str(path))
        replace_checked(path, original, sha256_bytes(current), HOSTS_LIMIT,
                        _temp_name(action, step, path, revert=True))
        if self._read(path) != original:
            raise FixError(t("Restoring {path} did not take.", "恢复 {path} 未成功。", path=str(path)))
        if stays:
            raise FixError(STAYS_MARKED.with_params(path=str(path), lines=stays))
        if sha256_bytes(original) == step.backup.get("sha256"):
            return t("{path} restored byte for byte.", "{path} 已逐字节恢复。", path=str(path))
        # Edited by someone else since the fix: their edit stays, and the journal keeps
        # the version that was there before undo too.
        step.facts["replaced_content_b64"] = b64(current)
        return t("{path}: the {n} line(s) are active again; changes made to the file since the fix are kept.",
                 "{path}：这 {n} 行已恢复生效；修复之后对文件的其他修改均保留。",
                 path=str(path), n=len(numbers))

    def _discard_leftovers(self, path: Path, action: Action, step: Step,
                           versions: list[bytes]) -> list[Path]:
        """A kill mid-write leaves this step's temporary file beside the hosts file:
        remove it when it holds (the start of) a version this step writes or displaces:
        the file before the fix, the file with the marks, the file now or undone."""
        names = [n for n in (_temp_name(action, step, path),
                             _temp_name(action, step, path, revert=True)) if n]
        if not names:
            return []
        try:
            before = unb64(str(step.backup.get("content_b64") or ""))
        except ValueError:
            before = b""
        known = [*versions, before, comment_out(before, _line_numbers(action))] if before \
            else versions
        target = Path(os.path.realpath(path))
        return discard_leftovers(target.parent, names,
                                 lambda content: any(v.startswith(content) for v in known),
                                 HOSTS_LIMIT)

    # ---- what may be touched -------------------------------------------------------------

    def _target(self, action: Action, env: FixEnv) -> Path:
        if env.in_helper:
            refusal = self.helper_refusal(action)
            if refusal is not None:
                raise FixError(refusal)
            return platform.default_hosts_file()
        return Path(action.paths[0])

    @staticmethod
    def _endpoint_hosts(env: FixEnv) -> list[str]:
        return [e.host for e in env.config.endpoints]

    @staticmethod
    def _read(path: Path) -> bytes:
        try:
            return read_regular(path, HOSTS_LIMIT)
        except OSError as exc:
            raise FixError(t("Cannot read {path}: {e}", "无法读取 {path}：{e}",
                             path=str(path), e=exc.strerror or str(exc))) from None
