"""The TLS check against real TLS servers in the lab (see tests/lab/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.lab import Lab, tls_server
from tests.lab.certs import LabCA

NAME = "login.wecom.lab.test"
TRUSTED_ORG = "Lab Trusted CA"


def config(cas: list[LabCA], expected: list[str] | None = None, port: int = 443,
           **tls: Any) -> dict[str, Any]:
    return {
        "deadline_s": 8,
        "endpoints": [{"host": NAME, "ports": [port], "product": "wecom", "tls": True}],
        "dns": {"trusted_resolvers": [], "timeout_s": 1.5},
        "tcp": {"timeout_s": 1.5},
        "tls": {"extra_ca_files": [str(ca.ca_file) for ca in cas],
                "expected_issuers": [TRUSTED_ORG] if expected is None else expected,
                "timeout_s": 1.5, **tls},
    }


def run_tls(lab: Lab, cfg: dict[str, Any]) -> tuple[dict[str, Any], int]:
    report, rc, stderr = lab.check_json(cfg, "--only", "tls")
    (result,) = [c for c in report["checks"] if c["id"] == "tls"]
    return result, rc


def codes(result: dict[str, Any]) -> list[str]:
    return [p["code"] for p in result["problems"]]


@pytest.fixture
def trusted_ca(lab: Lab) -> LabCA:
    return LabCA(lab.tmp / "pki", TRUSTED_ORG)


def serve(lab: Lab, cert: Path | None, mode: str = "tls") -> str:
    addr = lab.add_host(NAME)
    tls_server.start(lab, addr, cert, mode=mode)
    return addr


def test_valid_certificate_is_ok(lab: Lab, trusted_ca: LabCA) -> None:
    addr = serve(lab, trusted_ca.issue(NAME))
    result, rc = run_tls(lab, config([trusted_ca]))
    assert (result["status"], result["cause"], rc) == ("ok", None, 0), result
    (probe,) = result["evidence"]["probes"]
    assert probe["address"] == addr and probe["verified"] is True
    # ALPN offers http/1.1 only: the HTTPS request over the handshake speaks HTTP/1.1.
    assert probe["version"] in ("TLSv1.2", "TLSv1.3") and probe["alpn"] == "http/1.1"
    assert probe["http"]["status"] == 204 and probe["http"]["failure"] is None
    assert probe["cert"]["issuer"]["O"] == TRUSTED_ORG
    assert f"DNS:{NAME}" in probe["cert"]["sans"]
    assert probe["cert"]["date_state"] == "valid" and probe["cert"]["name_matches"] is True


def test_trusted_but_unexpected_issuer_means_interception(lab: Lab, trusted_ca: LabCA) -> None:
    inspector = LabCA(lab.tmp / "pki", "Corp Inspection Gateway")
    serve(lab, inspector.issue(NAME))
    result, rc = run_tls(lab, config([trusted_ca, inspector]))
    assert (result["status"], result["cause"], rc) == ("warn", "tls_intercepted", 1), result
    assert codes(result) == ["tls_unexpected_issuer"]
    assert "Corp Inspection Gateway" in result["summary"]
    assert "inspects encrypted traffic" in result["summary"]


def test_untrusted_issuer_fails(lab: Lab, trusted_ca: LabCA) -> None:
    rogue = LabCA(lab.tmp / "pki", "Rogue Hotspot CA")
    serve(lab, rogue.issue(NAME))
    result, rc = run_tls(lab, config([trusted_ca]))
    assert (result["status"], result["cause"], rc) == ("fail", "tls_invalid_certificate", 2)
    assert codes(result) == ["tls_untrusted_issuer"]
    (probe,) = result["evidence"]["probes"]
    # The certificate is still described, from the unverified handshake.
    assert probe["verified"] is False and probe["cert"]["issuer"]["O"] == "Rogue Hotspot CA"
    assert "Rogue Hotspot CA" in result["summary"]


def test_expired_certificate_fails(lab: Lab, trusted_ca: LabCA) -> None:
    serve(lab, trusted_ca.issue(NAME, expired=True))
    result, rc = run_tls(lab, config([trusted_ca]))
    assert (result["status"], result["cause"], rc) == ("fail", "tls_invalid_certificate", 2)
    assert codes(result) == ["tls_expired"]
    assert result["evidence"]["probes"][0]["cert"]["date_state"] == "expired"


def test_not_yet_valid_certificate_points_at_the_clock(lab: Lab, trusted_ca: LabCA) -> None:
    serve(lab, trusted_ca.issue(NAME, not_yet_valid=True))
    result, _rc = run_tls(lab, config([trusted_ca]))
    assert (result["status"], result["cause"]) == ("fail", "clock_skew")
    assert codes(result) == ["tls_not_yet_valid"]


def test_certificate_for_another_name_fails(lab: Lab, trusted_ca: LabCA) -> None:
    serve(lab, trusted_ca.issue("portal.hotspot.lab.test"))
    result, _rc = run_tls(lab, config([trusted_ca]))
    assert (result["status"], result["cause"]) == ("fail", "tls_invalid_certificate")
    assert codes(result) == ["tls_name_mismatch"]


def test_server_that_never_answers_the_client_hello(lab: Lab, trusted_ca: LabCA) -> None:
    serve(lab, None, mode="silent")
    result, rc = run_tls(lab, config([trusted_ca]))
    assert (result["status"], rc) == ("fail", 2), result
    assert codes(result) == ["tls_handshake_timeout"]
    # On its own a silent handshake may be a filtering firewall; only MTU evidence
    # (see the diagnosis) turns it into a black hole.
    assert result["cause"] == "tcp_blocked"


def test_reset_during_handshake(lab: Lab, trusted_ca: LabCA) -> None:
    serve(lab, None, mode="reset")
    result, _rc = run_tls(lab, config([trusted_ca]))
    assert (result["status"], result["cause"]) == ("fail", "tcp_blocked"), result
    assert codes(result) == ["tls_reset"]


def test_tcp_refused_means_could_not_check(lab: Lab, trusted_ca: LabCA) -> None:
    addr = serve(lab, trusted_ca.issue(NAME))
    lab.reject(addr, 443)
    result, _rc = run_tls(lab, config([trusted_ca]))
    assert result["status"] == "error", result
    assert codes(result) == ["tcp_refused"]


def test_missing_extra_ca_file_is_reported_not_fatal(lab: Lab, trusted_ca: LabCA) -> None:
    serve(lab, trusted_ca.issue(NAME))
    cfg = config([trusted_ca])
    cfg["tls"]["extra_ca_files"].append(str(lab.tmp / "missing.pem"))
    result, _rc = run_tls(lab, cfg)
    assert result["status"] == "info", result
    assert result["evidence"]["ca_file_problems"] == [
        {"file": str(lab.tmp / "missing.pem"), "error": "ca_file_missing"}]
