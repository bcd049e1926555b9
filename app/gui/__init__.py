"""The desktop window (PySide6). The engine in `checks` knows nothing of it."""
