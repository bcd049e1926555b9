"""Config files that are not what they claim: pipes, devices, huge files, numbers that
are no numbers. Each is refused with a message naming the file (exit 64), at once."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from checks.engine.config import MAX_CONFIG_BYTES, ConfigError, load_config, load_config_text
from tests.sandbox import ROOT, sandboxed


def _write(tmp_path: Path, text: str, name: str = "it.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _limited() -> None:
    # 1 GB of address space: an unbounded read of /dev/zero dies here quickly instead
    # of taking the machine's memory.
    resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    if env is None:
        full_env.pop("WXDOCTOR_CONFIG", None)
    return subprocess.run(sandboxed([sys.executable, "-m", "app", *args]), cwd=ROOT,
                          capture_output=True, text=True, timeout=30, env=full_env,
                          stdin=subprocess.DEVNULL, preexec_fn=_limited)


@pytest.mark.parametrize("how", ["--config", "WXDOCTOR_CONFIG"])
@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_config_that_is_no_regular_file_is_refused_at_once(tmp_path, how, kind) -> None:
    if kind == "fifo":
        path = tmp_path / "config.toml"
        os.mkfifo(path)  # opening it would wait for a writer forever
    else:
        path = Path("/dev/zero") if kind == "device" else tmp_path
    args = ["check", "--no-history", "--only", "network"]
    if how == "--config":
        out = _cli(*args, "--config", str(path))
    else:
        out = _cli(*args, env={"WXDOCTOR_CONFIG": str(path),
                               "WXDOCTOR_DATA_DIR": str(tmp_path / "data")})
    assert out.returncode == 64, out.stderr[-800:]
    assert f"config error: {path}: cannot read the file" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_config_over_the_size_limit_is_refused(tmp_path) -> None:
    big = _write(tmp_path, "# " + "x" * MAX_CONFIG_BYTES + "\ndeadline_s = 5\n")
    with pytest.raises(ConfigError, match=f"{big}: larger than 1024 KB"):
        load_config(big)
    fits = _write(tmp_path, "# " + "x" * (MAX_CONFIG_BYTES - 100) + "\ndeadline_s = 5\n", "ok.toml")
    assert load_config(fits).deadline_s == 5


@pytest.mark.parametrize("key", ["deadline_s", "tcp.timeout_s", "ntp.warn_offset_s",
                                 "latency.warn_ms", "watch.interval_s", "client.sqlite_max_mb",
                                 "disk.warn_below_gb"])
@pytest.mark.parametrize("value", ["nan", "+nan", "-nan", "inf", "+inf", "-inf", "1e400"])
def test_numbers_that_are_not_finite_are_refused(key, value) -> None:
    section, _, name = key.rpartition(".")
    text = (f"[{section}]\n" if section else "") + f"{name} = {value}\n"
    with pytest.raises(ConfigError) as info:
        load_config_text(text, "it.toml")
    assert str(info.value).startswith(f"it.toml: key '{key}' expected a finite number, got float")


@pytest.mark.parametrize("text", [
    "deadline_s = 1" + "0" * 5000 + "\n",  # tomllib's int() refuses it: not a crash
    "[latency]\ncount = 1" + "0" * 5000 + "\n",
])
def test_a_number_of_thousands_of_digits_is_a_config_error(text) -> None:
    with pytest.raises(ConfigError, match="it.toml: not valid TOML: a number with too many digits"):
        load_config_text(text, "it.toml")


def test_a_huge_whole_number_is_named_without_printing_it() -> None:
    with pytest.raises(ConfigError) as info:
        load_config_text("[latency]\nwarn_ms = 1" + "0" * 400 + "\n", "it.toml")
    assert str(info.value) == ("it.toml: key 'latency.warn_ms' expected a finite number, "
                               "got int with 401 digits")


@pytest.mark.parametrize("section", ["dns", "tcp", "tls", "ntp", "captive", "http", "latency",
                                     "proxy"])
@pytest.mark.parametrize("value", ["0", "-1", "61", "1e300"])
def test_probe_timeouts_are_above_zero_and_at_most_a_minute(section, value) -> None:
    with pytest.raises(ConfigError) as info:
        load_config_text(f"[{section}]\ntimeout_s = {value}\n", "it.toml")
    assert str(info.value) == (f"it.toml: key '{section}.timeout_s' expected a number of "
                               "seconds above 0 and at most 60")
    assert load_config_text(f"[{section}]\ntimeout_s = 60\n").deadline_s == 10


def test_cli_refuses_nan_timeout_with_exit_64(tmp_path) -> None:
    bad = _write(tmp_path, "[tcp]\ntimeout_s = nan\n")
    out = _cli("check", "--no-history", "--config", str(bad),
               env={"WXDOCTOR_DATA_DIR": str(tmp_path / "data")})
    assert out.returncode == 64, out.stderr[-800:]
    assert f"config error: {bad}: key 'tcp.timeout_s' expected a finite number" in out.stderr
