"""From many lights to one sentence: which cause most likely explains the results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from checks.causes import cause_info
from checks.i18n import Text
from checks.model import CheckResult, Status

# Order of impact on login when several independent causes are found.
IMPACT_ORDER = (
    "offline",
    "captive_portal",
    "dns_failure",
    "fake_ip_proxy",
    "dns_pollution",
    "hosts_override",
    "proxy_broken",
    "tcp_blocked",
    "pmtu_blackhole",
    "tls_intercepted",
    "tls_invalid_certificate",
    "http_hijack",
    "clock_skew",
    "vpn_interference",
    "disk_full",
    "cache_permission",
    "cache_corrupt",
    "client_outdated",
    "slow_network",
)


@dataclass(frozen=True)
class Cause:
    code: str
    summary: Text
    advice: Text
    because: tuple[str, ...]
    fixes: tuple[str, ...] = ()

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "code": self.code,
            "summary": self.summary.render(lang),
            "advice": self.advice.render(lang),
            "because": list(self.because),
            "fixes": list(self.fixes),
            "i18n": {
                lang_: {"summary": self.summary.render(lang_), "advice": self.advice.render(lang_)}
                for lang_ in ("zh", "en")
            },
        }


@dataclass(frozen=True)
class Diagnosis:
    primary: str
    causes: tuple[Cause, ...] = field(default_factory=tuple)

    def to_json(self, lang: str) -> dict[str, Any]:
        return {"primary": self.primary, "causes": [c.to_json(lang) for c in self.causes]}


def _rank(code: str) -> int:
    return IMPACT_ORDER.index(code) if code in IMPACT_ORDER else len(IMPACT_ORDER)


def _cause(code: str, because: Sequence[str], fixes: Sequence[str] = ()) -> Cause:
    info = cause_info(code)
    return Cause(code, info.summary, info.advice, tuple(because), tuple(fixes))


def diagnose(results: Sequence[CheckResult]) -> Diagnosis:
    findings = [r for r in results if r.cause and r.status in (Status.FAIL, Status.WARN)]
    offline = [r for r in findings if r.cause == "offline" and r.status is Status.FAIL]
    if offline:
        # No route explains every failing network check: list them under one cause.
        network_fails = [
            r.id for r in results if r.status is Status.FAIL and r.group in ("network", "dns", "secure")
        ]
        because = list(dict.fromkeys([r.id for r in offline] + network_fails))
        return Diagnosis("offline", (_cause("offline", because),))

    by_code: dict[str, list[CheckResult]] = {}
    for result in findings:
        by_code.setdefault(result.cause or "", []).append(result)
    if not by_code:
        return Diagnosis("healthy", (_cause("healthy", []),))

    def key(item: tuple[str, list[CheckResult]]) -> tuple[int, int]:
        code, members = item
        worst_severity = max(r.status.severity for r in members)
        return (-worst_severity, _rank(code))

    causes = tuple(
        _cause(code, [r.id for r in members], [f for r in members for f in r.fixes])
        for code, members in sorted(by_code.items(), key=key)
    )
    return Diagnosis(causes[0].code, causes)
