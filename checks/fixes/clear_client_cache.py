"""Move WeCom/WeChat cache folders to quarantine (never chat history or files).

Only what `checks.clientdata.cache_targets` returns is moved: the top-most
cache paths holding nothing protected; symlinks are never followed. Refused while the client
runs, because it holds these files open and would rewrite them.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from checks.clientdata import DataDir, cache_targets, data_dirs
from checks.fixes.base import Fix
from checks.fixes.env import FixEnv
from checks.fixes.model import Action, FixError, Plan, Step
from checks.fixes.quarantine import Quarantine, inventory
from checks.i18n import Text, t
from checks.probes.processes import snapshot
from checks.products import display_name, running_clients
from checks.userdata import quarantine_root


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


class ClearClientCache(Fix):
    id = "clear_client_cache"
    title = t("Clear the WeChat/WeCom cache", "清理微信/企业微信缓存")
    order = 60
    needs_admin = False
    affects = ("client_data",)

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
        for dd in dirs:
            for path in cache_targets(dd if isinstance(dd, DataDir) else DataDir(
                    dd.product, Path(dd.path), dd.kind, getattr(dd, "layout", ""))):
                info = inventory(path)
                total += info["bytes"]
                key = f"{len(plan.actions):03d}"
                plan.actions.append(Action(
                    kind="move",
                    description=t("Move {path} ({size}, {n} files) to quarantine",
                                  "将 {path}（{size}，{n} 个文件）移到隔离区",
                                  path=str(path), size=human_size(info["bytes"]), n=info["count"]),
                    paths=[str(path), str(folder / "items" / key)],
                    data={"source": str(path), "quarantine": str(folder), "key": key,
                          "product": dd.product},
                ))
        if not plan.actions:
            plan.blocked = t("No cache folders found: nothing to clear.",
                             "没有找到缓存文件夹，无需清理。")
            return plan
        plan.summary = t("Move {n} cache folder(s), {size} in all, to quarantine at {q}.",
                         "把 {n} 个缓存文件夹（共 {size}）移到隔离区 {q}。",
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


FIX = ClearClientCache
