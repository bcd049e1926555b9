"""What every subcommand shares: the exit codes, the usage error (exit 64) and the
options several commands take, defined once so they read the same everywhere."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from checks.shared.i18n import LANGS

EXIT_USAGE = 64
EXIT_INTERNAL = 70


class UsageError(Exception):
    """Bad arguments: exit 64 with the message."""


def add_lang(parser: argparse.ArgumentParser, of: str = "the output") -> None:
    """--lang zh|en; without it the command takes the system's language."""
    parser.add_argument("--lang", choices=LANGS, help=f"language of {of}")


def add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="override file (TOML)")


def pdf_writable(path: str) -> None:
    """--pdf FILE: refused before any work when its folder is missing or read-only."""
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise UsageError(f"--pdf {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"--pdf {path}: the folder {folder} is not writable")
