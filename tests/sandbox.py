"""Run the app so that no packet can leave this machine, whatever its config says.

Tests that are not lab tests still run the real engine. They point every target at
loopback through config, and as a second wall the process runs in a private network
namespace whose only route leads into a dummy device that discards everything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Every outside target of the default config, pointed at loopback.
LOOPBACK_BASE = """\
[dns]
trusted_resolvers = ["127.0.0.1"]
http_dns_url = ""
timeout_s = 1.0

[ntp]
servers = ["127.0.0.1"]

[captive]
probes = []

[http]
probe_hosts = []

[mtu]
targets = ["127.0.0.1"]

[proxy]
connect_target = "127.0.0.1:9"
"""

_SETUP = (
    "ip link set lo up && ip link add wxd0 type veth peer name wxd1 && ip link set wxd1 up && ip addr add 10.254.0.2/24 dev wxd0 "
    "&& ip link set wxd0 up && ip route add default dev wxd0 && exec \"$@\""
)


def can_sandbox() -> bool:
    return os.geteuid() == 0 and shutil.which("unshare") is not None and shutil.which("ip") is not None


def sandboxed(argv: Sequence[str]) -> list[str]:
    """argv wrapped in a fresh network namespace when possible (it always is in CI)."""
    if not can_sandbox():
        if os.environ.get("CI") == "true":
            raise RuntimeError("CI must run app processes sandboxed (root, unshare, ip)")
        return list(argv)
    return ["unshare", "--net", "--", "sh", "-c", _SETUP, "sh", *argv]


def run_app(*args: str, env: dict[str, str] | None = None, timeout: float = 90,
            cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`python -m app ARGS` from this source tree, sandboxed."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("WXDOCTOR_CONFIG", None)
    for proxy in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        full_env.pop(proxy, None)
    return subprocess.run(sandboxed([sys.executable, "-m", "app", *args]), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=full_env)
