"""The full path of every system program wxdoctor starts on Windows and macOS.

Windows: CreateProcess looks for a bare name such as `netsh` in the folder of the
program that starts it first, then elsewhere, so a `netsh.exe` dropped beside
wxdoctor (by anything the person runs) would be started instead, and inside the
elevated helper it would run as administrator. Every system program is therefore
started as `<System32>\\name.exe`, with the folder from GetSystemDirectoryW, not
from %SystemRoot% (a variable the person's own environment can set).

macOS: the prompt's `do shell script` and the helper start the tools by their
place on the sealed, read-only system volume (macOS 11 and later).

Depends on nothing else in wxdoctor.
"""

from __future__ import annotations

import functools
import ntpath
import sys

# Where Windows is installed almost everywhere; used only to build Windows argv as data
# on other systems (tests), never to find a program on Windows itself.
_USUAL_SYSTEM_DIR = r"C:\Windows\System32"

MACOS_TOOLS = {
    "networksetup": "/usr/sbin/networksetup",
    "scutil": "/usr/sbin/scutil",
    "netstat": "/usr/sbin/netstat",
    "ifconfig": "/sbin/ifconfig",
    "ping": "/sbin/ping",
    "dscacheutil": "/usr/bin/dscacheutil",
    "killall": "/usr/bin/killall",
    "sntp": "/usr/bin/sntp",
    "osascript": "/usr/bin/osascript",
}


@functools.lru_cache(maxsize=1)
def windows_system_dir() -> str:
    """System32 as Windows itself reports it (GetSystemDirectoryW)."""
    if sys.platform != "win32":
        return _USUAL_SYSTEM_DIR
    import ctypes

    buffer = ctypes.create_unicode_buffer(520)
    length = ctypes.windll.kernel32.GetSystemDirectoryW(buffer, len(buffer))
    if not 0 < length < len(buffer):
        raise OSError("GetSystemDirectoryW gave no system folder")
    return buffer.value


def windows_tool(name: str) -> str:
    """`netsh` -> `C:\\Windows\\System32\\netsh.exe`."""
    return ntpath.join(windows_system_dir(), f"{name}.exe")


def macos_tool(name: str) -> str:
    return MACOS_TOOLS[name]
