"""The most likely cause before every check has finished, once nothing still running
could change it.

The window shows it as soon as the results that decide it are in (and says the rest
is still running). A cause is settled when it is a failure and no pending check can
produce a cause that ranks above it or stands in for one that does: a red DNS light
is not the answer while `dns_pollution` may still find that nothing answers at all.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from checks.diagnosis.correlate import Diagnosis, diagnose, impact_rank
from checks.engine import codes
from checks.engine.results import CheckResult

# Which causes each check can lead to (a contract test keeps this in step with the
# catalog). Checks not listed are assumed to be able to change anything.
CHECK_CAUSES: dict[str, tuple[str, ...]] = {
    "network": (codes.OFFLINE,),
    "dns": (codes.DNS_FAILURE, codes.DNS_UNRELIABLE, codes.OFFLINE),
    codes.DNS_POLLUTION: (codes.FAKE_IP_PROXY, codes.DNS_POLLUTION, codes.OFFLINE),
    "hosts": (codes.HOSTS_OVERRIDE,),
    "captive": (codes.CAPTIVE_PORTAL,),
    "tcp": (codes.TCP_BLOCKED, codes.IPV6_BROKEN),
    "tls": (codes.CLOCK_SKEW, codes.TCP_BLOCKED, codes.TLS_INTERCEPTED,
            codes.TLS_INVALID_CERTIFICATE, codes.SERVICE_OUTAGE, codes.PMTU_BLACKHOLE),
    "latency": (codes.SLOW_NETWORK,),
    "mtu": (codes.PMTU_BLACKHOLE,),
    "proxy": (codes.PROXY_BROKEN, codes.PROXY_AUTH),
    "vpn": (codes.VPN_INTERFERENCE,),
    codes.HTTP_HIJACK: (codes.HTTP_HIJACK,),
    "clock": (codes.CLOCK_SKEW,),
    "disk": (codes.DISK_FULL,),
    "client_data": (codes.CACHE_PERMISSION, codes.CACHE_CORRUPT),
    "client_version": (codes.CLIENT_OUTDATED,),
    "security_software": (),
}
# Checks whose finding can stand in for a stronger cause (see diagnosis._candidates).
STANDS_IN_FOR = {"vpn": codes.OFFLINE, "latency": codes.OFFLINE}


def _strongest(check_id: str) -> int:
    """The best rank a pending check's finding could take."""
    if check_id not in CHECK_CAUSES:
        return -1
    ranks = [impact_rank(c) for c in CHECK_CAUSES[check_id]]
    if check_id in STANDS_IN_FOR:
        ranks.append(impact_rank(STANDS_IN_FOR[check_id]))
    return min(ranks, default=len(codes.IMPACT_ORDER))


def early_diagnosis(finished: Sequence[CheckResult], pending: Collection[str]) -> Diagnosis | None:
    """The diagnosis of the finished results if no pending check can change its primary
    cause, else None."""
    diagnosis = diagnose(finished)
    primary = diagnosis.causes[0]
    if primary.code == codes.HEALTHY or primary.status != "fail":
        return None  # a warning can still be outranked by any failure to come
    rank = impact_rank(primary.code)
    if any(_strongest(check_id) <= rank for check_id in pending):
        return None
    return diagnosis
