"""When the internet itself is out of reach, not merely DNS or one server.

A route exists, but nothing beyond it answers. Two ways the evidence shows it:
- every DNS server, the configured one and the trusted public ones alike, is silent
  or unreachable;
- the DNS server answers, but says each name does not exist (a resolver cut off from
  the internet, or a network that answers DNS itself and lets nothing out), the
  trusted resolvers say the same or stay silent, and what was asked by address stays
  silent too (a time server, a server's port). A trusted public resolver cannot say
  Tencent's names do not exist on a network that reaches the internet.
Anything beyond the route that answers (a time server, a connect, a connectivity probe)
proves the line works: then it is a DNS fault, not "offline".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from checks.engine import check_ids, codes
from checks.engine.results import CheckResult, Status

SILENT = {codes.DNS_TIMEOUT, codes.DNS_UNREACHABLE}
NO_SUCH_NAME = {codes.DNS_NXDOMAIN, codes.DNS_NXDOMAIN_OR_NODATA}


def nothing_answers(results: Sequence[CheckResult]) -> list[CheckResult]:
    """The dns and dns_pollution results that prove the internet is out of reach, or []."""
    by_id = {r.id: r for r in results}
    said = _dns_says(by_id)
    if said is None:
        return []
    kind, dns, reference = said
    if kind == "silent":
        proven = codes.DNS_TRUSTED_UNREACHABLE in {p.code for p in reference.problems}
    else:
        proven = _trusted_agree(reference) and _silent_by_address(by_id)
    return [dns, reference] if proven else []


def awaits_silence(results: Sequence[CheckResult]) -> bool:
    """Every DNS server, the trusted ones agreeing, says no name exists and nothing has
    answered elsewhere: only something asked by its address staying silent is missing to
    prove the internet out of reach."""
    said = _dns_says({r.id: r for r in results})
    return said is not None and said[0] == "no_such_name" and _trusted_agree(said[2])


def _dns_says(by_id: Mapping[str, CheckResult]
              ) -> tuple[str, CheckResult, CheckResult] | None:
    """What every name's failed lookup came to ("silent" or "no_such_name"), with the
    dns and dns_pollution results, while nothing answered elsewhere; None otherwise."""
    dns, reference = by_id.get(check_ids.DNS), by_id.get(check_ids.DNS_POLLUTION)
    if dns is None or reference is None or dns.status is not Status.FAIL or \
            answered_elsewhere(by_id):
        return None
    errors = [a.get("error") for a in _records(dns, "answers")]
    for kind, codes_of_kind in (("silent", SILENT), ("no_such_name", NO_SUCH_NAME)):
        if errors and all(e in codes_of_kind for e in errors):
            return kind, dns, reference
    return None


def _trusted_agree(reference: CheckResult) -> bool:
    return trusted_say_no_such_name(reference.evidence) or \
        codes.DNS_TRUSTED_UNREACHABLE in {p.code for p in reference.problems}


def trusted_say_no_such_name(reference: Mapping[str, Any]) -> bool:
    """Every trusted resolver asked answered, and said every name does not exist."""
    asked = [t for host in _items(reference.get("hosts")) for t in _items(host.get("trusted"))]
    if not asked:
        return False
    for trusted in asked:
        errors = trusted.get("errors")
        if trusted.get("answered") is not True or trusted.get("addresses") or \
                not isinstance(errors, Mapping) or not errors or \
                any(e not in NO_SUCH_NAME for e in errors.values()):
            return False
    return True


def answered_elsewhere(by_id: Mapping[str, CheckResult]) -> bool:
    """Something beyond the route answered: a time server, a TCP connect to a server
    (by address), or a connectivity probe."""
    clock = by_id.get(check_ids.CLOCK)
    if clock is not None and isinstance(clock.evidence.get("answered"), int) \
            and clock.evidence["answered"] > 0:
        return True
    if any(p.get("ok") is True for p in _records(by_id.get(check_ids.TCP), "probes")):
        return True
    return any(p.get("status") is not None for p in _records(by_id.get(check_ids.CAPTIVE), "probes"))


def _silent_by_address(by_id: Mapping[str, CheckResult]) -> bool:
    """Something asked by its address, needing no DNS, stayed silent."""
    clock = by_id.get(check_ids.CLOCK)
    if clock is not None and isinstance(clock.evidence.get("asked"), int) \
            and clock.evidence["asked"] > 0 and clock.evidence.get("answered") == 0:
        return True
    return any(p.get("ok") is False and p.get("failure") == codes.TCP_TIMEOUT
               for p in _records(by_id.get(check_ids.TCP), "probes"))


def _records(result: CheckResult | None, key: str) -> list[dict[str, Any]]:
    return _items(result.evidence.get(key)) if result is not None else []


def _items(value: Any) -> list[dict[str, Any]]:
    return [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []
