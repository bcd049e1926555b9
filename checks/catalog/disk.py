"""Is there room on the disk the WeChat/WeCom data lives on?

A nearly full disk makes the clients fail to save their login state or caches,
which shows up as "cannot connect". Thresholds come from `[disk]` in the config.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psutil

from checks.engine import check_ids, codes
from checks.engine.check import Check, register
from checks.engine.config import DiskConfig
from checks.engine.context import Context
from checks.engine.grading import grade
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.report import words as w
from checks.report.evidence_view import H_FOLDER, Item, list_text, records, table
from checks.shared.i18n import t
from checks.tencent.data_folders import data_dirs

GB = 1024**3


@register
class DiskCheck(Check):
    id = check_ids.DISK
    title = t("Free disk space", "磁盘剩余空间")
    group = "computer"
    local = True
    order = 30
    evidence_keys = ("volumes",)
    causes = (codes.DISK_FULL,)

    def collect(self, ctx: Context) -> dict[str, Any]:
        targets = [str(d.path) for d in data_dirs(ctx.config) if d.path.is_dir()]
        if not targets:
            targets = [str(Path.home())]
        volumes: dict[Any, dict[str, Any]] = {}
        for target in targets:
            key, usage = _usage(target)
            if key in volumes:
                volumes[key]["folders"].append(target)
            else:
                volumes[key] = {"folders": [target], **usage}
        return {"volumes": list(volumes.values())}

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_disk(evidence, ctx.config.disk)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def _usage(path: str) -> tuple[Any, dict[str, Any]]:
    """(a key identifying the volume, its usage); errors are data."""
    try:
        device = os.stat(path).st_dev
        usage = psutil.disk_usage(path)
    except OSError as exc:
        return ("error", path), {"error": f"disk_errno_{exc.errno}"}
    return device, {"total": usage.total, "free": usage.free}


def _gb(n: float) -> str:
    return f"{n / GB:.1f}"


def assess_disk(evidence: Evidence, limits: DiskConfig) -> Verdict:
    volumes = [v for v in evidence["volumes"] if "free" in v]
    if not volumes:
        return Verdict(
            Status.ERROR,
            t("Could not read the free disk space.", "无法读取磁盘剩余空间。"),
            problems=(Problem(codes.DISK_UNREADABLE),),
        )
    low = min(volumes, key=lambda v: v["free"])
    free_gb = low["free"] / GB
    where = low["folders"][0]
    status = grade(free_gb, limits.warn_below_gb, limits.fail_below_gb, higher_is_worse=False)
    if status is Status.FAIL:
        return Verdict(
            Status.FAIL,
            t(
                "Only {free} GB free on the disk holding {where}.",
                "{where} 所在的磁盘只剩 {free} GB 空间。",
                free=_gb(low["free"]), where=where,
            ),
            t(
                "Make at least {min} GB free (empty the recycle bin, remove large downloads or "
                "unused programs), then restart the client.",
                "请清理出至少 {min} GB 可用空间（清空回收站、删除大文件或卸载不用的软件），然后重启客户端。",
                min=f"{limits.warn_below_gb:g}",
            ),
            problems=(Problem(codes.DISK_FULL),),
            cause=codes.DISK_FULL,
        )
    if status is Status.WARN:
        return Verdict(
            Status.WARN,
            t(
                "Disk space is getting low: {free} GB free on the disk holding {where}.",
                "磁盘空间不多了：{where} 所在的磁盘剩余 {free} GB。",
                free=_gb(low["free"]), where=where,
            ),
            t(
                "Free some space soon; below {min} GB the client may fail to save its data.",
                "请尽快清理空间；少于 {min} GB 时客户端可能无法保存数据。",
                min=f"{limits.fail_below_gb:g}",
            ),
            problems=(Problem(codes.DISK_LOW),),
        )
    return Verdict(
        Status.OK,
        t("{free} GB free on the disk holding {where}.", "{where} 所在的磁盘剩余 {free} GB。",
          free=_gb(low["free"]), where=where),
    )


# -- what a person reads ---------------------------------------------------------------

DISK_TABLE = t("Disks of the client data folders", "客户端数据所在磁盘")
H_FREE = t("Free", "可用")
H_TOTAL = t("Total", "总容量")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    rows = [(list_text(v.get("folders")), w.failure(v["error"]) if v.get("error") else w.size(v.get("free")),
             w.size(v.get("total")) if not v.get("error") else w.plain("—"))
            for v in records(evidence, "volumes")]
    return [table(DISK_TABLE, (H_FOLDER, H_FREE, H_TOTAL), rows)]
