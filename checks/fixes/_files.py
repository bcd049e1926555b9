"""Small file helpers shared by the fixes: hashes, bounded reads, checked writes, base64."""

from __future__ import annotations

import base64
import errno
import hashlib
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from checks import platform
from checks.fixes.actions import FixError
from checks.platform import file_swap
from checks.shared.i18n import t

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)

STRANDED = t(
    "{path} was changed by someone else at the last moment and could not be put back: their version is kept at {copy}.",
    "{path} 在最后时刻被其他程序修改，且无法放回原处：对方的版本保存在 {copy}。")
CHANGED = t(
    "{path} was changed by someone else after the preview, so nothing was written (their change is kept). Preview the fix again.",
    "预览之后 {path} 被其他程序修改过，因此没有写入任何内容（对方的修改保留）。请重新预览此修复。")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """The hash of a regular file; OSError for anything else (a FIFO would never end)."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        digest = hashlib.sha256()
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """A regular file's bytes, at most `limit` of them. A FIFO, device, socket or folder
    is refused (reading one could block forever or never end), and so is a larger
    file: OSError either way, with a reason a person can read."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit // (1024 * 1024)} MB", str(path))
    return data


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def write_in_place(path: str | os.PathLike[str], data: bytes) -> None:
    """Overwrite a file's content keeping its inode, owner, mode and ACLs."""
    with open(path, "r+b") as fh:
        fh.seek(0)
        fh.write(data)
        fh.truncate()
        fh.flush()
        os.fsync(fh.fileno())


def replace_checked(path: Path, new: bytes, expected_sha256: str, limit: int,
                    temp_name: str | None = None) -> None:
    """Write `new` over `path` only while it still holds exactly the bytes the plan saw.

    The comparison is made right before the switch, and on Linux once more on the very
    file the switch displaced (checks/platform/file_swap.py: the two trade names at
    once, and trade back if it was edited meanwhile), so an edit someone made in the
    meantime (on Windows the UAC prompt sits in that window) is never overwritten: a
    FixError says so and the file keeps their version. The new content goes to a
    temporary file beside it (`temp_name` when given, so an interrupted fix knows what
    it may have left: see `discard_leftovers`), which takes its place at once, with the
    old file's owner, mode and ACLs. Where names cannot be exchanged it is a plain
    replace (platform.replace_file); where a rename cannot replace it (a bind-mounted
    file in a container, no way to copy an ACL) it is written in place, which keeps all
    of those too; so is a file we may write in a folder we may not.
    """
    target = Path(os.path.realpath(path))  # a symlinked hosts file: replace what it points to
    _same_as_planned(target, expected_sha256, limit)
    try:
        try:
            fd, tmp = _create_temp(target, temp_name)
        except FileExistsError:  # someone else's file under that name: it stays
            fd, tmp = _create_temp(target, None)
    except OSError:  # a file we may write in a folder we may not
        write_in_place(target, new)
        return
    keep = False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(new)
            fh.flush()
            os.fsync(fh.fileno())
        _same_as_planned(target, expected_sha256, limit)
        try:
            file_swap.swap_in(str(target), tmp, lambda old: _holds(old, expected_sha256, limit))
        except file_swap.Changed:
            raise FixError(CHANGED.with_params(path=str(target))) from None
        except file_swap.Stranded:
            keep = True  # it holds their version: never delete it
            raise FixError(STRANDED.with_params(path=str(target), copy=tmp)) from None
        except OSError:  # no exchange here: a plain replace, else in place
            try:
                platform.replace_file(str(target), tmp)
            except OSError:
                write_in_place(target, new)
    finally:
        if not keep:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass  # it became the file
    _sync_folder(target.parent)


def _create_temp(target: Path, name: str | None) -> tuple[int, str]:
    if name is None:
        return tempfile.mkstemp(prefix=f".{target.name}.wxdoctor-", dir=target.parent)
    path = str(target.parent / name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | _BINARY
    return os.open(path, flags, 0o600), path


def _holds(path: str, expected_sha256: str, limit: int) -> bool:
    try:
        return sha256_bytes(read_regular(path, limit)) == expected_sha256
    except OSError:
        return False


def discard_leftovers(folder: Path, names: list[str], ours: Callable[[bytes], bool],
                      limit: int) -> list[Path]:
    """Remove the temporary files a killed fix may have left under these exact names,
    each only if it is a regular file whose content `ours` recognises (what the fix was
    writing, or the version a swap displaced). Returns those kept: someone else's."""
    kept = []
    for name in names:
        path = folder / name
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        except OSError:
            kept.append(path)
            continue
        try:
            content = read_regular(path, limit) if stat.S_ISREG(st.st_mode) else None
        except OSError:
            content = None
        if content is not None and ours(content):
            os.unlink(path)
        else:
            kept.append(path)
    return kept


def _same_as_planned(path: Path, expected_sha256: str, limit: int) -> None:
    try:
        current = read_regular(path, limit)
    except OSError as exc:
        raise FixError(t("Cannot read {path}: {e}", "无法读取 {path}：{e}",
                         path=str(path), e=exc.strerror or str(exc))) from None
    if sha256_bytes(current) != expected_sha256:
        raise FixError(CHANGED.with_params(path=str(path)))


def _sync_folder(folder: Path) -> None:
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def can_write(path: Path) -> bool:
    """Whether this process may change the file without admin rights."""
    if sys.platform == "win32":
        # System files (hosts) are writable only by administrators; os.access cannot tell.
        return platform.is_admin() or not str(path).lower().startswith(
            os.environ.get("SystemRoot", r"C:\Windows").lower()
        )
    return os.access(path, os.W_OK)
