"""Test certificate authorities for lab TLS servers (trustme under the hood).

    ca = LabCA(lab.tmp, "Lab Trusted CA")
    chain = ca.issue("login.wecom.lab.test")              # key + leaf + CA, one PEM
    chain = ca.issue("x.lab.test", expired=True)          # not_after in the past
    config["tls"]["extra_ca_files"] = [str(ca.ca_file)]   # trust it like a company CA

The CA's organisation name is what the doctor sees as the issuer's O, so tests
can list it (or not) in `[tls] expected_issuers`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import trustme


class LabCA:
    def __init__(self, directory: Path, organization: str) -> None:
        self.organization = organization
        self.ca = trustme.CA(organization_name=organization)
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.slug = re.sub(r"[^a-z0-9]+", "-", organization.lower()).strip("-")
        self.ca_file = self.dir / f"{self.slug}-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self._n = 0

    def issue(self, *names: str, expired: bool = False, not_yet_valid: bool = False,
              not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
              ) -> Path:
        """A PEM file with the private key, the leaf for ``names`` and the CA chain."""
        now = dt.datetime.now(dt.timezone.utc)
        if expired:
            not_before, not_after = now - dt.timedelta(days=60), now - dt.timedelta(days=1)
        elif not_yet_valid:
            not_before, not_after = now + dt.timedelta(days=2), now + dt.timedelta(days=60)
        leaf = self.ca.issue_cert(*names, not_before=not_before, not_after=not_after)
        self._n += 1
        path = self.dir / f"{self.slug}-leaf{self._n}.pem"
        leaf.private_key_and_cert_chain_pem.write_to_path(str(path))
        return path
