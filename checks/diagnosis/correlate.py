"""From many lights to one sentence: which cause most likely explains the results.

Each failing or warning check proposes a cause (one that names none still counts:
`unclassified`, so the answer is never "healthy" over a warning). Rules then decide
which causes explain which other findings (no route explains every network
failure; a captive portal explains TLS and HTTP failures; polluted DNS explains
failures to exactly the polluted names ...). Some causes stand in for a stronger
one when the evidence says so: a tunnel holding the default route while nothing
answers explains what "offline" would; heavy measured packet loss explains every
timeout. An explained finding is listed under its cause, never ranked above it.
What remains are independent causes, ordered by status and by their impact on
logging in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from checks.diagnosis.facts import Facts
from checks.diagnosis.impact import impact_rank
from checks.diagnosis.offline_rule import nothing_answers
from checks.diagnosis.sayings import Finding, has_saying, say
from checks.diagnosis.sayings.base import sentence
from checks.engine import check_ids, codes
from checks.engine.results import CheckResult, Status
from checks.shared.i18n import Text

NETWORK_GROUPS = ("network", "dns", "secure")
CLOCK_TLS_CODES = {codes.TLS_EXPIRED, codes.TLS_NOT_YET_VALID}


@dataclass(frozen=True)
class Cause:
    code: str
    summary: Text
    advice: Text
    because: tuple[str, ...]  # check ids whose findings point at this cause
    explains: tuple[str, ...] = ()  # check ids whose failures are consequences of it
    evidence: tuple[str, ...] = ()  # short lines with codes, for a technician (JSON only)
    fixes: tuple[str, ...] = ()  # the first one does what the advice says
    status: str = "fail"
    proof: tuple[Text, ...] = ()  # the measurements the sentence rests on, in words
    for_it: bool = False  # the network's administrator is the one who can act

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
            "proof": [p.render(lang) for p in self.proof],
            "for_it": self.for_it,
            # Both languages as strings (proof lines joined by line breaks), as every record
            # of a report carries them.
            "i18n": {
                lang_: {"summary": self.summary.render(lang_), "advice": self.advice.render(lang_),
                        "proof": "\n".join(p.render(lang_) for p in self.proof)}
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
    # Where it ranks and what it explains: its own code's, unless it stands in for a
    # stronger cause (a VPN swallowing everything explains what "offline" would).
    rank: float | None = None
    rule: Callable[[CheckResult, CheckResult], bool] | None = None
    why: list[str] = field(default_factory=list)  # evidence lines saying why it stands here

    def __post_init__(self) -> None:
        if self.rank is None:
            self.rank = float(impact_rank(self.code))
        if self.rule is None:
            self.rule = RULES.get(self.code)

    @property
    def severity(self) -> int:
        """The worst of what it stands on and what it explains: a cause that accounts
        for a red light is red."""
        return max(r.status.severity for r in [*self.because, *self.explains])


def _is_finding(result: CheckResult) -> bool:
    return result.status in (Status.FAIL, Status.WARN)


def _cause_of(result: CheckResult) -> str:
    """The cause a finding points at; a warning or failure naming none (or an unknown
    one) still counts, so the diagnosis can never say "healthy" over it."""
    if result.cause in codes.CAUSES and result.cause != codes.HEALTHY:
        return result.cause
    return codes.UNCLASSIFIED


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


def _explains_by_proxy(source: CheckResult, other: CheckResult) -> bool:
    # The proxy reaches the servers direct connections do not: failed connects and
    # handshakes to them, and their names failing to resolve here (the proxy resolves
    # them for the client), follow from the clients not using it.
    return other.group in NETWORK_GROUPS and _targets_within(other, _hosts(source),
                                                             _addresses(source))


def _explains_clock(source: CheckResult, other: CheckResult) -> bool:
    found = _codes(other)
    return other.id == check_ids.TLS and bool(found) and found <= CLOCK_TLS_CODES | {
        codes.TLS_UNTRUSTED_ISSUER} and bool(found & CLOCK_TLS_CODES)


def _explains_pmtu(source: CheckResult, other: CheckResult) -> bool:
    found = _codes(other)
    return other.id in (check_ids.TLS, check_ids.HTTP_HIJACK) and bool(found) and found <= {
        codes.TLS_HANDSHAKE_TIMEOUT, codes.HTTP_TIMEOUT}


def _explains_vpn(source: CheckResult, other: CheckResult) -> bool:
    return other.group in NETWORK_GROUPS and other.cause in (
        codes.TCP_BLOCKED, codes.TLS_INVALID_CERTIFICATE, codes.DNS_POLLUTION, codes.SLOW_NETWORK, codes.HTTP_HIJACK)


# What a lost packet can look like: silence, slowness, a probe that had to ask again.
TRANSIENT_CODES = frozenset({
    codes.DNS_TIMEOUT, codes.DNS_SYSTEM_SILENT, codes.DNS_SLOW, codes.DNS_TRUSTED_UNREACHABLE,
    codes.NOT_RESOLVED, codes.TCP_TIMEOUT, codes.TLS_HANDSHAKE_TIMEOUT, codes.HTTP_TIMEOUT,
    codes.PMTU_BLACKHOLE, codes.MTU_BLACK_HOLE, codes.SLOW_NETWORK, codes.PACKET_LOSS,
    codes.NTP_TIMEOUT,
})


def _explains_by_loss(source: CheckResult, other: CheckResult) -> bool:
    """Heavy measured loss explains findings made only of timeouts and slowness."""
    found = _codes(other)
    return other.group in NETWORK_GROUPS and bool(found) and found <= TRANSIENT_CODES


RULES: dict[str, Callable[[CheckResult, CheckResult], bool]] = {
    codes.OFFLINE: _explains_network,
    codes.CAPTIVE_PORTAL: _explains_captive,
    codes.PROXY_REQUIRED: _explains_by_proxy,
    codes.DNS_FAILURE: _explains_dns_failure,
    codes.FAKE_IP_PROXY: _explains_same_targets,
    codes.DNS_POLLUTION: _explains_same_targets,
    codes.HOSTS_OVERRIDE: _explains_same_targets,
    codes.CLOCK_SKEW: _explains_clock,
    codes.PMTU_BLACKHOLE: _explains_pmtu,
    codes.VPN_INTERFERENCE: _explains_vpn,
}


def _mtu_black_hole(mtu: CheckResult) -> bool:
    """The path itself swallows big packets: sizes above the path MTU that were tried
    went unanswered. A full-size path is no black hole, whatever the adapter's MTU."""
    evidence = mtu.evidence
    main: Any = next((t for t in evidence.get("targets") or []
                      if t.get("target") == evidence.get("target")), evidence)
    if main.get(codes.MTU_BLACK_HOLE) is True:
        return True
    path_mtu = main.get("path_mtu")
    if main.get(codes.MTU_BLACK_HOLE) is None and isinstance(path_mtu, int):
        # The ping command cannot tell "too big" from "lost": any bigger size that failed.
        return any(int(size) > path_mtu and result != "passed"
                   for size, result in (main.get("sizes") or {}).items())
    return False


def _pmtu_candidate(results: Sequence[CheckResult]) -> CheckResult | None:
    """TCP connects that work, TLS handshakes that time out and big packets vanishing on
    the path: together they are a path-MTU black hole even when no single check could
    say so."""
    by_id = {r.id: r for r in results}
    mtu, tls, tcp = by_id.get(check_ids.MTU), by_id.get(check_ids.TLS), by_id.get(check_ids.TCP)
    if mtu is None or tls is None or not _is_finding(tls):
        return None
    if codes.TLS_HANDSHAKE_TIMEOUT not in _codes(tls) or not _mtu_black_hole(mtu):
        return None
    if tcp is not None and tcp.status is Status.FAIL and _hosts(tcp) & _hosts(tls):
        return None  # the connection itself fails: not an MTU problem
    return mtu


def _tunnel_swallowing(results: Sequence[CheckResult]) -> CheckResult | None:
    """The vpn check's finding when the default route leaves through a tunnel."""
    vpn = next((r for r in results if r.id == check_ids.VPN), None)
    if vpn is None or not _is_finding(vpn) or not vpn.evidence.get("default_via_tunnel"):
        return None
    return vpn


def _heavy_loss(results: Sequence[CheckResult]) -> CheckResult | None:
    """The latency check's finding when it measured heavy packet loss."""
    latency = next((r for r in results if r.id == check_ids.LATENCY), None)
    if latency is None or not _is_finding(latency) or codes.PACKET_LOSS not in _codes(latency):
        return None
    return latency


def _add(candidates: dict[str, _Candidate], code: str, because: Sequence[CheckResult],
         **options: Any) -> _Candidate:
    cand = candidates.get(code)
    if cand is None:
        cand = candidates[code] = _Candidate(code, [], **options)
    else:
        for key, value in options.items():
            setattr(cand, key, value)
    cand.because.extend(r for r in because if r not in cand.because)
    return cand


def _candidates(results: Sequence[CheckResult]) -> dict[str, _Candidate]:
    candidates: dict[str, _Candidate] = {}
    for result in results:
        if _is_finding(result):
            _add(candidates, _cause_of(result), [result])
    unreachable = nothing_answers(results)
    tunnel = _tunnel_swallowing(results)
    if unreachable and tunnel is not None:
        # Silence behind a tunnel that holds the default route: the tunnel swallows it.
        names = ", ".join(tunnel.evidence.get("default_via_tunnel") or [])
        _add(candidates, codes.VPN_INTERFERENCE, [tunnel, *unreachable],
             rank=float(impact_rank(codes.OFFLINE)), rule=_explains_network,
             why=[f"vpn: the default route leaves through {names} and nothing answers: "
                  "the tunnel swallows the traffic (not offline: the adapter is connected)"])
    elif unreachable:
        _add(candidates, codes.OFFLINE, unreachable)
    lossy = _heavy_loss(results)
    if lossy is not None:
        loss = lossy.evidence.get("loss") or {}
        _add(candidates, codes.SLOW_NETWORK, [lossy],
             rank=impact_rank(codes.OFFLINE) + 0.5, rule=_explains_by_loss,
             why=[f"latency: {loss.get('lost', '?')} of {loss.get('sent', '?')} test exchanges "
                  "lost a packet: timeouts elsewhere are counted as loss, not as blocked servers"])
    pmtu_source = _pmtu_candidate(results)
    if pmtu_source is not None:
        _add(candidates, codes.PMTU_BLACKHOLE, [pmtu_source])
    if codes.SERVICE_OUTAGE in candidates:
        candidates[codes.SERVICE_OUTAGE].why.extend(_controls(results))
    return candidates


def _controls(results: Sequence[CheckResult]) -> list[str]:
    """Sites that are not Tencent's: when they work, the local network does."""
    lines = []
    for result in results:
        if result.id == check_ids.CAPTIVE and result.status is Status.OK:
            lines.append("control: the connectivity probes (not Tencent's) answered as expected")
        if result.id == check_ids.DNS_POLLUTION and result.status is Status.OK:
            lines.append("control: the trusted DNS servers answered")
        if result.id == check_ids.CLOCK and result.status is Status.OK:
            lines.append("control: the time servers answered")
    return lines


def diagnose(results: Sequence[CheckResult]) -> Diagnosis:
    candidates = _candidates(results)
    if not candidates:
        info = codes.cause_info(codes.HEALTHY)
        said = say(Finding(codes.HEALTHY, "ok", ()), Facts(results))
        summary, advice = (said.summary, said.advice) if said else (info.summary, info.advice)
        return Diagnosis(codes.HEALTHY, (Cause(codes.HEALTHY, summary, advice, (), status="ok"),))

    # Strongest explanations first: a cause can only absorb findings of weaker ones.
    order = sorted(candidates.values(), key=lambda c: (c.rank, -c.severity))
    absorbed: set[str] = set()
    roots: list[_Candidate] = []
    for cand in order:
        if cand.code in absorbed:
            continue
        roots.append(cand)
        rule = cand.rule
        if rule is None:
            continue
        for other in order:
            if other is cand or other.code in absorbed or (other.rank or 0) < (cand.rank or 0):
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
            if r.status is Status.ERROR and r.group in NETWORK_GROUPS and rule is _explains_network:
                cand.explains.append(r)

    roots.sort(key=lambda c: (-c.severity, c.rank))
    facts = Facts(results)
    causes = tuple(_to_cause(c, facts) for c in roots)
    return Diagnosis(causes[0].code, causes)


def _to_cause(cand: _Candidate, facts: Facts) -> Cause:
    info = codes.cause_info(cand.code)
    summary, advice = info.summary, info.advice
    because = tuple(dict.fromkeys(r.id for r in cand.because))
    explains = tuple(dict.fromkeys(r.id for r in cand.explains if r.id not in because))
    evidence = (*cand.why, *(
        line for r in [*cand.because, *cand.explains] for line in _evidence_lines(r)))[:12]
    fixes = tuple(dict.fromkeys(f for r in cand.because for f in r.fixes))
    status = "fail" if cand.severity >= Status.FAIL.severity else "warn"
    said = say(Finding(cand.code, status, because, explains, fixes), facts)
    if said is not None:
        return Cause(cand.code, sentence(said.summary), said.advice, because, explains, evidence,
                     fixes if said.fixes is None else said.fixes, status, said.proof, said.for_it)
    if len(cand.because) == 1 and not has_saying(cand.code):
        # No words of its own for this cause (a full disk, an old client ...): the one
        # check's own words say more than the general sentence.
        summary = cand.because[0].summary
        advice = cand.because[0].advice or advice
    return Cause(cand.code, summary, advice, because, explains, evidence, fixes, status)


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
