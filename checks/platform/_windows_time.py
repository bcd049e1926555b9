"""Setting the system clock on Windows (SetSystemTime), for the clock fix's elevated helper
when the offset is beyond what Windows Time corrects. Type-checked with
`mypy --platform win32`; cannot run on Linux CI."""

from __future__ import annotations

import sys
import time


def set_system_time(unix_time: float) -> None:
    """Set the clock to `unix_time` (UTC). SetSystemTime enables the SE_SYSTEMTIME_NAME
    privilege itself, which an elevated administrator token holds."""
    if sys.platform != "win32":
        raise OSError("SetSystemTime exists only on Windows")
    import ctypes
    from ctypes import wintypes

    class SYSTEMTIME(ctypes.Structure):
        _fields_ = [(name, wintypes.WORD) for name in (
            "wYear", "wMonth", "wDayOfWeek", "wDay", "wHour", "wMinute", "wSecond",
            "wMilliseconds")]

    utc = time.gmtime(unix_time)
    when = SYSTEMTIME(utc.tm_year, utc.tm_mon, (utc.tm_wday + 1) % 7, utc.tm_mday, utc.tm_hour,
                      utc.tm_min, utc.tm_sec, int((unix_time % 1) * 1000))
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.SetSystemTime.argtypes = [ctypes.POINTER(SYSTEMTIME)]
    kernel32.SetSystemTime.restype = wintypes.BOOL
    if not kernel32.SetSystemTime(ctypes.byref(when)):
        raise ctypes.WinError(ctypes.get_last_error())
