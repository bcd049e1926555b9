"""Which cause matters most when several are found: the impact ranking, stated.

The diagnosis lets a stronger cause absorb the findings it explains and, among the
causes that remain, names the highest-ranked failure first. The rank is the place in
this list (0 blocks logging in most); each entry says why it stands there. A cause not
listed ranks last. A contract test holds the list to every cause code, once.
"""

from __future__ import annotations

from checks.engine import codes

IMPACT: tuple[tuple[str, str], ...] = (
    (codes.OFFLINE, "nothing beyond this computer answers: every network finding follows "
                    "from it"),
    (codes.CAPTIVE_PORTAL, "a Wi-Fi login page intercepts web traffic until the person logs "
                           "in: TLS, HTTP and DNS findings follow from it"),
    (codes.PROXY_BROKEN, "a proxy the system sends traffic through and that does not work "
                         "breaks every connection made through it"),
    (codes.PROXY_REQUIRED, "direct connections fail while the proxy that is set reaches the "
                           "servers: the clients only need to be told to use it, which "
                           "explains the blocked connections (and the names only the proxy "
                           "resolves), so it stands above tcp_blocked and dns_failure"),
    (codes.PROXY_AUTH, "the proxy refuses every connection until it gets a password"),
    (codes.DNS_FAILURE, "a name that does not resolve cannot be connected to: the connection "
                        "findings for that name follow from it"),
    (codes.HOSTS_OVERRIDE, "the hosts file answers before any DNS server: above DNS pollution, "
                           "so the file, not the server, is blamed for its names"),
    (codes.FAKE_IP_PROXY, "a proxy tool's fake addresses explain every wrong answer for the "
                          "names it captures"),
    (codes.DNS_POLLUTION, "wrong answers send the client to the wrong place: failures to "
                          "those addresses follow from them"),
    (codes.DNS_UNRELIABLE, "answers that come only now and then: flaky rather than wrong, so "
                           "below the causes that give wrong answers"),
    (codes.PMTU_BLACKHOLE, "connects work but large packets vanish: TLS handshakes time out "
                           "because of it"),
    (codes.CLOCK_SKEW, "a clock far off makes valid certificates look expired or not yet "
                       "valid"),
    (codes.TCP_BLOCKED, "the servers' ports cannot be reached (a firewall): it blocks logging "
                        "in, but explains nothing else"),
    (codes.ADDRESS_BLOCKED, "one address of a server fails while another works: the clients "
                            "wait or are refused before they try the next address, so it "
                            "slows or breaks logging in now and then, below a blocked server"),
    (codes.TLS_INTERCEPTED, "HTTPS inspection replaces Tencent's certificate and the client "
                            "refuses the substitute"),
    (codes.TLS_INVALID_CERTIFICATE, "a certificate that does not verify for another reason"),
    (codes.HTTP_HIJACK, "plain HTTP is rewritten: only the short links over port 80 suffer"),
    (codes.SERVICE_OUTAGE, "Tencent's own servers answer with errors: below everything this "
                           "computer or network could cause"),
    (codes.VPN_INTERFERENCE, "a tunnel that may divert traffic, when it is only a suspect (it "
                             "stands in for offline when it swallows everything)"),
    (codes.IPV6_BROKEN, "IPv6 fails while IPv4 works: the clients fall back, so it slows "
                        "rather than blocks"),
    (codes.DISK_FULL, "the client cannot store messages or updates: this computer, not the "
                      "network"),
    (codes.CACHE_PERMISSION, "the client cannot write its own folder"),
    (codes.CACHE_CORRUPT, "a damaged cache the client usually rebuilds"),
    (codes.CLIENT_OUTDATED, "an old client that the servers may refuse"),
    (codes.SLOW_NETWORK, "slowness and loss make logging in slow or flaky, seldom impossible "
                         "(measured heavy loss stands in just below offline)"),
    (codes.UNCLASSIFIED, "a finding that names no cause: last, so any named cause outranks it"),
    # Causes of a watch report, ranked among themselves (a check run never names them).
    (codes.UNSTABLE_LOCAL_LINK, "the gateway itself stopped answering: everything beyond it "
                                "follows"),
    (codes.UNSTABLE_UPLINK, "the gateway answered but nothing beyond it did"),
    (codes.SERVERS_INTERMITTENT, "only Tencent's servers stopped answering"),
    (codes.NETWORK_CHANGED, "the network changed under the watch: a cause of gaps, not a "
                            "fault"),
    (codes.DNS_SLOW, "slow answers: a nuisance more than a block"),
)

IMPACT_ORDER: tuple[str, ...] = tuple(code for code, _why in IMPACT)


def impact_rank(code: str) -> int:
    """Where a cause stands in IMPACT_ORDER (0 blocks logging in most); unknown ones last."""
    return IMPACT_ORDER.index(code) if code in IMPACT_ORDER else len(IMPACT_ORDER)
