"""Move WeCom/WeChat cache folders to quarantine (never chat history or files).

Only what `checks.tencent.data_folders.cache_targets` returns is moved: the top-most
cache paths holding nothing protected; symlinks are never followed. Only regular
files, folders and symlinks move: a FIFO, socket or device (a running program's
pipe, say) stays where it is, and so does what this account may not move; the
preview lists both, and files that cannot be read (they move without a checksum).
Refused while the client runs, because it holds these files open and would
rewrite them.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from checks.engine import check_ids, fix_ids
from checks.fixes.actions import Action, FixError, Plan, Step
from checks.fixes.env import FixEnv
from checks.fixes.fix import Fix, register
from checks.fixes.journal import Journal
from checks.fixes.quarantine import Quarantine, QuarantineError, inventory, special_kind
from checks.probes.processes import snapshot
from checks.shared.i18n import Text, t
from checks.shared.userdata import quarantine_root
from checks.tencent.data_folders import DataDir, cache_targets, data_dirs
from checks.tencent.products import display_name, running_clients

MAX_LISTED = 5
LEFT_SPECIAL = t("left where it is: a {kind}, not a regular file or folder",
                 "保留原处：这是{kind}，不是普通文件或文件夹")
LEFT_NO_PERMISSION = t("left where it is: no permission to move it",
                       "保留原处：没有移动它的权限")
LEFT_UNREADABLE = t("left where it is: the folder cannot be read ({e})",
                    "保留原处：无法读取该文件夹（{e}）")
KIND_NAMES = {"fifo": t("a named pipe (FIFO)", "命名管道（FIFO）"),
              "socket": t("a socket", "套接字"), "device": t("a device file", "设备文件"),
              "other": t("a special file", "特殊文件")}


def shown(path: str | os.PathLike[str]) -> str:
    """A path as a person reads it, even when its name is not valid UTF-8."""
    return os.fsencode(path).decode("utf-8", "replace")


def movable_parts(path: Path) -> tuple[list[tuple[Path, dict[str, Any]]], list[tuple[Path, Text]]]:
    """What of a cache path may move: all of it, unless a FIFO, socket or device, or a
    folder that cannot be read, lies below, or this account may not move it; then each
    of its children, judged the same way. Returns (part, its inventory) pairs and what
    stays where it is, with why."""
    info = inventory(path)
    whole = not info["special"] and not any(p["dir"] or p["rel"] == "." for p in info["problems"])
    if whole:
        if not _may_move(path):
            return [], [(path, LEFT_NO_PERMISSION)]
        return [(path, info)], []
    try:
        kind = special_kind(path.lstat().st_mode)
        if kind is not None:
            return [], [(path, LEFT_SPECIAL.with_params(kind=KIND_NAMES[kind]))]
        children = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError as exc:
        return [], [(path, LEFT_UNREADABLE.with_params(e=exc.strerror or str(exc)))]
    parts: list[tuple[Path, dict[str, Any]]] = []
    left: list[tuple[Path, Text]] = []
    for child in children:
        more, stays = movable_parts(Path(child.path))
        parts += more
        left += stays
    return parts, left


def _may_move(path: Path) -> bool:
    if os.name != "posix":
        return True  # Windows answers a refused rename at apply time, and it is rolled back
    # Renaming needs the folder it is in; a folder moving elsewhere also needs itself
    # writable (its ".." entry changes).
    parent_ok = os.access(path.parent, os.W_OK | os.X_OK)
    return parent_ok and (path.is_symlink() or not path.is_dir() or os.access(path, os.W_OK))


def _listing(items: list[Any]) -> list[Any]:
    """At most MAX_LISTED items, then how many more."""
    more = len(items) - MAX_LISTED
    return items[:MAX_LISTED] + ([t("{n} more", "另外 {n} 项", n=more)] if more > 0 else [])


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


@register
class ClearClientCache(Fix):
    id = fix_ids.CLEAR_CLIENT_CACHE
    title = t("Clear the WeChat/WeCom cache", "清理微信/企业微信缓存")
    order = 60
    needs_admin = False
    affects = (check_ids.CLIENT_DATA,)

    def _blocked_by_clients(self, env: FixEnv) -> Text | None:
        names = ({"wecom": env.client_process_names}
                 if env.client_process_names is not None else None)
        running = {p: found for p, found in running_clients(snapshot(), names, helpers=True).items() if found}
        if not running:
            return None
        procs = ", ".join(f"{proc['name']} pid {proc['pid']}"
                          for found in running.values() for proc in found)
        return t(
            "Close {apps} first ({procs} is running): right-click its icon near the clock and choose Quit (on a Mac: Cmd+Q), then try again.",
            "请先退出{apps}（正在运行：{procs}）：在屏幕右下角托盘图标上点右键选择“退出”（Mac 上按 Cmd+Q），然后重试。",
            apps=[display_name(p) for p in sorted(running)], procs=procs,
        )

    def plan(self, env: FixEnv) -> Plan:
        qroot = Path(env.quarantine_dir) if env.quarantine_dir else quarantine_root()
        folder = qroot / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
        plan = Plan(self.id, t("Move the cache folders to quarantine.", "把缓存文件夹移到隔离区。"),
                    env=env, undo=t(
                        "Undo moves every file back, byte for byte. The quarantine is only emptied when you ask (wxdoctor quarantine empty).",
                        "撤销会把所有文件原样移回。隔离区只有在你要求时才会清空（wxdoctor quarantine empty）。"))
        plan.warnings.append(t(
            "Chat history, received files and images are never touched; the client rebuilds its cache when it starts.",
            "聊天记录、接收的文件和图片不会被改动；客户端下次启动时会重新生成缓存。"))
        dirs = env.data_dirs if env.data_dirs is not None else data_dirs(env.config)
        total = 0
        left: list[Text] = []
        unreadable: list[str] = []
        for dd in dirs:
            for target in cache_targets(dd if isinstance(dd, DataDir) else DataDir(
                    dd.product, Path(dd.path), dd.kind, getattr(dd, "layout", ""))):
                parts, stays = movable_parts(target)
                left += [t("{path} ({why})", "{path}（{why}）", path=shown(p), why=why)
                         for p, why in stays]
                for path, info in parts:
                    unreadable += [shown(path / p["rel"]) for p in info["problems"]]
                    total += info["bytes"]
                    key = f"{len(plan.actions):03d}"
                    plan.actions.append(Action(
                        kind="move",
                        description=t("Move {path} ({size}, {n} files) to quarantine",
                                      "将 {path}（{size}，{n} 个文件）移到隔离区",
                                      path=shown(path), size=human_size(info["bytes"]),
                                      n=info["count"]),
                        paths=[str(path), str(folder / "items" / key)],
                        data={"source": str(path), "quarantine": str(folder), "key": key,
                              "product": dd.product},
                    ))
        if left:
            plan.warnings.append(t("Not moved: {items}", "不会移动：{items}", items=_listing(left)))
        if unreadable:
            plan.warnings.append(t(
                "Cannot be read, so moved without a checksum: {items}",
                "无法读取，因此移动时不做校验：{items}", items=_listing(unreadable)))
        if not plan.actions:
            plan.blocked = t("No cache folders found: nothing to clear.",
                             "没有找到缓存文件夹，无需清理。")
            return plan
        plan.summary = t("Move {n} cache item(s), {size} in all, to quarantine at {q}.",
                         "把 {n} 个缓存项（共 {size}）移到隔离区 {q}。",
                         n=len(plan.actions), size=human_size(total), q=str(folder))
        plan.blocked = self._blocked_by_clients(env)
        return plan

    def backup(self, action: Action, env: FixEnv) -> dict[str, Any]:
        blocked = self._blocked_by_clients(env)
        if blocked is not None:  # started since the preview
            raise FixError(blocked)
        return {"quarantine": action.data["quarantine"], "key": action.data["key"]}

    def execute(self, action: Action, step: Step, env: FixEnv) -> None:
        Quarantine(action.data["quarantine"]).move_in(Path(action.data["source"]),
                                                      action.data["key"])

    def revert(self, action: Action, step: Step, env: FixEnv) -> Text | None:
        blocked = self._blocked_by_clients(env)
        if blocked is not None:
            raise FixError(blocked)
        quarantine = Quarantine(action.data["quarantine"])
        if not quarantine.has(action.data["key"]):
            return t("{path} was never moved.", "{path} 没有被移动过。", path=action.data["source"])
        quarantine.restore(action.data["key"])
        return t("{path} put back.", "{path} 已放回原处。", path=action.data["source"])


def quarantine_kept(quarantine: Quarantine, journal: Journal) -> Text | None:
    """Why `quarantine empty` must keep this folder (None: it may be deleted).

    Only what an applied or undone fix left there may go. An item still being moved,
    or one whose fix was interrupted or failed, may be the only copy of a cache that
    undo has yet to put back."""
    try:
        items = quarantine.manifest()["items"]
    except QuarantineError as exc:
        return t("its manifest cannot be read ({e})", "无法读取其清单（{e}）", e=str(exc))
    states = {str(i.get("key")): i.get("state") for i in items if isinstance(i, dict)}
    if {"moving", "restoring"} & set(states.values()):
        return t("an item was being moved when a fix was interrupted: run “wxdoctor undo” first",
                 "有项目在修复中断时正在移动：请先运行“wxdoctor undo”")
    folder = os.path.normpath(str(quarantine.folder))
    for entry in journal.entries():
        keys = [str(s.action.data.get("key")) for s in entry.steps
                if entry.fix_id == ClearClientCache.id
                and os.path.normpath(str(s.action.data.get("quarantine", ""))) == folder]
        if not keys or entry.state in ("applied", "undone"):
            continue
        if entry.state == "rolled_back" and all(states.get(k, "restored") == "restored"
                                                for k in keys):
            continue  # everything went back; only copies the client made meanwhile remain
        return t("the fix that filled it ({id}) is {state}: run “wxdoctor undo” first",
                 "放入这些内容的修复（{id}）状态为 {state}：请先运行“wxdoctor undo”",
                 id=entry.id, state=entry.state)
    return None
