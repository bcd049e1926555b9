"""The most likely cause before every check has finished, once nothing still running
could change it.

The runner ends a run as soon as its verdict is certain (the checks still running are
"not needed"), and the window shows it at that moment. A cause is settled when it is a
failure and no pending check could change the primary cause:

- a pending check could name a cause (`causes`) or stand in for one (`stands_in_for`)
  that ranks at or above the settled one (a red DNS light is not the answer while
  `dns_pollution` may still find that nothing answers at all);
- some causes are derived from several checks' evidence together (correlate.py): a
  pending check that helps bring one about that ranks at or above, or that could rule
  out the settled cause itself (a time server answering means the computer is not
  offline), holds the verdict too. DERIVED says which checks those are.

A failure cannot be displaced by a warning, and a weaker cause can only be explained by
a stronger one, never the other way round, so nothing else can change the primary cause.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from checks.diagnosis.correlate import Diagnosis, diagnose
from checks.diagnosis.impact import IMPACT_ORDER, impact_rank
from checks.diagnosis.offline_rule import awaits_silence
from checks.engine import check_ids, codes
from checks.engine.check import check_class
from checks.engine.results import CheckResult


@dataclass(frozen=True)
class Derived:
    """A cause the diagnosis derives from several checks: the checks whose findings can
    bring it about (`made_by`), those whose answers rule it out (`ruled_out_by`), and
    the rank it takes (a cause standing in for a stronger one takes that one's rank)."""

    made_by: tuple[str, ...]
    ruled_out_by: tuple[str, ...] = ()
    rank_of: str = ""


# What correlate.py derives (see _candidates there); a contract test keeps this in step.
# Something answering beyond the route (a time server, a server's port, a connectivity
# probe) rules out "offline", and the tunnel's "everything is swallowed" alike.
_ANSWERED = (check_ids.CLOCK, check_ids.TCP, check_ids.CAPTIVE)
DERIVED: dict[str, Derived] = {
    codes.OFFLINE: Derived((check_ids.DNS, check_ids.DNS_POLLUTION), _ANSWERED),
    # A tunnel holding the default route while nothing answers: offline's rank.
    codes.VPN_INTERFERENCE: Derived((check_ids.VPN, check_ids.DNS, check_ids.DNS_POLLUTION),
                                    _ANSWERED, rank_of=codes.OFFLINE),
    # Heavy measured loss stands just below offline.
    codes.SLOW_NETWORK: Derived((check_ids.LATENCY,), rank_of=codes.OFFLINE),
    # Big packets vanishing (mtu) with TLS handshakes timing out (tls); a connection that
    # fails to the same servers (tcp) rules it out.
    codes.PMTU_BLACKHOLE: Derived((check_ids.MTU, check_ids.TLS), (check_ids.TCP,)),
}


def _rank(derived_code: str) -> int:
    return impact_rank(DERIVED[derived_code].rank_of or derived_code)


def strongest(check_id: str) -> int:
    """The best rank a pending check's finding could take: the strongest of the causes it
    can name, stand in for, or help bring about. A check this version does not know
    could change anything."""
    cls = check_class(check_id)
    if cls is None:
        return -1
    ranks = [impact_rank(c) for c in (*cls.causes, *([cls.stands_in_for] if cls.stands_in_for
                                                       else []))]
    ranks += [_rank(code) for code, d in DERIVED.items() if check_id in d.made_by]
    return min(ranks, default=len(IMPACT_ORDER))


def could_change(check_id: str, primary: str) -> bool:
    """Whether a pending check's result could still change this primary cause."""
    if strongest(check_id) <= impact_rank(primary):
        return True
    derived = DERIVED.get(primary)
    return derived is not None and check_id in derived.ruled_out_by


def early_diagnosis(finished: Sequence[CheckResult], pending: Collection[str]) -> Diagnosis | None:
    """The diagnosis of the finished results if no pending check can change its primary
    cause, else None."""
    diagnosis = diagnose(finished)
    primary = diagnosis.causes[0]
    if primary.code == codes.HEALTHY or primary.status != "fail":
        return None  # a warning can still be outranked by any failure to come
    if any(could_change(check_id, primary.code) for check_id in pending):
        return None
    # Every DNS server saying no name exists is offline once something asked by its
    # address stays silent too (offline_rule.py): the checks that ask so hold it.
    if {check_ids.CLOCK, check_ids.TCP} & set(pending) and \
            impact_rank(codes.OFFLINE) <= impact_rank(primary.code) and awaits_silence(finished):
        return None
    return diagnosis
