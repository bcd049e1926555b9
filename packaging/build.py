"""Build the frozen app: `python packaging/build.py` writes dist/wxdoctor/ (onedir).

The version is read once, from pyproject.toml, and handed to everything that shows it:
resources/VERSION in the bundle (checks.__version__ when frozen), the Windows version
resource, the macOS Info.plist (through the spec) and the installers (`--installer`:
Inno Setup on Windows, a .dmg on macOS).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import string
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "wxdoctor.spec"


def project_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def file_version_tuple(version: str) -> tuple[int, int, int, int]:
    """Windows wants four 16-bit numbers: '1.2.3rc1' -> (1, 2, 3, 0)."""
    parts: list[int] = []
    for piece in version.replace("-", ".").split(".")[:4]:
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        parts.append(min(int(digits or 0), 65535))
    while len(parts) < 4:
        parts.append(0)
    return (parts[0], parts[1], parts[2], parts[3])


def write_generated(gen: Path, version: str) -> None:
    """Files the spec consumes; written outside the source tree."""
    gen.mkdir(parents=True, exist_ok=True)
    (gen / "VERSION").write_text(version + "\n", encoding="utf-8")
    template = string.Template((PACKAGING / "windows" / "version_info.txt").read_text("utf-8"))
    year = datetime.date.today().year
    for exe in ("wxdoctor", "wxdoctor-gui"):
        text = template.substitute(file_tuple=repr(file_version_tuple(version)),
                                   version=version, year=year, exe=f"{exe}.exe")
        (gen / f"version_info-{exe}.txt").write_text(text, encoding="utf-8")


def run_pyinstaller(dist: Path, work: Path, gen: Path, version: str) -> None:
    env = dict(os.environ, WXDOCTOR_GEN_DIR=str(gen), WXDOCTOR_VERSION=version)
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, env=env, cwd=ROOT)


def find_iscc(env: Mapping[str, str] = os.environ,
              which: Callable[[str], str | None] = shutil.which) -> str:
    """Inno Setup's compiler: $ISCC, else on PATH, else where Windows says Inno Setup is
    installed (its uninstall entry), never a guessed folder."""
    given = env.get("ISCC", "").strip()
    if given:
        if not Path(given).is_file():
            raise SystemExit(f"ISCC={given} is not a file")
        return given
    found = which("iscc") or which("ISCC.exe") or _iscc_from_registry()
    if not found:
        raise SystemExit("Inno Setup's compiler (ISCC.exe) was not found: install Inno Setup 6 "
                         "or newer (https://jrsoftware.org/isdl.php), then put its folder on "
                         "PATH or set ISCC to the full path of ISCC.exe")
    return found


def _iscc_from_registry() -> str | None:
    if sys.platform != "win32":
        return None
    import winreg

    uninstall = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
    for hive, view in ((winreg.HKEY_LOCAL_MACHINE, winreg.KEY_WOW64_32KEY),
                       (winreg.HKEY_LOCAL_MACHINE, winreg.KEY_WOW64_64KEY),
                       (winreg.HKEY_CURRENT_USER, 0)):
        for major in (7, 6):
            try:
                with winreg.OpenKey(hive, rf"{uninstall}\Inno Setup {major}_is1", 0,
                                    winreg.KEY_READ | view) as key:
                    folder = str(winreg.QueryValueEx(key, "InstallLocation")[0])
            except OSError:
                continue
            if (Path(folder) / "ISCC.exe").is_file():
                return str(Path(folder) / "ISCC.exe")
    return None


# platform.machine() -> the architecture in the disk image's name.
MAC_ARCHES = {"arm64": "arm64", "aarch64": "arm64", "x86_64": "x86_64", "amd64": "x86_64"}


def dmg_name(version: str, machine: str) -> str:
    """The build is for the architecture it runs on (PyInstaller builds thin binaries):
    the name says which, so Intel and Apple-silicon users pick the right one."""
    arch = MAC_ARCHES.get(machine.lower())
    if arch is None:
        raise SystemExit(f"unknown macOS architecture {machine!r}")
    return f"wxdoctor-{version}-macos-{arch}.dmg"


WINDOWS_SIGN = PACKAGING / "windows" / "sign.py"


def iscc_argv(iscc: str, version: str, dist: Path, out: Path, sign: bool,
              python: str = sys.executable) -> list[str]:
    """Inno Setup's command line; with `sign`, setup.exe and its uninstaller are signed by
    packaging/windows/sign.py as Inno Setup writes them (SignTool=wxsign, $f the file)."""
    numeric = ".".join(str(n) for n in file_version_tuple(version))
    signing = [f"/Swxsign=$q{python}$q $q{WINDOWS_SIGN}$q $f", "/DSign=1"] if sign else []
    return [iscc, *signing, f"/DAppVersion={version}", f"/DFileVersion={numeric}",
            f"/DSourceDir={dist / 'wxdoctor'}", f"/DOutputDir={out}",
            str(PACKAGING / "windows" / "wxdoctor.iss")]


def build_installer(dist: Path, version: str) -> Path | None:
    if sys.platform == "win32":
        iscc = find_iscc()
        out = dist / "installer"
        # The executables first (they go into the installer), then setup.exe through ISCC.
        exes = [str(dist / "wxdoctor" / f"{name}.exe") for name in ("wxdoctor", "wxdoctor-gui")]
        subprocess.run([sys.executable, str(WINDOWS_SIGN), *exes], check=True)
        sign = bool(os.environ.get("WINDOWS_CERTIFICATE_PFX", "").strip())
        cmd = iscc_argv(iscc, version, dist, out, sign)
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
        return out / f"wxdoctor-{version}-setup.exe"
    if sys.platform == "darwin":
        app, dmg = dist / "wxdoctor.app", dist / dmg_name(version, platform.machine())
        sign = [sys.executable, str(PACKAGING / "macos" / "sign.py")]
        for cmd in ([sys.executable, str(PACKAGING / "macos" / "minimum.py"), "check", str(app)],
                    [*sign, "app", str(app)],  # skips, saying why, without a Developer ID
                    ["bash", str(PACKAGING / "macos" / "make_dmg.sh"), str(app), str(dmg), version],
                    [*sign, "dmg", str(dmg)]):
            print("+", " ".join(cmd), flush=True)
            subprocess.run(cmd, check=True)
        return dmg
    print("no installer format on this platform: the onedir bundle is the result")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="scratch folder")
    parser.add_argument("--installer", action="store_true",
                        help="also build the Windows setup.exe (Inno Setup) or macOS .dmg")
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    version = project_version()
    gen = work / "generated"
    write_generated(gen, version)
    run_pyinstaller(dist, work / "pyinstaller", gen, version)
    print(f"built wxdoctor {version}: {dist / 'wxdoctor'}")
    if args.installer:
        result = build_installer(dist, version)
        if result:
            print(f"installer: {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
