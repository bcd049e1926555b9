"""Is security software running that is known to block or slow WeChat/WeCom?

Never a failure on its own: the software is usually wanted; the advice is to
add WeChat/WeCom to its trusted list if the other checks point at blocking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from checks.engine import check_ids
from checks.engine.check import Check, register
from checks.engine.context import Context
from checks.engine.results import Evidence, Status, Verdict
from checks.probes import processes
from checks.report.evidence_view import H_PRODUCT, Item, Line, list_text, records, table
from checks.shared.i18n import Text, t

# Product (English, Chinese) -> process names (compared case-insensitively).
SECURITY_PRODUCTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("360 Total Security", "360安全卫士", ("360Tray.exe", "360sd.exe", "ZhuDongFangYu.exe", "360rps.exe", "360safe.exe")),
    ("Tencent PC Manager", "腾讯电脑管家", ("QQPCTray.exe", "QQPCRTP.exe", "QQPCMgr.exe")),
    ("Huorong Security", "火绒安全", ("HipsTray.exe", "HipsDaemon.exe", "wsctrl.exe", "usysdiag.exe")),
    ("Kingsoft Antivirus", "金山毒霸", ("kxetray.exe", "kxescore.exe", "kxemain.exe")),
    ("Rising Antivirus", "瑞星杀毒", ("rstray.exe", "ravmond.exe")),
    ("Kaspersky", "卡巴斯基", ("avp.exe", "avpui.exe")),
    ("Norton", "诺顿", ("Norton.exe", "NortonSecurity.exe", "nsWscSvc.exe")),
    ("McAfee", "迈克菲", ("mcshield.exe", "mfemms.exe", "McUICnt.exe", "mfevtps.exe")),
    ("ESET", "ESET", ("ekrn.exe", "egui.exe")),
    ("Avast", "Avast", ("AvastSvc.exe", "AvastUI.exe")),
    ("AVG", "AVG", ("AVGSvc.exe", "AVGUI.exe")),
    ("Bitdefender", "Bitdefender", ("bdagent.exe", "vsserv.exe", "bdservicehost.exe")),
    ("Trend Micro", "趋势科技", ("PccNTMon.exe", "TmListen.exe", "coreServiceShell.exe")),
    ("Sophos", "Sophos", ("SophosUI.exe", "SavService.exe", "SophosHealth.exe")),
    ("Symantec Endpoint Protection", "赛门铁克", ("ccSvcHst.exe", "Smc.exe")),
    ("Sangfor endpoint (EDR)", "深信服终端安全", ("edr_agent.exe", "sangforsp.exe")),
    ("Qi An Xin Tianqing", "奇安信天擎", ("TQClient.exe", "TQTray.exe")),
    ("Little Snitch", "Little Snitch", ("Little Snitch Agent", "Little Snitch Network Monitor")),
    ("LuLu firewall", "LuLu 防火墙", ("LuLu",)),
)


def detect(procs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """[{"product", "product_zh", "processes": [names]}] for the products found running."""
    names = {str(p.get("name") or "").lower() for p in procs}
    found = []
    for en, zh, process_names in SECURITY_PRODUCTS:
        hits = sorted(n for n in process_names if n.lower() in names)
        if hits:
            found.append({"product": en, "product_zh": zh, "processes": hits})
    return found


@register
class SecuritySoftwareCheck(Check):
    id = check_ids.SECURITY_SOFTWARE
    title = t("Security software", "安全软件")
    group = "computer"
    local = True
    order = 40
    evidence_keys = ("found",)
    causes = ()  # information only: it never proposes a cause

    def collect(self, ctx: Context) -> dict[str, Any]:
        return {"found": detect(processes.processes(ctx))}

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_security_software(evidence)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def assess_security_software(evidence: Evidence) -> Verdict:
    found = evidence["found"]
    if not found:
        return Verdict(
            Status.OK,
            t("No known security software is running.", "未发现正在运行的常见安全软件。"),
        )
    return Verdict(
        Status.INFO,
        t(
            "Security software is running: {names_en}.",
            "正在运行的安全软件：{names_zh}。",
            names_en=[f["product"] for f in found],
            names_zh=[f["product_zh"] for f in found],
        ),
        t(
            "If WeChat/WeCom cannot connect, add it (Weixin.exe for WeChat 4, WeChat.exe for "
            "older versions, WXWork.exe for WeCom) to the trusted "
            "list or firewall exceptions of this software, or pause it briefly to test.",
            "如果微信/企业微信无法连接，请在这些软件中把微信（4.0 及以后为 Weixin.exe，之前为 WeChat.exe）"
            "或企业微信（WXWork.exe）加入信任列表"
            "或防火墙白名单，也可以暂时退出安全软件试一下。",
        ),
    )


# -- what a person reads ---------------------------------------------------------------

SECURITY_TABLE = t("Security software running", "正在运行的安全软件")
H_PROCESSES = t("Programs", "进程")
NONE_FOUND = t("none of the known suites", "未发现已知的安全软件")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    found = records(evidence, "found")
    if not found:
        return [Line(SECURITY_TABLE, NONE_FOUND)]
    rows = [(Text(str(f.get("product")), str(f.get("product_zh") or f.get("product"))),
             list_text(f.get("processes"))) for f in found]
    return [table(SECURITY_TABLE, (H_PRODUCT, H_PROCESSES), rows)]
