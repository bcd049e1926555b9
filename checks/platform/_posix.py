"""What Linux and macOS share: administrator status, file ownership, and no Windows
registry or UAC."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable
from typing import Any

from checks.platform._common import ConnectionProxy, RunasResult
from checks.platform.file_access import FileAccess, posix_file_access

RegistryValues = dict[str, "tuple[Any, int] | None"]


def is_admin() -> bool:
    if sys.platform == "win32":  # not used there; keeps `mypy --platform win32` exact
        return False
    return os.geteuid() == 0


def shell_execute_runas(file: str, parameters: str, timeout: float,
                        window: int | None = None) -> RunasResult:
    raise OSError("ShellExecuteExW exists only on Windows")


def read_wininet(names: Iterable[str]) -> RegistryValues:
    raise OSError("the Windows registry exists only on Windows")


def proxy_connections() -> tuple[str, dict[str, bytes]]:
    raise OSError("WinINet exists only on Windows")


def internet_options(connection: str) -> ConnectionProxy:
    raise OSError("WinINet exists only on Windows")


def set_internet_options(connection: str, wanted: ConnectionProxy) -> None:
    raise OSError("WinINet exists only on Windows")


def tencent_registry(names: Iterable[str]) -> dict[str, str]:
    return {}  # the Tencent registry keys exist only on Windows


# ---- elevation: who is asking, and files the elevated helper may trust or replace ---------

def current_user_id() -> str:
    if sys.platform == "win32":  # not used there; keeps `mypy --platform win32` exact
        return ""
    return str(os.getuid())


def file_access(path: str) -> FileAccess:
    return posix_file_access(path)


def copy_owner_and_mode(target: str, replacement: str) -> None:
    st = os.stat(target)
    if sys.platform != "win32" and os.geteuid() == 0:
        os.chown(replacement, st.st_uid, st.st_gid)
    os.chmod(replacement, stat.S_IMODE(st.st_mode))


def read_registry_value(hive: str, key: str, name: str) -> tuple[Any, int] | None:
    raise OSError("the Windows registry exists only on Windows")


def write_registry_value(hive: str, key: str, name: str, value: tuple[Any, int] | None) -> None:
    raise OSError("the Windows registry exists only on Windows")


def set_system_time(unix_time: float) -> None:
    raise OSError("the clock fix sets the time itself only on Windows")
