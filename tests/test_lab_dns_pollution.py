"""The DNS-pollution check against real DNS and TLS servers in the lab.

The client's system resolver is `lab.dns`; a second lab DNS server plays the
trusted resolver. Lab addresses are private (10.201.x.x), so these tests also
show that private answers agreeing with the trusted resolver are not "bogus".
"""

from __future__ import annotations

from typing import Any

from tests.lab import Lab, tls_server
from tests.lab.certs import LabCA
from tests.lab.dnsctl import DnsServer

LOGIN = "login.wecom.lab.test"
API = "qyapi.wecom.lab.test"
LONG = "long.wechat.lab.test"
CA_ORG = "Lab Trusted CA"
MY_CHECKS = "network,dns,tcp,dns_pollution,tls"


def config(trusted: list[str], ca: LabCA | None = None) -> dict[str, Any]:
    return {
        "deadline_s": 8,
        "endpoints": [
            {"host": LOGIN, "ports": [443], "product": "wecom", "tls": True},
            {"host": API, "ports": [443], "product": "wecom", "tls": True},
            {"host": LONG, "ports": [8080], "product": "wechat", "tls": False},
        ],
        "dns": {"trusted_resolvers": trusted, "timeout_s": 1.5},
        "tcp": {"timeout_s": 1.5},
        "tls": {"extra_ca_files": [str(ca.ca_file)] if ca else [],
                "expected_issuers": [CA_ORG], "timeout_s": 1.5},
    }


def healthy_lab(lab: Lab) -> tuple[DnsServer, LabCA]:
    """LOGIN and LONG: same answer everywhere. API: CDN-like, system and trusted
    resolvers give different addresses, both serving a valid certificate."""
    ca = LabCA(lab.tmp / "pki", CA_ORG)
    trusted = lab.add_dns_server()
    login = lab.add_host(LOGIN)
    tls_server.start(lab, login, ca.issue(LOGIN))
    trusted.set(LOGIN, a=login)
    api_system = lab.add_host(API)
    api_trusted = lab.add_address()
    cert = ca.issue(API)
    tls_server.start(lab, api_system, cert)
    tls_server.start(lab, api_trusted, cert)
    trusted.set(API, a=api_trusted)
    long = lab.add_host(LONG, ports=[8080])
    trusted.set(LONG, a=long)
    return trusted, ca


def run(lab: Lab, cfg: dict[str, Any], only: str = "dns_pollution"
        ) -> tuple[dict[str, Any], dict[str, Any], int]:
    report, rc, _stderr = lab.check_json(cfg, "--only", only)
    (result,) = [c for c in report["checks"] if c["id"] == "dns_pollution"]
    return report, result, rc


def decisions(result: dict[str, Any]) -> dict[str, str]:
    return {d["host"]: d["decision"] for d in result["evidence"]["decisions"]}


def test_healthy_lab_is_all_green_including_cdn_answers(lab: Lab) -> None:
    trusted, ca = healthy_lab(lab)
    report, result, rc = run(lab, config([trusted.addr], ca), only=MY_CHECKS)
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses == dict.fromkeys(MY_CHECKS.split(","), "ok"), report["checks"]
    assert rc == 0 and report["diagnosis"]["primary"] == "healthy"
    assert decisions(result) == dict.fromkeys((LOGIN, API, LONG), "consistent")
    reasons = {d["host"]: d["reason"] for d in result["evidence"]["decisions"]}
    assert "valid certificate" in reasons[API] and "overlap" in reasons[LOGIN]
    # Evidence shows both answer sets per name.
    api = next(h for h in result["evidence"]["hosts"] if h["host"] == API)
    assert api["system"]["addresses"] == [lab.hosts[API].v4]
    assert api["trusted"][0]["resolver"] == trusted.addr
    assert api["trusted"][0]["addresses"] != api["system"]["addresses"]
    # The trusted resolver really was asked, directly.
    assert {q["name"].rstrip(".") for q in trusted.queries()} >= {LOGIN, API, LONG}


def test_polluted_answer_with_wrong_certificate_fails(lab: Lab) -> None:
    trusted, ca = healthy_lab(lab)
    hijack = lab.add_address()
    tls_server.start(lab, hijack, ca.issue("ads.isp.lab.test"))
    lab.dns.set(LOGIN, a=hijack)
    _report, result, rc = run(lab, config([trusted.addr], ca))
    assert (result["status"], result["cause"], rc) == ("fail", "dns_pollution", 2), result
    assert [(p["code"], p["host"], p["address"]) for p in result["problems"]] == [
        ("dns_mismatch", LOGIN, hijack)]
    assert decisions(result)[LOGIN] == "mismatch"
    assert decisions(result)[API] == "consistent"


def test_unprovable_different_answer_is_a_warning(lab: Lab) -> None:
    trusted, ca = healthy_lab(lab)
    blackhole = lab.add_address()
    lab.drop(blackhole)
    lab.dns.set(LOGIN, a=blackhole)
    _report, result, rc = run(lab, config([trusted.addr], ca))
    assert (result["status"], result["cause"], rc) == ("warn", "dns_pollution", 1), result
    assert decisions(result)[LOGIN] == "mismatch_unconfirmed"


def test_private_and_loopback_answers_for_public_names_are_bogus(lab: Lab) -> None:
    trusted = lab.add_dns_server()
    # The trusted resolver gives public addresses (never contacted by this check).
    trusted.set(LOGIN, a="203.0.113.7")
    trusted.set(API, a="203.0.113.8")
    trusted.set(LONG, a="203.0.113.9")
    lab.dns.set(LOGIN, a="192.168.1.10")
    lab.dns.set(API, a="127.0.0.1")
    lab.dns.set(LONG, a="203.0.113.9")
    _report, result, rc = run(lab, config([trusted.addr]))
    assert (result["status"], result["cause"], rc) == ("fail", "dns_pollution", 2), result
    assert sorted((p["code"], p["host"]) for p in result["problems"]) == [
        ("dns_bogus_loopback", API), ("dns_bogus_private", LOGIN)]
    assert decisions(result)[LONG] == "consistent"


def test_fake_ip_answer_points_at_a_proxy_tool(lab: Lab) -> None:
    trusted, ca = healthy_lab(lab)
    lab.dns.set(LOGIN, a="198.18.0.7")
    _report, result, rc = run(lab, config([trusted.addr], ca))
    assert (result["status"], result["cause"], rc) == ("warn", "fake_ip_proxy", 1), result
    assert [(p["code"], p["address"]) for p in result["problems"]] == [
        ("dns_fake_ip", "198.18.0.7")]


def test_differing_answer_without_tls_is_only_info(lab: Lab) -> None:
    trusted, ca = healthy_lab(lab)
    other = lab.add_address()
    trusted.set(LONG, a=other)
    _report, result, rc = run(lab, config([trusted.addr], ca))
    assert (result["status"], result["cause"], rc) == ("info", None, 0), result
    assert decisions(result)[LONG] == "differs_unverified"
    assert [p["code"] for p in result["problems"]] == ["dns_differs"]


def test_no_trusted_resolver_reachable_is_grey(lab: Lab) -> None:
    trusted, ca = healthy_lab(lab)
    trusted.stop()
    _report, result, _rc = run(lab, config([trusted.addr], ca))
    assert (result["status"], result["cause"]) == ("error", None), result
    assert [p["code"] for p in result["problems"]] == ["dns_trusted_unreachable"]
    assert trusted.addr in result["summary"]


def test_truncated_answer_is_retried_over_tcp(lab: Lab) -> None:
    trusted, ca = healthy_lab(lab)
    trusted.truncate(LOGIN)
    _report, result, rc = run(lab, config([trusted.addr], ca))
    assert (result["status"], rc) == ("ok", 0), result
    login = next(h for h in result["evidence"]["hosts"] if h["host"] == LOGIN)
    assert login["trusted"][0]["transport"] == ["tcp"]
    assert login["trusted"][0]["addresses"] == [lab.hosts[LOGIN].v4]
    assert any(q["transport"] == "tcp" for q in trusted.queries())


def test_http_dns_service_is_a_trusted_source(lab: Lab) -> None:
    from tests.lab import http_dns_server

    _dns, ca = healthy_lab(lab)
    service = lab.add_address()
    genuine = {LOGIN: [lab.hosts[LOGIN].v4], API: [lab.hosts[API].v4],
               LONG: [lab.hosts[LONG].v4]}
    http_dns_server.start(lab, service, genuine)
    lab.dns.set(LOGIN, a="127.0.0.1")  # polluted; the HTTP DNS service knows better
    cfg = config([], ca)
    cfg["dns"]["http_dns_url"] = f"http://{service}:{http_dns_server.PORT}/d?dn={{host}}"
    _report, result, rc = run(lab, cfg)
    assert (result["status"], result["cause"], rc) == ("fail", "dns_pollution", 2), result
    assert [(p["code"], p["host"]) for p in result["problems"]] == [("dns_bogus_loopback", LOGIN)]
    assert decisions(result)[API] == decisions(result)[LONG] == "consistent"
    login = next(h for h in result["evidence"]["hosts"] if h["host"] == LOGIN)
    assert login["trusted"] == [{"resolver": "http_dns", "addresses": genuine[LOGIN],
                                 "errors": {"A": None}, "answered": True,
                                 "transport": ["http"], "ms": login["trusted"][0]["ms"]}]
