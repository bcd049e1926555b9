"""`wxdoctor quarantine list|empty [ID]`: the cache moved aside by clear_client_cache."""

from __future__ import annotations

import argparse
import sys

from app.cli.usage import UsageError, add_lang
from checks.fixes.clear_client_cache import human_size, quarantine_kept
from checks.fixes.journal import Journal
from checks.fixes.quarantine import Quarantine, empty, list_quarantines
from checks.shared.i18n import detect_lang, t
from checks.shared.userdata import quarantine_root

COMMAND = "quarantine"
HELP = "List the quarantined cache folders, or delete them for good (`empty`)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("list", "empty"))
    parser.add_argument("quarantine_id", nargs="?", metavar="ID", help="one quarantine (empty: all)")
    parser.add_argument("--yes", action="store_true", help="delete without asking")
    add_lang(parser)


def run(args: argparse.Namespace) -> int:
    lang = args.lang or detect_lang()
    folders = list_quarantines(quarantine_root())
    if args.quarantine_id:
        folders = [q for q in folders if q.folder.name == args.quarantine_id]
        if not folders:
            raise UsageError(f"no quarantine {args.quarantine_id!r} (see `wxdoctor quarantine list`)")
    if args.action == "list":
        print(f"# {quarantine_root()}")
        for q in folders:
            items = [i for i in q.manifest()["items"] if i["state"] == "quarantined"]
            print(f"{q.folder.name}  {human_size(q.size()):>9}  {len(items)} item(s)")
            for item in items:
                print(f"    {item['source']}")
        return 0
    if not folders:
        print(t("The quarantine is empty.", "隔离区是空的。").render(lang))
        return 0
    journal = Journal()
    for q in list(folders):
        why = quarantine_kept(q, journal)
        if why is not None:
            print(t("Kept {id}: {why}", "保留 {id}：{why}", id=q.folder.name, why=why).render(lang),
                  file=sys.stderr)
            folders.remove(q)
    if not folders:
        print(t("Nothing can be deleted now.", "目前没有可删除的内容。").render(lang))
        return 1
    total = sum(q.size() for q in folders)
    question = t("Delete {n} quarantine folder(s), {size}, for good? Undo will no longer be possible. [y/N] ",
                 "永久删除 {n} 个隔离文件夹（{size}）？之后将无法撤销。[y/N] ",
                 n=len(folders), size=human_size(total)).render(lang)
    if not args.yes:
        if not sys.stdin.isatty():
            print("wxdoctor: not emptied: confirm with --yes when not on a terminal", file=sys.stderr)
            return 64
        if input(question).strip().lower() not in ("y", "yes", "是"):
            return 1
    for q in folders:
        empty(q)
        print(t("Deleted {id}", "已删除 {id}", id=q.folder.name).render(lang))
    return 0

__all__ = ["Quarantine"]
