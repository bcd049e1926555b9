"""The TLS verdict and certificate helpers on recorded evidence (no network)."""

from __future__ import annotations

import datetime as dt
import ssl
from typing import Any

import pytest
import trustme

from checks.catalog.tls import assess_tls
from checks.engine.results import Status
from checks.probes.tls_probe import classify_verify_failure, describe_cert, name_matches
from tests.fixtures.evidence.recorded import evidence

ISSUER = {"C": "US", "O": "DigiCert Inc", "CN": "DigiCert Secure Site CN CA G3"}
EXPECTED = ["DigiCert", "GlobalSign", "TrustAsia"]


def probe(host: str = "qyapi.weixin.qq.com", failure: str | None = None,
          issuer: dict[str, str] | None = None, version: str = "TLSv1.3") -> dict[str, Any]:
    tcp_failed = failure is not None and failure.startswith("tcp_")
    p: dict[str, Any] = {"host": host, "port": 443, "address": "101.91.22.57",
                         "failure": failure, "tcp_ms": None if tcp_failed else 21.0}
    if failure in (None, "tls_untrusted_issuer", "tls_expired", "tls_not_yet_valid",
                   "tls_name_mismatch", "tls_old_version"):
        p.update(version=version, cipher="TLS_AES_128_GCM_SHA256", alpn="h2", handshake_ms=40.0,
                 verified=failure is None,
                 cert={"subject": {"CN": host}, "issuer": issuer or ISSUER,
                       "sans": [f"DNS:{host}"], "not_before": "2025-01-01T00:00:00+00:00",
                       "not_after": "2026-12-01T00:00:00+00:00", "date_state": "valid",
                       "name_matches": True, "decoded": True, "sha256": "ab" * 32})
    return p


def verdict(*probes: dict[str, Any], expected: list[str] | None = None,
            ca_problems: list[dict[str, str]] | None = None):  # type: ignore[no-untyped-def]
    return assess_tls({"probes": list(probes), "ca_file_problems": ca_problems or [],
                       "expected_issuers": EXPECTED if expected is None else expected,
                       "timeout_s": 4.0})


def codes(v: Any) -> list[str]:
    return sorted(p.code for p in v.problems)


def test_valid_expected_certificates_are_ok() -> None:
    recorded = evidence("healthy", "tls")
    v = assess_tls(recorded)
    assert (v.status, v.cause, v.problems) == (Status.OK, None, ())
    versions = ", ".join(sorted({p["version"] for p in recorded["probes"]}))
    assert f"({versions}, certificates valid)" in v.summary.render("en")
    # Each handshake carried its HTTPS request, and the server answered it.
    assert all(p["http"]["status"] == 204 for p in recorded["probes"])


def test_two_versions_are_both_named() -> None:
    v = verdict(probe(), probe("work.weixin.qq.com", version="TLSv1.2"))
    assert "TLSv1.2, TLSv1.3" in v.summary.render("en")


def test_trusted_but_unexpected_issuer_is_interception() -> None:
    v = assess_tls(evidence("interception_ca", "tls"))
    assert (v.status, v.cause) == (Status.WARN, "tls_intercepted")
    assert codes(v) == ["tls_unexpected_issuer", "tls_unexpected_issuer"]
    assert "Corp Inspection CA" in v.summary.render("en")
    assert "inspects encrypted traffic" in v.summary.render("en")
    assert "Corp Inspection CA" in v.summary.render("zh")


def test_server_errors_over_valid_tls_are_a_service_outage() -> None:
    v = assess_tls(evidence("service_502", "tls"))
    assert (v.status, v.cause) == (Status.FAIL, "service_outage")
    assert codes(v) == ["https_server_error", "https_server_error"]
    assert "HTTP 502" in v.summary.render("en") and "HTTP 503" in v.summary.render("zh")
    assert v.advice is not None and "Tencent's side" in v.advice.render("en")


def test_issuer_match_is_a_case_insensitive_substring_of_o_or_cn() -> None:
    assert verdict(probe(issuer={"O": "TrustAsia Technologies, Inc."}),
                   expected=["trustasia"]).status is Status.OK
    assert verdict(probe(issuer={"CN": "GlobalSign RSA OV SSL CA 2018"})).status is Status.OK


def test_no_expected_issuers_means_no_interception_check() -> None:
    assert verdict(probe(issuer={"O": "Anything"}), expected=[]).status is Status.OK


@pytest.mark.parametrize(("scenario", "failure", "issuer"), [
    ("expired_certificate", "tls_expired", "Lab Trusted CA"),
    ("untrusted_certificate", "tls_untrusted_issuer", "Nobody Trusts Me CA")])
def test_recorded_invalid_certificates_fail(scenario: str, failure: str, issuer: str) -> None:
    v = assess_tls(evidence(scenario, "tls"))
    assert (v.status, v.cause) == (Status.FAIL, "tls_invalid_certificate")
    assert codes(v) == [failure]
    assert issuer in v.summary.render("en")


@pytest.mark.parametrize("failure", ["tls_name_mismatch"])
def test_invalid_certificates_fail(failure: str) -> None:
    v = verdict(probe(), probe("work.weixin.qq.com", failure, issuer={"O": "Hotspot Inc"}))
    assert (v.status, v.cause) == (Status.FAIL, "tls_invalid_certificate")
    assert codes(v) == [failure]
    assert "Hotspot Inc" in v.summary.render("en")


def test_not_yet_valid_points_at_the_clock() -> None:
    v = verdict(probe(failure="tls_not_yet_valid"))
    assert (v.status, v.cause) == (Status.FAIL, "clock_skew")
    assert v.advice is not None and "clock" in v.advice.render("en")


def test_certificate_failure_outranks_interception_and_timeouts() -> None:
    v = verdict(probe(issuer={"O": "Corp CA"}), probe("a.qq.com", "tls_handshake_timeout"),
                probe("b.qq.com", "tls_untrusted_issuer"))
    assert (v.status, v.cause) == (Status.FAIL, "tls_invalid_certificate")
    assert codes(v) == ["tls_handshake_timeout", "tls_unexpected_issuer", "tls_untrusted_issuer"]


def test_handshake_timeout_hints_at_mtu_or_dpi() -> None:
    v = assess_tls(evidence("jumbo_adapter+one_silent_tls", "tls"))
    assert codes(v) == ["tls_handshake_timeout"]
    assert (v.status, v.cause) == (Status.FAIL, "tcp_blocked")
    assert v.advice is not None and "MTU" in v.advice.render("en")


def test_sni_filter_reset_points_at_a_firewall() -> None:
    v = assess_tls(evidence("sni_reset", "tls"))
    assert (v.status, v.cause) == (Status.FAIL, "tcp_blocked")
    assert codes(v) == ["tls_reset"]


@pytest.mark.parametrize("failure", ["tls_eof", "tls_not_tls", "tls_alert"])
def test_cut_handshakes_point_at_a_firewall(failure: str) -> None:
    v = verdict(probe(failure=failure))
    assert (v.status, v.cause) == (Status.FAIL, "tcp_blocked")
    assert codes(v) == [failure]


def test_old_tls_version_is_a_warning() -> None:
    v = verdict(probe(failure="tls_old_version", version="TLSv1"))
    assert (v.status, v.cause) == (Status.WARN, "tls_intercepted")
    assert codes(v) == ["tls_old_version"]


def test_tcp_failures_only_mean_could_not_check() -> None:
    v = assess_tls(evidence("port_443_rejected", "tls"))
    assert v.status is Status.ERROR and v.cause is None
    assert codes(v) == ["tcp_refused", "tcp_refused"]
    v = assess_tls(evidence("port_443_dropped", "tls"))
    assert v.status is Status.ERROR and codes(v) == ["tcp_timeout", "tcp_timeout"]


def test_some_untested_is_info() -> None:
    # The hosts file sends one name to 127.0.0.1, where nothing listens.
    v = assess_tls(evidence("hosts_loopback", "tls"))
    assert v.status is Status.INFO and codes(v) == ["tcp_refused"]


def test_nothing_resolved_is_grey() -> None:
    v = assess_tls(evidence("dns_server_down", "tls"))
    assert v.status is Status.ERROR and codes(v) == ["not_resolved"]


def test_unusable_extra_ca_file_is_info() -> None:
    v = verdict(probe(), ca_problems=[{"file": "/x/corp.pem", "error": "ca_file_missing"}])
    assert v.status is Status.INFO and "/x/corp.pem" in v.summary.render("en")


def test_both_languages_render_without_placeholders() -> None:
    cases = [verdict(probe()), verdict(probe(issuer={"O": "X"})),
             verdict(probe(failure="tls_expired")), verdict(probe(failure="tls_reset")),
             verdict(probe(failure="tls_old_version")), verdict(probe(failure="tcp_timeout"))]
    for v in cases:
        for lang in ("en", "zh"):
            text = v.summary.render(lang) + (v.advice.render(lang) if v.advice else "")
            assert "{" not in text and "}" not in text, text


# ---- certificate helpers -----------------------------------------------------------


@pytest.mark.parametrize(("code", "cert", "expected"), [
    (10, None, "tls_expired"),
    (9, None, "tls_not_yet_valid"),
    (62, None, "tls_name_mismatch"),
    (20, None, "tls_untrusted_issuer"),
    (19, {"date_state": "expired"}, "tls_untrusted_issuer"),  # OpenSSL named the fault
    (None, {"date_state": "expired", "name_matches": True}, "tls_expired"),  # OS verifier
    (None, {"date_state": "not_yet_valid"}, "tls_not_yet_valid"),
    (None, {"date_state": "valid", "name_matches": False}, "tls_name_mismatch"),
    (None, {"date_state": "valid", "name_matches": True}, "tls_untrusted_issuer"),
    (None, None, "tls_untrusted_issuer"),
])
def test_classify_verify_failure(code: int | None, cert: dict[str, Any] | None,
                                 expected: str) -> None:
    assert classify_verify_failure(code, cert) == expected


def test_name_matching() -> None:
    sans = (("DNS", "*.weixin.qq.com"), ("DNS", "weixin.qq.com"))
    assert name_matches("short.weixin.qq.com", sans, {})
    assert name_matches("WEIXIN.qq.com.", sans, {})
    assert not name_matches("a.b.weixin.qq.com", sans, {})
    assert not name_matches("qq.com", sans, {})
    assert not name_matches("evil-weixin.qq.com.cn", sans, {})
    assert name_matches("10.0.0.1", (("IP Address", "10.0.0.1"),), {})
    assert not name_matches("10.0.0.1", (("DNS", "10.0.0.1"),), {})
    assert name_matches("a.qq.com", (), {"CN": "a.qq.com"})  # legacy: no SANs at all


def test_describe_cert_reads_a_real_certificate() -> None:
    ca = trustme.CA(organization_name="Unit Test CA")
    start = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    leaf = ca.issue_cert("login.lab.test", "*.lab.test", not_before=start,
                         not_after=start + dt.timedelta(days=30))
    der = ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode())
    info = describe_cert(der, "login.lab.test", now=start + dt.timedelta(days=1))
    assert info["decoded"] is True and info["issuer"]["O"] == "Unit Test CA"
    assert info["sans"] == ["DNS:login.lab.test", "DNS:*.lab.test"]
    assert info["not_before"].startswith("2030-01-01") and info["not_after"].startswith("2030-01-31")
    assert (info["date_state"], info["name_matches"]) == ("valid", True)
    assert describe_cert(der, "x.lab.test", now=start)["name_matches"] is True
    assert describe_cert(der, "other.test", now=start)["name_matches"] is False
    assert describe_cert(der, "x.lab.test", now=start - dt.timedelta(days=1))["date_state"] \
        == "not_yet_valid"
    assert describe_cert(der, "x.lab.test", now=start + dt.timedelta(days=40))["date_state"] \
        == "expired"


def test_describe_cert_survives_garbage() -> None:
    info = describe_cert(b"\x30\x03\x02\x01\x00", "a.qq.com")
    assert info["decoded"] is False and len(info["sha256"]) == 64


def test_describe_cert_keeps_a_hostile_certificates_names_as_plain_text() -> None:
    """An intercepting box makes its own certificates: their names are data."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    hostile = "<h1>ALL GOOD</h1>\x1b]0;PWNED\x07\x1b]52;c;eA==\x07" + "x" * 2000
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostile[:64]),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, hostile)])
    start = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(f"a{i}.lab.test") for i in range(300)]
                + [x509.DNSName("\x1b[2J.lab.test")]), critical=False)
            .sign(key, hashes.SHA256()))
    info = describe_cert(cert.public_bytes(Encoding.DER), "a1.lab.test", now=start)
    assert info["issuer"]["O"].startswith("<h1>ALL GOOD</h1>␛]0;PWNED␇␛]52;c;eA==␇xxx")
    assert info["issuer"]["O"].endswith("characters cut]") and len(info["issuer"]["O"]) < 300
    assert "\x1b" not in info["subject"]["CN"]
    assert len(info["sans"]) == 100 and info["name_matches"] is True
