"""The `ping` command with "don't fragment", for systems where wxdoctor cannot open
an ICMP socket itself. The verdict comes from the exit code, never from the text
(Windows prints it in the UI language), except the ASCII token "TTL=" that every
Windows echo-reply line carries in every language: Windows ping also exits 0 when
a router answers "destination unreachable".
"""

from __future__ import annotations

import math

from checks.platform.system_tools import macos_tool, windows_tool

IPV4_OVERHEAD = 28  # ping sizes are ICMP payload bytes; ours are whole IPv4 packets


def ping_argv(os_name: str, address: str, size: int, timeout: float) -> list[str]:
    payload = str(max(0, size - IPV4_OVERHEAD))
    if os_name == "windows":
        return [windows_tool("ping"), "-f", "-l", payload, "-n", "1", "-w", str(max(1, round(timeout * 1000))),
                address]
    if os_name == "macos":
        return [macos_tool("ping"), "-D", "-s", payload, "-c", "1", "-t", str(max(1, math.ceil(timeout))),
                address]
    return ["ping", "-n", "-M", "do", "-s", payload, "-c", "1", "-W",
            str(max(1, math.ceil(timeout))), address]


def ping_result(os_name: str, returncode: int, stdout: bytes) -> dict[str, str]:
    """"passed", "failed" (no reply, or too big: ping cannot tell us which) or "error"."""
    if os_name == "windows":
        if returncode == 0 and b"TTL=" in stdout.upper():
            return {"result": "passed"}
        return {"result": "failed"} if returncode in (0, 1) else {"result": "error",
                                                                    "error": f"ping_rc_{returncode}"}
    if returncode == 0:
        return {"result": "passed"}
    # iputils and BSD ping: 1 / 2 = no reply; local "message too long" is 1 or 2 too.
    if returncode in (1, 2):
        return {"result": "failed"}
    return {"result": "error", "error": f"ping_rc_{returncode}"}
