"""Redaction holds for any user or host name: next to Chinese text, `_`, `-`, punctuation
and path separators, in the JSON report, the chat text, the PDF and `check --redact`.

Names are generated (hypothesis): Latin, Han and mixed user names, one-character
names, and host names. The in-process properties run many examples; the ones that
start the real command line run a few, each a full process.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checks.report.chat_summary import summary_text
from checks.report.plain_text import render_text
from checks.report.redact import Identity, redact
from checks.report.tokens import replace_tokens, spans
from tests.report.helpers import ROOT
from tests.sandbox import can_sandbox, sandboxed

LATIN = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
DIGIT = st.sampled_from("0123456789")
HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
latin_names = st.builds(lambda a, b: a + b, LATIN,
                        st.text(st.one_of(LATIN, DIGIT), min_size=1, max_size=11))
han_names = st.text(HAN, min_size=2, max_size=4)
mixed_names = st.builds(lambda a, b: a + b, latin_names, han_names)
user_names = st.one_of(latin_names, han_names, mixed_names)
short_names = st.one_of(HAN, LATIN)
host_names = st.builds(
    lambda a, b, c: f"{a}{b}-{c}", LATIN,
    st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"), min_size=1, max_size=8),
    st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), min_size=2, max_size=6))

# Where names turn up in real reports: paths, hosts-file comments, Chinese sentences.
USER_PLACES = (
    "/tmp/users/{u}的资料/WXWork", "# 由{u}添加", "{u}_backup", "{u}的资料",
    "C:\\Users\\{u}\\AppData\\Roaming\\Tencent", "/home/{u}/.config/wecom",
    "/Users/{u}/Library/Containers/com.tencent.WeWorkMac", "登录用户：{u}。",
    "owner {u}, mode 0600", "({u})", "D:\\备份\\{u}-旧电脑\\WXWork", "{u}.{u}@corp",
)
HOST_PLACES = ("{h}.local", "seen from {h}", "\\\\{h}\\share", "{h}的电脑", "{h}_share",
               "本机名 {h}。")
SHORT_PLACES = ("/tmp/users/{u}/WXWork", "C:\\Users\\{u}\\AppData", "/data/{u}_backup/x",
                "D:\\{u}-旧电脑\\WXWork")
FREE_TEXT = "{u}大的公司 and x{u}y"  # a one-character name inside words stays


def _base_report() -> dict[str, Any]:
    path = ROOT / "tests" / "fixtures" / "reports" / "faults.json"
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report


BASE = _base_report()
# Everything the report and its renderings say anyway ("故障" is a light's word).
BASE_TEXT = "\n".join([json.dumps(BASE, ensure_ascii=False)]
                      + [render_text(BASE, lang) for lang in ("zh", "en")]
                      + [summary_text(BASE, lang, redacted=False) for lang in ("zh", "en")])


def _with_names(user: str, host: str, places: tuple[str, ...] = USER_PLACES,
                short: bool = False) -> dict[str, Any]:
    report = copy.deepcopy(BASE)
    report["system"]["hostname"] = host
    check = report["checks"][0]
    lines = [p.format(u=user) for p in places] + [p.format(h=host) for p in HOST_PLACES]
    check["evidence"]["places"] = lines
    check["evidence"]["user"] = user
    check["evidence"][lines[0]] = {"files": 3}  # keys are redacted too
    for lang in ("zh", "en"):
        check["i18n"][lang]["summary"] += " " + "; ".join(lines[:4])
    check["summary"] = check["i18n"][report["lang"]]["summary"]
    if short:
        check["evidence"]["free"] = FREE_TEXT.format(u=user)
    return report


def _absent(text: str, name: str) -> bool:
    """No token of `name` is left ("ab" may still be inside "table")."""
    return not spans(text, name)


def _usable(user: str, host: str) -> bool:
    # A name that is a word of the report itself ("dns", "ok") would be hidden there too.
    return not spans(BASE_TEXT, user) and not spans(BASE_TEXT, host) \
        and user.lower() not in host.lower() and host.lower() not in user.lower() \
        and user.lower() not in ("user", "admin", "root", "guest", "public", "default") \
        and not any(spans(p.format(u="", h=""), user) for p in (*USER_PLACES, *HOST_PLACES))


# ---- the token rule ---------------------------------------------------------------------


def test_tokens_are_bounded_by_separators_and_script_changes() -> None:
    cases = {
        "/tmp/users/张三的资料/WXWork": ("张三", "/tmp/users/<u>的资料/WXWork"),
        "# 由张三添加": ("张三", "# 由<u>添加"),
        "张三_backup": ("张三", "<u>_backup"),
        "zhang的资料": ("zhang", "<u>的资料"),
        "zhang_wei-2": ("zhang", "<u>_wei-2"),
        "zhangwei vmware": ("zhang", "zhangwei vmware"),
        "vmware and vm": ("vm", "vmware and <u>"),
        "ZHANG.local": ("zhang", "<u>.local"),
        "zhang2": ("zhang", "zhang2"),
    }
    for text, (name, expected) in cases.items():
        assert replace_tokens(text, name, "<u>") == expected, text
    assert replace_tokens("伟大 伟_x /伟/", "伟", "<u>", strict=True) == "伟大 <u>_x /<u>/"


# ---- in-process properties -----------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(user=user_names, host=host_names)
def test_generated_names_never_survive_redaction(user: str, host: str) -> None:
    assume(_usable(user, host))
    report = _with_names(user, host)
    assert not _absent(json.dumps(report, ensure_ascii=False), user)  # they are there
    clean = redact(report, Identity(users=(user,), hosts=(host,)))
    for text in (json.dumps(clean, ensure_ascii=False), summary_text(clean, "zh", redacted=False),
                 summary_text(clean, "en", redacted=False), render_text(clean, "zh"),
                 render_text(clean, "en")):
        assert _absent(text, user), (user, text[:2000])
        assert _absent(text, host), (host, text[:2000])
    assert clean["checks"][0]["evidence"]["places"] == (
        [p.format(u="<user>") for p in USER_PLACES] + [p.format(h="<host>") for p in HOST_PLACES])
    assert redact(clean) == clean


@settings(max_examples=150, deadline=None)
@given(user=latin_names, host=host_names)
def test_names_inside_longer_words_are_left_alone(user: str, host: str) -> None:
    assume(_usable(user, host))
    longer = f"{user}x9 pre{user} {user}的资料"
    clean = redact({"checks": [{"id": "x", "summary": longer}]},
                   Identity(users=(user,), hosts=(host,)))
    assert clean["checks"][0]["summary"] == f"{user}x9 pre{user} <user>的资料"


@settings(max_examples=100, deadline=None)
@given(user=short_names, host=host_names)
def test_one_character_names_only_in_paths_and_name_fields(user: str, host: str) -> None:
    assume(user.lower() not in host.lower() and not spans(BASE_TEXT, user, strict=True))
    assume(not any(spans(p.format(u=""), user, strict=True) for p in SHORT_PLACES))
    report = _with_names(user, host, SHORT_PLACES, short=True)
    clean = redact(report, Identity(users=(user,), hosts=(host,)))
    evidence = clean["checks"][0]["evidence"]
    assert evidence["places"][:len(SHORT_PLACES)] == [
        p.format(u="<user>") for p in SHORT_PLACES]
    assert evidence["user"] == "<user>"
    assert evidence["free"] == FREE_TEXT.format(u=user)  # free text keeps the character
    assert _absent(json.dumps(evidence["places"], ensure_ascii=False), host)


# ---- the command line, the PDF and `check --redact` -------------------------------------


def _env(tmp: Path, user: str) -> dict[str, str]:
    home = tmp / "homes" / user
    home.mkdir(parents=True, exist_ok=True)
    environ = {k: v for k, v in os.environ.items()
               if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "WXDOCTOR_CONFIG")}
    environ.update({"HOME": str(home), "USER": user, "LOGNAME": user, "USERNAME": user,
                    "WXDOCTOR_DATA_DIR": str(tmp / "data"), "PYTHONPATH": str(ROOT),
                    "NO_COLOR": "1"})
    return environ


# A private UTS namespace named `host`, whose /etc/hosts knows that name (so looking
# up the machine's own full name is answered locally, as on a real computer).
_AS_HOST = ('hostname "$1" && printf "127.0.0.1 localhost\\n127.0.1.1 %s\\n" "$1" > "$2" '
            '&& mount --bind "$2" /etc/hosts && shift 2 && exec "$@"')


def _run(argv: list[str], env: dict[str, str], host: str | None = None
         ) -> subprocess.CompletedProcess[str]:
    command = sandboxed([sys.executable, "-m", "app", *argv])
    if host is not None:
        hosts = Path(env["HOME"]).parent / f"hosts-{host}"
        command = ["unshare", "--uts", "--mount", "--", "sh", "-c", _AS_HOST, "sh", host,
                   str(hosts), *command]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(user=user_names, host=host_names)
def test_report_exports_hide_generated_names(tmp_path_factory: pytest.TempPathFactory,
                                             user: str, host: str) -> None:
    assume(_usable(user, host))
    tmp = tmp_path_factory.mktemp("names")
    source = tmp / "private.json"
    source.write_text(json.dumps(_with_names(user, host), ensure_ascii=False), encoding="utf-8")
    env = _env(tmp, user)
    pdf = tmp / "r.pdf"
    exported = _run(["report", str(source), "--json", "-", "--pdf", str(pdf)], env)
    assert exported.returncode == 0, exported.stderr
    chat = _run(["report", str(source), "--text"], env)
    assert chat.returncode == 0, chat.stderr
    pdf_text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
    assert "<user>" in pdf_text
    for text in (exported.stdout, chat.stdout, pdf_text):
        assert _absent(text, user) and _absent(text, host), text[:3000]


@pytest.mark.skipif(not can_sandbox(), reason="needs root, unshare and ip (CI has them)")
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(user=user_names, host=host_names)
def test_check_redact_hides_generated_names(tmp_path_factory: pytest.TempPathFactory,
                                            user: str, host: str) -> None:
    assume(_usable(user, host))
    tmp = tmp_path_factory.mktemp("check")
    data = tmp / "users" / f"{user}的资料" / "WXWork"
    data.mkdir(parents=True)
    (data / "a.txt").write_text("x", encoding="utf-8")
    hosts = tmp / f"{user}_backup" / "hosts"
    hosts.parent.mkdir()
    hosts.write_text(f"127.0.0.1 localhost\n0.0.0.0 pingma.qq.com  # 由{user}添加 on {host}\n",
                     encoding="utf-8")
    config = tmp / "c.toml"
    config.write_text(f"deadline_s = 5\n[system]\nhosts_file = {json.dumps(str(hosts))}\n"
                      f"[client]\ndata_dirs = [{json.dumps(f'wecom:{data}')}]\n",
                      encoding="utf-8")
    argv = ["check", "--only", "hosts,client_data,disk", "--config", str(config), "--no-history"]
    env = _env(tmp, user)
    full = _run([*argv, "--json"], env, host)
    assert not _absent(full.stdout, user) and not _absent(full.stdout, host), full.stderr
    for extra in (["--json", "--redact"], ["--redact", "--lang", "zh"], ["--redact"]):
        result = _run([*argv, *extra], env, host)
        assert result.returncode in (0, 1, 2), result.stderr
        assert _absent(result.stdout, user) and _absent(result.stdout, host), result.stdout
    assert "<user>" in _run([*argv, "--json", "--redact"], env, host).stdout
