"""TLS handshakes with the certificate described and failures named by stable codes.

One probe per (host, address, port) and run: the TLS check and the DNS-pollution
check (does the system's answer serve a valid certificate?) share it.

The verified handshake comes first, over the connection the run's `tcp` probe
already opened (probes.connections), and then carries one light HTTPS request
(HEAD /, no credentials): a server that completes TLS but answers 5xx is failing
on its own side. When the certificate does not verify, a second, unverified
handshake fetches it anyway, so the report can name the issuer and dates of what
the network presented.

ALPN offers http/1.1 only: the request that follows speaks HTTP/1.1.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import re
import socket
import ssl
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from checks.engine import codes
from checks.engine.config import Endpoint
from checks.engine.context import Context
from checks.engine.path_wait import Wait
from checks.probes import connections, http, tcp
from checks.shared.concurrency import parallel_map
from checks.shared.safe_text import printable

ALPN = ["http/1.1"]
MAX_NAME = 256  # characters kept of a certificate's name
MAX_SANS = 100  # names kept of a certificate's subjectAltName
MIN_HANDSHAKE_S = 1.0

# OpenSSL X509_V_ERR_* codes and what they mean for the user.
_VERIFY_CODES = {
    9: codes.TLS_NOT_YET_VALID,
    10: codes.TLS_EXPIRED,
    62: codes.TLS_NAME_MISMATCH,  # X509_V_ERR_HOSTNAME_MISMATCH
    64: codes.TLS_NAME_MISMATCH,  # X509_V_ERR_IP_ADDRESS_MISMATCH
}
_VERSIONS = {"SSLv3": 0, "TLSv1": 1, "TLSv1.1": 2, "TLSv1.2": 3, "TLSv1.3": 4}


def tls_port(endpoint: Endpoint) -> int:
    """The port a TLS probe uses for an endpoint: 443 when listed, else the first."""
    return 443 if 443 in endpoint.ports else endpoint.ports[0]


def probe(ctx: Context, host: str, address: str, port: int) -> dict[str, Any]:
    """Handshake once per run for this (host, address, port)."""
    return ctx.shared(f"tls:{host}:{address}:{port}", lambda: _probe_uncached(ctx, host, address, port))


def trust_context(ctx: Context) -> tuple[ssl.SSLContext, list[dict[str, str]]]:
    """The verifying context (OS store + extra CA files), built once per run."""
    return ctx.shared("tls:context", lambda: build_trust_context(ctx.config.tls.extra_ca_files))


def build_trust_context(extra_ca_files: Sequence[str]) -> tuple[ssl.SSLContext, list[dict[str, str]]]:
    """Returns the context and, per unusable extra CA file, why it was skipped."""
    context: ssl.SSLContext
    if sys.platform in ("win32", "darwin"):
        # The OS store is what browsers and the clients trust there.
        import truststore

        context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    else:
        context = _system_store_context()
    problems: list[dict[str, str]] = []
    for path in extra_ca_files:
        try:
            context.load_verify_locations(cafile=path)
        except FileNotFoundError:
            problems.append({"file": path, "error": codes.CA_FILE_MISSING})
        except OSError:
            problems.append({"file": path, "error": codes.CA_FILE_UNREADABLE})
        except (ssl.SSLError, ValueError):
            problems.append({"file": path, "error": codes.CA_FILE_INVALID})
    context.set_alpn_protocols(ALPN)
    return context, problems


def _system_store_context() -> ssl.SSLContext:
    """The OpenSSL system store, as ssl.create_default_context() would load it.

    Parsing the whole CA bundle up front takes ~45 ms with the GIL held: a visible
    freeze for the window running in the same process. The hashed CA directory
    (c_rehash layout, as Debian and Ubuntu ship it) is read per certificate during
    the handshake instead, which releases the GIL. Any other layout, or an
    SSL_CERT_FILE/SSL_CERT_DIR override, keeps the default loading.
    """
    paths = ssl.get_default_verify_paths()
    capath = paths.capath
    if not _overridden(paths) and capath and _has_hashed_certs(capath):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies chain and host name
        context.load_verify_locations(capath=capath)
        return context
    return ssl.create_default_context()


def _overridden(paths: ssl.DefaultVerifyPaths) -> bool:
    """SSL_CERT_FILE/SSL_CERT_DIR naming another store than OpenSSL's own defaults."""
    for env, default in ((paths.openssl_cafile_env, paths.openssl_cafile),
                         (paths.openssl_capath_env, paths.openssl_capath)):
        value = os.environ.get(env)
        if value and os.path.realpath(value) != os.path.realpath(default):
            return True
    return False


def _has_hashed_certs(directory: str) -> bool:
    try:
        with os.scandir(directory) as entries:
            return any(_HASHED.match(e.name) for e in entries)
    except OSError:
        return False


_HASHED = re.compile(r"^[0-9a-f]{8}\.[0-9]+$")


def _inspect_context() -> ssl.SSLContext:
    """Accepts anything, old protocol versions too, so the report can say what was offered."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with contextlib.suppress(ValueError, ssl.SSLError):
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.set_alpn_protocols(ALPN)
    return context


def _probe_uncached(ctx: Context, host: str, address: str, port: int) -> dict[str, Any]:
    result: dict[str, Any] = {"host": host, "address": address, "port": port, "failure": None}
    context, _ca_problems = trust_context(ctx)
    # One TLS wait for the whole probe, the wait for its connection included (at least
    # MIN_HANDSHAKE_S for the handshake): a lossy path does not add them up. It is
    # scaled to the measured path, this server's connect included (engine.path_wait).
    wait = ctx.wait("tls", ctx.config.tls.timeout_s)
    connected, sock = connections.open_socket(ctx, address, port)
    result["tcp_ms"] = connected.get("ms")
    if sock is None:
        result.update(failure=connected["failure"], verified=None)
        if connected.get("waited"):
            result["waited"] = connected["waited"]
        return result
    first = _handshake(ctx, host, address, sock, context, request=True,
                       budget=max(MIN_HANDSHAKE_S, wait.left()), wait=wait)
    if first["failure"] is None:
        result.update(first)
        result["verified"] = True
        return result
    if first["failure"] == codes.TLS_VERIFY_FAILED:
        second = _handshake_fresh(ctx, host, address, port)
        details = second if second["failure"] is None else first
        result.update(details)
        result["verified"] = False
        result["verify_code"] = first.get("verify_code")
        result["verify_message"] = first.get("verify_message")
        result["failure"] = classify_verify_failure(first.get("verify_code"), result.get("cert"))
        return result
    if first["failure"] == codes.TLS_PROTOCOL_VERSION:
        # Refused under the safe defaults: find out what the server would speak.
        second = _handshake_fresh(ctx, host, address, port)
        if second["failure"] is None and _VERSIONS.get(second.get("version") or "", 9) < 3:
            result.update(second)
            result["verified"] = False
            result["failure"] = codes.TLS_OLD_VERSION
            return result
    result.update(first)
    result["verified"] = None if first["failure"].startswith("tcp_") else False
    return result


def _handshake_fresh(ctx: Context, host: str, address: str, port: int) -> dict[str, Any]:
    """An unverified handshake on a new connection, to see what the server presents."""
    connected, sock = connections.hedged(ctx, address, port)
    if sock is None:
        return {"failure": connected["failure"]}
    wait = ctx.wait("tls", ctx.config.tls.timeout_s)
    return _handshake(ctx, host, address, sock, _inspect_context(), request=False,
                      budget=max(MIN_HANDSHAKE_S, wait.left()), wait=wait)


def _handshake(ctx: Context, host: str, address: str, sock: socket.socket,
               context: ssl.SSLContext, request: bool, budget: float, wait: Wait
               ) -> dict[str, Any]:
    """`budget`: the handshake's time as it starts; it grows while the handshake runs
    when the live `wait` does (the path was found to lose packets meanwhile), and the
    evidence says the wait and why when no answer came in time."""
    out: dict[str, Any] = {"failure": None}
    try:
        budget = ctx.timeout(budget)
        start = time.monotonic()
        server_hostname = None if _is_ip(host) else host
        try:
            sock.settimeout(budget)
            tls = context.wrap_socket(sock, server_hostname=server_hostname or address,
                                      do_handshake_on_connect=False)
            budget = _shake(tls, start, budget, wait)
        except ssl.SSLCertVerificationError as exc:
            out["failure"] = codes.TLS_VERIFY_FAILED
            out["verify_code"] = getattr(exc, "verify_code", None)
            out["verify_message"] = str(getattr(exc, "verify_message", "") or exc)[:200]
            return out
        except _HandshakeTimeout as late:
            out["failure"] = codes.TLS_HANDSHAKE_TIMEOUT
            out["waited"] = {**wait.said(), "s": round(late.waited, 2)}
            return out
        except ssl.SSLError as exc:
            out["failure"] = ssl_error_code(exc)
            out["error"] = (exc.reason or str(exc))[:200]
            return out
        except OSError as exc:
            out["failure"] = codes.TLS_RESET if isinstance(exc, ConnectionResetError) else (
                codes.TLS_EOF if isinstance(exc, ConnectionAbortedError | BrokenPipeError)
                else tcp.failure_code(exc).replace("tcp_", "tls_", 1))
            return out
        with tls:
            out["handshake_ms"] = round((time.monotonic() - start) * 1000, 1)
            out["version"] = tls.version()
            cipher = tls.cipher()
            out["cipher"] = cipher[0] if cipher else None
            out["alpn"] = tls.selected_alpn_protocol()
            der = tls.getpeercert(binary_form=True)
            out["cert"] = describe_cert(der, host) if der else None
            if request:
                # The request shares the handshake's time: one TLS timeout per probe.
                left = budget - (time.monotonic() - start)
                out["http"] = http.head_over(tls, host, ctx.timeout(max(0.5, left)))
        return out
    finally:
        sock.close()


class _HandshakeTimeout(Exception):
    def __init__(self, waited: float) -> None:
        super().__init__(waited)
        self.waited = waited


def _shake(tls: ssl.SSLSocket, start: float, budget: float, wait: Wait) -> float:
    """The handshake, given `budget` seconds and then as long as the live wait has grown
    meanwhile (OpenSSL takes a handshake up where a timeout left it); the time it was
    given in the end. Closes the connection when it gives up."""
    end = start + budget
    while True:
        try:
            tls.do_handshake()
            return end - start
        except TimeoutError:
            grown = wait.end()  # the run's deadline and its stop included
            if grown - time.monotonic() < 0.05:
                tls.close()
                raise _HandshakeTimeout(time.monotonic() - start) from None
            end = grown
            tls.settimeout(end - time.monotonic())
        except BaseException:
            tls.close()
            raise


def ssl_error_code(exc: ssl.SSLError) -> str:
    reason = (exc.reason or "").upper()
    if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError) or "EOF" in str(exc).upper():
        return codes.TLS_EOF  # closed by the peer or a middlebox mid-handshake
    if "WRONG_VERSION_NUMBER" in reason or "RECORD_LAYER_FAILURE" in reason:
        return codes.TLS_NOT_TLS  # whatever answered does not speak TLS
    if "PROTOCOL_VERSION" in reason or "UNSUPPORTED_PROTOCOL" in reason or "NO_PROTOCOLS" in reason:
        return codes.TLS_PROTOCOL_VERSION
    if "ALERT" in reason:
        return codes.TLS_ALERT
    return codes.TLS_PROTOCOL_ERROR


def classify_verify_failure(verify_code: int | None, cert: dict[str, Any] | None) -> str:
    """OpenSSL's code when it names the fault, else what the leaf itself shows."""
    if verify_code in _VERIFY_CODES:
        return _VERIFY_CODES[verify_code]
    if verify_code is None and cert:
        # The OS verifiers (truststore) give no OpenSSL code: read the leaf.
        if cert.get("date_state") == "expired":
            return codes.TLS_EXPIRED
        if cert.get("date_state") == "not_yet_valid":
            return codes.TLS_NOT_YET_VALID
        if cert.get("name_matches") is False:
            return codes.TLS_NAME_MISMATCH
    return codes.TLS_UNTRUSTED_ISSUER


# ---- certificate facts -------------------------------------------------------------


def describe_cert(der: bytes, host: str, now: datetime | None = None) -> dict[str, Any]:
    """Subject, issuer, SANs, validity dates of a DER certificate, plus what they imply."""
    info: dict[str, Any] = {"sha256": hashlib.sha256(der).hexdigest()}
    decoded = _decode_der(der)
    if decoded is None:
        info["decoded"] = False
        return info
    info["decoded"] = True
    info["subject"] = _name(decoded.get("subject", ()))
    info["issuer"] = _name(decoded.get("issuer", ()))
    # A certificate's names are whatever its maker wrote (an intercepting box's too).
    info["sans"] = [printable(f"{kind}:{value}", MAX_NAME)
                    for kind, value in decoded.get("subjectAltName", ())[:MAX_SANS]]
    not_before = _cert_time(decoded.get("notBefore"))
    not_after = _cert_time(decoded.get("notAfter"))
    info["not_before"] = not_before.isoformat() if not_before else None
    info["not_after"] = not_after.isoformat() if not_after else None
    now = now or datetime.now(timezone.utc)
    if not_after and now > not_after:
        info["date_state"] = "expired"
    elif not_before and now < not_before:
        info["date_state"] = "not_yet_valid"
    else:
        info["date_state"] = "valid"
    info["name_matches"] = name_matches(host, decoded.get("subjectAltName", ()), info["subject"])
    return info


def _decode_der(der: bytes) -> dict[str, Any] | None:
    """Parse with the standard library (the same decoder as getpeercert())."""
    pem = ssl.DER_cert_to_PEM_cert(der)
    fd, path = tempfile.mkstemp(suffix=".pem", prefix="wxdoctor-cert-")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(pem)
        decoded = ssl._ssl._test_decode_cert(path)  # type: ignore[attr-defined]
        return decoded if isinstance(decoded, dict) else None
    except (AttributeError, ssl.SSLError, OSError, ValueError):
        return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _name(rdns: Any) -> dict[str, str]:
    names = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU",
             "countryName": "C"}
    out: dict[str, str] = {}
    for rdn in rdns or ():
        for key, value in rdn:
            short = names.get(key)
            if short and short not in out:
                out[short] = printable(str(value), MAX_NAME)
    return out


def _cert_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromtimestamp(ssl.cert_time_to_seconds(value), timezone.utc)
    except (ValueError, OverflowError):
        return None


def name_matches(host: str, sans: Any, subject: dict[str, str]) -> bool:
    """RFC 6125 matching: SANs only when present; one left-most wildcard label."""
    host = host.rstrip(".").lower()
    if _is_ip(host):
        return any(kind == "IP Address" and _same_ip(value, host) for kind, value in sans or ())
    names = [value for kind, value in sans or () if kind == "DNS"]
    if not names and not any(kind == "IP Address" for kind, _ in sans or ()):
        names = [subject["CN"]] if subject.get("CN") else []
    return any(_dns_match(pattern.rstrip(".").lower(), host) for pattern in names)


def _dns_match(pattern: str, host: str) -> bool:
    if pattern == host:
        return True
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return False


def _same_ip(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a.strip()) == ipaddress.ip_address(b)
    except ValueError:
        return False


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def valid_for_name(result: dict[str, Any]) -> bool:
    """Did this probe complete a handshake whose certificate verified for the name?"""
    return result.get("failure") is None and bool(result.get("verified"))


# Handshake failures that prove the address is not the real server (a timeout or a reset
# could also be a firewall in front of the real one).
NOT_THE_SERVER = (codes.TLS_UNTRUSTED_ISSUER, codes.TLS_NAME_MISMATCH, codes.TLS_EXPIRED,
                  codes.TLS_NOT_YET_VALID, codes.TLS_NOT_TLS)


def prove_answers(ctx: Context, records: list[dict[str, Any]]) -> None:
    """A handshake with each record's first system-resolver address: a server that
    presents a valid certificate for the name is genuine, whatever DNS said. Fills each
    record's `tls_probe` (dns_pollution's evidence)."""
    cfg = ctx.config
    budget = ctx.timeout(cfg.tcp.timeout_s + 2 * cfg.tls.timeout_s + 1)
    outcomes = parallel_map(
        lambda r: probe(ctx, r["host"], r["system"]["addresses"][0], r["port"]), records, budget)
    for record, outcome in zip(records, outcomes, strict=True):
        value: dict[str, Any] = outcome.value if outcome.done and outcome.value else {
            "failure": codes.TLS_HANDSHAKE_TIMEOUT, "verified": False}
        record["tls_probe"] = {
            "address": record["system"]["addresses"][0],
            "port": record["port"],
            "failure": value.get("failure"),
            "verified": value.get("verified"),
            "issuer": (value.get("cert") or {}).get("issuer"),
            "sans": (value.get("cert") or {}).get("sans"),
        }
