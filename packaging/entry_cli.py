"""Frozen entry point of `wxdoctor` (console)."""

from app.cli.main import main

raise SystemExit(main())
