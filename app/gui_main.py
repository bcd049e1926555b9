"""`wxdoctor-gui`: the desktop window."""

from __future__ import annotations

import sys


def main() -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv)
    label = QLabel("wxdoctor")
    label.resize(480, 320)
    label.show()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
