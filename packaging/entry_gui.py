"""Frozen entry point of `wxdoctor-gui` (windowed)."""

from app.gui_main import main

raise SystemExit(main())
