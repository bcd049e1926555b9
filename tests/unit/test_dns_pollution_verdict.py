"""The DNS-pollution verdict on recorded evidence (no network)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.catalog.dns_pollution import assess_pollution, decide
from checks.engine.results import Status
from checks.probes.trusted_dns import parse_http_dns
from checks.shared.address_kinds import bogus_kind
from tests.fixtures.evidence.recorded import evidence


def host(name: str, system: list[str], trusted: list[str] | None, tls: bool = True,
         probe: dict[str, Any] | None = None, error: str | None = None) -> dict[str, Any]:
    answered = trusted is not None
    errors = {"A": None, "AAAA": None} if answered else {"A": "dns_timeout", "AAAA": "dns_timeout"}
    return {
        "host": name, "tls": tls, "port": 443 if tls else None,
        "system": {"addresses": system, "error": error if not system else None},
        "trusted": [{"resolver": "119.29.29.29", "addresses": trusted or [], "errors": errors,
                     "answered": answered, "transport": ["udp"], "ms": 12.0}],
        "tls_probe": probe,
    }


def probe(address: str, failure: str | None) -> dict[str, Any]:
    return {"address": address, "port": 443, "failure": failure, "verified": failure is None,
            "issuer": {"O": "DigiCert Inc"}, "sans": ["DNS:*.weixin.qq.com"]}


def verdict(*hosts: dict[str, Any]):  # type: ignore[no-untyped-def]
    return assess_pollution({"hosts": list(hosts), "decisions": [], "sources": ["119.29.29.29"]})


def codes(v: Any) -> list[tuple[str, str | None]]:
    return sorted((p.code, p.host) for p in v.problems)


@pytest.mark.parametrize(("address", "kind"), [
    ("198.18.0.1", "fake_ip"), ("198.19.255.254", "fake_ip"), ("198.20.0.1", None),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.1", "private"),
    ("172.32.0.1", None), ("192.168.1.1", "private"), ("100.64.0.1", "private"),
    ("100.128.0.1", None), ("127.0.0.1", "loopback"), ("0.0.0.0", "unspecified"),
    ("169.254.1.1", "link_local"), ("224.0.0.1", "reserved"), ("255.255.255.255", "reserved"),
    ("::1", "loopback"), ("::", "unspecified"), ("fe80::1", "link_local"), ("fd00::1", "private"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:198.18.3.4", "fake_ip"),
    ("183.3.226.35", None), ("240e:e1:a900::1", None), ("not-an-ip", "reserved"),
])
def test_bogus_ranges(address: str, kind: str | None) -> None:
    assert bogus_kind(address) == kind


def test_overlapping_answers_are_consistent() -> None:
    v = assess_pollution(evidence("healthy", "dns_pollution"))
    assert v.status is Status.OK and v.cause is None and not v.problems
    v = verdict(host("a.example", ["1.1.1.1", "2.2.2.2"], ["2.2.2.2", "3.3.3.3"]))
    assert v.status is Status.OK and v.cause is None and not v.problems


def test_recorded_polluted_answer_with_someone_elses_certificate_is_pollution() -> None:
    recorded = evidence("polluted_dns", "dns_pollution")
    v = assess_pollution(recorded)
    assert (v.status, v.cause) == (Status.FAIL, "dns_pollution")
    (record,) = [r for r in recorded["hosts"] if r["tls_probe"]]
    assert [p.address for p in v.problems] == [record["system"]["addresses"][0]]


def test_recorded_adblock_zero_answer_is_bogus() -> None:
    v = assess_pollution(evidence("adblock_dns", "dns_pollution"))
    assert (v.status, v.cause) == (Status.FAIL, "dns_pollution")
    assert {p.code for p in v.problems} == {"dns_bogus_unspecified"}


def test_an_answer_from_the_hosts_file_is_not_dns_pollution() -> None:
    recorded = evidence("hosts_loopback", "dns_pollution")
    decisions = [decide(dict(r)) for r in recorded["hosts"]]
    assert [d["decision"] for d in decisions if d["host"] == "login.wecom.lab.test"] == ["hosts_file"]
    v = assess_pollution(recorded)
    assert (v.status, v.cause) == (Status.INFO, None)
    assert "hosts file" in v.summary.render("en") and "hosts 文件" in v.summary.render("zh")


def test_private_answer_agreeing_with_trusted_resolver_is_fine() -> None:
    # Lab names and company-internal names really live in private space.
    v = verdict(host("login.wecom.lab.test", ["10.201.16.1"], ["10.201.16.1"]))
    assert v.status is Status.OK


def test_private_answer_when_trusted_says_public_is_bogus() -> None:
    v = verdict(host("qyapi.weixin.qq.com", ["192.168.1.1"], ["101.91.22.57"]),
                host("weixin.qq.com", ["127.0.0.1"], ["183.3.226.35"]),
                host("dldir1.qq.com", ["0.0.0.0"], ["121.51.1.1"]))
    assert (v.status, v.cause) == (Status.FAIL, "dns_pollution")
    assert codes(v) == [("dns_bogus_loopback", "weixin.qq.com"),
                        ("dns_bogus_private", "qyapi.weixin.qq.com"),
                        ("dns_bogus_unspecified", "dldir1.qq.com")]
    assert v.fixes == ("set_dns_servers",)  # what its advice says; a flush asks the same server
    assert "192.168.1.1" in v.summary.render("en") and "101.91.22.57" in v.summary.render("zh")


def test_private_answer_when_trusted_has_no_such_name_is_bogus() -> None:
    v = verdict(host("qyapi.weixin.qq.com", ["10.0.0.1"], []))
    assert codes(v) == [("dns_bogus_private", "qyapi.weixin.qq.com")]


def test_different_private_answers_are_judged_by_the_certificate() -> None:
    valid = host("a.lab.test", ["10.201.16.2"], ["10.201.16.3"], probe=probe("10.201.16.2", None))
    assert verdict(valid).status is Status.OK
    assert decide(valid)["reason"].endswith("(CDN)")
    wrong = host("a.lab.test", ["10.201.16.2"], ["10.201.16.3"],
                 probe=probe("10.201.16.2", "tls_name_mismatch"))
    v = verdict(wrong)
    assert (v.status, v.cause) == (Status.FAIL, "dns_pollution")
    assert codes(v) == [("dns_mismatch", "a.lab.test")]


def test_cdn_answer_with_valid_certificate_is_consistent() -> None:
    v = verdict(host("work.weixin.qq.com", ["58.251.1.1"], ["121.51.2.2"],
                     probe=probe("58.251.1.1", None)))
    assert v.status is Status.OK


@pytest.mark.parametrize("failure", ["tls_untrusted_issuer", "tls_expired", "tls_not_tls"])
def test_differing_answer_with_bad_certificate_is_pollution(failure: str) -> None:
    v = verdict(host("work.weixin.qq.com", ["31.13.1.1"], ["121.51.2.2"],
                     probe=probe("31.13.1.1", failure)))
    assert (v.status, v.cause) == (Status.FAIL, "dns_pollution")
    assert [p.address for p in v.problems] == ["31.13.1.1"]


@pytest.mark.parametrize("failure", ["tls_handshake_timeout", "tcp_timeout", "tls_reset",
                                     "tcp_refused"])
def test_differing_answer_that_cannot_be_reached_is_only_a_warning(failure: str) -> None:
    # A firewall in front of the genuine server would look the same.
    v = verdict(host("work.weixin.qq.com", ["31.13.1.1"], ["121.51.2.2"],
                     probe=probe("31.13.1.1", failure)))
    assert (v.status, v.cause) == (Status.WARN, "dns_pollution")


def test_evidence_without_the_needed_probe_is_unproven() -> None:
    v = verdict(host("work.weixin.qq.com", ["31.13.1.1"], ["121.51.2.2"]))
    assert v.status is Status.WARN


def test_differing_answer_for_mmtls_host_is_info() -> None:
    v = verdict(host("long.weixin.qq.com", ["109.244.1.1"], ["183.3.1.1"], tls=False),
                host("weixin.qq.com", ["1.1.1.1"], ["1.1.1.1"]))
    assert (v.status, v.cause) == (Status.INFO, None)
    assert codes(v) == [("dns_differs", "long.weixin.qq.com")]


def test_recorded_fake_ip_answer_points_at_a_proxy_tool() -> None:
    v = assess_pollution(evidence("fake_ip_answer", "dns_pollution"))
    assert (v.status, v.cause) == (Status.WARN, "fake_ip_proxy")
    assert codes(v) == [("dns_fake_ip", "login.wecom.lab.test")]


def test_fake_ip_is_flagged_even_when_trusted_resolvers_agree() -> None:
    # Proxy tools in TUN mode hijack every DNS query, the trusted ones too.
    v = verdict(host("weixin.qq.com", ["198.18.0.12"], ["198.18.0.12"]),
                host("long.weixin.qq.com", ["198.18.0.13"], None, tls=False))
    assert (v.status, v.cause) == (Status.WARN, "fake_ip_proxy")
    assert codes(v) == [("dns_fake_ip", "long.weixin.qq.com"), ("dns_fake_ip", "weixin.qq.com")]


def test_pollution_outranks_fake_ip() -> None:
    v = verdict(host("weixin.qq.com", ["198.18.0.12"], ["1.1.1.1"]),
                host("qyapi.weixin.qq.com", ["127.0.0.1"], ["2.2.2.2"]))
    assert (v.status, v.cause) == (Status.FAIL, "dns_pollution")
    assert {p.code for p in v.problems} == {"dns_fake_ip", "dns_bogus_loopback"}


def test_no_trusted_resolver_answering_is_grey_not_red() -> None:
    v = verdict(host("weixin.qq.com", ["127.0.0.1"], None),
                host("qyapi.weixin.qq.com", ["1.1.1.1"], None))
    assert v.status is Status.ERROR and v.cause is None
    assert [p.code for p in v.problems] == ["dns_trusted_unreachable"]
    assert "dns_timeout" in v.summary.render("en")


def test_some_names_not_compared_is_info() -> None:
    v = verdict(host("weixin.qq.com", ["1.1.1.1"], ["1.1.1.1"]),
                host("qyapi.weixin.qq.com", ["2.2.2.2"], None))
    assert v.status is Status.INFO


def test_system_resolver_failing_everywhere_is_grey() -> None:
    v = assess_pollution(evidence("dns_server_down", "dns_pollution"))
    assert v.status is Status.ERROR and [p.code for p in v.problems] == ["not_resolved"]


def test_trusted_nxdomain_is_an_answer() -> None:
    record = host("weixin.qq.com", ["1.1.1.1"], [])
    record["trusted"][0]["errors"] = {"A": "dns_nxdomain", "AAAA": "dns_nxdomain"}
    record["tls_probe"] = probe("1.1.1.1", "tls_name_mismatch")
    assert verdict(record).status is Status.FAIL


def test_both_languages_render_without_placeholders() -> None:
    for v in (verdict(host("a.qq.com", ["192.168.1.1"], ["1.1.1.1"])),
              verdict(host("a.qq.com", ["198.18.0.1"], ["1.1.1.1"])),
              verdict(host("a.qq.com", ["1.1.1.1"], None)),
              verdict(host("a.qq.com", ["1.1.1.1"], ["2.2.2.2"], tls=False)),
              verdict(host("a.qq.com", ["1.1.1.1"], ["1.1.1.1"]))):
        for lang in ("en", "zh"):
            text = v.summary.render(lang) + (v.advice.render(lang) if v.advice else "")
            assert "{" not in text and "}" not in text


addresses = st.one_of(st.ip_addresses().map(str), st.text(max_size=8))


@given(st.lists(st.tuples(st.lists(addresses, max_size=3),
                          st.one_of(st.none(), st.lists(addresses, max_size=3)),
                          st.booleans(),
                          st.sampled_from([None, "tls_expired", "tcp_timeout", "tls_not_tls"])),
                max_size=4))
def test_any_evidence_gives_a_verdict(cases: list[Any]) -> None:
    hosts = [host(f"h{i}.qq.com", s, tr, tls=tls, probe=probe(s[0], f) if s and tls else None)
             for i, (s, tr, tls, f) in enumerate(cases)]
    v = verdict(*hosts)
    assert v.status in (Status.OK, Status.INFO, Status.WARN, Status.FAIL, Status.ERROR)
    if v.status in (Status.WARN, Status.FAIL):
        assert v.cause in ("dns_pollution", "fake_ip_proxy")


def test_http_dns_bodies() -> None:
    assert parse_http_dns("183.3.226.35;183.3.226.36,600") == ["183.3.226.35", "183.3.226.36"]
    assert parse_http_dns('{"Status":0,"Answer":[{"type":5,"data":"x.qq.com."},'
                          '{"type":1,"data":"1.2.3.4"}]}') == ["1.2.3.4"]
    assert parse_http_dns("") == [] and parse_http_dns("<html>blocked</html>") == []


def test_http_dns_url_config() -> None:
    from checks.engine.config import ConfigError, load_config_text

    assert load_config_text("").dns.http_dns_url == ""
    ok = load_config_text('[dns]\nhttp_dns_url = "http://119.29.29.29/d?dn={host}"\n')
    assert ok.dns.http_dns_url.endswith("{host}")
    with pytest.raises(ConfigError, match="dns.http_dns_url"):
        load_config_text('[dns]\nhttp_dns_url = "119.29.29.29/d"\n')


def test_trusted_answer_with_a_lost_record_type_is_not_evidence() -> None:
    # On a lossy line the trusted A reply is lost while AAAA comes back empty: that
    # resolver did not say the name has no address, so nothing is "bogus".
    from checks.probes.trusted_dns import merge_answers
    from checks.shared.concurrency import Outcome

    lost = Outcome(done=False)
    empty = Outcome(done=True, value={"addresses": [], "error": None, "ms": 5.0,
                                      "transport": "udp"})
    merged = merge_answers("119.29.29.29", [("A", lost), ("AAAA", empty)])
    assert merged["answered"] is False
    record = host("qyapi.weixin.qq.com", ["10.201.16.2"], None)
    record["trusted"] = [merged]
    assert decide(record)["decision"] == "unverified"


def test_nothing_answers_anywhere_says_so_for_the_diagnosis() -> None:
    v = assess_pollution(evidence("every_packet_dropped", "dns_pollution"))
    assert v.status is Status.ERROR
    assert [p.code for p in v.problems] == ["not_resolved", "dns_trusted_unreachable"]
    assert "trusted DNS servers" in v.summary.render("en")
