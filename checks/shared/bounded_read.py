"""Reading a file someone else controls: only a regular file, only up to a limit.

A path from a config, a report argument or the system may name a FIFO (opening it
waits for a writer forever), a device (`/dev/zero` never ends) or a file far larger
than anything it should be. Such files are refused with an OSError that says why,
before a byte is read.
"""

from __future__ import annotations

import errno
import os
import stat


class NotRegularFile(OSError):
    """The path is a pipe, socket or device: reading it could block or never end."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({kind})", path)
        self.kind = kind


class FileTooLarge(OSError):
    """The file is larger than the reader's limit; nothing of it is used."""

    def __init__(self, path: str, limit: int) -> None:
        size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit} bytes"
        super().__init__(errno.EFBIG, f"larger than {size}", path)
        self.limit = limit


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "pipe"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "special file"


def read_regular_file(path: str | os.PathLike[str], limit: int, *, cut: bool = False) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, never blocking; with `cut`,
    the first `limit` bytes of a larger one instead of refusing it.

    OSError (FileNotFoundError, PermissionError, IsADirectoryError, NotRegularFile,
    FileTooLarge ...) propagates for the caller to classify.
    """
    name = os.fspath(path)
    # O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting.
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
             | getattr(os, "O_BINARY", 0))
    fd = os.open(name, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", name)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(name, _kind(info.st_mode))
        if info.st_size > limit and not cut:
            raise FileTooLarge(name, limit)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:  # the file may grow while it is read
            chunk = os.read(fd, min(1024 * 1024, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            if cut:
                return b"".join(chunks)[:limit]
            raise FileTooLarge(name, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)
