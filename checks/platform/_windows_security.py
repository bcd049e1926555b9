"""Who is asking, and the files the elevated helper may trust or replace (Windows).
Type-checked with `mypy --platform win32`; cannot run on Linux CI."""

from __future__ import annotations

import os
import sys
from typing import Any

from checks.platform.file_access import FileAccess
from checks.platform.parsers.sddl import REPLACE_RIGHTS, parse_sddl, writers

_FILE_ATTRIBUTE_REPARSE_POINT = 0x400


def _sid_string(sid: Any) -> str:
    if sys.platform != "win32":
        raise OSError("SIDs exist only on Windows")
    import ctypes
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    convert = advapi32.ConvertSidToStringSidW
    convert.argtypes = [ctypes.c_void_p, ctypes.POINTER(wintypes.LPWSTR)]
    convert.restype = wintypes.BOOL
    text = wintypes.LPWSTR()
    if not convert(sid, ctypes.byref(text)):
        raise ctypes.WinError(ctypes.get_last_error())
    try:
        return str(text.value)
    finally:
        ctypes.windll.kernel32.LocalFree(text)


def current_user_id() -> str:
    """The SID of the account this process runs as (TOKEN_USER of the process token)."""
    if sys.platform != "win32":
        return ""
    import ctypes
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.GetCurrentProcess.restype = wintypes.HANDLE
    advapi32.OpenProcessToken.argtypes = [wintypes.HANDLE, wintypes.DWORD,
                                          ctypes.POINTER(wintypes.HANDLE)]
    advapi32.GetTokenInformation.argtypes = [wintypes.HANDLE, ctypes.c_int, ctypes.c_void_p,
                                             wintypes.DWORD, ctypes.POINTER(wintypes.DWORD)]
    token_query, token_user = 0x0008, 1
    token = wintypes.HANDLE()
    if not advapi32.OpenProcessToken(kernel32.GetCurrentProcess(), token_query,
                                     ctypes.byref(token)):
        raise ctypes.WinError(ctypes.get_last_error())
    try:
        size = wintypes.DWORD()
        advapi32.GetTokenInformation(token, token_user, None, 0, ctypes.byref(size))
        buffer = ctypes.create_string_buffer(size.value)
        if not advapi32.GetTokenInformation(token, token_user, buffer, size, ctypes.byref(size)):
            raise ctypes.WinError(ctypes.get_last_error())
        # TOKEN_USER starts with SID_AND_ATTRIBUTES, whose first field is the SID pointer.
        sid = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_void_p))[0]
        return _sid_string(sid)
    finally:
        kernel32.CloseHandle(token)


def file_access(path: str) -> FileAccess:
    """Owner SID and every SID an allow entry of the DACL gives a write right, read as
    the descriptor Windows prints (GetNamedSecurityInfoW, then SDDL) and decided by
    the tested parser; a missing DACL means everyone ("S-1-1-0") may write."""
    import stat

    st = os.lstat(path)
    descriptor = parse_sddl(security_descriptor(path))
    attributes = getattr(st, "st_file_attributes", 0)
    return FileAccess(descriptor.owner or "", writers(descriptor),
                      bool(attributes & _FILE_ATTRIBUTE_REPARSE_POINT),
                      stat.S_ISDIR(st.st_mode), stat.S_ISREG(st.st_mode),
                      writers(descriptor, REPLACE_RIGHTS))


def security_descriptor(path: str) -> str:
    """The owner and DACL of `path` (a final link itself, not its target) in SDDL."""
    if sys.platform != "win32":
        raise OSError("Windows security descriptors exist only on Windows")
    import ctypes
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    get_info = advapi32.GetNamedSecurityInfoW
    get_info.argtypes = [wintypes.LPCWSTR, ctypes.c_int, wintypes.DWORD,
                         ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p),
                         ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p),
                         ctypes.POINTER(ctypes.c_void_p)]
    get_info.restype = wintypes.DWORD
    to_text = advapi32.ConvertSecurityDescriptorToStringSecurityDescriptorW
    to_text.argtypes = [ctypes.c_void_p, wintypes.DWORD, wintypes.DWORD,
                        ctypes.POINTER(wintypes.LPWSTR), ctypes.c_void_p]
    to_text.restype = wintypes.BOOL
    se_file_object, owner_and_dacl, sddl_revision_1 = 1, 0x1 | 0x4, 1
    owner, dacl, descriptor = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    error = get_info(path, se_file_object, owner_and_dacl, ctypes.byref(owner), None,
                     ctypes.byref(dacl), None, ctypes.byref(descriptor))
    if error != 0:
        raise ctypes.WinError(error)
    text = wintypes.LPWSTR()
    try:
        if not to_text(descriptor, sddl_revision_1, owner_and_dacl, ctypes.byref(text), None):
            raise ctypes.WinError(ctypes.get_last_error())
        return str(text.value)
    finally:
        if text:
            ctypes.windll.kernel32.LocalFree(text)
        ctypes.windll.kernel32.LocalFree(descriptor)


def replace_file(target: str, replacement: str) -> None:
    """ReplaceFileW: the new content takes the old file's place, and keeps its DACL,
    attributes, creation time and streams (what a rename would lose)."""
    if sys.platform != "win32":
        raise OSError("ReplaceFileW exists only on Windows")
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    replace = kernel32.ReplaceFileW
    replace.argtypes = [wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.DWORD,
                        ctypes.c_void_p, ctypes.c_void_p]
    replace.restype = wintypes.BOOL
    replacefile_write_through = 0x1
    if not replace(target, replacement, None, replacefile_write_through, None, None):
        raise ctypes.WinError(ctypes.get_last_error())
