"""Are the WeChat/WeCom data folders readable, writable and their databases intact?

Read-only by design: no file is ever created inside a client data folder, not
even a temporary one (a crash between create and remove would leave litter in
the user's chat data, and a running client might sync or index it). Instead
access(2) answers "may this user write here", which covers permission bits,
ACLs and read-only mounts on POSIX; on Windows it only sees the read-only
attribute, so a denying ACL there goes unnoticed. Databases are opened
immutable and read-only, so SQLite writes no -wal/-shm/-journal either.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checks import platform
from checks.engine import check_ids, codes, fix_ids
from checks.engine.check import Check, register
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.probes import folder_scan
from checks.report import words as w
from checks.report.evidence_view import (
    H_FOLDER,
    H_KIND,
    H_PRODUCT,
    H_STATE,
    SIZE,
    Item,
    Line,
    records,
    table,
    text_of,
)
from checks.shared.i18n import Text, t
from checks.tencent.data_folders import classify, data_dirs
from checks.tencent.products import display_name

# Time kept back from the run's deadline so the result is in before it.
_MARGIN_S = 0.5


@register
class ClientDataCheck(Check):
    id = check_ids.CLIENT_DATA
    title = t("Client data folders", "客户端数据文件夹")
    group = "client"
    local = True
    order = 20
    evidence_keys = ("folders", codes.DATABASES_NOT_CHECKED, "limits", "os")
    causes = (codes.CACHE_PERMISSION, codes.CACHE_CORRUPT)

    def collect(self, ctx: Context) -> dict[str, Any]:
        limits = ctx.config.client
        stop_at = time.monotonic() + max(0.0, ctx.deadline.remaining() - _MARGIN_S)

        def stop() -> bool:
            return ctx.cancelled.is_set() or time.monotonic() >= stop_at

        folders: list[dict[str, Any]] = []
        candidates: list[tuple[int, str, str]] = []  # (folder index, rel path, class)
        for index, dd in enumerate(data_dirs(ctx.config)):
            info = dd.to_json() | folder_scan.access_of(dd.path, platform.NAME)
            if info.get("is_dir") and info.get("readable"):
                info.update(folder_scan.scan(dd.path, limits.scan_max_files, stop, platform.NAME))
                for rel in info.pop("databases"):
                    candidates.append((index, rel, classify(dd.layout, rel)))
                info["databases"] = []
            folders.append(info)

        # Cache databases first: those are the ones a fix can act on.
        candidates.sort(key=lambda c: (c[2] != "cache", c[0], c[1]))
        max_bytes = int(limits.sqlite_max_mb * 1024 * 1024)
        skipped = 0
        for n, (index, rel, klass) in enumerate(candidates):
            if n >= limits.sqlite_max_files or stop():
                skipped = len(candidates) - n
                break
            state = folder_scan.sqlite_state(Path(folders[index]["path"]) / rel, max_bytes, stop)
            folders[index]["databases"].append({"path": rel, "class": klass, **state})
        return {
            "os": platform.NAME,
            "folders": folders,
            codes.DATABASES_NOT_CHECKED: skipped,
            "limits": {
                "scan_max_files": limits.scan_max_files,
                "sqlite_max_files": limits.sqlite_max_files,
                "sqlite_max_mb": limits.sqlite_max_mb,
            },
        }

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_client_data(evidence)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def _where(folder: dict[str, Any], rel: str | None = None) -> str:
    path = folder["path"]
    return path if not rel or rel == "." else str(Path(path) / rel)


def assess_client_data(evidence: Evidence) -> Verdict:
    folders = evidence["folders"]
    present = [f for f in folders if f.get("exists")]
    if not present:
        return Verdict(
            Status.SKIPPED,
            t(
                "No WeChat/WeCom data folder on this computer: the client is probably not "
                "installed or not used by this account.",
                "这台电脑上没有微信/企业微信的数据文件夹：客户端可能未安装，或当前账户没有使用过。",
            ),
        )

    denied: list[str] = []
    refused: list[tuple[str, str]] = []  # (path, folder_scan.PRIVACY | POLICY)
    problems: list[Problem] = []
    for f in present:
        if f.get("denied_by") in (folder_scan.PRIVACY, folder_scan.POLICY):
            refused.append((f["path"], f["denied_by"]))
            problems.append(Problem(codes.FOLDER_ACCESS_REFUSED))
        elif f.get("error") or not f.get("is_dir", True):
            denied.append(f["path"])
            problems.append(Problem(codes.FOLDER_NOT_A_FOLDER if not f.get("error") else codes.FOLDER_UNREADABLE))
        elif not f.get("readable"):
            denied.append(f["path"])
            problems.append(Problem(codes.FOLDER_UNREADABLE))
        elif not f.get("writable"):
            denied.append(f["path"])
            problems.append(Problem(codes.FOLDER_UNWRITABLE))
        else:
            for rel in f.get("unreadable", []):
                denied.append(_where(f, rel))
                problems.append(Problem(codes.FOLDER_UNREADABLE))
            for rel in f.get("unwritable", []):
                denied.append(_where(f, rel))
                problems.append(Problem(codes.FOLDER_UNWRITABLE))
            for rel in f.get("refused", []):
                refused.append((_where(f, rel), f.get("refused_by") or folder_scan.POLICY))
                problems.append(Problem(codes.FOLDER_ACCESS_REFUSED))

    corrupt = [(f, db) for f in present for db in f.get("databases", []) if db["state"] == "corrupt"]
    corrupt_cache = [_where(f, db["path"]) for f, db in corrupt if db["class"] == "cache"]
    corrupt_data = [_where(f, db["path"]) for f, db in corrupt if db["class"] != "cache"]
    problems += [Problem(codes.DB_CORRUPT) for _ in corrupt]

    if denied:
        return Verdict(
            Status.FAIL,
            t(
                "The client cannot read or write its data here: {paths}",
                "客户端无法读写这些数据位置：{paths}",
                paths=denied[:5],
            ),
            t(
                "Give your user account full access to these folders (right-click > "
                "Properties > Security), or ask IT; then restart the client.",
                "请为当前用户授予这些文件夹的完全控制权限（右键 > 属性 > 安全），或联系 IT 部门；然后重启客户端。",
            ),
            problems=tuple(problems),
            cause=codes.CACHE_PERMISSION,
        )
    if corrupt_cache:
        return Verdict(
            Status.FAIL,
            t(
                "Damaged cache database: {paths}",
                "缓存数据库已损坏：{paths}",
                paths=corrupt_cache[:5],
            ),
            t(
                "Close the client and clear its cache; chat history and received files are kept.",
                "请退出客户端后清理其缓存；聊天记录和收到的文件都会保留。",
            ),
            problems=tuple(problems),
            cause=codes.CACHE_CORRUPT,
            fixes=(fix_ids.CLEAR_CLIENT_CACHE,),
        )
    if corrupt_data:
        return Verdict(
            Status.FAIL,
            t(
                "A client database is damaged: {paths}",
                "客户端数据库已损坏：{paths}",
                paths=corrupt_data[:5],
            ),
            t(
                "Do not delete it: it may hold chat history. Close the client, copy the whole "
                "data folder somewhere safe, then log in again or reinstall; ask IT if "
                "messages are missing.",
                "请不要删除该文件，其中可能有聊天记录。请先退出客户端，把整个数据文件夹复制到安全位置备份，"
                "然后重新登录或重新安装；如有消息丢失请联系 IT 部门。",
            ),
            problems=tuple(problems),
            cause=codes.CACHE_CORRUPT,
        )
    if refused:
        return _refused_verdict(refused, tuple(problems))
    return Verdict(Status.OK, _healthy_summary(present, evidence))


def _refused_verdict(refused: list[tuple[str, str]], problems: tuple[Problem, ...]) -> Verdict:
    """Grey, not red: the folder's own permissions are fine, something above them said no."""
    paths = [path for path, _source in refused][:5]
    if any(source == folder_scan.PRIVACY for _path, source in refused):
        return Verdict(
            Status.ERROR,
            t("macOS did not let wxdoctor read {paths}: its privacy protection asks before one "
              "app reads another app's data, and that was refused or not answered. This does "
              "not affect WeChat/WeCom themselves.",
              "macOS 没有允许 wxdoctor 读取 {paths}：系统的隐私保护会在一个应用读取另一个应用的数据前询问您，"
              "该请求被拒绝或未得到回应。这不影响微信/企业微信本身的使用。", paths=paths),
            t("To include these folders in the check: open System Settings > Privacy & Security "
              "> Files and Folders (or Full Disk Access), allow wxdoctor (or the Terminal you "
              "run it from), then check again; or answer \"Allow\" when macOS asks.",
              "如需检查这些文件夹：打开“系统设置 > 隐私与安全性 > 文件和文件夹”（或“完全磁盘访问权限”），"
              "允许 wxdoctor（或运行它的“终端”），然后重新检测；或在 macOS 询问时点“允许”。"),
            problems=problems,
        )
    return Verdict(
        Status.ERROR,
        t("The system's security protection refused to let wxdoctor read {paths} (not the "
          "folders' own permissions).",
          "系统的安全保护拒绝 wxdoctor 读取 {paths}（不是文件夹本身的权限问题）。", paths=paths),
        t("Security software or an access policy blocks reading these folders: allow wxdoctor "
          "in it, or ask IT; then check again.",
          "安全软件或访问策略阻止了读取这些文件夹：请在其中允许 wxdoctor，或联系 IT 部门；然后重新检测。"),
        problems=problems,
    )


def _healthy_summary(present: list[dict[str, Any]], evidence: Evidence) -> Text:
    dbs = [db for f in present for db in f.get("databases", [])]
    checked = sum(1 for db in dbs if db["state"] == "ok")
    encrypted = sum(1 for db in dbs if db["state"] == "encrypted")
    files = sum(f.get("files", 0) for f in present)
    size_mb = sum(f.get("bytes", 0) for f in present) / (1024 * 1024)
    products = sorted({f["product"] for f in present})
    not_checked = evidence.get(codes.DATABASES_NOT_CHECKED, 0) + sum(
        1 for db in dbs if db["state"] in ("too_large", "in_use", "interrupted", "unreadable")
    )
    partial = not_checked or any(f.get("truncated") for f in present)
    note = (
        t(" Part of the data was not examined (size or time limit).", "部分数据因大小或时间限制未检查。")
        if partial
        else t("", "")
    )
    return t(
        "{products}: {n} data folder(s) readable and writable, {files} files ({mb} MB); "
        "{ok} database(s) intact, {enc} encrypted (normal).{note}",
        "{products}：{n} 个数据文件夹可正常读写，共 {files} 个文件（{mb} MB）；"
        "{ok} 个数据库完好，{enc} 个为加密数据库（正常）。{note}",
        products=[display_name(p) for p in products],
        n=len(present),
        files=files,
        mb=f"{size_mb:.1f}",
        ok=checked,
        enc=encrypted,
        note=note,
    )


# -- what a person reads ---------------------------------------------------------------

DATA_TABLE = t("Data folders", "数据文件夹")
DB_TABLE = t("Databases checked (read-only)", "已检查的数据库（只读）")
H_ACCESS = t("Access", "权限")
H_FILES = t("Files", "文件")
H_DB = t("Database", "数据库")
MISSING = t("does not exist", "不存在")
READ_WRITE = t("read and write", "可读写")
READ_ONLY = t("read only", "只读")
NO_ACCESS = t("no access", "无权限")
DB_STATES = {
    "ok": t("intact", "完好"), "corrupt": t("damaged", "已损坏"), "encrypted": t("encrypted (normal)", "已加密（正常）"),
    "in_use": t("in use", "使用中"), "empty": t("empty", "空"), "too_large": t("too large to check", "过大未检查"),
    "unreadable": t("unreadable", "无法读取"),
}


NOT_CHECKED = t("Databases not checked (limit)", "未检查的数据库（超出上限）")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    folders, databases = [], []
    for f in records(evidence, "folders"):
        if not f.get("exists"):
            access, files = MISSING, w.plain("—")
        else:
            access = READ_WRITE if f.get("writable") else READ_ONLY if f.get("readable") else NO_ACCESS
            files = w.join([text_of(f.get("files")), w.size(f.get("bytes"))]) if "files" in f else w.plain("—")
        folders.append((display_name(str(f.get("product"))), text_of(f.get("path")), access, files))
        for db in f.get("databases") or []:
            if isinstance(db, Mapping):
                state = str(db.get("state") or "")
                databases.append((text_of(db.get("path")), text_of(db.get("class")),
                                  DB_STATES.get(state, w.plain(state or "—")), w.size(db.get("size"))))
    out: list[Item] = [table(DATA_TABLE, (H_PRODUCT, H_FOLDER, H_ACCESS, H_FILES), folders)]
    if databases:
        out.append(table(DB_TABLE, (H_DB, H_KIND, H_STATE, SIZE), databases))
    if evidence.get(codes.DATABASES_NOT_CHECKED):
        out.append(Line(NOT_CHECKED, text_of(evidence[codes.DATABASES_NOT_CHECKED])))
    return out
