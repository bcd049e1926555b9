"""Can this machine run the lab? (root, iproute2 with netns, iptables, tc)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

from .netns import cleanup_stale


@functools.cache
def lab_unavailable() -> str | None:
    """Why the lab cannot run here, or None when it can.

    The first successful call also removes namespaces left by dead test runs.
    """
    if os.geteuid() != 0:
        return "lab tests need root (network namespaces)"
    for tool in ("ip", "iptables", "ip6tables", "tc"):
        if shutil.which(tool) is None:
            return f"lab tests need `{tool}` (apt-get install iproute2 iptables)"
    try:
        probe = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                               timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`ip netns` unavailable: {exc}"
    if probe.returncode != 0:
        return f"`ip netns` unavailable: {probe.stderr.strip()}"
    cleanup_stale()
    return None
