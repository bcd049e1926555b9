"""Whether a certificate comes from an issuer a server is expected to use: the tls check
judges interception by it, the endpoint matrix shows it, and the advice names it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def issuer_expected(cert: Any, expected: Any) -> bool:
    """Whether the certificate's issuer (its O or CN) names one of the expected issuers;
    true when none are expected. Read defensively: it also judges saved reports."""
    wanted = [str(e).lower() for e in expected or [] if str(e).strip()]
    issuer = cert.get("issuer") if isinstance(cert, Mapping) else None
    if not isinstance(issuer, Mapping):
        issuer = {}
    haystack = " ".join(str(issuer.get(k, "")) for k in ("O", "CN")).lower()
    return not wanted or any(e in haystack for e in wanted)
