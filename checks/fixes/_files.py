"""Small file helpers shared by the fixes: hashes, in-place writes, base64 backups."""

from __future__ import annotations

import base64
import hashlib
import os
import sys
from pathlib import Path

from checks import platform


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def write_in_place(path: str | os.PathLike[str], data: bytes) -> None:
    """Overwrite a file's content keeping its inode, owner, mode and ACLs."""
    with open(path, "r+b") as fh:
        fh.seek(0)
        fh.write(data)
        fh.truncate()
        fh.flush()
        os.fsync(fh.fileno())


def can_write(path: Path) -> bool:
    """Whether this process may change the file without admin rights."""
    if sys.platform == "win32":
        # System files (hosts) are writable only by administrators; os.access cannot tell.
        return platform.is_admin() or not str(path).lower().startswith(
            os.environ.get("SystemRoot", r"C:\Windows").lower()
        )
    return os.access(path, os.W_OK)
