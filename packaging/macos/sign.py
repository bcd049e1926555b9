"""Developer ID signing and notarization of the macOS app and disk image.

    python packaging/macos/sign.py app dist/wxdoctor.app
    python packaging/macos/sign.py dmg dist/wxdoctor-0.1.0-macos-arm64.dmg

Without credentials this says so and does nothing: the app stays ad-hoc signed, which
runs where it was built but is blocked by Gatekeeper once downloaded ("damaged" or
"cannot be opened"; recent macOS no longer offers Control-click > Open for it).

Environment (the release workflow fills it from repository secrets):
  MACOS_SIGN_IDENTITY   "Developer ID Application: NAME (TEAMID)", in the keychain
  NOTARY_APPLE_ID, NOTARY_TEAM_ID, NOTARY_PASSWORD
                        Apple ID, team and app-specific password for `notarytool`

The binaries inside the app are signed by PyInstaller itself (the spec passes the same
identity as `codesign_identity`, with the hardened runtime); this signs the bundle
around them, then the disk image, which is what gets notarized and stapled.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ENTITLEMENTS = Path(__file__).with_name("entitlements.plist")
NOTARY_VARIABLES = ("NOTARY_APPLE_ID", "NOTARY_TEAM_ID", "NOTARY_PASSWORD")

Run = Callable[[Sequence[str]], str]


@dataclass(frozen=True)
class Credentials:
    identity: str
    notary: tuple[str, str, str] | None  # (Apple ID, team ID, app-specific password)


def credentials(env: Mapping[str, str]) -> tuple[Credentials | None, list[str]]:
    """What can be done with the environment, and a sentence for each thing that cannot."""
    identity = env.get("MACOS_SIGN_IDENTITY", "").strip()
    if not identity:
        return None, ["macOS signing skipped: MACOS_SIGN_IDENTITY is not set. The app stays "
                      "ad-hoc signed; a downloaded copy is blocked by Gatekeeper. See README, "
                      "Installers > Signing and notarization."]
    missing = [name for name in NOTARY_VARIABLES if not env.get(name, "").strip()]
    if missing:
        return Credentials(identity, None), [
            f"macOS notarization skipped: {', '.join(missing)} not set. The app is signed "
            "but not notarized; Gatekeeper still warns on first start."]
    notary = tuple(env[name].strip() for name in NOTARY_VARIABLES)
    return Credentials(identity, (notary[0], notary[1], notary[2])), []


def notary_result(output: str) -> tuple[str, str]:
    """(submission id, status) from `notarytool submit --wait --output-format json`.
    notarytool exits 0 for a rejected ("Invalid") submission too: the status decides."""
    try:
        data = json.loads(output.strip().splitlines()[-1] if output.strip() else "")
    except ValueError:
        raise SystemExit(f"notarytool gave no JSON result:\n{output[-2000:]}") from None
    if not isinstance(data, dict) or not data.get("id") or not data.get("status"):
        raise SystemExit(f"notarytool result without id or status: {output[-2000:]}")
    return str(data["id"]), str(data["status"])


def sign_app(app: Path, creds: Credentials, run: Run) -> None:
    run(["codesign", "--force", "--options", "runtime", "--timestamp",
         "--entitlements", str(ENTITLEMENTS), "--sign", creds.identity, str(app)])
    run(["codesign", "--verify", "--deep", "--strict", "--verbose=2", str(app)])


def sign_and_notarize_dmg(dmg: Path, creds: Credentials, run: Run) -> None:
    run(["codesign", "--force", "--timestamp", "--sign", creds.identity, str(dmg)])
    if creds.notary is None:
        return
    apple_id, team_id, password = creds.notary
    auth = ["--apple-id", apple_id, "--team-id", team_id, "--password", password]
    submission, status = notary_result(run(["xcrun", "notarytool", "submit", str(dmg), *auth,
                                            "--wait", "--output-format", "json"]))
    if status != "Accepted":
        log = run(["xcrun", "notarytool", "log", submission, *auth])
        raise SystemExit(f"notarization of {dmg.name} ended {status!r} (id {submission}):\n{log}")
    run(["xcrun", "stapler", "staple", str(dmg)])
    run(["xcrun", "stapler", "validate", str(dmg)])


def _run(argv: Sequence[str]) -> str:
    shown = ["***" if i > 0 and argv[i - 1] == "--password" else a for i, a in enumerate(argv)]
    print("+", " ".join(shown), flush=True)
    proc = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def say(message: str) -> None:
    """A skipped step is visible: an annotation on GitHub Actions, a line elsewhere."""
    prefix = "::warning::" if os.environ.get("GITHUB_ACTIONS") == "true" else ""
    print(prefix + message, flush=True)


def main(argv: list[str] | None = None, env: Mapping[str, str] = os.environ,
         run: Run = _run) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in ("app", "dmg"):
        print("usage: sign.py app APP | sign.py dmg DMG", file=sys.stderr)
        return 64
    creds, notes = credentials(env)
    for note in notes:
        say(note)
    if creds is None:
        return 0
    target = Path(args[1])
    if not target.exists():
        raise SystemExit(f"sign.py: {target} does not exist")
    if args[0] == "app":
        sign_app(target, creds, run)
    else:
        sign_and_notarize_dmg(target, creds, run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
