"""The hosts check: verdicts on recorded evidence, and real runs on temp hosts files."""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path

import pytest

from checks.catalog import hosts as hosts_check
from checks.catalog.hosts import HostsCheck, _read_failure, assess_hosts, classify
from checks.engine.config import load_config_text
from checks.engine.results import Status
from checks.engine.runner import Runner
from tests.fixtures.evidence.recorded import evidence

ENDPOINTS = """
[[endpoints]]
host = "login.wecom.lab.test"
ports = [443]
product = "wecom"
"""

# Every encoding a hosts file is found in, with Chinese comments and CRLF where usual.
BODY = (
    "# 由加速工具添加 / added by an accelerator\n"
    "127.0.0.1 localhost\n"
    "0.0.0.0\tshort.weixin.qq.com   # 屏蔽\n"
    "203.0.113.7 LOGIN.wecom.lab.test. other.example\n"
    "127.0.0.1 pingma.qq.com\n"
)
ENCODINGS = {
    "utf-8": BODY.encode("utf-8"),
    "utf-8-sig": codecs.BOM_UTF8 + BODY.replace("\n", "\r\n").encode("utf-8"),
    "utf-16-le": codecs.BOM_UTF16_LE + BODY.replace("\n", "\r\n").encode("utf-16-le"),
    "gbk": BODY.replace("\n", "\r\n").encode("gbk"),
}


@pytest.fixture(autouse=True)
def no_outside_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Unit tests send no DNS traffic (the lab tests ask a real server)."""
    asked: list[str] = []

    def lookup(ctx: object, name: str, timeout: float) -> dict:  # type: ignore[type-arg]
        asked.append(name)
        return {"addresses": ["198.51.100.1"], "error": None}

    monkeypatch.setattr(hosts_check, "_direct_lookup", lookup)
    return asked


def _run(tmp_path: Path, raw: bytes | None, extra: str = "") -> dict:  # type: ignore[type-arg]
    path = tmp_path / "hosts"
    if raw is not None:
        path.write_bytes(raw)
    config = load_config_text(
        f"deadline_s = 5.0\n[system]\nhosts_file = {json.dumps(str(path))}\n"
        "[dns]\ntimeout_s = 0.5\n" + ENDPOINTS + extra
    )
    [result] = Runner(config, [HostsCheck()]).run().results
    return {"status": result.status, "cause": result.cause, "evidence": dict(result.evidence),
            "fixes": result.fixes, "summary": result.summary.render("en"),
            "zh": result.summary.render("zh")}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_every_encoding_finds_the_same_lines(tmp_path: Path, encoding: str,
                                             no_outside_dns: list[str]) -> None:
    out = _run(tmp_path, ENCODINGS[encoding])
    # Only login-relevant names are checked against DNS, normalized.
    assert sorted(no_outside_dns) == ["login.wecom.lab.test", "short.weixin.qq.com"]
    ev = out["evidence"]
    assert ev["encoding"] == encoding
    assert ev["newline"] == ("lf" if encoding == "utf-8" else "crlf")
    lines = [(m["line_no"], m["address"], m["names"], m["critical"]) for m in ev["mappings"]]
    assert lines == [
        (3, "0.0.0.0", ["short.weixin.qq.com"], True),
        (4, "203.0.113.7", ["LOGIN.wecom.lab.test."], True),
        (5, "127.0.0.1", ["pingma.qq.com"], False),
    ]
    assert ev["mappings"][0]["comment"] == "屏蔽"
    # short.weixin.qq.com -> 0.0.0.0 blocks the server whatever DNS says.
    assert out["status"] is Status.FAIL and out["cause"] == "hosts_override"
    assert out["fixes"] == ("repair_hosts",)
    assert "3:" in out["summary"] and "0.0.0.0" in out["zh"]


def test_clean_file_is_ok(tmp_path: Path) -> None:
    out = _run(tmp_path, b"127.0.0.1 localhost\r\n::1 localhost\r\n")
    assert out["status"] is Status.OK and out["cause"] is None
    assert out["evidence"]["mappings"] == []


def test_missing_file_is_grey_with_reason(tmp_path: Path) -> None:
    out = _run(tmp_path, None)
    assert out["status"] is Status.ERROR
    assert out["evidence"]["failure"] == "hosts_missing"
    assert "does not exist" in out["summary"]


def test_permission_denied_is_named() -> None:
    assert _read_failure(PermissionError(13, "Permission denied")) == "hosts_permission"
    v = assess_hosts({"path": "C:/Windows/System32/drivers/etc/hosts",
                      "failure": "hosts_permission", "reason": "Permission denied"})
    assert v.status is Status.ERROR and "没有读取权限" in v.summary.render("zh")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_grey(tmp_path: Path) -> None:
    path = tmp_path / "hosts"
    path.write_bytes(b"x")
    path.chmod(0)
    out = _run(tmp_path, None)
    assert out["status"] is Status.ERROR and out["evidence"]["failure"] == "hosts_permission"


def test_folder_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / "hosts").mkdir()
    out = _run(tmp_path, None)
    assert out["status"] is Status.ERROR
    assert out["evidence"]["failure"] in ("hosts_not_a_file", "hosts_unreadable")


def test_garbage_bytes_do_not_crash(tmp_path: Path) -> None:
    out = _run(tmp_path, b"\x81\xff\x00\xfe" * 100 + b"\n1.2.3.4 short.weixin.qq.com\n")
    assert out["evidence"]["undecodable"] is True
    assert [m["line_no"] for m in out["evidence"]["mappings"]] == [2]


# ---- the verdict on recorded evidence ------------------------------------------------


def _mapping(address: str, names: list[str], critical: bool = True, line_no: int = 7) -> dict:  # type: ignore[type-arg]
    return {"line_no": line_no, "address": address, "names": names, "critical": critical,
            "comment": "", "raw": f"{address} {' '.join(names)}"}


def _evidence(mappings: list[dict], dns: dict) -> dict:  # type: ignore[type-arg]
    return {"path": "/etc/hosts", "failure": None, "encoding": "utf-8", "entries": 3,
            "mappings": mappings, "dns": dns}


def test_differs_from_dns_is_fail() -> None:
    ev = evidence("hosts_stale", "hosts")
    (m,) = ev["mappings"]
    assert classify(m, ev["dns"]) == "differs"
    v = assess_hosts(ev)
    assert (v.status, v.cause, v.fixes) == (Status.FAIL, "hosts_override", ("repair_hosts",))
    assert v.problems[0].address == "183.47.101.192"


def test_loopback_line_is_fail() -> None:
    v = assess_hosts(evidence("hosts_loopback", "hosts"))
    assert (v.status, v.cause) == (Status.FAIL, "hosts_override")
    assert v.problems[0].address == "127.0.0.1"


def test_matching_dns_is_info_only() -> None:
    m = _mapping("1.1.1.1", ["short.weixin.qq.com."])
    ev = _evidence([m], {"short.weixin.qq.com": {"addresses": ["1.1.1.1", "2.2.2.2"],
                                                 "error": None}})
    v = assess_hosts(ev)
    assert v.status is Status.INFO and v.cause is None


def test_unverifiable_is_warn() -> None:
    m = _mapping("10.0.0.9", ["short.weixin.qq.com"])
    ev = _evidence([m], {"short.weixin.qq.com": {"addresses": [], "error": "dns_timeout"}})
    v = assess_hosts(ev)
    assert (v.status, v.cause) == (Status.WARN, "hosts_override")


def test_ipv6_canonical_forms_match() -> None:
    m = _mapping("2001:DB8:0:0::1", ["x.weixin.qq.com"])
    assert classify(m, {"x.weixin.qq.com": {"addresses": ["2001:db8::1"]}}) == "matches"


def test_ad_block_lines_for_other_qq_names_stay_ok() -> None:
    m = _mapping("0.0.0.0", ["adsmind.gdt.qq.com"], critical=False)
    v = assess_hosts(_evidence([m], {}))
    assert v.status is Status.OK and "1 other" in v.summary.render("en")


def test_line_without_valid_address_is_ignored() -> None:
    m = _mapping("not-an-ip", ["short.weixin.qq.com"])
    assert classify(m, {}) == "ignored"
    assert assess_hosts(_evidence([m], {})).status is Status.OK


def test_fifo_as_hosts_file_is_grey_and_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "hosts")  # no writer: reading it the plain way blocks forever
    out = _run(tmp_path, None)
    assert out["status"] is Status.ERROR
    assert out["evidence"]["failure"] == "hosts_not_regular"
    assert "pipe or device" in out["summary"] and "管道或设备" in out["zh"]


def test_device_as_hosts_file_is_grey() -> None:
    config = load_config_text('deadline_s = 5.0\n[system]\nhosts_file = "/dev/zero"\n' + ENDPOINTS)
    [result] = Runner(config, [HostsCheck()]).run().results  # endless: must not be read
    assert result.status is Status.ERROR and result.evidence["failure"] == "hosts_not_regular"


def test_nul_byte_line_is_the_override_glibc_sees(tmp_path: Path) -> None:
    out = _run(tmp_path, b"127.0.0.1 localhost\n0.0.0.0 login.wecom.lab.test\0junk\n")
    assert (out["status"], out["cause"]) == (Status.FAIL, "hosts_override")
    [mapping] = out["evidence"]["mappings"]
    assert mapping["names"] == ["login.wecom.lab.test"] and mapping["line_no"] == 2
    assert mapping["raw"] == "0.0.0.0 login.wecom.lab.test\\0junk"
