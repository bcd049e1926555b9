"""The packaging inputs that can only be compiled on Windows/macOS, checked here with
PyInstaller's own parsers: the manifest (asInvoker), the version resource filled from
pyproject, the Inno Setup script's directives and the app icons."""

from __future__ import annotations

import re
import subprocess
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
    # For all users under Program Files, where only administrators can change the files
    # the UAC prompt runs; "only for me" stays possible and that copy never elevates.
    assert setup["PrivilegesRequired"] == "admin"
    assert setup["DefaultDirName"] == r"{autopf}\{#AppName}"
    assert setup["PrivilegesRequiredOverridesAllowed"] == "dialog"
    assert setup["AppVersion"] == "{#AppVersion}"
    languages = re.findall(r'^Name: "(\w+)"; MessagesFile:', iss, re.M)
    assert languages == ["chinesesimplified", "english"]
    assert r"{group}\{cm:ShortcutName}" in iss and r"{autodesktop}\{cm:ShortcutName}" in iss
    assert "{userpf}" not in iss and "{userdesktop}" not in iss
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


# ---- the release workflow and the macOS/Windows release scripts ---------------------------

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
MACOS = ROOT / "packaging" / "macos"


def _workflow() -> dict:  # type: ignore[type-arg]
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _steps() -> list[dict]:  # type: ignore[type-arg]
    return list(_workflow()["jobs"]["build"]["steps"])


def _step(name_part: str) -> dict:  # type: ignore[type-arg]
    (step,) = [s for s in _steps() if name_part in s.get("name", "")]
    return step


def test_release_workflow_builds_both_mac_architectures() -> None:
    data = _workflow()
    assert data[True] == {"push": {"tags": ["v*"]}, "workflow_dispatch": None}  # YAML's `on`
    matrix = data["jobs"]["build"]["strategy"]["matrix"]["include"]
    assert {(m["os"], m["arch"]) for m in matrix} == {
        ("windows-latest", "x86_64"), ("macos-14", "arm64"), ("macos-15-intel", "x86_64")}
    assert len({m["artifact"] for m in matrix}) == 3
    lipo = _step("built for this architecture")["run"]
    assert "lipo -archs" in lipo and "-macos-${{ matrix.arch }}.dmg" in lipo and "exit 1" in lipo
    assert "exit 1" in _step("expected architecture")["run"]


def test_dmg_name_says_the_architecture() -> None:
    assert build.dmg_name("0.1.0", "arm64") == "wxdoctor-0.1.0-macos-arm64.dmg"
    assert build.dmg_name("1.2.3", "x86_64") == "wxdoctor-1.2.3-macos-x86_64.dmg"
    with pytest.raises(SystemExit, match="unknown macOS architecture"):
        build.dmg_name("1.0", "ppc")


def test_inno_setup_messages_path_and_loud_failure() -> None:
    run = _step("Inno Setup")["run"]
    urls = ["$base/$tag/Files/Languages/ChineseSimplified.isl",  # the compiler's tag, 7.0.2+
            "$base/$tag/Files/Languages/Unofficial/ChineseSimplified.isl",  # 6.x tags
            "$base/main/Files/Languages/ChineseSimplified.isl"]
    assert [run.index(url) for url in urls] == sorted(run.index(url) for url in urls)
    assert "$tag = 'is-'" in run  # is-6_4_3 for Inno Setup 6.4.3
    assert run.count("::error::") == 2 and run.count("exit 1") == 2
    assert "LanguageName=" in run  # a 404 page saved as the file does not count
    assert "GITHUB_ENV" in run and "ISCC=" in run  # build.py uses the compiler found here
    for text in (run, (ROOT / "packaging" / "build.py").read_text("utf-8")):
        assert "Program Files" not in text and "Inno Setup 6\\ISCC" not in text


def test_find_iscc_never_guesses(tmp_path: Path) -> None:
    compiler = tmp_path / "ISCC.exe"
    compiler.write_bytes(b"MZ")
    assert build.find_iscc({"ISCC": str(compiler)}, lambda name: None) == str(compiler)
    assert build.find_iscc({}, {"iscc": "/x/iscc"}.get) == "/x/iscc"
    with pytest.raises(SystemExit, match="ISCC.exe.*was not found.*set ISCC"):
        build.find_iscc({}, lambda name: None)
    with pytest.raises(SystemExit, match="is not a file"):
        build.find_iscc({"ISCC": str(tmp_path / "missing.exe")}, lambda name: None)


def test_secrets_reach_the_scripts_only_through_env() -> None:
    sign = _load_sign()
    for step in _steps():
        assert "secrets." not in str(step.get("run", "")) + str(step.get("if", "")), step["name"]
    build_env = _step("Build bundle and installer")["env"]
    assert set(build_env) == {"MACOS_SIGN_IDENTITY", *sign.NOTARY_VARIABLES}
    assert all(v == f"${{{{ secrets.{k} }}}}" for k, v in build_env.items())
    certificate = _step("Developer ID certificate")
    assert certificate["if"] == "runner.os == 'macOS'"
    assert set(certificate["env"]) == {"MACOS_CERTIFICATE_P12", "MACOS_CERTIFICATE_PASSWORD"}
    assert certificate["run"] == "bash packaging/macos/import_certificate.sh"


def test_certificate_import_without_a_certificate_says_so_and_stops(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "GITHUB_ACTIONS": "true", "RUNNER_TEMP": str(tmp_path)}
    proc = subprocess.run(["bash", str(MACOS / "import_certificate.sh")], env=env,
                          capture_output=True, text=True, timeout=10)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("::warning::No Developer ID certificate")
    assert list(tmp_path.iterdir()) == []  # no keychain, nothing decoded


def _load_sign():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("wxdoctor_sign", MACOS / "sign.py")
    assert spec and spec.loader
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return module


NOTARY_INVALID = (ROOT / "tests" / "fixtures" / "platform" / "macos" /
                  "notarytool-submit-wait-json-invalid.txt").read_text("utf-8")
NOTARY_ENV = {"MACOS_SIGN_IDENTITY": "Developer ID Application: Example (TEAMID1234)",
              "NOTARY_APPLE_ID": "a@example.com", "NOTARY_TEAM_ID": "TEAMID1234",
              "NOTARY_PASSWORD": "abcd-efgh-ijkl-mnop"}


class Recorder:
    """Stands in for codesign/xcrun, which exist only on macOS: records each command and
    answers notarytool with the real JSON line it prints."""

    def __init__(self, notary_output: str) -> None:
        self.calls: list[list[str]] = []
        self.notary_output = notary_output

    def __call__(self, argv: list[str]) -> str:
        self.calls.append(list(argv))
        return self.notary_output if argv[1:3] == ["notarytool", "submit"] else "log text"


def test_signing_without_credentials_is_skipped_with_a_reason(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    sign = _load_sign()
    recorder = Recorder(NOTARY_INVALID)
    assert sign.main(["app", str(tmp_path)], env={}, run=recorder) == 0
    assert recorder.calls == []
    assert "MACOS_SIGN_IDENTITY is not set" in capsys.readouterr().out
    creds, notes = sign.credentials({"MACOS_SIGN_IDENTITY": "Developer ID Application: X (T)"})
    assert creds.notary is None and "NOTARY_APPLE_ID, NOTARY_TEAM_ID, NOTARY_PASSWORD" in notes[0]


def test_rejected_notarization_fails_with_apples_log(tmp_path: Path) -> None:
    """notarytool exits 0 for "Invalid" (the fixture's source shows it): the status decides."""
    sign = _load_sign()
    dmg = tmp_path / "wxdoctor-0.1.0-macos-arm64.dmg"
    dmg.write_bytes(b"image")
    assert sign.notary_result(NOTARY_INVALID) == ("arst-astt-1234", "Invalid")
    recorder = Recorder(NOTARY_INVALID)
    with pytest.raises(SystemExit, match="(?s)ended 'Invalid'.*log text"):
        sign.main(["dmg", str(dmg)], env=NOTARY_ENV, run=recorder)
    assert [c[:3] for c in recorder.calls] == [["codesign", "--force", "--timestamp"],
                                               ["xcrun", "notarytool", "submit"],
                                               ["xcrun", "notarytool", "log"]]
    assert not any("stapler" in c for call in recorder.calls for c in call)


def test_accepted_notarization_is_stapled(tmp_path: Path) -> None:
    sign = _load_sign()
    dmg = tmp_path / "x.dmg"
    dmg.write_bytes(b"image")
    accepted = NOTARY_INVALID.replace('"Invalid"', '"Accepted"')  # derived: see SOURCES.md
    recorder = Recorder(accepted)
    assert sign.main(["dmg", str(dmg)], env=NOTARY_ENV, run=recorder) == 0
    assert [c[1:3] for c in recorder.calls[-2:]] == [["stapler", "staple"], ["stapler", "validate"]]
    app = tmp_path / "wxdoctor.app"
    app.mkdir()
    recorder = Recorder(accepted)
    sign.main(["app", str(app)], env=NOTARY_ENV, run=recorder)
    (codesign, verify) = recorder.calls
    assert {"--options", "runtime", "--timestamp", "--entitlements"} <= set(codesign)
    assert "--deep" not in codesign and "--deep" in verify  # Apple: --deep only to verify
    with pytest.raises(SystemExit, match="no JSON"):
        sign.notary_result("Error: HTTP status code: 401")


def test_entitlements_file_is_a_plist() -> None:
    import plistlib

    entitlements = plistlib.loads((MACOS / "entitlements.plist").read_bytes())
    assert entitlements == {"com.apple.security.cs.allow-unsigned-executable-memory": True}
    spec = (ROOT / "packaging" / "wxdoctor.spec").read_text("utf-8")
    assert "codesign_identity=MAC_IDENTITY" in spec and "entitlements.plist" in spec


def test_retry_runs_again_then_gives_up_loudly(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    flaky = f'n=$(cat {counter} 2>/dev/null || echo 0); echo $((n+1)) > {counter}; [ "$n" -ge 2 ]'

    def retry(attempts: int) -> subprocess.CompletedProcess[str]:
        counter.unlink(missing_ok=True)
        script = f'source {MACOS / "retry.sh"}; retry {attempts} sh -c \'{flaky}\''
        return subprocess.run(["bash", "-c", script], env={"RETRY_DELAY_S": "0", "PATH": "/usr/bin:/bin"},
                              capture_output=True, text=True, timeout=10)

    ok = retry(5)
    assert ok.returncode == 0 and counter.read_text().strip() == "3"
    assert ok.stderr.count("trying again") == 2
    failed = retry(2)
    assert failed.returncode == 1 and "failed 2 times, giving up" in failed.stderr


def test_make_dmg_retries_hdiutil() -> None:
    script = (MACOS / "make_dmg.sh").read_text("utf-8")
    create = script.split("create_dmg() {")[1].split("\n}")[0]
    assert 'rm -f "$dmg"' in create and "hdiutil create" in create
    assert "retry 5 create_dmg" in script and 'retry 3 hdiutil verify "$dmg"' in script
    assert subprocess.run(["bash", "-n", str(MACOS / "make_dmg.sh")], timeout=10).returncode == 0
