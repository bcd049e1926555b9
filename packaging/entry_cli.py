"""Frozen entry point of `wxdoctor` (console)."""

from app.cli import main

raise SystemExit(main())
