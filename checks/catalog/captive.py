"""Is this a Wi-Fi network that wants a browser login first (captive portal)?

The same probes phones and PCs use: URLs with a known answer (204, or a fixed
text). A portal answers them with a redirect to its login page or with the page
itself. Redirects are never followed; the portal URL goes into the evidence for
the fix that opens it in a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

from checks.engine import check_ids, codes, fix_ids
from checks.engine.check import Check, register
from checks.engine.config import CaptiveProbe
from checks.engine.context import Context
from checks.engine.results import Evidence, Problem, Status, Verdict
from checks.probes import http, system_dns
from checks.report import words as w
from checks.report.evidence_view import (
    H_ANSWER,
    H_LOCATION,
    Item,
    Line,
    http_answer,
    records,
    table,
    text_of,
)
from checks.report.wait_words import waits_line
from checks.shared.concurrency import gather
from checks.shared.i18n import Text, t


@register
class CaptivePortalCheck(Check):
    id = check_ids.CAPTIVE
    title = t("Wi-Fi login page (captive portal)", "Wi-Fi 认证页面（强制门户）")
    group = "network"
    order = 12
    evidence_keys = ("probes", "portal_url")
    causes = (codes.CAPTIVE_PORTAL,)

    def not_applicable(self, ctx: Context) -> Text | None:
        if not ctx.config.captive.probes:
            return t("No captive-portal probe is configured.", "未配置强制门户检测地址。")
        return None

    def collect(self, ctx: Context) -> dict[str, Any]:
        probes = list(ctx.config.captive.probes)
        budget = ctx.timeout(ctx.config.dns.timeout_s + ctx.config.captive.timeout_s + 1.0)
        results = gather(lambda p: _probe(ctx, p), probes, budget,
                         lambda p: {**_expected(p), "status": None, "failure": codes.HTTP_TIMEOUT})
        # The fix that opens the portal reads this; None when nothing intercepts.
        return {"probes": results, "portal_url": portal_url(results)}

    def assess(self, evidence: Evidence, ctx: Context) -> Verdict:
        return assess_captive(evidence)

    def show(self, evidence: Evidence) -> list[Item]:
        return show_evidence(evidence)


def _expected(probe: CaptiveProbe) -> dict[str, Any]:
    return {"url": probe.url, "expected_status": probe.status, "expected_body": probe.body}


def _probe(ctx: Context, probe: CaptiveProbe) -> dict[str, Any]:
    host, port, path, problem = http.split_url(probe.url)
    if problem:
        return {**_expected(probe), "status": None, "failure": problem}
    addrs = system_dns.addresses(system_dns.resolve(ctx, host))
    if not addrs:
        return {**_expected(probe), "status": None, "failure": codes.NOT_RESOLVED}
    result = http.request_via(ctx, addrs[0], port, host, path, ctx.config.captive.timeout_s)
    return {**_expected(probe), **result}


def outcome(probe: Evidence) -> str:
    """ok | redirect | wrong_answer | unreachable."""
    status = probe.get("status")
    if status is None:
        return "unreachable"
    if status == probe["expected_status"] and (
        not probe.get("expected_body") or probe["expected_body"] in (probe.get("body_start") or "")
    ):
        return "ok"
    if 300 <= status < 400 and probe.get("location"):
        return "redirect"
    return codes.CAPTIVE_WRONG_ANSWER


def portal_url(probes: Sequence[Evidence]) -> str | None:
    """Where the portal wants the browser to go: a Location, a page redirect, or the probe
    URL (also when the Location was too long to keep whole or is no URL at all: opened,
    the probe URL is redirected to the portal again)."""
    for probe in probes:
        if outcome(probe) == "redirect":
            if probe.get("location_cut"):
                return str(probe["url"])
            return _join(probe["url"], probe["location"].strip())
    for probe in probes:
        if outcome(probe) == codes.CAPTIVE_WRONG_ANSWER:
            target = http.page_redirect_target(probe.get("body_start") or "")
            return _join(probe["url"], target) if target else probe["url"]
    return None


def _join(base: str, target: str) -> str:
    try:
        return urljoin(base, target)
    except ValueError:  # "http://[::1": not a URL a browser could open
        return base


def assess_captive(evidence: Evidence) -> Verdict:
    probes = list(evidence["probes"])
    kinds = [outcome(p) for p in probes]
    answered = [k for k in kinds if k != "unreachable"]
    intercepted = [p for p, k in zip(probes, kinds, strict=True) if k in ("redirect", codes.CAPTIVE_WRONG_ANSWER)]
    if not answered:
        return Verdict(
            Status.INFO,
            t("Could not reach any captive-portal probe, so no Wi-Fi login page was detected.",
              "无法访问任何强制门户检测地址，未发现 Wi-Fi 认证页面。"),
            problems=(Problem(codes.CAPTIVE_NO_PROBE_ANSWERED),),
        )
    if len(intercepted) * 2 > len(answered):
        url = portal_url(intercepted)
        return Verdict(
            Status.FAIL,
            t("This network wants you to log in in a browser first (Wi-Fi login page at {url}).",
              "此网络需要先在浏览器中登录（Wi-Fi 认证页面：{url}）。", url=url or "?"),
            t("Open a browser, complete the Wi-Fi login (or accept the terms), then start "
              "WeChat/WeCom again.",
              "请打开浏览器完成 Wi-Fi 认证（或同意使用条款），然后重新打开微信/企业微信。"),
            problems=tuple(Problem(codes.CAPTIVE_PORTAL, host=http.split_url(p["url"])[0])
                           for p in intercepted),
            cause=codes.CAPTIVE_PORTAL,
            fixes=(fix_ids.OPEN_CAPTIVE_PORTAL,),
        )
    if intercepted:
        return Verdict(
            Status.INFO,
            t("{bad} of {n} captive-portal probes gave an unexpected answer; most answered "
              "normally, so this is probably not a Wi-Fi login page.",
              "{n} 个强制门户检测地址中有 {bad} 个应答异常；大多数正常，可能不是 Wi-Fi 认证页面。",
              bad=len(intercepted), n=len(answered)),
        )
    return Verdict(
        Status.OK,
        t("No Wi-Fi login page: {n} probes answered as expected.",
          "没有 Wi-Fi 认证页面：{n} 个检测地址应答正常。", n=len(answered)),
    )


# -- what a person reads ---------------------------------------------------------------

CAPTIVE_TABLE = t("Connectivity probes", "连通性探测")
H_EXPECTED = t("Expected", "预期")
PORTAL = t("Login page found", "发现的认证页面")


def show_evidence(evidence: Mapping[str, Any]) -> list[Item]:
    rows = []
    for p in records(evidence, "probes"):
        expected = str(p.get("expected_status") or "")
        if p.get("expected_body"):
            expected += f" “{p['expected_body']}”"
        rows.append((text_of(p.get("url")), text_of(expected), http_answer(p), text_of(p.get("location"))))
    out: list[Item] = []
    if evidence.get("portal_url"):
        out.append(Line(PORTAL, text_of(evidence["portal_url"])))
    out += waits_line(records(evidence, "probes"))
    out.append(table(CAPTIVE_TABLE, (w.plain("URL"), H_EXPECTED, H_ANSWER, H_LOCATION), rows))
    return out
