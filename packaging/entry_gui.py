"""Frozen entry point of `wxdoctor-gui` (windowed)."""

from app.gui.main import main

raise SystemExit(main())
