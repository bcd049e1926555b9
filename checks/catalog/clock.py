"""Is the computer's clock right? Asked of several NTP servers at once.

A clock that is off by minutes makes logins and TLS certificates fail. When no
server answers (UDP port 123 blocked), the clock could not be checked: grey.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

import ntplib

from checks import codes
from checks.base import Check, register
from checks.concurrency import gather
from checks.config import NtpConfig
from checks.context import Context
from checks.grading import grade
from checks.i18n import Text, t
from checks.model import Evidence, Problem, Status, Verdict

NTP_PORT = 123


def parse_server(value: str) -> tuple[str, int]:
    """'host', 'host:port', '[v6]:port' or a bare IPv6 address -> (host, port)."""
    text = value.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.lstrip(":")
        return host, int(port) if port.isdigit() else NTP_PORT
    if text.count(":") == 1:
        host, port = text.split(":")
        if port.isdigit() and 0 < int(port) < 65536:
            return host, int(port)
    return text, NTP_PORT


def query(server: str, timeout: float) -> dict[str, Any]:
    host, port = parse_server(server)
    result: dict[str, Any] = {"server": server, "ok": False, "offset_s": None,
                              "delay_s": None, "stratum": None, "failure": None}
    try:
        reply = ntplib.NTPClient().request(host, version=3, port=port, timeout=timeout)
    except ntplib.NTPException:
        result["failure"] = codes.NTP_TIMEOUT
    except OSError as exc:
        import socket

        result["failure"] = codes.NTP_NOT_RESOLVED if isinstance(exc, socket.gaierror) \
            else codes.NTP_UNREACHABLE
    except Exception:  # a garbled reply must not take the check down
        result["failure"] = codes.NTP_BAD_REPLY
    else:
        result.update(ok=True, offset_s=round(reply.offset, 3), delay_s=round(reply.delay, 3),
                      stratum=reply.stratum)
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
    id = "clock"
    title = t("Date and time", "日期和时间")
    group = "computer"
    order = 10

    def not_applicable(self, ctx: Context) -> Text | None:
        if not ctx.config.ntp.servers:
            return t("No time servers are configured.", "未配置时间服务器。")
        return None

    def collect(self, ctx: Context) -> dict[str, Any]:
        timeout = ctx.timeout(ctx.config.ntp.timeout_s)
        servers = list(ctx.config.ntp.servers)
        # Name resolution has no timeout of its own: a server still resolving timed out.
        results = gather(lambda s: query(s, timeout), servers, timeout + 0.5,
                         lambda s: {"server": s, "ok": False, "offset_s": None,
                                    "delay_s": None, "stratum": None, "failure": codes.NTP_TIMEOUT})
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
        found = sorted({r.get("failure") or codes.NTP_TIMEOUT for r in evidence.get("servers", [])})
        if found == [codes.NTP_NOT_RESOLVED]:
            reason = t("the time servers' names could not be resolved",
                       "时间服务器的域名无法解析")
        else:
            reason = t("no time server answered (UDP port 123 may be blocked)",
                       "没有时间服务器响应（UDP 123 端口可能被拦截）")
        return Verdict(
            Status.ERROR,
            t("Could not check the clock: {reason}. Time zone: {zone}.",
              "无法检测时间：{reason}。时区：{zone}。", reason=reason, zone=zone),
            problems=tuple(Problem(c) for c in found) or (Problem(codes.NTP_TIMEOUT),),
        )
    answered, asked = evidence.get("answered", 0), evidence.get("asked", 0)
    # ntplib's offset: how much to add to the local clock to be right.
    direction = t("behind", "慢了") if offset > 0 else t("ahead", "快了")
    status = grade(abs(offset), limits.warn_offset_s, limits.fail_offset_s)
    if status is not Status.OK:
        return Verdict(
            status,
            t("The clock is {amount} {direction} (median of {n} time servers; time zone {zone}).",
              "电脑时间{direction} {amount}（{n} 个时间服务器的中位数；时区 {zone}）。",
              amount=_human(offset), direction=direction, n=answered, zone=zone),
            t("Turn on \"Set time automatically\" and sync the clock now; also check that the "
              "time zone is right.",
              "请开启“自动设置时间”并立即同步时间；同时确认时区设置正确。"),
            problems=(Problem(codes.CLOCK_OFFSET),),
            cause=codes.CLOCK_SKEW,
            fixes=("resync_clock",),
        )
    return Verdict(
        Status.OK,
        t("The clock is right (off by {offset:.1f} s; {n} of {asked} time servers answered; "
          "time zone {zone}).",
          "电脑时间准确（误差 {offset:.1f} 秒；{asked} 个时间服务器中 {n} 个响应；时区 {zone}）。",
          offset=abs(offset), n=answered, asked=asked, zone=zone),
    )
