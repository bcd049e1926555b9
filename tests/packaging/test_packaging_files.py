"""The packaging inputs that can only be compiled on Windows/macOS, checked here with
PyInstaller's own parsers: the manifest (asInvoker), the version resource filled from
pyproject, the Inno Setup script's directives and the app icons."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import build  # noqa: E402  (packaging/build.py)

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]


def test_version_comes_from_pyproject() -> None:
    assert build.project_version() == VERSION


@pytest.mark.parametrize(("version", "expected"), [
    ("0.1.0", (0, 1, 0, 0)),
    ("1.2.3.4", (1, 2, 3, 4)),
    ("2.0rc1", (2, 0, 0, 0)),
    ("1.10.0-beta", (1, 10, 0, 0)),
    ("70000.1", (65535, 1, 0, 0)),
])
def test_file_version_tuple(version: str, expected: tuple[int, int, int, int]) -> None:
    assert build.file_version_tuple(version) == expected


def test_generated_files(tmp_path: Path) -> None:
    """The filled version resource is the expression PyInstaller evaluates (its parser
    needs Windows APIs, so the same constructors are stood in for here)."""
    build.write_generated(tmp_path, "1.2.3")
    assert (tmp_path / "VERSION").read_text().strip() == "1.2.3"
    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable",
             "StringStruct", "VarFileInfo", "VarStruct")
    for exe in ("wxdoctor", "wxdoctor-gui"):
        made: list[tuple[str, tuple[object, ...], dict[str, object]]] = []

        def ctor(name: str, made: list = made):  # type: ignore[no-untyped-def, type-arg]
            def make(*args: object, **kwargs: object) -> tuple[str, tuple[object, ...], dict[str, object]]:
                made.append((name, args, kwargs))
                return (name, args, kwargs)
            return make

        text = (tmp_path / f"version_info-{exe}.txt").read_text("utf-8")
        eval(compile(text, exe, "eval"), {n: ctor(n) for n in names})  # noqa: S307
        ffi = next(k for n, _, k in made if n == "FixedFileInfo")
        assert ffi["filevers"] == ffi["prodvers"] == (1, 2, 3, 0)
        strings = {a[0]: a[1] for n, a, _ in made if n == "StringStruct"}
        assert strings["ProductVersion"] == strings["FileVersion"] == "1.2.3"
        assert strings["OriginalFilename"] == f"{exe}.exe"
        assert {a[0] for n, a, _ in made if n == "StringTable"} == {"080404B0", "040904B0"}


def test_manifest_runs_as_invoker() -> None:
    pytest.importorskip("PyInstaller")
    from PyInstaller.utils.win32.winmanifest import create_application_manifest

    xml = (ROOT / "packaging" / "windows" / "wxdoctor.manifest").read_bytes()
    out = create_application_manifest(xml, uac_admin=False, uac_uiaccess=False).decode()
    assert re.search(r'requestedExecutionLevel level="asInvoker"', out)
    assert "requireAdministrator" not in out
    assert "Microsoft.Windows.Common-Controls" in out  # PyInstaller adds it
    spec = (ROOT / "packaging" / "wxdoctor.spec").read_text("utf-8")
    assert "uac_admin=False" in spec and "wxdoctor.manifest" in spec


def test_inno_setup_script() -> None:
    iss = (ROOT / "packaging" / "windows" / "wxdoctor.iss").read_text("utf-8")
    setup = dict(re.findall(r"^(\w+)=(.*)$", iss.split("[Setup]")[1].split("\n[")[0], re.M))
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"] == r"{userpf}\{#AppName}"  # %LOCALAPPDATA%\Programs
    assert setup["AppVersion"] == "{#AppVersion}"
    assert "PrivilegesRequiredOverridesAllowed" not in setup  # never offers an admin install
    languages = re.findall(r'^Name: "(\w+)"; MessagesFile:', iss, re.M)
    assert languages == ["chinesesimplified", "english"]
    assert r"{group}\{cm:ShortcutName}" in iss and r"{userdesktop}\{cm:ShortcutName}" in iss
    # Every /D define build.py passes is one the script reads.
    passed = set(re.findall(r'/D(\w+)=', (ROOT / "packaging" / "build.py").read_text()))
    assert passed == {"AppVersion", "FileVersion", "SourceDir", "OutputDir"}
    for name in passed:
        assert f"#ifndef {name}" in iss
    assert (ROOT / "packaging" / "windows" / setup["SetupIconFile"].replace("\\", "/")).is_file()


def test_macos_bundle_settings() -> None:
    spec = (ROOT / "packaging" / "wxdoctor.spec").read_text("utf-8")
    for needle in ('bundle_identifier="cn.wxdoctor.app"', '"LSMinimumSystemVersion": "11.0"',
                   '"NSHighResolutionCapable": True', '"CFBundleShortVersionString": VERSION',
                   '"CFBundleExecutable": "wxdoctor-gui"'):
        assert needle in spec
    script = (ROOT / "packaging" / "macos" / "make_dmg.sh").read_text()
    assert "hdiutil create" in script and "-format UDZO" in script


def test_icons() -> None:
    image = pytest.importorskip("PIL.Image")
    icons = ROOT / "packaging" / "icons"
    with image.open(icons / "app.ico") as ico:
        assert (256, 256) in ico.info["sizes"] and (16, 16) in ico.info["sizes"]
    with image.open(icons / "app.icns") as icns:
        assert icns.size[0] >= 512
    with image.open(ROOT / "resources" / "icons" / "app.png") as png:
        assert png.size == (256, 256) and png.mode == "RGBA"
