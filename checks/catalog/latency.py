"""How quick and steady are connections to the servers (TCP connect time, loss)?

`[latency] count` plain TCP connects per endpoint, all at once, while the run's
`tcp` probe connects (a server that did not answer `tcp` is left to it and its
samples are dropped, so nobody waits for it twice). A lost SYN costs the kernel's retransmission (a second
or more), so a sample is lost when it timed out or took that much longer than the
quickest one; the `tcp` probes that needed a second attempt count as lost samples
too. Slow or lossy but working is a warning: the clients log in, just slowly or
unreliably; heavy loss also explains timeouts elsewhere (see the diagnosis).
"""

from __future__ import annotations

import queue
import statistics
import threading
from collections.abc import Mapping
from typing import Any

from checks.engine import check_ids, codes
from checks.engine.check import Check, register
from checks.engine.config import LatencyConfig
from checks.engine.context import Context
from checks.engine.grading import grade
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.probes import connections, system_dns, tcp
from checks.report import words as w
from checks.report.evidence_view import (
    H_PORT,
    H_SERVER,
    OF,
    Item,
    Line,
    records,
    seconds_line,
    table,
    text_of,
)
from checks.report.matrix_cells import (
    NOT_RESOLVED,
    Column,
    Unmeasured,
    cell,
    evidence_of,
    finding_state,
    found_for,
    problem_hosts,
)
from checks.report.wait_words import waits_line
from checks.shared.concurrency import gather
from checks.shared.i18n import Text, t

MARGIN_S = 0.5  # start samples only if they can time out before the run's deadline
RETRANSMIT_MS = 700.0  # this much slower than the quickest connect: a SYN was resent
LOST_AFTER_S = RETRANSMIT_MS / 1000  # so a sample is not waited for longer than that
RESENT_AFTER_MS = 100.0  # answered this long after the first question: a later one's answer


def target_port(ports: tuple[int, ...]) -> int:
    return 443 if 443 in ports else ports[0]


# -- the endpoint matrix -----------------------------------------------------------------

LATENCY = t("Latency / loss", "延迟 / 丢包")


LOSS = t("{pct:.0f}% loss", "丢包 {pct:.0f}%")


NEVER_CONNECTED = t("No connection succeeded (see the TCP columns).", "没有一次连接成功（见 TCP 列）。")


def _latency(host: str, endpoint: Mapping[str, Any], checks: dict[Any, Any],
             port: int | None = None) -> dict[str, Any]:
    series = found_for(evidence_of(checks, check_ids.LATENCY), "series", host, checks, "latency")[0]
    summary = w.sub(series, "summary")
    median, loss = summary.get("median_ms"), summary.get("loss_pct")
    values = {"port": series.get("port"), "median_ms": median, "loss_pct": loss,
              "jitter_ms": summary.get("jitter_ms")}
    if series.get("failure") == codes.NOT_RESOLVED:
        raise Unmeasured(NOT_RESOLVED, **values)
    if median is None:  # never connected: the TCP column says why
        raise Unmeasured(NEVER_CONNECTED if summary.get("sent") else
                         w.failure(series.get("failure") or codes.SLOW_NOT_MEASURED), **values)
    text = w.join([w.ms(median), LOSS.with_params(pct=float(loss or 0.0))])
    if host.lower() in problem_hosts(checks, check_ids.LATENCY):
        return cell(finding_state(checks, check_ids.LATENCY), text, **values)
    return cell("ok", text, **values)


COLUMN = Column("latency", LATENCY, 60, _latency)


@register
class LatencyCheck(Check):
    id = check_ids.LATENCY
    title = t("Connection speed and stability", "连接速度与稳定性")
    group = "network"
    order = 25
    evidence_keys = ("series", "count", "timeout_s", "warn_ms", "loss_warn_pct", "loss", "connects", "dns_questions")
    matrix_columns = (COLUMN,)
    causes = (codes.SLOW_NETWORK,)
    stands_in_for = codes.OFFLINE

    def not_applicable(self, ctx: Context) -> Text | None:
        if not ctx.config.endpoints:
            return t("No endpoints are configured.", "未配置任何服务器地址。")
        return None

    def collect(self, ctx: Context) -> dict[str, Any]:
        targets = list(dict.fromkeys((e.host, target_port(e.ports)) for e in ctx.config.endpoints))
        cfg = ctx.config.latency
        budget = ctx.timeout(ctx.config.dns.timeout_s + ctx.config.tcp.timeout_s
                             + cfg.timeout_s + 1.0)
        series = gather(lambda hp: _series(ctx, *hp), targets, budget,
                        lambda hp: {"host": hp[0], "port": hp[1], "address": None, "samples": [],
                                    "failure": "not_measured"})
        for item in series:
            item["summary"] = summarize(item["samples"])
        evidence = {"series": series, "connects": _tcp_connects(ctx),
                    "dns_questions": _dns_questions(ctx), "count": cfg.count,
                    "timeout_s": cfg.timeout_s}
        evidence["loss"] = run_loss(evidence, [item["summary"] for item in series])
        return evidence

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_latency(evidence, ctx.config.latency)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def _series(ctx: Context, host: str, port: int) -> dict[str, Any]:
    addrs = system_dns.addresses(system_dns.resolve(ctx, host))
    if not addrs:
        return {"host": host, "port": port, "address": None, "samples": [],
                "failure": codes.NOT_RESOLVED}
    cfg = ctx.config.latency
    # Samples cut short by the deadline would look like loss: skip them instead.
    if ctx.cancelled.is_set() or ctx.deadline.remaining() < cfg.timeout_s + MARGIN_S:
        return {"host": host, "port": port, "address": addrs[0], "samples": [],
                "failure": "not_measured"}
    # The samples run while `tcp` connects (no waiting twice); a server that did not
    # answer `tcp` is left to it and its samples are dropped.
    sampled: queue.Queue[list[dict[str, Any]]] = queue.Queue()
    # The samples' wait is scaled to the measured path (engine.path_wait), [latency]
    # timeout_s at most: a sample that gets no answer in it counts as lost. On a lossy
    # path it stays short: an answer to the kernel's second resend counts as lost too.
    wait = ctx.wait("sample", cfg.timeout_s)
    threading.Thread(target=lambda: sampled.put(
        tcp.connect_many(addrs[0], port, cfg.count, wait, LOST_AFTER_S)), daemon=True).start()
    reached = connections.reach(ctx, host, port)
    if not reached["ok"]:
        return {"host": host, "port": port, "address": addrs[0], "samples": [],
                "failure": reached["failure"]}
    address = reached["address"]
    if address != addrs[0]:
        # The first address is dead and another one answered (the tcp check reports
        # that): sample the one the clients end up with. It answers, so this is quick.
        wait = ctx.wait("sample", cfg.timeout_s)
        samples = tcp.connect_many(address, port, cfg.count, wait, LOST_AFTER_S)
    else:
        try:
            samples = sampled.get(timeout=cfg.timeout_s + MARGIN_S)
        except queue.Empty:
            samples = []
    item = {"host": host, "port": port, "address": address, "samples": samples,
            "failure": None if samples else "not_measured"}
    answered = [float(x["ms"]) for x in samples if x.get("failure") is None and x.get("ms")]
    ctx.path.record("connect", address, min(answered, default=None), port)
    if any(x.get("late") for x in samples):
        # Given up RETRANSMIT_MS after the quickest answer: lost either way.
        item["lost_after_ms"] = round(min(answered) + RETRANSMIT_MS)
    elif any(x.get("failure") == codes.TCP_TIMEOUT for x in samples):
        item["waited"] = wait.said()  # how long a lost sample was waited for, and why
    return item


def _tcp_connects(ctx: Context) -> list[dict[str, Any]]:
    """The run's `tcp` connects that finished: how many attempts each one needed."""
    found = []
    for endpoint in ctx.config.endpoints:
        answer = system_dns.peek(ctx, endpoint.host)
        addrs = system_dns.addresses(answer) if answer else []
        for port in endpoint.ports if addrs else ():
            result = connections.peek(ctx, addrs[0], port)
            if result is not None:
                found.append({"host": endpoint.host, "port": port, "ok": result["ok"],
                              "attempts": result.get("attempts", 1)})
    return found


def _dns_questions(ctx: Context) -> list[dict[str, Any]]:
    """The run's direct DNS questions about the endpoints that got an answer: whether
    it was the answer to a repeated question (the first one, or its answer, was lost).
    A slow server answers the first question late: that is not counted as loss."""
    found = []
    for host in dict.fromkeys(e.host for e in ctx.config.endpoints):
        answer = system_dns.peek(ctx, host) or {}
        for rtype in ("A", "AAAA"):
            asked = (answer.get("direct") or {}).get(rtype)
            if not asked or asked.get("rtt_ms") is None or asked.get("ms") is None:
                continue
            resent = float(asked["ms"]) - float(asked["rtt_ms"]) > RESENT_AFTER_MS
            found.append({"host": host, "type": rtype, "repeated": resent})
    return found


def _lost(sample: Evidence, fastest: float | None) -> bool:
    if sample.get("failure") == codes.TCP_TIMEOUT:
        return True
    ms = sample.get("ms")
    return (sample.get("failure") is None and ms is not None and fastest is not None
            and float(ms) >= fastest + RETRANSMIT_MS)


def summarize(samples: list[Evidence]) -> dict[str, Any]:
    """Median and jitter of the successful connects, and the share that lost a packet
    (timed out, or needed a retransmission: `RETRANSMIT_MS` over the quickest one)."""
    ok = [float(s["ms"]) for s in samples if s.get("failure") is None and s.get("ms") is not None]
    fastest = min(ok) if ok else None
    lost = sum(1 for s in samples if _lost(s, fastest))
    timeouts = sum(1 for s in samples if s.get("failure") == codes.TCP_TIMEOUT)
    errors = sum(1 for s in samples if s.get("failure") not in (None, codes.TCP_TIMEOUT))
    jitter = (
        statistics.fmean(abs(b - a) for a, b in zip(ok, ok[1:], strict=False))
        if len(ok) > 1 else 0.0
    )
    return {
        "sent": len(samples),
        "ok": len(ok),
        "lost": lost,
        "timeouts": timeouts,
        "errors": errors,  # refused/unreachable: a blocking problem, judged by the tcp check
        "median_ms": round(statistics.median(ok), 1) if ok else None,
        "jitter_ms": round(jitter, 1),
        "loss_pct": round(100.0 * lost / len(samples), 1) if samples else None,
    }


def run_loss(evidence: Evidence, summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """Loss over the whole measurement: lost samples (`summaries`: summarize() of each
    series), `tcp` connects that needed a second attempt and DNS questions answered
    only when repeated, out of all of them that got through in the end."""
    sent = lost = 0
    for summary in summaries:
        if summary["ok"]:
            sent += summary["sent"]
            lost += summary["lost"]
    ok_connects = [c for c in evidence.get("connects", []) if c.get("ok")]
    retried = sum(1 for c in ok_connects if (c.get("attempts") or 1) > 1)
    questions = list(evidence.get("dns_questions") or [])
    repeated = sum(1 for q in questions if q.get("repeated"))
    sent += len(ok_connects) + len(questions)
    lost += retried + repeated
    return {"sent": sent, "lost": lost, "retried_connects": retried,
            "repeated_dns_questions": repeated,
            "pct": round(100.0 * lost / sent, 1) if sent else 0.0}


ADVICE_SLOW = t(
    "The network is slow or loses packets, so logging in may take long or fail at times. "
    "Move closer to the Wi-Fi router, use a cable, stop large downloads, or try another "
    "network.",
    "网络较慢或存在丢包，登录可能很慢或时好时坏。请靠近路由器、改用网线、暂停大文件下载，或换一个网络试试。")


def assess_latency(evidence: Evidence, limits: LatencyConfig) -> Verdict:
    summaries = [summarize(item["samples"]) for item in evidence["series"]]
    measured = [(item, s) for item, s in zip(evidence["series"], summaries, strict=True)
                if s["ok"]]
    if not measured:
        return Verdict(
            Status.ERROR,
            t("Could not measure: no server accepted a connection.",
              "无法测量：没有服务器接受连接。"),
            problems=(Problem(codes.SLOW_NOT_MEASURED),),
        )
    loss = run_loss(evidence, summaries)
    lossy = grade(loss["pct"], limits.loss_warn_pct) is Status.WARN
    slow = [(item, s) for item, s in measured
            if grade(s["median_ms"], limits.warn_ms) is Status.WARN]
    worst_median = max(s["median_ms"] for _, s in measured)
    if not lossy and not slow:
        return Verdict(
            Status.OK,
            t("Connections are quick and steady (slowest median {ms:.0f} ms, loss {loss:.0f}%).",
              "连接快速稳定（最慢中位数 {ms:.0f} 毫秒，丢包 {loss:.0f}%）。",
              ms=worst_median, loss=loss["pct"]),
        )
    parts_en, parts_zh = [], []
    problems: list[Problem] = []
    if lossy:
        parts_en.append(f"{loss['lost']} of {loss['sent']} test exchanges lost a packet "
                        f"(about {loss['pct']:.0f}%)")
        parts_zh.append(f"{loss['sent']} 次测试交互中有 {loss['lost']} 次丢包（约 {loss['pct']:.0f}%）")
        lossy_series = [(item, s) for item, s in measured
                        if grade(s["loss_pct"] or 0.0, limits.loss_warn_pct) is Status.WARN]
        problems += [Problem(codes.PACKET_LOSS, host=item["host"], port=item["port"],
                             address=item["address"]) for item, _ in lossy_series]
        if not lossy_series:  # spread thinly over every server: the path itself
            problems.append(Problem(codes.PACKET_LOSS))
    if slow:
        shown = slow[:4]
        parts_en.append("slow connects: " + "; ".join(
            f"{item['host']} median {s['median_ms']:.0f} ms" for item, s in shown))
        parts_zh.append("连接缓慢：" + "；".join(
            f"{item['host']} 中位数 {s['median_ms']:.0f} 毫秒" for item, s in shown))
        problems += [Problem(codes.SLOW_NETWORK, host=item["host"], port=item["port"],
                             address=item["address"]) for item, _ in slow
                     if not any(p.host == item["host"] for p in problems)]
    return Verdict(
        Status.WARN,
        t("The network is {what}: {details}.", "网络{what}：{details}。",
          what=t("losing packets" if lossy else "slow", "丢包严重" if lossy else "较慢"),
          details=Text("; ".join(parts_en), "；".join(parts_zh))),
        ADVICE_SLOW,
        problems=tuple(problems),
        cause=codes.SLOW_NETWORK,
    )


# -- what a person reads ---------------------------------------------------------------

LATENCY_TABLE = t("Connect times", "连接用时")
H_MEDIAN = t("Median", "中位数")
H_JITTER = t("Jitter", "抖动")
H_LOSS = t("Lost", "丢失")
H_SAMPLES = t("Connected", "成功")
COUNT = t("Connects per server", "每台服务器连接次数")
RUN_LOSS = t("Packets lost over the whole run", "整次检测的丢包")
RUN_LOSS_TEXT = t(
    "{lost} of {sent} exchanges ({pct}%): {retried} connects needed a second try, "
    "{repeated} DNS questions were answered only when asked again",
    "{sent} 次交互中 {lost} 次丢包（{pct}%）：{retried} 次连接需要重试，{repeated} 个 DNS 查询重发后才有应答")


LOST_AFTER = t("Connects counted as lost", "计为丢包的连接")
LOST_AFTER_TEXT = t(
    "a test connection not answered 0.7 s after the quickest one counts as lost (a later "
    "answer could only come from the computer sending it again), so it was not waited for",
    "比最快的一次晚 0.7 秒仍未应答的测试连接计为丢包（更晚的应答只可能来自电脑的重发），因此不再等待")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    rows = []
    for series in records(evidence, "series"):
        summary = w.sub(series, "summary")
        loss = summary.get("loss_pct")
        rows.append((text_of(series.get("host")), text_of(series.get("port")),
                     w.ms(summary.get("median_ms")) if summary.get("median_ms") is not None
                     else w.failure(series.get("failure") or codes.SLOW_NOT_MEASURED),
                     w.ms(summary.get("jitter_ms")) if summary.get("median_ms") is not None
                     else w.plain("—"),
                     w.plain(f"{loss:.0f}%") if isinstance(loss, (int, float)) else w.plain("—"),
                     OF.with_params(ok=summary.get("ok", 0), sent=summary.get("sent", 0))))
    out: list[Item] = []
    if "count" in evidence:
        out.append(Line(COUNT, text_of(evidence["count"])))
    out += seconds_line(evidence)
    loss = w.sub(evidence, "loss")
    if isinstance(loss.get("sent"), int) and loss["sent"]:
        out.append(Line(RUN_LOSS, RUN_LOSS_TEXT.with_params(
            lost=loss.get("lost", 0), sent=loss["sent"], pct=f"{loss.get('pct') or 0:.0f}",
            retried=loss.get("retried_connects", 0),
            repeated=loss.get("repeated_dns_questions", 0))))
    out += waits_line(records(evidence, "series"))
    if any(isinstance(s.get("lost_after_ms"), (int, float)) for s in records(evidence, "series")):
        out.append(Line(LOST_AFTER, LOST_AFTER_TEXT))
    out.append(table(LATENCY_TABLE, (H_SERVER, H_PORT, H_MEDIAN, H_JITTER, H_LOSS, H_SAMPLES), rows))
    return out
