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
    assert passed == {"AppVersion", "FileVersion", "SourceDir", "OutputDir", "Sign"}
    for name in passed - {"Sign"}:
        assert f"#ifndef {name}" in iss
    assert "#ifdef Sign" in iss  # only defined when there is a certificate
    assert (ROOT / "packaging" / "windows" / setup["SetupIconFile"].replace("\\", "/")).is_file()


def test_macos_bundle_settings() -> None:
    spec = (ROOT / "packaging" / "wxdoctor.spec").read_text("utf-8")
    for needle in ('bundle_identifier="cn.wxdoctor.app"',
                   '"LSMinimumSystemVersion": minimum.shown(MAC_MINIMUM)',
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
    assert set(build_env) == {"MACOS_SIGN_IDENTITY", *sign.NOTARY_VARIABLES,
                              "WINDOWS_CERTIFICATE_PFX", "WINDOWS_CERTIFICATE_PASSWORD",
                              "WINDOWS_TIMESTAMP_URL"}
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


# ---- the Qt the release builds with, and the macOS it then needs ---------------------------

sys.path.insert(0, str(MACOS))
import minimum  # noqa: E402  (packaging/macos/minimum.py)

PLATFORM_CAPTURES = ROOT / "tests" / "fixtures" / "platform" / "macos"
# Wheel file names on PyPI (SOURCES.md, section 14).
ARM64_WHEELS = ["pyside6_essentials-6.11.3-cp310-abi3-macosx_13_0_universal2.whl",
                "shiboken6-6.11.3-cp310-abi3-macosx_13_0_universal2.whl",
                "psutil-7.2.2-cp36-abi3-macosx_11_0_arm64.whl"]
INTEL_WHEELS = ["pyside6_essentials-6.11.3-cp310-abi3-macosx_13_0_universal2.whl",
                "psutil-7.2.2-cp36-abi3-macosx_10_9_x86_64.whl"]


def _tag(wheel: str) -> str:
    return "-".join(wheel.removesuffix(".whl").split("-")[-3:])


def test_the_release_pins_its_qt_and_installs_with_the_pin() -> None:
    pins = dict(line.split("==") for line in (ROOT / "packaging" / "release-constraints.txt")
                .read_text("utf-8").splitlines() if line and not line.startswith("#"))
    assert set(pins) == {"PySide6-Essentials", "shiboken6"}
    assert pins["PySide6-Essentials"] == pins["shiboken6"]  # they are released together
    assert re.fullmatch(r"6\.\d+\.\d+", pins["shiboken6"]) and pins["shiboken6"] != "6.12.0"
    install = _step("Install")["run"]
    assert "-c packaging/release-constraints.txt" in install


def test_the_minimum_macos_is_the_newest_the_bundled_wheels_need() -> None:
    assert minimum.from_tags(map(_tag, ARM64_WHEELS)) == (13, 0)
    assert minimum.from_tags(map(_tag, INTEL_WHEELS)) == (13, 0)
    assert minimum.from_tags([_tag(ARM64_WHEELS[2])]) == (11, 0)
    assert minimum.from_tags(["cp311-cp311-manylinux_2_17_x86_64", "py3-none-any"]) is None
    names = {d.metadata["Name"].lower().replace("_", "-") for d in minimum.runtime_distributions()}
    assert {"pyside6-essentials", "shiboken6", "psutil", "dnspython"} <= names
    assert "pytest" not in names and "pyinstaller" not in names  # extras are not bundled


def test_binaries_say_which_macos_they_need() -> None:
    lute = (PLATFORM_CAPTURES / "otool-l-lute-minos-15.txt").read_text("utf-8")
    assert minimum.minos(lute) == [(15, 0)]
    before, after = (PLATFORM_CAPTURES / "vtool-show-build-lite-xl-arm64-and-intel.txt").read_text(
        "utf-8").split("After (Intel build):")
    assert minimum.minos(before) == [(11, 0)] and minimum.minos(after) == [(10, 11)]


def test_the_build_fails_when_the_app_and_what_it_carries_disagree(tmp_path: Path) -> None:
    """otool exists only on macOS: its real output (the captures) answers for each Mach-O
    file of a bundle laid out here; everything else is the check the build runs."""
    import plistlib

    app = tmp_path / "wxdoctor.app"
    macos_dir = app / "Contents" / "MacOS"
    macos_dir.mkdir(parents=True)
    (macos_dir / "wxdoctor-gui").write_bytes(b"\xcf\xfa\xed\xfe" + bytes(28))
    (macos_dir / "libtoo_new.dylib").write_bytes(b"\xca\xfe\xba\xbe" + bytes(28))
    (app / "Contents" / "Resources").mkdir()
    (app / "Contents" / "Resources" / "VERSION").write_text("0.1.0\n")
    outputs = {"wxdoctor-gui": (PLATFORM_CAPTURES / "vtool-show-build-lite-xl-arm64-and-intel.txt"),
               "libtoo_new.dylib": (PLATFORM_CAPTURES / "otool-l-lute-minos-15.txt")}
    asked: list[str] = []

    def otool(argv: list[str]) -> str:
        asked.append(Path(argv[-1]).name)
        return outputs[Path(argv[-1]).name].read_text("utf-8")

    def write_plist(version: str) -> None:
        (app / "Contents" / "Info.plist").write_bytes(
            plistlib.dumps({"LSMinimumSystemVersion": version}))

    write_plist("11.0")  # what the spec used to write
    found = minimum.check(app, otool, (13, 0))
    assert sorted(asked) == ["libtoo_new.dylib", "wxdoctor-gui"]  # Mach-O files only
    assert "LSMinimumSystemVersion is 11.0, but the wheels bundled need macOS 13.0" in found
    assert any("libtoo_new.dylib needs macOS 15.0" in line for line in found)
    write_plist("13.0")
    outputs["libtoo_new.dylib"] = PLATFORM_CAPTURES / "vtool-show-build-lite-xl-arm64-and-intel.txt"
    assert minimum.check(app, otool, (13, 0)) == []


# ---- Windows: Authenticode, timestamped, from secrets --------------------------------------

WINDOWS = ROOT / "packaging" / "windows"


def _load_windows_sign():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("wxdoctor_windows_sign", WINDOWS / "sign.py")
    assert spec and spec.loader
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module


def test_windows_signing_without_a_certificate_says_so_and_signs_nothing(tmp_path: Path) -> None:
    exe = tmp_path / "wxdoctor.exe"
    exe.write_bytes(b"MZ")
    proc = subprocess.run([sys.executable, str(WINDOWS / "sign.py"), str(exe)],
                          env={"PATH": "/usr/bin:/bin", "GITHUB_ACTIONS": "true"},
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("::warning::Windows signing skipped: WINDOWS_CERTIFICATE_PFX")
    assert "Unknown publisher" in proc.stdout


def test_windows_signing_is_sha256_timestamped_and_keeps_the_key_off_disk_and_log(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """signtool exists only on Windows: a recorder takes its place; the argv, the
    temporary .pfx and the log are the real script's."""
    sign = _load_windows_sign()
    files = [tmp_path / "wxdoctor.exe", tmp_path / "wxdoctor-gui.exe"]
    for f in files:
        f.write_bytes(b"MZ")
    calls: list[list[str]] = []
    pfx_seen: list[bytes] = []

    def run(argv):  # type: ignore[no-untyped-def]
        calls.append(list(argv))
        if argv[1] == "sign":
            pfx_seen.append(Path(argv[argv.index("/f") + 1]).read_bytes())
        print("+", sign.shown(argv))

    env = {"WINDOWS_CERTIFICATE_PFX": "cGZ4LWJ5dGVz", "WINDOWS_CERTIFICATE_PASSWORD": "s3cret!"}
    assert sign.main([str(f) for f in files], env=env, run=run, signtool="signtool.exe") == 0
    signing, verifying = calls
    assert signing[:2] == ["signtool.exe", "sign"]
    assert signing[signing.index("/fd") + 1] == "SHA256" and signing[signing.index("/td") + 1] == "SHA256"
    assert signing[signing.index("/tr") + 1] == "http://timestamp.digicert.com"
    assert signing[-2:] == [str(f) for f in files]
    assert pfx_seen == [b"pfx-bytes"] and not Path(signing[signing.index("/f") + 1]).exists()
    assert verifying == ["signtool.exe", "verify", "/pa", "/tw", *map(str, files)]
    assert "s3cret!" not in capsys.readouterr().out
    with pytest.raises(SystemExit, match="PASSWORD must accompany"):
        sign.main([str(files[0])], env={"WINDOWS_CERTIFICATE_PFX": "cGZ4"}, run=run, signtool="x")
    with pytest.raises(SystemExit, match="not base64"):
        sign.main([str(files[0])], env={"WINDOWS_CERTIFICATE_PFX": "%%%", "WINDOWS_CERTIFICATE_PASSWORD": "p"},
                  run=run, signtool="x")


def test_signtool_is_found_where_windows_says_never_guessed(tmp_path: Path) -> None:
    sign = _load_windows_sign()
    kits = tmp_path / "Windows Kits" / "10"
    for version in ("10.0.19041.0", "10.0.22621.0"):
        tool = kits / "bin" / version / "x64" / "signtool.exe"
        tool.parent.mkdir(parents=True)
        tool.write_bytes(b"MZ")
    assert sign.find_signtool({}, lambda n: None, lambda: str(kits)).endswith(
        "10.0.22621.0/x64/signtool.exe")
    assert sign.find_signtool({}, {"signtool": "/x/signtool"}.get, lambda: None) == "/x/signtool"
    with pytest.raises(SystemExit, match="not found"):
        sign.find_signtool({}, lambda n: None, lambda: None)
    with pytest.raises(SystemExit, match="is not a file"):
        sign.find_signtool({"SIGNTOOL": str(tmp_path / "none.exe")}, lambda n: None, lambda: None)


def test_the_installer_and_its_uninstaller_are_signed_when_there_is_a_certificate() -> None:
    iss = (WINDOWS / "wxdoctor.iss").read_text("utf-8")
    block = iss.split("#ifdef Sign", 1)[1].split("#endif", 1)[0]
    assert "SignTool=wxsign" in block and "SignedUninstaller=yes" in block
    signed = build.iscc_argv("ISCC.exe", "1.2.3", Path("dist"), Path("dist/installer"), True,
                             python="C:\\py\\python.exe")
    assert signed[1:3] == [f"/Swxsign=$qC:\\py\\python.exe$q $q{WINDOWS / 'sign.py'}$q $f",
                           "/DSign=1"]
    unsigned = build.iscc_argv("ISCC.exe", "1.2.3", Path("dist"), Path("dist/installer"), False)
    assert not any(a.startswith(("/S", "/DSign")) for a in unsigned)
    check = _step("timestamped signature")
    assert check["if"] == "runner.os == 'Windows'"
    assert "Get-AuthenticodeSignature" in check["run"] and "TimeStamperCertificate" in check["run"]
    assert "::warning::No WINDOWS_CERTIFICATE_PFX" in check["run"]
