"""Which way the TLS probe loads the Linux system CA store."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest
import trustme

from checks.probes import tls_probe


def test_hashed_directory_detected(tmp_path: Path) -> None:
    assert not tls_probe._has_hashed_certs(str(tmp_path))
    (tmp_path / "ca-bundle.crt").write_text("")
    assert not tls_probe._has_hashed_certs(str(tmp_path))
    (tmp_path / "9d2a6f5b.0").write_text("")
    assert tls_probe._has_hashed_certs(str(tmp_path))
    assert not tls_probe._has_hashed_certs(str(tmp_path / "missing"))


def test_hashed_directory_verifies_lazily(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A CA found only through its hash link in the directory still verifies a server.
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    digest = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", str(tmp_path / "ca.pem")],
                            capture_output=True, text=True, check=True).stdout.strip()
    (tmp_path / f"{digest}.0").write_bytes(ca.cert_pem.bytes())
    paths = ssl.get_default_verify_paths()
    fake = paths._replace(capath=str(tmp_path))
    monkeypatch.setattr(ssl, "get_default_verify_paths", lambda: fake)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    client = tls_probe._system_store_context()
    assert client.verify_mode is ssl.CERT_REQUIRED and client.check_hostname
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("login.wecom.lab.test").configure_cert(server)
    a, b = socket.socketpair()
    def serve() -> None:
        try:
            with server.wrap_socket(b, server_side=True) as s:
                s.recv(1)
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    with client.wrap_socket(a, server_hostname="login.wecom.lab.test") as tls:
        assert tls.version() is not None
        tls.sendall(b"x")
    thread.join(5)


def test_override_keeps_default_loading(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[bool] = []
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda: calls.append(True) or real())
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "bundle.pem"))
    tls_probe._system_store_context()
    assert calls == [True]


def test_env_naming_the_default_store_is_no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = ssl.get_default_verify_paths()
    monkeypatch.setenv("SSL_CERT_FILE", paths.openssl_cafile)
    monkeypatch.setenv("SSL_CERT_DIR", paths.openssl_capath)
    assert not tls_probe._overridden(paths)
    monkeypatch.setenv("SSL_CERT_DIR", "/nonexistent/company-cas")
    assert tls_probe._overridden(paths)
