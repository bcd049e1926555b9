"""Quarantine: cache folders are moved here, never deleted, and can be put back.

Each quarantine folder holds `manifest.json` (the original path of every item,
each file's size, mode and, for files up to 8 MB, its SHA-256) and `items/NNN`.
The manifest is written before anything moves. A move is a rename on the same
volume, or copy + verify + remove across volumes. Only `empty()` deletes, and
only when the person asks for it.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from checks.fixes._files import sha256_file

HASH_LIMIT = 8 * 1024 * 1024
MANIFEST = "manifest.json"


class QuarantineError(Exception):
    pass


_SPECIAL_KINDS = ((stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "device"),
                  (stat.S_ISBLK, "device"))


def special_kind(mode: int) -> str | None:
    """"fifo", "socket" or "device" for what is neither a regular file, a folder nor a
    symlink: never hashed (a FIFO would block forever) and never moved."""
    for test, kind in _SPECIAL_KINDS:
        if test(mode):
            return kind
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
        return None
    return "other"


def inventory(path: Path) -> dict[str, Any]:
    """Every file and folder below `path` (or the file itself): size, mode, hash.

    Only regular files are opened (and hashed up to HASH_LIMIT); symlinks are recorded
    with their target; FIFOs, sockets and devices are listed under "special". What
    cannot be read is listed under "problems" ({"rel", "error", "dir"}) and the rest is
    still inventoried.
    """
    files: list[dict[str, Any]] = []
    dirs: list[dict[str, Any]] = []
    special: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []

    def problem(rel: str, exc: OSError, is_dir: bool) -> None:
        problems.append({"rel": rel, "error": exc.strerror or str(exc), "dir": is_dir})

    def add(full: Path, rel: str) -> None:
        try:
            st = full.lstat()
        except OSError as exc:
            problem(rel, exc, False)
            return
        kind = special_kind(st.st_mode)
        if kind is not None:
            special.append({"rel": rel, "kind": kind})
            return
        item: dict[str, Any] = {"rel": rel, "size": st.st_size, "mode": stat.S_IMODE(st.st_mode)}
        if stat.S_ISLNK(st.st_mode):
            item["link"] = os.readlink(full)
        elif st.st_size <= HASH_LIMIT:
            try:
                item["sha256"] = sha256_file(full)
            except OSError as exc:
                problem(rel, exc, False)
        files.append(item)

    try:
        top = path.lstat()
    except OSError as exc:
        problem(".", exc, False)
        top = None
    if top is not None and not stat.S_ISDIR(top.st_mode):
        add(path, ".")
    elif top is not None:
        def unreadable(exc: OSError) -> None:
            where = Path(exc.filename) if exc.filename else path
            problem(where.relative_to(path).as_posix(), exc, True)

        for root, dirnames, filenames in os.walk(path, onerror=unreadable):
            base = Path(root)
            rel_root = base.relative_to(path).as_posix()
            dirs.append({"rel": rel_root, "mode": stat.S_IMODE(base.lstat().st_mode)})
            for name in sorted(filenames + [d for d in dirnames if (base / d).is_symlink()]):
                add(base / name, (Path(rel_root) / name).as_posix())
    return {"files": files, "dirs": dirs, "special": special, "problems": problems,
            "bytes": sum(f["size"] for f in files), "count": len(files)}


def verify(path: Path, expected: dict[str, Any]) -> list[str]:
    """Differences between `path` and an inventory (empty list: identical)."""
    actual = inventory(path)
    problems = []
    want = {f["rel"]: f for f in expected["files"]}
    have = {f["rel"]: f for f in actual["files"]}
    for rel in sorted(set(want) | set(have)):
        a, b = want.get(rel), have.get(rel)
        if a is None or b is None:
            problems.append(f"{rel}: {'missing' if b is None else 'unexpected'}")
        elif any(a.get(k) != b.get(k) for k in ("size", "mode", "sha256", "link")):
            problems.append(f"{rel}: differs")
    def kinds(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
        return sorted((str(i.get("rel")), str(i.get("kind"))) for i in items)

    if kinds(expected.get("special") or []) != kinds(actual["special"]):
        problems.append("special files differ")
    return problems


class Quarantine:
    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    @property
    def manifest_path(self) -> Path:
        return self.folder / MANIFEST

    def manifest(self) -> dict[str, Any]:
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"id": self.folder.name, "created": _now(), "items": []}
        except (ValueError, RecursionError) as exc:
            raise QuarantineError(f"{self.manifest_path}: unreadable ({exc})") from None
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise QuarantineError(f"{self.manifest_path}: not a quarantine manifest")
        return data

    def _save(self, manifest: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.manifest_path.with_suffix(".tmp")
        # ASCII JSON: original paths that are not valid UTF-8 come back exactly.
        tmp.write_text(json.dumps(manifest, ensure_ascii=True, indent=1), encoding="ascii")
        os.replace(tmp, self.manifest_path)

    def move_in(self, source: Path, key: str, note: str = "", force_copy: bool = False) -> dict[str, Any]:
        """Move `source` into the quarantine as item `key`; returns its manifest record."""
        manifest = self.manifest()
        if any(i["key"] == key and i["state"] == "quarantined" for i in manifest["items"]):
            raise QuarantineError(f"item {key} is already in quarantine")
        stored = self.folder / "items" / key
        if stored.exists() or stored.is_symlink():
            raise QuarantineError(f"{stored} already exists")
        record: dict[str, Any] = {"key": key, "source": str(source), "stored": f"items/{key}", "note": note,
                  "state": "moving", "moved": _now(), "inventory": inventory(source)}
        manifest["items"] = [i for i in manifest["items"] if i["key"] != key] + [record]
        self._save(manifest)  # written before anything moves
        stored.parent.mkdir(parents=True, exist_ok=True)
        _move(source, stored, record["inventory"], force_copy)
        record["state"] = "quarantined"
        self._save(manifest)
        return record

    def restore(self, key: str, force_copy: bool = False) -> dict[str, Any]:
        """Put item `key` back where it came from, byte for byte; tolerate a half move."""
        manifest = self.manifest()
        record = next((i for i in manifest["items"] if i["key"] == key), None)
        if record is None:
            raise QuarantineError(f"no item {key} in {self.folder}")
        source, stored = Path(record["source"]), self.folder / record["stored"]
        if record["state"] == "restored":
            return record
        if not (stored.exists() or stored.is_symlink()):
            if not verify(source, record["inventory"]):
                record["state"] = "restored"  # the move never happened or was already undone
                self._save(manifest)
                return record
            raise QuarantineError(f"{stored} is missing and {source} is not complete")
        if source.exists() or source.is_symlink():
            if (record["state"] == "moving" and verify(stored, record["inventory"])
                    and not verify(source, record["inventory"])):
                # A copy that failed half-way left the source intact: drop the partial copy.
                _remove_tree(stored)
                record["state"] = "restored"
                self._save(manifest)
                return record
            # Something is there again (the client recreated its cache, or the leftovers
            # of an interrupted move): keep it in quarantine too, never delete it.
            aside = f"{key}-recreated-{datetime.now().strftime('%Y%m%d%H%M%S')}"
            self.move_in(source, aside, note=f"recreated at {source} before restore")
            manifest = self.manifest()
            record = next(i for i in manifest["items"] if i["key"] == key)
        source.parent.mkdir(parents=True, exist_ok=True)
        _move(stored, source, record["inventory"], force_copy)
        problems = verify(source, record["inventory"])
        if problems:
            raise QuarantineError(f"{source} differs after restore: {', '.join(problems[:5])}")
        record["state"], record["restored"] = "restored", _now()
        self._save(manifest)
        return record

    def has(self, key: str) -> bool:
        return any(i["key"] == key for i in self.manifest()["items"])

    def size(self) -> int:
        return sum(i["inventory"]["bytes"] for i in self.manifest()["items"]
                   if i["state"] == "quarantined")


def list_quarantines(root: Path) -> list[Quarantine]:
    if not root.is_dir():
        return []
    return [Quarantine(p) for p in sorted(root.iterdir()) if (p / MANIFEST).is_file()]


def empty(folder: Quarantine) -> None:
    """Delete a quarantine folder for good: only on the person's explicit request."""
    _remove_tree(folder.folder)


def _move(source: Path, target: Path, expected: dict[str, Any], force_copy: bool) -> None:
    if not force_copy:
        try:
            os.rename(source, target)
            return
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
    # Across volumes: copy, verify every file, then remove the original.
    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, target, symlinks=True)
    else:
        shutil.copy2(source, target, follow_symlinks=False)
    problems = verify(target, expected)
    if problems:
        _remove_tree(target)
        raise QuarantineError(f"copy of {source} differs: {', '.join(problems[:5])}")
    _remove_tree(source)


def _remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        _make_writable(path.parent)
        path.unlink()
        return
    if not path.exists():
        return

    def onerror(func: Any, name: str, _exc: Any) -> None:
        _make_writable(Path(name).parent)
        _make_writable(Path(name))
        func(name)

    for root, dirnames, _files in os.walk(path):
        for d in dirnames:
            _make_writable(Path(root) / d)
    _make_writable(path)
    shutil.rmtree(path, onerror=onerror)


def _make_writable(path: Path) -> None:
    try:
        if not path.is_symlink():
            path.chmod(stat.S_IMODE(path.lstat().st_mode) | stat.S_IWUSR | stat.S_IXUSR
                       if path.is_dir() else stat.S_IMODE(path.lstat().st_mode) | stat.S_IWUSR)
    except OSError:
        pass


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
