"""Secure connections: whose certificate came back instead of Tencent's, a clock far
enough off to make certificates look wrong, and Tencent's own servers failing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.diagnosis.facts import Facts
from checks.diagnosis.sayings.base import Finding, Said, listed, says
from checks.diagnosis.sayings.connections import security_programs
from checks.engine import check_ids, codes, fix_ids
from checks.engine.results import Status
from checks.report import words as w
from checks.shared.i18n import Text, t
from checks.shared.issuers import issuer_expected

HOUR, DAY, YEAR = 3600.0, 86400.0, 365.25 * 86400


def _issuer(probe: Mapping[str, Any]) -> str:
    return w.issuer_name(probe.get("cert")) or "?"


def _unexpected(facts: Facts) -> list[Mapping[str, Any]]:
    hosts = {p.host for p in facts.problems(check_ids.TLS, [codes.TLS_UNEXPECTED_ISSUER])}
    return [p for p in facts.tls_probes() if p.get("host") in hosts]


@says(codes.TLS_INTERCEPTED)
def tls_intercepted(finding: Finding, facts: Facts) -> Said | None:
    probes = _unexpected(facts)
    if not probes:
        return None
    issuers = list(dict.fromkeys(_issuer(p) for p in probes))
    expected = facts.expected_issuers()
    programs = security_programs(facts)
    advice = t("Send the text from \"Copy for IT\" to your network administrator and ask them "
               "to exempt *.weixin.qq.com, *.work.weixin.qq.com and *.qq.com from HTTPS "
               "inspection.",
               "请用“复制给网管”联系网络管理员，请对方把 *.weixin.qq.com、*.work.weixin.qq.com 和 *.qq.com "
               "排除在 HTTPS 检查之外。")
    if programs:
        advice = t("{advice} If no inspection is meant to happen here, turn off HTTPS scanning "
                   "in {programs}.", "{advice}如果这里本不该有检查，请关闭{programs}中的 HTTPS 扫描功能。",
                   advice=advice, programs=listed(programs, 2))
    return Said(
        t("This network inspects secure connections: {hosts} present a certificate issued by "
          "{issuers} instead of {expected}. This computer trusts it, so it was installed by your "
          "company or a security program, and WeChat/WeCom refuse it.",
          "这个网络在检查加密连接：{hosts} 出示的证书由 {issuers} 签发，而不是 {expected}。"
          "这台电脑信任该证书，说明它是单位或安全软件安装的检查证书，微信/企业微信会拒绝它。",
          hosts=listed([str(p.get("host")) for p in probes]), issuers=listed(issuers, 2),
          expected=listed(expected or [t("Tencent's usual issuers", "腾讯通常使用的颁发者")], 2)),
        advice,
        tuple(t("{host} ({address}): issued by {issuer}", "{host}（{address}）：由 {issuer} 签发",
                host=p.get("host"), address=p.get("address"), issuer=_issuer(p))
              for p in probes[:3]),
        fixes=(), for_it=True)


_CERT_WORDS: dict[str, Text] = {
    codes.TLS_EXPIRED: t("has expired", "已过期"),
    codes.TLS_NOT_YET_VALID: t("is not valid yet", "尚未生效"),
    codes.TLS_UNTRUSTED_ISSUER: t("comes from an issuer this computer does not trust",
                                  "来自这台电脑不信任的颁发者"),
    codes.TLS_NAME_MISMATCH: t("is made out for another name", "是为其他域名签发的"),
}


@says(codes.TLS_INVALID_CERTIFICATE)
def tls_invalid(finding: Finding, facts: Facts) -> Said | None:
    bad = [p for p in facts.tls_probes() if p.get("failure") in _CERT_WORDS]
    if not bad:
        return None
    first = bad[0]
    cert = dict(first.get("cert") or {})
    expected = facts.expected_issuers()
    if expected and issuer_expected(cert, expected):
        # Tencent's own issuer: the server's certificate itself is wrong, not a stand-in.
        clock_right = facts.status(check_ids.CLOCK) is Status.OK
        where = (t("this computer's clock is right, so the fault is on Tencent's side",
                   "这台电脑的时钟是准的，所以问题在腾讯一方") if clock_right else
                 t("the fault is on Tencent's side or in this computer's clock",
                   "问题在腾讯一方，或在这台电脑的时钟"))
        summary = t("{host} presents its own certificate (issued by {issuer}), but it {what}: "
                    "{where}.", "{host} 出示了自己的证书（由 {issuer} 签发），但该证书{what}：{where}。",
                    host=first.get("host"), what=_CERT_WORDS[str(first.get("failure"))],
                    issuer=_issuer(first), where=where)
        advice = (t("Nothing to change here: wait and try again later.", "这边无需更改任何设置：请稍后再试。")
                  if clock_right else
                  t("Check that the date and time of this computer are right; if they are, wait "
                    "and try again later.", "请确认这台电脑的日期和时间正确；如果正确，请稍后再试。"))
        return Said(summary, advice, fixes=())
    summary = t("{host} presents a certificate that {what} (issued by {issuer}): something on this "
                "network answers in place of Tencent's server.",
                "{host} 出示的证书{what}（由 {issuer} 签发）：这个网络中有设备冒充了腾讯的服务器。",
                host=first.get("host"), what=_CERT_WORDS[str(first.get("failure"))],
                issuer=_issuer(first))
    return Said(
        summary,
        t("On public Wi-Fi, log in to the Wi-Fi first or use another network; in a company, send "
          "the text from \"Copy for IT\" to the network administrator.",
          "如果在公共 Wi-Fi 上，请先完成 Wi-Fi 登录或换一个网络；如果在单位，请用“复制给网管”联系网络管理员。"),
        tuple(t("{host} ({address}): certificate {what}, issued by {issuer}",
                "{host}（{address}）：证书{what}，由 {issuer} 签发", host=p.get("host"),
                address=p.get("address"), what=_CERT_WORDS[str(p.get("failure"))],
                issuer=_issuer(p)) for p in bad[:3]),
        fixes=(), for_it=True)


def amount(seconds: float) -> Text:
    value = abs(seconds)
    if value >= YEAR:
        return t("{n:.1f} years", "{n:.1f} 年", n=value / YEAR)
    if value >= DAY:
        return t("{n:.1f} days", "{n:.1f} 天", n=value / DAY)
    if value >= HOUR:
        return t("{n:.1f} hours", "{n:.1f} 小时", n=value / HOUR)
    if value >= 60:
        return t("{n:.0f} minutes", "{n:.0f} 分钟", n=value / 60)
    return t("{n:.0f} seconds", "{n:.0f} 秒", n=value)


@says(codes.CLOCK_SKEW)
def clock_skew(finding: Finding, facts: Facts) -> Said | None:
    offset = facts.clock_offset_s()
    if offset is None:
        return None
    # ntplib's offset is what to add to the local clock: positive means it is behind.
    way = t("behind", "慢") if offset > 0 else t("ahead", "快")
    servers = facts.time_servers_answered()
    if abs(offset) >= DAY:
        meaning = t("Secure connections fail: every certificate looks expired or not yet valid.",
                    "加密连接会失败：所有证书看起来都已过期或尚未生效。")
    elif abs(offset) >= 300:
        meaning = t("Logins and QR codes that check the time fail, and message times are wrong.",
                    "需要核对时间的登录和二维码会失败，消息时间也不对。")
    else:
        meaning = t("Some logins that check the time may fail.", "部分需要核对时间的登录可能失败。")
    advice = t("Press Fix to set the clock from the time servers, and turn on \"Set time "
               "automatically\".", "请按“修复”按时间服务器校准时钟，并开启“自动设置时间”。")
    if abs(offset) >= YEAR:
        advice = t("{advice} A clock this far off after every restart usually means the "
                   "computer's clock battery is flat.",
                   "{advice}如果每次开机时间都差这么多，通常是主板上的时钟电池没电了。", advice=advice)
    agree = (t(" ({n} time servers agree)", "（{n} 个时间服务器的结果一致）", n=servers) if servers > 1
             else t(" (one time server says so)", "（一个时间服务器的结果）") if servers == 1
             else t("", ""))
    return Said(
        t("This computer's clock is {amount} {way}{agree}. {meaning}",
          "这台电脑的时钟{way}了 {amount}{agree}。{meaning}",
          amount=amount(offset), way=way, agree=agree, meaning=meaning),
        advice, fixes=(fix_ids.RESYNC_CLOCK,))


@says(codes.SERVICE_OUTAGE)
def service_outage(finding: Finding, facts: Facts) -> Said | None:
    failing = [p for p in facts.tls_probes()
               if isinstance((p.get("http") or {}).get("status"), int) and p["http"]["status"] >= 500]
    if not failing:
        return None
    controls: list[Text] = []
    if facts.control_probes_answered():
        controls.append(t("other websites", "其他网站"))
    if any(facts.trusted_answers().values()):
        controls.append(t("public DNS", "公共 DNS"))
    if facts.time_servers_answered():
        controls.append(t("time servers", "时间服务器"))
    statuses = [w.http_status(p["http"]) for p in failing]
    tail = (t(", while {controls} work normally from here", "，而从这里访问{controls}都正常",
              controls=controls) if controls else t("", ""))
    return Said(
        t("Tencent's servers {hosts} answer with an error ({status}){tail}: the fault is on "
          "Tencent's side, not in your network.",
          "腾讯服务器 {hosts} 返回错误（{status}）{tail}：故障在腾讯一方，不在您的网络。",
          hosts=listed([str(p.get("host")) for p in failing]), status=listed(statuses, 2),
          tail=tail),
        t("Nothing to change here: wait a few minutes and try again, or check Tencent's service "
          "announcements.", "这边无需更改任何设置：请等几分钟再试，或查看腾讯的服务公告。"),
        fixes=())
