"""Authenticode signing of the Windows executables and the installer, timestamped.

    python packaging/windows/sign.py FILE...      # sign, then verify, each file

Without a certificate this says so and signs nothing: Windows then shows SmartScreen's
warning on download and "Unknown publisher" on every administrator prompt of a fix.

Environment (the release workflow fills it from repository secrets):
  WINDOWS_CERTIFICATE_PFX       base64 of the code-signing certificate with its key (.pfx)
  WINDOWS_CERTIFICATE_PASSWORD  its password
  WINDOWS_TIMESTAMP_URL         RFC 3161 time-stamp server (default DigiCert's)
  SIGNTOOL                      signtool.exe, when it is not on PATH or in the Windows SDK

The signature is SHA-256 and carries an RFC 3161 timestamp (/tr, /td), so it stays valid
after the certificate expires. build.py signs wxdoctor.exe and wxdoctor-gui.exe before
Inno Setup packs them, and Inno Setup calls this script for setup.exe and its
uninstaller (SignTool=wxsign).
"""

from __future__ import annotations

import base64
import binascii
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TIMESTAMP = "http://timestamp.digicert.com"
DESCRIPTION = "wxdoctor"
Run = Callable[[Sequence[str]], None]


@dataclass(frozen=True)
class Certificate:
    pfx: bytes
    password: str
    timestamp_url: str


def credentials(env: Mapping[str, str]) -> tuple[Certificate | None, str]:
    """The certificate, or why signing is skipped (one sentence)."""
    encoded = env.get("WINDOWS_CERTIFICATE_PFX", "").strip()
    if not encoded:
        return None, ("Windows signing skipped: WINDOWS_CERTIFICATE_PFX is not set. The "
                      "executables and the installer stay unsigned: SmartScreen warns on "
                      "download and every administrator prompt says \"Unknown publisher\". "
                      "See README, Installers.")
    try:
        pfx = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise SystemExit("sign.py: WINDOWS_CERTIFICATE_PFX is not base64") from None
    password = env.get("WINDOWS_CERTIFICATE_PASSWORD", "")
    if not password:
        raise SystemExit("sign.py: WINDOWS_CERTIFICATE_PASSWORD must accompany the certificate")
    return Certificate(pfx, password, env.get("WINDOWS_TIMESTAMP_URL", "").strip()
                       or DEFAULT_TIMESTAMP), ""


def sign_argv(signtool: str, pfx_path: str, cert: Certificate, files: Sequence[str]) -> list[str]:
    return [signtool, "sign", "/f", pfx_path, "/p", cert.password, "/fd", "SHA256",
            "/tr", cert.timestamp_url, "/td", "SHA256", "/d", DESCRIPTION, *files]


def verify_argv(signtool: str, files: Sequence[str]) -> list[str]:
    """Authenticode policy (/pa); fails unless every file is signed by a trusted chain."""
    return [signtool, "verify", "/pa", "/tw", *files]


def find_signtool(env: Mapping[str, str], which: Callable[[str], str | None],
                  kits: Callable[[], str | None]) -> str:
    """$SIGNTOOL, else on PATH, else the newest x64 signtool of the Windows SDK whose
    folder the registry names (KitsRoot10); never a guessed path."""
    given = env.get("SIGNTOOL", "").strip()
    if given:
        if not Path(given).is_file():
            raise SystemExit(f"SIGNTOOL={given} is not a file")
        return given
    found = which("signtool") or which("signtool.exe")
    if found:
        return found
    root = kits()
    if root:
        candidates = sorted((Path(root) / "bin").glob("10.*/x64/signtool.exe"))
        if candidates:
            return str(candidates[-1])
    raise SystemExit("signtool.exe was not found: install the Windows SDK's signing tools, "
                     "put signtool on PATH or set SIGNTOOL")


def _kits_root() -> str | None:
    if sys.platform != "win32":
        return None
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE,
                            r"SOFTWARE\Microsoft\Windows Kits\Installed Roots", 0,
                            winreg.KEY_READ | winreg.KEY_WOW64_32KEY) as key:
            return str(winreg.QueryValueEx(key, "KitsRoot10")[0])
    except OSError:
        return None


def shown(argv: Sequence[str]) -> str:
    """The command as printed in the log: the password never appears."""
    return " ".join("***" if i and argv[i - 1] == "/p" else a for i, a in enumerate(argv))


def _run(argv: Sequence[str]) -> None:
    print("+", shown(argv), flush=True)
    proc = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"signtool failed ({proc.returncode})")


def say(message: str, env: Mapping[str, str]) -> None:
    prefix = "::warning::" if env.get("GITHUB_ACTIONS") == "true" else ""
    print(prefix + message, flush=True)


def main(argv: list[str] | None = None, env: Mapping[str, str] = os.environ,
         run: Run = _run, signtool: str | None = None) -> int:
    files = sys.argv[1:] if argv is None else argv
    if not files:
        print("usage: sign.py FILE...", file=sys.stderr)
        return 64
    cert, why_not = credentials(env)
    if cert is None:
        say(why_not, env)
        return 0
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise SystemExit(f"sign.py: not a file: {', '.join(missing)}")
    tool = signtool or find_signtool(env, _which, _kits_root)
    handle, pfx_path = tempfile.mkstemp(suffix=".pfx")
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(cert.pfx)
        run(sign_argv(tool, pfx_path, cert, files))
    finally:
        os.unlink(pfx_path)
    run(verify_argv(tool, files))
    return 0


def _which(name: str) -> str | None:
    import shutil

    return shutil.which(name)


if __name__ == "__main__":
    sys.exit(main())
