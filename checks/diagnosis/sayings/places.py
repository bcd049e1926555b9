"""Where the traffic stops before any server: a Wi-Fi login page, a VPN that carries
everything; and what was found fine."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from checks.diagnosis.facts import Facts
from checks.diagnosis.sayings.base import Finding, Said, listed, says
from checks.diagnosis.sayings.connections import blocked
from checks.engine import check_ids, codes, fix_ids
from checks.engine.results import Status
from checks.shared.i18n import Text, t


@says(codes.CAPTIVE_PORTAL)
def captive_portal(finding: Finding, facts: Facts) -> Said | None:
    url = facts.portal_url()
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    # The sentence names only the portal's host (a plain name); the whole address, as the
    # network sent it, is a proof line of its own.
    page = (t("its login page on {host}", "它在 {host} 上的登录页面", host=host)
            if re.fullmatch(r"[A-Za-z0-9.-]{1,253}|[0-9a-fA-F:]{2,39}", host)
            else t("its login page", "它的登录页面"))
    return Said(
        t("This Wi-Fi wants you to log in first: it answers web requests with {page} instead of "
          "the real sites.", "这个 Wi-Fi 需要先登录：它把网页请求都转到了{page}，而不是真正的网站。",
          page=page),
        t("Press Fix to open the login page in your browser, log in, then check again.",
          "请按“修复”在浏览器中打开登录页面，登录后再重新检测。"),
        (t("Login page: {url}", "登录页面：{url}", url=url),),
        fixes=(fix_ids.OPEN_CAPTIVE_PORTAL,))


@says(codes.VPN_INTERFERENCE)
def vpn_interference(finding: Finding, facts: Facts) -> Said | None:
    tunnel = facts.tunnel_holding_default()
    if tunnel is None:
        return None
    name = str(tunnel.get("name"))
    label = str(tunnel.get("label") or "")
    adapter = t("{name} ({label})", "{name}（{label}）", name=name, label=label) \
        if label and label != name else t("{name}", "{name}", name=name)
    programs = facts.programs()
    vpn = listed(programs, 2) if programs else t("the VPN", "VPN")  # a name, or the VPN
    failed = [c.host for c in blocked(facts)]
    # Standing in for "offline": the DNS checks found that nothing answers at all.
    if {check_ids.DNS, check_ids.DNS_POLLUTION} <= set(finding.because):
        what = t("and nothing answers through it", "而经由它什么都连不通")
    elif failed:
        what = t("and connections to {hosts} fail through it", "而经由它到 {hosts} 的连接失败",
                 hosts=listed(failed))
    else:  # a suspect only: it carries everything, nothing measured failed through it yet
        what = t("so every connection depends on it", "所有连接都要经过它")
    return Said(
        t("The VPN adapter {adapter} carries all of this computer's traffic, {what}.",
          "VPN 网卡 {adapter}承载了这台电脑的全部流量，{what}。", adapter=adapter, what=what),
        t("Disconnect {vpn} and check again. If you need it, ask its administrator to let "
          "Tencent's servers go directly (split tunnelling).",
          "请断开 {vpn} 后重新检测。如果必须使用它，请让其管理员把腾讯的服务器设为直连（分流）。", vpn=vpn),
        fixes=(), for_it=False)


@says(codes.HEALTHY)
def healthy(finding: Finding, facts: Facts) -> Said | None:
    """Only what was measured and found fine is said."""
    parts: list[Text] = []
    connects = facts.connects()
    if connects and all(c.ok for c in connects) and facts.status(check_ids.TCP) is Status.OK:
        parts.append(t("all {n} of Tencent's servers answered", "全部 {n} 台腾讯服务器都有应答",
                       n=len({c.host for c in connects})))
    if facts.status(check_ids.DNS_POLLUTION) is Status.OK:
        parts.append(t("their names resolve to the genuine addresses", "域名解析到真实的地址"))
    if facts.status(check_ids.TLS) is Status.OK:
        parts.append(t("their certificates are genuine", "证书真实有效"))
    if facts.status(check_ids.CLOCK) is Status.OK:
        parts.append(t("the clock is right", "时钟准确"))
    if not parts:
        return None
    return Said(
        t("No network problem found: {parts}.", "未发现网络问题：{parts}。", parts=parts),
        t("If WeChat/WeCom still cannot log in, quit and restart it; if it keeps failing, check "
          "the account's state on your phone.",
          "如果微信/企业微信仍无法登录，请退出后重新打开；如果一直失败，请在手机上确认账号状态。"))
