"""The command line as a technician uses it: exit codes, JSON, messages."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.sandbox import LOOPBACK_BASE, run_app

ROOT = Path(__file__).resolve().parents[2]


def wxdoctor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_app(*args, env=env)


def test_unknown_check_id_lists_valid_ones() -> None:
    out = wxdoctor("check", "--only", "nope")
    assert out.returncode == 64
    assert "nope" in out.stderr and "network" in out.stderr and "dns" in out.stderr


def test_bad_config_exits_64_naming_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[tcp]\ntimeout_s = 'slow'\n", encoding="utf-8")
    out = wxdoctor("check", "--config", str(bad))
    assert out.returncode == 64
    assert str(bad) in out.stderr and "tcp.timeout_s" in out.stderr


def test_bad_arguments_exit_64() -> None:
    assert wxdoctor("check", "--lang", "fr").returncode == 64
    assert wxdoctor("frobnicate").returncode == 64
    assert wxdoctor("check", "--deadline", "-1").returncode == 64


def test_json_report_on_loopback(tmp_path: Path) -> None:
    # A config an IT department could write: one local endpoint on a closed port.
    cfg = tmp_path / "local.toml"
    cfg.write_text(
        '[[endpoints]]\nhost = "localhost"\nports = [9]\nproduct = "wecom"\ntls = false\n'
        + LOOPBACK_BASE,
        encoding="utf-8",
    )
    out = wxdoctor("check", "--json", "--only", "dns,tcp", "--config", str(cfg), "--lang", "zh")
    report = json.loads(out.stdout)
    assert report["schema"] == "wxdoctor.report/1"
    assert [c["id"] for c in report["checks"]] == ["tcp", "dns"]
    tcp = next(c for c in report["checks"] if c["id"] == "tcp")
    assert tcp["status"] == "fail"
    assert tcp["problems"][0]["code"] == "tcp_refused"
    assert out.returncode == 2
    assert str(cfg) in report["system"]["config_sources"]


def test_no_colour_when_piped_or_no_color(tmp_path: Path) -> None:
    out = wxdoctor("check", "--only", "network", env={"NO_COLOR": "1"})
    assert "\x1b[" not in out.stdout
    assert out.stdout.startswith("[")


def test_deeply_nested_config_exits_64_with_the_reason(tmp_path: Path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("deadline_s = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    out = wxdoctor("check", "--config", str(deep))
    assert out.returncode == 64, out.stderr[-500:]
    assert f"config error: {deep}: nested more than 16 levels deep" in out.stderr
    assert "Traceback" not in out.stderr
