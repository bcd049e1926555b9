"""`wxdoctor-gui`: the desktop window."""

from __future__ import annotations

import os
import sys


def main() -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv)
    label = QLabel("wxdoctor")
    label.resize(480, 320)
    label.show()
    if os.environ.get("WXDOCTOR_GUI_SMOKE") == "1":
        # Packaging smoke test: prove the window opens, then quit once the loop has painted.
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, app.quit)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
