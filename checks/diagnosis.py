"""From many lights to one sentence: which cause most likely explains the results.

Each failing or warning check proposes a cause. Rules then decide which causes
explain which other findings (no route explains every network failure; a
captive portal explains TLS and HTTP failures; polluted DNS explains failures to
exactly the polluted names ...). An explained finding is listed under its cause,
never ranked above it. What remains are independent causes, ordered by status
and by their impact on logging in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from checks import codes
from checks.i18n import Text
from checks.model import CheckResult, Status

IMPACT_ORDER = codes.IMPACT_ORDER

NETWORK_GROUPS = ("network", "dns", "secure")
CLOCK_TLS_CODES = {codes.TLS_EXPIRED, codes.TLS_NOT_YET_VALID}


@dataclass(frozen=True)
class Cause:
    code: str
    summary: Text
    advice: Text
    because: tuple[str, ...]  # check ids whose findings point at this cause
    explains: tuple[str, ...] = ()  # check ids whose failures are consequences of it
    evidence: tuple[str, ...] = ()  # short lines a technician can follow
    fixes: tuple[str, ...] = ()
    status: str = "fail"

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "summary": self.summary.render(lang),
            "advice": self.advice.render(lang),
            "because": list(self.because),
            "explains": list(self.explains),
            "evidence": list(self.evidence),
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


@dataclass
class _Candidate:
    code: str
    because: list[CheckResult]
    explains: list[CheckResult] = field(default_factory=list)

    @property
    def severity(self) -> int:
        return max(r.status.severity for r in self.because)


def _rank(code: str) -> int:
    return IMPACT_ORDER.index(code) if code in IMPACT_ORDER else len(IMPACT_ORDER)


def _is_finding(result: CheckResult) -> bool:
    return result.status in (Status.FAIL, Status.WARN)


def _hosts(result: CheckResult) -> set[str]:
    return {p.host.lower() for p in result.problems if p.host}


def _addresses(result: CheckResult) -> set[str]:
    return {p.address for p in result.problems if p.address}


def _codes(result: CheckResult) -> set[str]:
    return {p.code for p in result.problems}


def _targets_within(result: CheckResult, hosts: set[str], addresses: set[str]) -> bool:
    """Every failing target of result is one of the given names or addresses."""
    targets = [p for p in result.problems if p.host or p.address]
    if not targets:
        return False
    return all(
        (p.host and p.host.lower() in hosts) or (p.address and p.address in addresses)
        for p in targets
    )


# ---- rules: does a finding of cause `code` (from `source`) explain `other`? ------------


def _explains_network(source: CheckResult, other: CheckResult) -> bool:
    return other.group in NETWORK_GROUPS


def _explains_captive(source: CheckResult, other: CheckResult) -> bool:
    # A portal intercepts web traffic: TLS, plain HTTP, DNS answers and connections.
    return other.group in NETWORK_GROUPS and other.cause not in (codes.OFFLINE, codes.PROXY_BROKEN)


def _explains_same_targets(source: CheckResult, other: CheckResult) -> bool:
    hosts, addresses = _hosts(source), _addresses(source)
    return other.group in NETWORK_GROUPS and _targets_within(other, hosts, addresses)


def _explains_dns_failure(source: CheckResult, other: CheckResult) -> bool:
    # Names that do not resolve cannot be connected to or verified.
    return other.group in NETWORK_GROUPS and _targets_within(other, _hosts(source), set())


def _explains_clock(source: CheckResult, other: CheckResult) -> bool:
    found = _codes(other)
    return other.id == "tls" and bool(found) and found <= CLOCK_TLS_CODES | {
        codes.TLS_UNTRUSTED_ISSUER} and bool(found & CLOCK_TLS_CODES)


def _explains_pmtu(source: CheckResult, other: CheckResult) -> bool:
    found = _codes(other)
    return other.id in ("tls", "http_hijack") and bool(found) and found <= {
        codes.TLS_HANDSHAKE_TIMEOUT, codes.HTTP_TIMEOUT}


def _explains_vpn(source: CheckResult, other: CheckResult) -> bool:
    return other.group in NETWORK_GROUPS and other.cause in (
        codes.TCP_BLOCKED, codes.TLS_INVALID_CERTIFICATE, codes.DNS_POLLUTION, codes.SLOW_NETWORK, codes.HTTP_HIJACK)


RULES: dict[str, Callable[[CheckResult, CheckResult], bool]] = {
    codes.OFFLINE: _explains_network,
    codes.CAPTIVE_PORTAL: _explains_captive,
    codes.DNS_FAILURE: _explains_dns_failure,
    codes.FAKE_IP_PROXY: _explains_same_targets,
    codes.DNS_POLLUTION: _explains_same_targets,
    codes.HOSTS_OVERRIDE: _explains_same_targets,
    codes.CLOCK_SKEW: _explains_clock,
    codes.PMTU_BLACKHOLE: _explains_pmtu,
    codes.VPN_INTERFERENCE: _explains_vpn,
}


def _pmtu_candidate(results: Sequence[CheckResult]) -> CheckResult | None:
    """TCP connects that work, TLS handshakes that time out and a path MTU below the
    interface MTU: together they are a path-MTU black hole even when no single check
    could say so."""
    by_id = {r.id: r for r in results}
    mtu, tls, tcp = by_id.get("mtu"), by_id.get("tls"), by_id.get("tcp")
    if mtu is None or tls is None or not _is_finding(tls):
        return None
    if codes.TLS_HANDSHAKE_TIMEOUT not in _codes(tls):
        return None
    path_mtu = mtu.evidence.get("path_mtu")
    iface_mtu = mtu.evidence.get("interface_mtu")
    if not isinstance(path_mtu, int) or not isinstance(iface_mtu, int) or path_mtu >= iface_mtu:
        return None
    if tcp is not None and tcp.status is Status.FAIL and _hosts(tcp) & _hosts(tls):
        return None  # the connection itself fails: not an MTU problem
    return mtu


def _nothing_answers(results: Sequence[CheckResult]) -> list[CheckResult]:
    """A route exists but nothing beyond it answers: no name resolves because every
    DNS server, the configured one and the trusted public ones alike, is silent or
    unreachable. Then the internet is out of reach, not merely DNS misconfigured."""
    by_id = {r.id: r for r in results}
    dns, reference = by_id.get("dns"), by_id.get(codes.DNS_POLLUTION)
    if dns is None or reference is None or dns.status is not Status.FAIL:
        return []
    answers = dns.evidence.get("answers") or []
    silent = {codes.DNS_TIMEOUT, codes.DNS_UNREACHABLE}
    if not answers or any(a.get("error") not in silent for a in answers):
        return []
    if codes.DNS_TRUSTED_UNREACHABLE not in _codes(reference):
        return []
    return [dns, reference]


def diagnose(results: Sequence[CheckResult]) -> Diagnosis:
    findings = [r for r in results if _is_finding(r) and r.cause]
    pmtu_source = _pmtu_candidate(results)

    candidates: dict[str, _Candidate] = {}
    for result in findings:
        candidates.setdefault(result.cause or "", _Candidate(result.cause or "", [])).because.append(
            result
        )
    unreachable = _nothing_answers(results)
    if unreachable:
        cand = candidates.setdefault(codes.OFFLINE, _Candidate(codes.OFFLINE, []))
        cand.because.extend(r for r in unreachable if r not in cand.because)
    if pmtu_source is not None:
        cand = candidates.setdefault(codes.PMTU_BLACKHOLE, _Candidate(codes.PMTU_BLACKHOLE, []))
        if pmtu_source not in cand.because:
            cand.because.append(pmtu_source)

    if not candidates:
        info = codes.cause_info(codes.HEALTHY)
        return Diagnosis(codes.HEALTHY, (Cause(codes.HEALTHY, info.summary, info.advice, (), status="ok"),))

    # Strongest explanations first: a cause can only absorb findings of weaker ones.
    order = sorted(candidates.values(), key=lambda c: (_rank(c.code), -c.severity))
    absorbed: set[str] = set()
    roots: list[_Candidate] = []
    for cand in order:
        if cand.code in absorbed:
            continue
        roots.append(cand)
        rule = RULES.get(cand.code)
        if rule is None:
            continue
        for other in order:
            if other is cand or other.code in absorbed or _rank(other.code) < _rank(cand.code):
                continue
            # A finding the cause already stands on counts as explained by it.
            explained = [
                r for r in other.because
                if r in cand.because or any(rule(src, r) for src in cand.because if src is not r)
            ]
            if explained and len(explained) == len(other.because):
                absorbed.add(other.code)
                cand.explains.extend(explained)
        # Grey or partial results the cause explains too (e.g. tcp could not test).
        for r in results:
            if r.status is Status.ERROR and r.group in NETWORK_GROUPS and cand.code == codes.OFFLINE:
                cand.explains.append(r)

    roots.sort(key=lambda c: (-c.severity, _rank(c.code)))
    causes = tuple(_to_cause(c) for c in roots)
    return Diagnosis(causes[0].code, causes)


def _to_cause(cand: _Candidate) -> Cause:
    info = codes.cause_info(cand.code)
    because = tuple(dict.fromkeys(r.id for r in cand.because))
    explains = tuple(dict.fromkeys(r.id for r in cand.explains if r.id not in because))
    evidence = tuple(
        line for r in [*cand.because, *cand.explains] for line in _evidence_lines(r)
    )[:12]
    fixes = tuple(dict.fromkeys(f for r in cand.because for f in r.fixes))
    status = "fail" if cand.severity >= Status.FAIL.severity else "warn"
    return Cause(cand.code, info.summary, info.advice, because, explains, evidence, fixes, status)


def _evidence_lines(result: CheckResult) -> list[str]:
    lines = []
    for p in result.problems[:4]:
        target = p.host or ""
        if p.port:
            target += f":{p.port}"
        if p.address and p.address != p.host:
            target += f" ({p.address})"
        lines.append(f"{result.id}: {p.code}" + (f" {target}" if target else ""))
    if not lines:
        lines.append(f"{result.id}: {result.status.value}")
    return lines
