"""The oldest macOS the bundle starts on, derived from what is in it.

    python packaging/macos/minimum.py wheels            # from the installed wheels' tags
    python packaging/macos/minimum.py check APP.app     # Info.plist against wheels and binaries

A wheel's platform tag (`macosx_13_0_universal2`) is the oldest macOS its binaries run
on; the bundle can start nowhere older than the newest such tag among the wheels it
carries (Qt 6.11's are macosx_13_0). The spec writes that into LSMinimumSystemVersion,
and after the build `check` fails when the Info.plist says anything else, or when a
binary in the bundle (`otool -l`: LC_BUILD_VERSION minos, LC_VERSION_MIN_MACOSX version)
needs a newer macOS than it says: a Mac that installs the app must be able to start it.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import plistlib
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

PROJECT = "wxdoctor"
_MACOS_TAG = re.compile(r"macosx_(\d+)_(\d+)_\w+$")
_MACHO_MAGIC = {b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\xbe\xba\xfe\xca"}

Version = tuple[int, int]


def version_of(text: str) -> Version:
    major, _, minor = text.partition(".")
    return int(major), int(minor.split(".")[0] or 0)


def shown(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def from_tags(tags: Iterable[str]) -> Version | None:
    """The newest macOS named by the macosx_X_Y platform tags (None: no macOS wheel)."""
    found = [(int(m.group(1)), int(m.group(2))) for tag in tags
             if (m := _MACOS_TAG.search(tag.split("-")[-1]))]
    return max(found) if found else None


def runtime_distributions(project: str = PROJECT) -> list[metadata.Distribution]:
    """The project's own requirements and theirs, without extras: what the app imports."""
    seen: dict[str, metadata.Distribution] = {}
    pending = [project]
    while pending:
        name = pending.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in seen:
            continue
        seen[key] = dist
        for requirement in dist.requires or []:
            if "extra ==" in requirement:
                continue
            marker_free = requirement.split(";")[0]
            pending.append(re.split(r"[\s<>=!~\[(]", marker_free.strip(), maxsplit=1)[0])
    return [d for k, d in seen.items() if k != project]


def wheel_tags(dist: metadata.Distribution) -> list[str]:
    text = dist.read_text("WHEEL") or ""
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Tag:")]


def from_wheels(dists: Iterable[metadata.Distribution] | None = None) -> Version | None:
    return from_tags(tag for dist in (dists if dists is not None else runtime_distributions())
                     for tag in wheel_tags(dist))


def minos(otool_output: str) -> list[Version]:
    """Every minimum macOS `otool -l` (or `vtool -show-build`) names for one binary."""
    found = re.findall(r"cmd LC_BUILD_VERSION\s.*?minos (\d+\.\d+(?:\.\d+)?)", otool_output, re.S)
    found += re.findall(r"cmd LC_VERSION_MIN_MACOSX\s.*?version (\d+\.\d+(?:\.\d+)?)",
                        otool_output, re.S)
    return [version_of(v) for v in found]


def problems(declared: str, wheels: Version | None,
             binaries: dict[str, list[Version]]) -> list[str]:
    """Why the bundle's LSMinimumSystemVersion is wrong; empty when it is right."""
    found = []
    said = version_of(declared)
    if wheels is not None and said != wheels:
        found.append(f"LSMinimumSystemVersion is {declared}, but the wheels bundled need "
                     f"macOS {shown(wheels)}")
    for path, versions in sorted(binaries.items()):
        newest = max(versions, default=(0, 0))
        if newest > said:
            found.append(f"{path} needs macOS {shown(newest)}, newer than {declared}")
    return found


def check(app: Path, run: Callable[[list[str]], str], wheels: Version | None) -> list[str]:
    info = plistlib.loads((app / "Contents" / "Info.plist").read_bytes())
    binaries = {}
    for path in sorted(app.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        with open(path, "rb") as fh:
            if fh.read(4) not in _MACHO_MAGIC:
                continue
        binaries[str(path.relative_to(app))] = minos(run(["otool", "-l", str(path)]))
    return problems(str(info["LSMinimumSystemVersion"]), wheels, binaries)


def _otool(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


def main(argv: list[str]) -> int:
    if argv[:1] == ["wheels"]:
        found = from_wheels()
        print(shown(found) if found else "no macOS wheel is installed")
        return 0 if found else 1
    if len(argv) == 2 and argv[0] == "check":
        found = check(Path(argv[1]), _otool, from_wheels())
        for line in found:
            print(f"::error::{line}" if os.environ.get("GITHUB_ACTIONS") == "true" else line)
        if found:
            print("the app's minimum macOS disagrees with what it carries", file=sys.stderr)
            return 1
        print("LSMinimumSystemVersion agrees with the wheels and every binary")
        return 0
    print("usage: minimum.py wheels | minimum.py check APP", file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
