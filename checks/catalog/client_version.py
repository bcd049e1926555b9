"""Which WeChat/WeCom clients are installed, which version, and are they running?

Versions older than `[client.min_versions]` cannot log in any more (WeCom for
Windows before 3.1.12 fails the servers' certificate-chain checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks import platform
from checks.engine import check_ids, codes
from checks.engine.check import Check, register
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.probes import processes
from checks.report import words as w
from checks.report.evidence_view import (
    H_PRODUCT,
    H_VERSION,
    L_FAILURE,
    Item,
    Line,
    records,
    table,
    text_of,
)
from checks.shared.i18n import Text, t
from checks.tencent.data_folders import data_dirs
from checks.tencent.products import PRODUCTS, display_name, running_clients
from checks.tencent.versions import compare


@register
class ClientVersionCheck(Check):
    id = check_ids.CLIENT_VERSION
    title = t("WeChat/WeCom client", "微信/企业微信客户端")
    group = "client"
    local = True
    order = 10
    evidence_keys = ("os", "installed", "running", "min_versions", codes.INSTALLED_ERROR, codes.RUNNING_ERROR, "data_folders")
    causes = (codes.CLIENT_OUTDATED,)

    def collect(self, ctx: Context) -> dict[str, Any]:
        evidence: dict[str, Any] = {"os": platform.NAME}
        try:
            evidence["installed"] = platform.installed_clients()
        except Exception as exc:  # an odd registry/plist must not hide the process list
            evidence["installed"] = []
            evidence[codes.INSTALLED_ERROR] = f"installed_{type(exc).__name__}"
        try:
            evidence["running"] = running_clients(processes.processes(ctx))
        except Exception as exc:
            evidence["running"] = {"wecom": [], "wechat": []}
            evidence[codes.RUNNING_ERROR] = f"processes_{type(exc).__name__}"
        try:  # data on another drive shows a client is used even without a programs entry
            folders = [d for d in data_dirs(ctx.config) if d.path.is_dir()]
        except OSError:
            folders = []
        evidence["data_folders"] = {p: [str(d.path) for d in folders if d.product == p]
                                    for p in PRODUCTS}
        mins = ctx.config.client.min_versions
        evidence["min_versions"] = {
            p: getattr(mins, f"{p}_{platform.NAME}", "") for p in ("wecom", "wechat")
        }
        return evidence

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_client_version(evidence)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def assess_client_version(evidence: Evidence) -> Verdict:
    installed = evidence.get("installed", [])
    running = evidence.get("running", {})
    minimum = evidence.get("min_versions", {})
    data = {p: paths for p, paths in evidence.get("data_folders", {}).items() if paths}
    products = sorted({c["product"] for c in installed} | {p for p, procs in running.items() if procs}
                      | set(data))
    if not products:
        if evidence.get("os") == "linux":
            return Verdict(
                Status.SKIPPED,
                t("No WeChat/WeCom client for Linux was found.", "未找到 Linux 版微信/企业微信客户端。"),
            )
        return Verdict(
            Status.INFO,
            t(
                "No installed WeChat/WeCom client was found on this computer.",
                "在这台电脑上没有找到已安装的微信/企业微信客户端。",
            ),
            t(
                "Install the client from the official site (weixin.qq.com or work.weixin.qq.com).",
                "请从官方网站（weixin.qq.com 或 work.weixin.qq.com）下载安装客户端。",
            ),
        )

    outdated: list[Text] = []
    parts: list[Text] = []
    for product in products:
        versions = sorted({c["version"] for c in installed if c["product"] == product and c.get("version")})
        is_running = bool(running.get(product))
        floor = minimum.get(product) or ""
        for version in versions:
            if floor and (compare(version, floor) or 0) < 0:
                outdated.append(
                    t("{name} {version} (needs {floor} or newer)", "{name} {version}（需要 {floor} 或更高版本）",
                      name=display_name(product), version=version, floor=floor)
                )
        parts.append(_describe(product, versions, is_running, installed_known=any(
            c["product"] == product for c in installed), data_folder=(data.get(product) or [""])[0]))

    if outdated:
        return Verdict(
            Status.FAIL,
            t("Client too old: {list}.", "客户端版本过旧：{list}。", list=outdated),
            t(
                "Download and install the latest version from the official site "
                "(weixin.qq.com / work.weixin.qq.com); chat history is kept.",
                "请从官方网站（weixin.qq.com / work.weixin.qq.com）下载安装最新版本；聊天记录会保留。",
            ),
            problems=(Problem(codes.CLIENT_OUTDATED),),
            cause=codes.CLIENT_OUTDATED,
        )
    return Verdict(Status.OK, t("{list}.", "{list}。", list=parts))


def _describe(product: str, versions: list[str], is_running: bool, installed_known: bool,
              data_folder: str = "") -> Text:
    name = display_name(product)
    state = t("running", "正在运行") if is_running else t("not running", "未运行")
    if versions:
        return t("{name} {version} ({state})", "{name} {version}（{state}）",
                 name=name, version="/".join(versions), state=state)
    if installed_known:
        return t("{name}, version unknown ({state})", "{name}，版本未知（{state}）", name=name, state=state)
    if data_folder and not is_running:
        return t("{name}: data folder {path} (not running; no installation record)",
                 "{name}：数据文件夹 {path}（未运行；未找到安装记录）", name=name, path=data_folder)
    return t("{name} ({state}; no installation record)", "{name}（{state}；未找到安装记录）",
             name=name, state=state)


# -- what a person reads ---------------------------------------------------------------

INSTALLED = t("Installed clients", "已安装的客户端")
RUNNING = t("Running now", "正在运行")
MINIMUM = t("Oldest version that can log in", "可登录的最低版本")
H_NAME_APP = t("Name", "名称")
H_FOUND_IN = t("Found in", "发现位置")
NO_MINIMUM = t("no minimum known", "无已知最低版本")
DATA_FOUND = t("Data folders found", "找到的数据文件夹")


def _named_lists(by_product: Mapping[str, Any]) -> list[Text]:
    """`WeCom: WXWork.exe` / `企业微信：WXWork.exe`, for each product with something listed."""
    return [t("{name}: {items}", "{name}：{items}", name=display_name(str(k)),
              items=w.plain(", ".join(map(str, v)))) for k, v in by_product.items() if v]


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    out: list[Item] = [Line(L_FAILURE, w.failure(key))
                       for key in (codes.INSTALLED_ERROR, codes.RUNNING_ERROR) if key in evidence]
    running = w.sub(evidence, "running")
    names = _named_lists(running)
    out.append(Line(RUNNING, w.join(names, ", ") if names else w.NONE))
    minimum = w.sub(evidence, "min_versions")
    if minimum:
        parts = [w.join([display_name(str(k)), w.plain(str(v)) if v else NO_MINIMUM], " ")
                 for k, v in minimum.items()]
        out.append(Line(MINIMUM, w.join(parts, "; ")))
    folders = w.sub(evidence, "data_folders")
    found = _named_lists(folders)
    if found:
        out.append(Line(DATA_FOUND, w.join(found, ", ")))
    rows = [(display_name(str(i.get("product"))), text_of(i.get("name")), text_of(i.get("version")),
             text_of(i.get("location") or i.get("source"))) for i in records(evidence, "installed")]
    if rows:
        out.append(table(INSTALLED, (H_PRODUCT, H_NAME_APP, H_VERSION, H_FOUND_IN), rows))
    else:
        out.append(Line(INSTALLED, w.NONE))
    return out
