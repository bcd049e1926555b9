"""Is the computer's clock right? Asked of several NTP servers at once.

A clock that is off by minutes makes logins and TLS certificates fail. When no
server answers (UDP port 123 blocked), the clock could not be checked: grey.
Replies are validated (checks/probes/ntp.py) and one server alone never makes
the light red: a broken or hostile server would otherwise send people to fix a
clock that is right.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checks.engine import check_ids, codes, fix_ids
from checks.engine.check import Check, register
from checks.engine.config import NtpConfig
from checks.engine.context import Context
from checks.engine.grading import grade
from checks.engine.path_wait import Wait
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.platform.parsers.numbers import parse_port
from checks.probes import ntp
from checks.report import words as w
from checks.report.evidence_view import (
    H_RESULT,
    H_SERVER,
    OF,
    Item,
    Line,
    records,
    result_text,
    table,
    text_of,
)
from checks.report.wait_words import waits_line
from checks.shared.concurrency import gather
from checks.shared.i18n import Text, t

NTP_PORT = ntp.NTP_PORT
# A red light needs this many servers that each put the clock beyond the fail limit.
AGREEING_FOR_FAIL = 2


def parse_server(value: str) -> tuple[str, int]:
    """'host', 'host:port', '[v6]:port' or a bare IPv6 address -> (host, port)."""
    text = value.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, parse_port(rest.lstrip(":")) or NTP_PORT
    if text.count(":") == 1:
        host, port = text.split(":")
        parsed = parse_port(port)
        if parsed is not None:
            return host, parsed
    return text, NTP_PORT


def query(server: str, timeout: float | Wait, ctx: Context | None = None) -> dict[str, Any]:
    """One time server asked; in a run (`ctx`), its answer's round trip is measured for
    the waits of the run's other probes."""
    host, port = parse_server(server)
    result = ntp.query(host, port, timeout, server=server)
    if ctx is not None and result.get("ok"):
        ctx.path.record("ntp", host, 1000 * float(result.get("delay_s") or 0.0))
    return result


def local_timezone() -> dict[str, Any]:
    now = time.localtime()
    offset = now.tm_gmtoff or 0
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return {"name": iana_zone() or now.tm_zone or time.tzname[0],
            "abbreviation": now.tm_zone, "utc_offset": f"{sign}{hours:02d}:{minutes:02d}",
            "utc_offset_s": offset}


def iana_zone() -> str | None:
    """Zone name like Asia/Shanghai from TZ or the /etc/localtime link (POSIX only)."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if "/" in tz and not tz.startswith("/"):
        return tz
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        return None
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else None


@register
class ClockCheck(Check):
    id = check_ids.CLOCK
    title = t("Date and time", "日期和时间")
    group = "computer"
    order = 10
    evidence_keys = ("servers", "answered", "asked", "offset_s", "timezone", "local_time")
    causes = (codes.CLOCK_SKEW,)

    def not_applicable(self, ctx: Context) -> Text | None:
        if not ctx.config.ntp.servers:
            return t("No time servers are configured.", "未配置时间服务器。")
        return None

    def collect(self, ctx: Context) -> dict[str, Any]:
        timeout = ctx.timeout(ctx.config.ntp.timeout_s)
        servers = list(ctx.config.ntp.servers)
        # Name resolution has no timeout of its own: a server still resolving timed out.
        # Each server's wait is scaled to the measured path (engine.path_wait).
        results = gather(lambda s: query(s, ctx.wait("ntp", ctx.config.ntp.timeout_s), ctx),
                         servers, timeout + 0.5,
                         lambda s: {"server": s, "ok": False, "offset_s": None, "delay_s": None,
                                    "stratum": None, "failure": codes.NTP_TIMEOUT, "reason": None})
        answered = [r["offset_s"] for r in results if r["ok"]]
        return {
            "servers": results,
            "answered": len(answered),
            "asked": len(results),
            "offset_s": round(statistics.median(answered), 3) if answered else None,
            "timezone": local_timezone(),
            "local_time": time.strftime("%Y-%m-%d %H:%M:%S"),
        }

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_clock(evidence, ctx.config.ntp)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def _human(seconds: float) -> Text:
    s = abs(seconds)
    if s >= 86400:
        return t("{n:.1f} days", "{n:.1f} 天", n=s / 86400)
    if s >= 3600:
        return t("{n:.1f} hours", "{n:.1f} 小时", n=s / 3600)
    if s >= 120:
        return t("{n:.0f} minutes", "{n:.0f} 分钟", n=s / 60)
    return t("{n:.1f} seconds", "{n:.1f} 秒", n=s)


def assess_clock(evidence: Evidence, limits: NtpConfig) -> Verdict:
    tz = evidence.get("timezone") or {}
    zone = f"{tz.get('name') or '?'} (UTC{tz.get('utc_offset') or '?'})"
    offset = evidence.get("offset_s")
    if offset is None:
        return _not_checked(evidence, zone)
    answered, asked = evidence.get("answered", 0), evidence.get("asked", 0)
    # The offset: how much to add to the local clock to be right.
    direction = t("behind", "慢了") if offset > 0 else t("ahead", "快了")
    status = grade(abs(offset), limits.warn_offset_s, limits.fail_offset_s)
    if status is Status.OK:
        return Verdict(
            Status.OK,
            t("The clock is right (off by {offset:.1f} s; {n} of {asked} time servers answered; "
              "time zone {zone}).",
              "电脑时间准确（误差 {offset:.1f} 秒；{asked} 个时间服务器中 {n} 个响应；时区 {zone}）。",
              offset=abs(offset), n=answered, asked=asked, zone=zone),
        )
    amount = _human(offset)
    summary = t("The clock is {amount} {direction} (median of {n} time servers; time zone {zone}).",
                "电脑时间{direction} {amount}（{n} 个时间服务器的中位数；时区 {zone}）。",
                amount=amount, direction=direction, n=answered, zone=zone)
    agreeing = _agreeing(evidence, offset, limits)
    if status is Status.FAIL and agreeing < AGREEING_FOR_FAIL:
        # One server alone may be the broken one: worth a warning, not a red light.
        status = Status.WARN
        summary = t("One time server says the clock is {amount} {direction}; no second server "
                    "confirms it ({n} of {asked} answered; time zone {zone}).",
                    "有一个时间服务器认为电脑时间{direction} {amount}，但没有第二个服务器证实"
                    "（{asked} 个中 {n} 个响应；时区 {zone}）。",
                    amount=amount, direction=direction, n=answered, asked=asked, zone=zone)
    return Verdict(
        status, summary,
        t("Turn on \"Set time automatically\" and sync the clock now; also check that the "
          "time zone is right.",
          "请开启“自动设置时间”并立即同步时间；同时确认时区设置正确。"),
        problems=(Problem(codes.CLOCK_OFFSET),),
        cause=codes.CLOCK_SKEW,
        fixes=(fix_ids.RESYNC_CLOCK,),
    )


def _agreeing(evidence: Evidence, offset: float, limits: NtpConfig) -> int:
    """Servers that each put the clock beyond the fail limit, in the median's direction."""
    return sum(
        1 for r in evidence.get("servers", [])
        if r.get("ok") and isinstance(r.get("offset_s"), (int, float))
        and abs(r["offset_s"]) >= limits.fail_offset_s and (r["offset_s"] > 0) == (offset > 0)
    )


def _not_checked(evidence: Evidence, zone: str) -> Verdict:
    found = sorted({r.get("failure") or codes.NTP_TIMEOUT for r in evidence.get("servers", [])})
    if found == [codes.NTP_NOT_RESOLVED]:
        reason = t("the time servers' names could not be resolved", "时间服务器的域名无法解析")
    elif {codes.NTP_BAD_REPLY, codes.NTP_UNSYNCHRONISED} & set(found):
        reason = t("the answers that came were not valid (the server not synchronised, or "
                   "garbled), so they were not used",
                   "收到的应答无效（服务器自身未同步或数据错误），未予采用")
    else:
        reason = t("no time server answered (UDP port 123 may be blocked)",
                   "没有时间服务器响应（UDP 123 端口可能被拦截）")
    return Verdict(
        Status.ERROR,
        t("Could not check the clock: {reason}. Time zone: {zone}.",
          "无法检测时间：{reason}。时区：{zone}。", reason=reason, zone=zone),
        problems=tuple(Problem(c) for c in found) or (Problem(codes.NTP_TIMEOUT),),
    )


# -- what a person reads ---------------------------------------------------------------

CLOCK_OFFSET = t("Clock compared with network time", "与网络时间相比")
BEHIND = t("{amount} behind", "慢了 {amount}")
AHEAD = t("{amount} ahead", "快了 {amount}")
IN_STEP = t("in step ({amount})", "一致（{amount}）")
ZONE = t("Time zone", "时区")
LOCAL_TIME = t("Local time", "本机时间")
ANSWERED = t("Time servers answering", "应答的时间服务器")
NTP_TABLE = t("Time servers", "时间服务器")
H_OFFSET = t("Offset", "偏差")
H_DELAY = t("Round trip", "往返")
H_STRATUM = t("Stratum", "层级")


def _offset(value: Any) -> Text:
    if not isinstance(value, (int, float)):
        return w.UNKNOWN
    amount = w.seconds(abs(value))
    if abs(value) < 1:
        return IN_STEP.with_params(amount=amount)
    # ntplib's offset is what to add to the local clock: positive means it is behind.
    return (BEHIND if value > 0 else AHEAD).with_params(amount=amount)


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    zone = w.sub(evidence, "timezone")
    out: list[Item] = [Line(CLOCK_OFFSET, _offset(evidence.get("offset_s")))]
    if zone:
        out.append(Line(ZONE, w.plain(f"{zone.get('name') or zone.get('abbreviation') or '?'} "
                                      f"(UTC{zone.get('utc_offset') or ''})")))
    if evidence.get("local_time"):
        out.append(Line(LOCAL_TIME, text_of(evidence["local_time"])))
    if "asked" in evidence:
        out.append(Line(ANSWERED, OF.with_params(ok=evidence.get("answered", 0), sent=evidence["asked"])))
    rows = [(text_of(s.get("server")), _offset(s.get("offset_s")) if s.get("ok") else w.plain("—"),
             w.seconds(s["delay_s"]) if s.get("delay_s") is not None else w.plain("—"),
             text_of(s.get("stratum")), result_text(s.get("failure")))
            for s in records(evidence, "servers")]
    out += waits_line(records(evidence, "servers"))
    out.append(table(NTP_TABLE, (H_SERVER, H_OFFSET, H_DELAY, H_STRATUM, H_RESULT), rows))
    return out
