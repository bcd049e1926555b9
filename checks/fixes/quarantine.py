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
    if not (path.exists() or path.is_symlink()):
        return [f"{path}: missing"]
    actual = inventory(path)
    problems = []
    if expected.get("dirs") is not None:  # an empty folder counts too
        wanted_dirs = {str(d.get("rel")) for d in expected["dirs"]}
        if wanted_dirs != {d["rel"] for d in actual["dirs"]}:
            problems.append("folders differ")
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

    def _record(self, manifest: dict[str, Any], key: str) -> dict[str, Any]:
        record = next((i for i in manifest["items"] if i.get("key") == key), None)
        if record is None:
            raise QuarantineError(f"no item {key} in {self.folder}")
        return record

    def _set(self, manifest: dict[str, Any], record: dict[str, Any], state: str,
             phase: str | None = None) -> None:
        """Journal where a move stands before the next part of it begins."""
        record["state"] = state
        if phase is None:
            record.pop("phase", None)
        else:
            record["phase"] = phase
        self._save(manifest)

    def move_in(self, source: Path, key: str, note: str = "", force_copy: bool = False) -> dict[str, Any]:
        """Move `source` into the quarantine as item `key`; returns its manifest record.

        Journalled in the manifest as it goes: `moving` (phase `copying`, then
        `removing-source` once a verified copy sits under its final name), then
        `quarantined`. `restore` resumes from any of these."""
        manifest = self.manifest()
        if any(i["key"] == key and i["state"] == "quarantined" for i in manifest["items"]):
            raise QuarantineError(f"item {key} is already in quarantine")
        stored = self.folder / "items" / key
        if stored.exists() or stored.is_symlink():
            raise QuarantineError(f"{stored} already exists")
        record: dict[str, Any] = {"key": key, "source": str(source), "stored": f"items/{key}", "note": note,
                  "state": "moving", "phase": "copying", "moved": _now(),
                  "inventory": inventory(source)}
        manifest["items"] = [i for i in manifest["items"] if i["key"] != key] + [record]
        self._save(manifest)  # written before anything moves
        stored.parent.mkdir(parents=True, exist_ok=True)
        renamed = not force_copy and _renamed(source, stored)
        if not renamed:
            # Across volumes: a verified copy under a name of its own, then its final
            # name, and only then the original goes.
            _copy_verified(source, stored, self._partial(key), record["inventory"])
            self._set(manifest, record, "moving", "removing-source")
            _remove_tree(source)
        self._set(manifest, record, "quarantined")
        return record

    def restore(self, key: str, force_copy: bool = False) -> dict[str, Any]:
        """Put item `key` back where it came from, byte for byte. A move or a restore
        that was cut short (kill -9, power loss) is resumed from the phase the manifest
        recorded, so it ends restored (or still quarantined, if this raises), never with
        a copy nobody knows about."""
        record = self._record(self.manifest(), key)
        if record["state"] == "moving" and self._resume_move_in(key):
            return self._record(self.manifest(), key)  # it never left: restored
        manifest = self.manifest()
        record = self._record(manifest, key)
        if record["state"] == "restored":
            return record
        if record["state"] == "restoring":
            return self._resume_restore(key, force_copy)
        source, stored = Path(record["source"]), self.folder / record["stored"]
        if not _there(stored):
            if not verify(source, record["inventory"]):
                self._set(manifest, record, "restored")  # never moved, or already put back
                return record
            raise QuarantineError(f"{stored} is missing and {source} is not complete")
        if _there(source):
            # Something is there again (the client recreated its cache): keep it in
            # quarantine too, never delete it.
            self._set_aside(source, key)
            manifest = self.manifest()
            record = self._record(manifest, key)
        source.parent.mkdir(parents=True, exist_ok=True)
        self._set(manifest, record, "restoring", "copying")
        return self._resume_restore(key, force_copy)

    def _resume_move_in(self, key: str) -> bool:
        """An interrupted move_in: True when that leaves the item where it was (restored);
        False when the move is finished now (quarantined) and the restore goes on."""
        manifest = self.manifest()
        record = self._record(manifest, key)
        source, stored = Path(record["source"]), self.folder / record["stored"]
        _remove_tree(self._partial(key))  # our unfinished copy, if any
        if record.get("phase") != "removing-source":  # nothing of the original removed
            if not _there(stored) or not verify(source, record["inventory"]):
                _remove_tree(stored)  # absent, or a whole copy of what is still in place
                self._set(manifest, record, "restored")
                return True
            if verify(stored, record["inventory"]):
                raise QuarantineError(f"{source} and {stored} both differ from what was moved")
            # A whole copy in quarantine and the original half gone: a move from before
            # moves were journalled in phases, cut short while removing the original.
        if _there(source):
            # The verified copy is in quarantine; what is left at the source is the rest
            # of the original, half removed. Finish removing it, unless it holds
            # something the move did not: then it is kept, as a recreated cache is.
            if _remnant_of(source, record["inventory"]):
                _remove_tree(source)
            else:
                self._set_aside(source, key)
                manifest = self.manifest()
                record = self._record(manifest, key)
        self._set(manifest, record, "quarantined")
        return False

    def _resume_restore(self, key: str, force_copy: bool) -> dict[str, Any]:
        """Go on with a restore journalled as `restoring`: copying back (or a rename on
        one volume), then removing the quarantined copy."""
        manifest = self.manifest()
        record = self._record(manifest, key)
        source, stored = Path(record["source"]), self.folder / record["stored"]
        if record.get("phase") != "removing-stored":
            partial = self._restoring(record)
            _remove_tree(partial)  # our unfinished copy, if any
            whole = _there(source) and not verify(source, record["inventory"])
            if whole and not _there(stored):
                return self._finish_restore(manifest, record)  # renamed back just before
            if _there(source) and not whole:
                self._set_aside(source, key)  # not ours: keep it
                manifest = self.manifest()
                record = self._record(manifest, key)
            if not whole:
                if not force_copy and _renamed(stored, source):
                    return self._finish_restore(manifest, record)
                _copy_verified(stored, source, partial, record["inventory"])
            self._set(manifest, record, "restoring", "removing-stored")
        _remove_tree(stored)
        return self._finish_restore(manifest, record)

    def _finish_restore(self, manifest: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
        source = Path(record["source"])
        problems = verify(source, record["inventory"])
        if problems:
            raise QuarantineError(f"{source} differs after restore: {', '.join(problems[:5])}")
        record["restored"] = _now()
        self._set(manifest, record, "restored")
        return record

    def _set_aside(self, source: Path, key: str) -> None:
        """Keep what is at `source` in quarantine as an item of its own; an earlier
        setting aside of it that was cut short is finished first."""
        for item in self.manifest()["items"]:
            if (item.get("state") == "moving" and item.get("source") == str(source)
                    and item.get("key") != key):
                self._resume_move_in(str(item["key"]))
        if _there(source):
            aside = f"{key}-recreated-{datetime.now().strftime('%Y%m%d%H%M%S%f')}"
            self.move_in(source, aside, note=f"recreated at {source} before restore")

    def _partial(self, key: str) -> Path:
        """Where a copy into the quarantine is made before it takes its final name."""
        return self.folder / "items" / f".{key}.partial"

    def _restoring(self, record: dict[str, Any]) -> Path:
        """Where a copy back is made before it takes the original's name: beside it."""
        source = Path(record["source"])
        return source.with_name(f".{source.name}.wxdoctor-restore-{self.folder.name}-{record['key']}")

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


def _there(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _renamed(source: Path, target: Path) -> bool:
    """One rename on the same volume; False across volumes (EXDEV)."""
    try:
        os.rename(source, target)
        return True
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        return False


def _copy_verified(source: Path, target: Path, partial: Path, expected: dict[str, Any]) -> None:
    """Copy `source` to `partial`, verify every file, then give it the name `target`
    (one rename, same volume). A leftover at `partial` is an earlier unfinished copy."""
    _remove_tree(partial)
    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, partial, symlinks=True)
    else:
        shutil.copy2(source, partial, follow_symlinks=False)
    problems = verify(partial, expected)
    if problems:
        _remove_tree(partial)
        raise QuarantineError(f"copy of {source} differs: {', '.join(problems[:5])}")
    os.rename(partial, target)


def _remnant_of(path: Path, expected: dict[str, Any]) -> bool:
    """Whether what is left at `path` is only a part of what was moved (an interrupted
    removal): every file one of the moved ones, same size and content. Modes may differ:
    the removal makes files writable before it unlinks them."""
    have = inventory(path)
    want = {f["rel"]: f for f in expected["files"]}
    if have["special"] or any(not p["dir"] and p["rel"] not in want for p in have["problems"]):
        return False
    for item in have["files"]:
        moved = want.get(item["rel"])
        if moved is None or any(moved.get(k) != item.get(k) for k in ("size", "sha256", "link")):
            return False
    return True


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
