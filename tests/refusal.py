"""A folder whose reads a watcher process refuses, the way macOS privacy protection does.

macOS answers a read of another app's container with EPERM until the person allows
it, while stat() and access() say yes. Linux has the same shape of refusal: a
fanotify listener (what on-access virus scanners use) holding a permission mark on a
folder answers FAN_DENY, and the opener gets EPERM, with permission bits untouched.
Needs root and a kernel with CONFIG_FANOTIFY_ACCESS_PERMISSIONS.

    with refused_reads(folder):
        ...  # opening `folder` (and, with children=True, what is directly in it) fails
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# The watcher: marks the folder, says "ready", then refuses every open until killed.
# When it dies the kernel lets pending opens through, so nothing can hang on it.
_WATCHER = r"""
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int,
                               ctypes.c_char_p]
FAN_CLASS_CONTENT, FAN_CLOEXEC, FAN_MARK_ADD = 0x4, 0x1, 0x1
FAN_OPEN_PERM, FAN_EVENT_ON_CHILD, FAN_ONDIR, FAN_DENY = 0x10000, 0x08000000, 0x40000000, 0x2
fd = libc.fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, os.O_RDONLY)
if fd < 0:
    sys.exit(f"fanotify_init: errno {ctypes.get_errno()}")
mask = FAN_OPEN_PERM | FAN_ONDIR | (FAN_EVENT_ON_CHILD if sys.argv[2] == "1" else 0)
if libc.fanotify_mark(fd, FAN_MARK_ADD, mask, -100, os.fsencode(sys.argv[1])) != 0:
    sys.exit(f"fanotify_mark: errno {ctypes.get_errno()}")
print("ready", flush=True)
while True:
    data = os.read(fd, 4096)
    offset = 0
    while offset < len(data):
        length, _v, _r, _m, _mask, event_fd, _pid = struct.unpack_from("IBBHQii", data, offset)
        os.write(fd, struct.pack("iI", event_fd, FAN_DENY))
        os.close(event_fd)
        offset += length
"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"refused_reads needs fanotify permission events: {reason}")
    pytest.skip(reason)


@contextmanager
def refused_reads(folder: Path, children: bool = False) -> Iterator[None]:
    if os.geteuid() != 0:
        _unavailable("needs root (fanotify permission marks)")
    watcher = subprocess.Popen([sys.executable, "-c", _WATCHER, str(folder), "1" if children else "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert watcher.stdout is not None
        if watcher.stdout.readline().strip() != "ready":
            _unavailable(f"fanotify unavailable: {watcher.communicate(timeout=5)[1].strip()}")
        yield
    finally:
        watcher.kill()
        watcher.wait(timeout=5)
