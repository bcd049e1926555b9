"""Administrator status and the UAC prompt (ShellExecuteExW "runas") on Windows.
Type-checked with `mypy --platform win32`; cannot run on Linux CI."""

from __future__ import annotations

import sys

from checks.platform._common import RunasResult

_SEE_MASK_NOCLOSEPROCESS, _SEE_MASK_NOASYNC, _SEE_MASK_FLAG_NO_UI = 0x40, 0x100, 0x400
_COINIT_APARTMENTTHREADED, _COINIT_DISABLE_OLE1DDE = 0x2, 0x4
_WAIT_OBJECT_0, _STILL_ACTIVE = 0, 259


def is_admin() -> bool:
    if sys.platform != "win32":
        return False
    import ctypes

    try:
        return bool(ctypes.windll.shell32.IsUserAnAdmin())
    except (AttributeError, OSError):
        return False


def shell_execute_runas(file: str, parameters: str, timeout: float,
                        window: int | None = None) -> RunasResult:
    """Start `file` through the UAC prompt, owned by `window` (so the prompt comes to the
    front instead of flashing in the taskbar), hidden, and wait up to `timeout` for it.

    COM is initialised on the calling thread first, as ShellExecuteEx requires (the
    window runs fixes on a worker thread). A program still running when the wait ends
    is reported as such (exit_code None), never with STILL_ACTIVE (259) as its code."""
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

    shell32 = ctypes.WinDLL("shell32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    ole32 = ctypes.WinDLL("ole32")
    shell32.ShellExecuteExW.argtypes = [ctypes.POINTER(SHELLEXECUTEINFOW)]
    shell32.ShellExecuteExW.restype = wintypes.BOOL
    kernel32.WaitForSingleObject.argtypes = [wintypes.HANDLE, wintypes.DWORD]
    kernel32.WaitForSingleObject.restype = wintypes.DWORD
    kernel32.GetExitCodeProcess.argtypes = [wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD)]
    kernel32.GetProcessId.argtypes = [wintypes.HANDLE]
    kernel32.GetProcessId.restype = wintypes.DWORD
    kernel32.CloseHandle.argtypes = [wintypes.HANDLE]

    initialised = ole32.CoInitializeEx(None, _COINIT_APARTMENTTHREADED | _COINIT_DISABLE_OLE1DDE)
    try:
        info = SHELLEXECUTEINFOW()
        info.cbSize = ctypes.sizeof(info)
        info.fMask = _SEE_MASK_NOCLOSEPROCESS | _SEE_MASK_NOASYNC | _SEE_MASK_FLAG_NO_UI
        info.hwnd = window or None
        info.lpVerb, info.lpFile, info.lpParameters = "runas", file, parameters
        info.lpDirectory, info.nShow = None, 0  # SW_HIDE
        if not shell32.ShellExecuteExW(ctypes.byref(info)):
            error = ctypes.get_last_error()
            return RunasResult(False, error, ctypes.FormatError(error).strip())
        if not info.hProcess:  # started, but Windows gave no handle to wait on
            return RunasResult(True)
        try:
            pid = int(kernel32.GetProcessId(info.hProcess)) or None
            waited = kernel32.WaitForSingleObject(info.hProcess, int(timeout * 1000))
            code = wintypes.DWORD()
            if waited != _WAIT_OBJECT_0 or not kernel32.GetExitCodeProcess(
                    info.hProcess, ctypes.byref(code)) or code.value == _STILL_ACTIVE:
                return RunasResult(True, pid=pid)
            return RunasResult(True, exit_code=int(code.value), pid=pid)
        finally:
            kernel32.CloseHandle(info.hProcess)
    finally:
        if initialised in (0, 1):  # S_OK, S_FALSE: this call took a reference
            ole32.CoUninitialize()
