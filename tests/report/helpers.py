"""Helpers for report tests: the real engine on loopback-only endpoints, private data."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.sandbox import LOOPBACK_BASE, sandboxed

ROOT = Path(__file__).resolve().parents[2]
FAKE_USER = "zhangwei"
PUBLIC_V4 = "36.112.5.77"
PUBLIC_V6 = "2408:8000:1234:5678::1"


def loopback_config(path: Path, port: int) -> Path:
    path.write_text(
        "deadline_s = 5\n"
        "[[endpoints]]\n"
        'host = "localhost"\n'
        f"ports = [{port}]\n"
        'product = "wecom"\n'
        "tls = false\n"
        "[[endpoints]]\n"
        'host = "127.0.0.1"\n'
        f"ports = [{port}]\n"
        'product = "wechat"\n'
        "tls = false\n" + LOOPBACK_BASE,
        encoding="utf-8",
    )
    return path


def closed_port() -> int:
    """A loopback port nobody listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wxdoctor(*args: str, data_dir: Path, env: dict[str, str] | None = None,
             isolated: bool = True) -> subprocess.CompletedProcess[str]:
    """isolated=False for runs that must reach a server this test process started on
    loopback; the config still points every outside target at loopback."""
    environ = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                                 "QT_QPA_PLATFORM")}
    environ.update({"WXDOCTOR_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT),
                    "NO_COLOR": "1"})
    environ.update(env or {})
    return subprocess.run(
        (sandboxed if isolated else list)([sys.executable, "-m", "app", *args]), cwd=ROOT,
        env=environ,
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )


def inject_private_data(report: dict[str, Any]) -> dict[str, Any]:
    """Evidence and texts containing a user name, this host's name and public addresses."""
    host = socket.gethostname()
    tcp = next(c for c in report["checks"] if c["id"] == "tcp")
    tcp["evidence"]["cache_dir"] = f"/home/{FAKE_USER}/.cache/wecom"
    tcp["evidence"]["mac_dir"] = f"/Users/{FAKE_USER}/Library/Containers/com.tencent.WeWorkMac"
    tcp["evidence"][f"C:\\Users\\{FAKE_USER}\\AppData\\Roaming\\Tencent"] = {"files": 3}
    tcp["evidence"]["machine"] = host
    tcp["evidence"]["public_peer"] = f"{PUBLIC_V4}:443"
    tcp["evidence"]["public_v6"] = PUBLIC_V6
    tcp["evidence"]["gateway"] = "192.168.1.1"
    for lang, text in (("en", "seen from {h} by {u} via {a}"), ("zh", "{u} 在 {h} 上经 {a} 检测")):
        tcp["i18n"][lang]["summary"] += " " + text.format(h=host, u=FAKE_USER, a=PUBLIC_V4)
    tcp["summary"] = tcp["i18n"][report["lang"]]["summary"]
    return report


# A key path as the old flattened evidence showed it: `hosts[0].trusted`, `sizes.1472`.
INDEXED_PATH = re.compile(r"[A-Za-z_]\[\d+\]|\]\.\w|\[…\]|\b[a-z]+(?:_[a-z]+)*\.\d{3,}\b")


def evidence_keys(value: Any) -> set[str]:
    """Every key of a report's evidence that only a program would write (`median_ms`)."""
    keys: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if "_" in str(key):
                keys.add(str(key))
            keys |= evidence_keys(item)
    elif isinstance(value, list):
        for item in value:
            keys |= evidence_keys(item)
    return keys


def raw_evidence_in(text: str, report: dict[str, Any]) -> list[str]:
    """Key paths and evidence keys found in `text` (a rendered report): should be none."""
    found = [m.group(0) for m in INDEXED_PATH.finditer(text)]
    keys = evidence_keys([c.get("evidence") for c in report["checks"]])
    keys -= {c["id"] for c in report["checks"]}  # check ids are shown as such, muted
    found += [k for k in sorted(keys) if re.search(rf"(?<![\w./-]){re.escape(k)}(?![\w/-])", text)]
    return found
