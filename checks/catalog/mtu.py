"""Path MTU: the largest packet that reaches the servers without being fragmented,
measured by checks/probes/path_mtu.py (sizes echoed with "don't fragment", in rounds).

A path smaller than the adapter's MTU is normal on PPPoE/VPN links as long as routers
say "fragmentation needed"; when big packets vanish silently instead, TCP connects but
TLS handshakes stall (a PMTU black hole).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks import platform
from checks.engine import check_ids, codes, fix_ids
from checks.engine.check import Check, register
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.platform.parsers.numbers import ascii_int
from checks.probes.path_mtu import TRIES_FOR_SILENCE, probe_target
from checks.report import words as w
from checks.report.evidence_view import (
    H_ADAPTER,
    H_ADDRESS,
    H_RESULT,
    H_SERVER,
    MTU,
    OK,
    Item,
    Line,
    records,
    table,
    text_of,
)
from checks.shared.concurrency import parallel_map
from checks.shared.i18n import Text, t


@register
class MtuCheck(Check):
    id = check_ids.MTU
    title = t("Packet size on the path (MTU)", "大数据包能否通过")
    group = "network"
    order = 40
    evidence_keys = ("method", "target", "address", "path_mtu", "interface", "interface_mtu", "sizes", "targets")
    causes = (codes.PMTU_BLACKHOLE,)

    def not_applicable(self, ctx: Context) -> Text | None:
        if not ctx.config.mtu.targets:
            return t("No MTU test targets are configured.", "未配置 MTU 检测目标。")
        return None

    def collect(self, ctx: Context) -> dict[str, Any]:
        try:
            method = platform.icmp_method()
        except Exception:
            method = "ping_command"
        targets = list(ctx.config.mtu.targets)
        outcomes = parallel_map(lambda tg: probe_target(ctx, tg, method), targets,
                                ctx.deadline.remaining())
        results = []
        for target, outcome in zip(targets, outcomes, strict=True):
            if outcome.done and outcome.value is not None:
                results.append(outcome.value)
            else:
                results.append({"target": target, "address": None, "failure": codes.MTU_PROBE_ERROR,
                                "sizes": {}, "path_mtu": None})
        return summarize(results, method)

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_mtu(evidence)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def summarize(results: list[dict[str, Any]], method: str) -> dict[str, Any]:
    """The binding target (smallest path MTU) up front, every target in `targets`."""
    measured = [r for r in results if r.get("path_mtu")]
    main = min(measured, key=lambda r: r["path_mtu"]) if measured else results[0]
    for r in results:
        r[codes.MTU_BLACK_HOLE] = is_black_hole(r, method)
    return {
        "method": method,
        "target": main["target"],
        "address": main.get("address"),
        "path_mtu": main.get("path_mtu"),
        "interface": main.get("interface"),
        "interface_mtu": main.get("interface_mtu"),
        "sizes": main.get("sizes", {}),
        "targets": results,
    }


def is_black_hole(result: dict[str, Any], method: str) -> bool | None:
    """Big packets vanished silently while no router said "fragmentation needed", each
    after at least TRIES_FOR_SILENCE echoes (evidence without "tries" is taken as is).

    None when the probe method cannot tell "too big" from "no reply" (the ping command).
    """
    mtu = result.get("path_mtu")
    if mtu is None or method == "ping_command":
        return None
    bigger = {int(s): r for s, r in result.get("sizes", {}).items() if int(s) > mtu}
    if not bigger or any(r != "no_reply" for r in bigger.values()):
        return False
    tries = result.get("tries") or {}
    return all(int(tries.get(str(s), TRIES_FOR_SILENCE)) >= TRIES_FOR_SILENCE for s in bigger)


def assess_mtu(evidence: Evidence) -> Verdict:
    targets = evidence.get("targets", [])
    measured = [r for r in targets if r.get("path_mtu")]
    if not measured:
        found = sorted({r.get("failure") or codes.MTU_PROBE_ERROR for r in targets})
        if codes.ICMP_BLOCKED in found:
            return Verdict(
                Status.ERROR,
                t("Could not measure: ICMP (ping) is blocked on this network, so no test packet "
                  "of any size got a reply.",
                  "无法检测：此网络拦截了 ICMP（ping），任何大小的测试包都没有回应。"),
                problems=(Problem(codes.ICMP_BLOCKED),),
            )
        reasons = [codes.meaning(c) for c in found]
        return Verdict(
            Status.ERROR,
            t("Could not measure the path MTU: {reasons}.", "无法检测路径 MTU：{reasons}。",
              reasons=reasons),
            problems=tuple(Problem(c) for c in found),
        )
    main = min(measured, key=lambda r: r["path_mtu"])
    mtu = int(main["path_mtu"])
    iface_mtu = main.get("interface_mtu") or 1500
    iface = main.get("interface") or "?"
    if mtu >= iface_mtu or mtu >= 1500:
        return Verdict(
            Status.OK,
            t("Full-size packets ({mtu} bytes) reach the servers unfragmented.",
              "完整大小的数据包（{mtu} 字节）可以不分片到达服务器。", mtu=mtu),
        )
    host = main["target"]
    problem = Problem(codes.PMTU_BLACKHOLE if main.get(codes.MTU_BLACK_HOLE) else codes.PATH_MTU_LOW,
                      host=host, address=main.get("address"))
    advice = t(
        "Set the MTU of adapter {iface} to {mtu} (it is {iface_mtu} now), or ask the network "
        "administrator to let ICMP \"fragmentation needed\" through.",
        "请把网卡 {iface} 的 MTU 设为 {mtu}（当前为 {iface_mtu}），或请网络管理员放行 ICMP "
        "“需要分片”消息。",
        iface=iface, mtu=mtu, iface_mtu=iface_mtu)
    if main.get(codes.MTU_BLACK_HOLE):
        return Verdict(
            Status.WARN,
            t("Packets larger than {mtu} bytes to {host} vanish without any error message "
              "(MTU black hole): connections may open but then hang.",
              "发往 {host} 的大于 {mtu} 字节的数据包被悄悄丢弃（MTU 黑洞）：连接可以建立，但随后会卡住。",
              mtu=mtu, host=host),
            advice,
            problems=(problem,),
            cause=codes.PMTU_BLACKHOLE,
            fixes=(fix_ids.SET_MTU,),
        )
    return Verdict(
        Status.INFO,
        t("The path to {host} carries at most {mtu}-byte packets (adapter {iface}: {iface_mtu}); "
          "routers report it correctly, so this is usually harmless.",
          "到 {host} 的路径最多承载 {mtu} 字节的数据包（网卡 {iface}：{iface_mtu}）；"
          "路由器能正确报告，通常不影响使用。",
          host=host, mtu=mtu, iface=iface, iface_mtu=iface_mtu),
        advice,
        problems=(problem,),
        fixes=(fix_ids.SET_MTU,),
    )



# -- what a person reads ---------------------------------------------------------------

BYTES = t("{n} bytes", "{n} 字节")
MTU_TARGET = t("Measured towards", "测量目标")
PATH_MTU = t("Largest packet that passes", "能通过的最大数据包")
METHOD = t("Method", "方法")
MTU_SIZES = t("Packet sizes tried (with “don't fragment”)", "尝试的数据包大小（禁止分片）")
MTU_TARGETS = t("Targets", "测量目标")
H_SIZES = t("Sizes", "大小")
SIZE_RESULTS = {
    "passed": t("passed", "通过"),
    "too_big": t("too big (a router said so)", "过大（路由器已告知）"),
    "no_reply": t("no reply", "无应答"),
    "failed": t("could not be sent", "无法发送"),
}


SIZE_RANGE = t("{low}–{high} bytes", "{low}–{high} 字节")
BLACK_HOLE = t("large packets vanish (black hole)", "大数据包消失（黑洞）")
METHODS = {"icmp_raw": t("ICMP echo (socket)", "ICMP 回显（套接字）"),
           "ping": t("ICMP echo (ping command)", "ICMP 回显（ping 命令）")}


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    out: list[Item] = []
    if evidence.get("target"):
        where = str(evidence["target"]) + (f" ({evidence['address']})" if evidence.get("address") else "")
        out.append(Line(MTU_TARGET, w.plain(where)))
    if evidence.get("path_mtu"):
        out.append(Line(PATH_MTU, BYTES.with_params(n=evidence["path_mtu"])))
    if evidence.get("interface"):
        adapter = f"{evidence['interface']}"
        shown = w.join([w.plain(adapter), MTU.with_params(n=evidence["interface_mtu"])]) \
            if evidence.get("interface_mtu") else w.plain(adapter)
        out.append(Line(H_ADAPTER, shown))
    if evidence.get("method"):
        out.append(Line(METHOD, METHODS.get(str(evidence["method"]), w.plain(str(evidence["method"])))))
    sizes = w.sub(evidence, "sizes")
    if sizes:
        out.append(table(MTU_SIZES, (H_SIZES, H_RESULT), _size_ranges(sizes)))
    targets = records(evidence, "targets")
    if len(targets) > 1 or any(t_.get("failure") for t_ in targets):
        rows = [(text_of(x.get("target")), text_of(x.get("address")),
                 BYTES.with_params(n=x["path_mtu"]) if x.get("path_mtu") else w.plain("—"),
                 w.failure(x["failure"]) if x.get("failure") else BLACK_HOLE if x.get(codes.MTU_BLACK_HOLE)
                 else OK) for x in targets]
        out.append(table(MTU_TARGETS, (H_SERVER, H_ADDRESS, PATH_MTU, H_RESULT), rows))
    return out


def _size_ranges(sizes: Mapping[str, Any]) -> list[tuple[Text, Text]]:
    """Consecutive sizes with the same result as one row: `1281–1500 bytes: no reply`."""
    ordered = sorted((n, str(v)) for k, v in sizes.items()
                     if (n := ascii_int(str(k))) is not None)
    rows: list[tuple[Text, Text]] = []
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1][1] == ordered[start][1]:
            end += 1
        low, high = ordered[start][0], ordered[end][0]
        label = BYTES.with_params(n=low) if low == high else SIZE_RANGE.with_params(low=low, high=high)
        rows.append((label, SIZE_RESULTS.get(ordered[start][1], w.plain(ordered[start][1]))))
        start = end + 1
    return rows
