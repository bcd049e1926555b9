"""Administrator status and the UAC prompt (ShellExecuteExW "runas") on Windows.
Type-checked with `mypy --platform win32`; cannot run on Linux CI."""

from __future__ import annotations

import sys


def is_admin() -> bool:
    if sys.platform != "win32":
        return False
    import ctypes

    try:
        return bool(ctypes.windll.shell32.IsUserAnAdmin())
    except (AttributeError, OSError):
        return False


def shell_execute_runas(file: str, parameters: str, timeout: float) -> int:
    """ShellExecuteExW "runas" (the UAC prompt) of one program, hidden; waits for its exit
    code. 1223 (ERROR_CANCELLED): the person declined the prompt, or it failed."""
    if sys.platform != "win32":
        raise OSError("ShellExecuteExW exists only on Windows")
    import ctypes
    from ctypes import wintypes

    class SHELLEXECUTEINFOW(ctypes.Structure):
        _fields_ = [
            ("cbSize", wintypes.DWORD), ("fMask", ctypes.c_ulong), ("hwnd", wintypes.HWND),
            ("lpVerb", wintypes.LPCWSTR), ("lpFile", wintypes.LPCWSTR),
            ("lpParameters", wintypes.LPCWSTR), ("lpDirectory", wintypes.LPCWSTR),
            ("nShow", ctypes.c_int), ("hInstApp", wintypes.HINSTANCE),
            ("lpIDList", ctypes.c_void_p), ("lpClass", wintypes.LPCWSTR),
            ("hkeyClass", wintypes.HKEY), ("dwHotKey", wintypes.DWORD),
            ("hIconOrMonitor", wintypes.HANDLE), ("hProcess", wintypes.HANDLE),
        ]

    see_mask_nocloseprocess, sw_hide = 0x40, 0
    info = SHELLEXECUTEINFOW()
    info.cbSize = ctypes.sizeof(info)
    info.fMask = see_mask_nocloseprocess
    info.lpVerb, info.lpFile, info.lpParameters = "runas", file, parameters
    info.lpDirectory, info.nShow = None, sw_hide
    if not ctypes.windll.shell32.ShellExecuteExW(ctypes.byref(info)):
        return 1223
    kernel32 = ctypes.windll.kernel32
    kernel32.WaitForSingleObject(info.hProcess, int(timeout * 1000))
    code = wintypes.DWORD()
    kernel32.GetExitCodeProcess(info.hProcess, ctypes.byref(code))
    kernel32.CloseHandle(info.hProcess)
    return int(code.value)
