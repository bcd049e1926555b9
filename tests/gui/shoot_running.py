"""Picture the window in the middle of a run (docs/screenshots/running-zh.png).

    QT_QPA_PLATFORM=offscreen python tests/gui/shoot_running.py OUT.png [zh|en]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "reports"))


def main(out: str, lang: str = "zh") -> int:
    import make_reports  # the sample checks with realistic titles and verdicts
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.gui.window import MainWindow
    from checks.engine.config import Config

    app = QApplication.instance() or QApplication([])
    checks = make_reports.faults()
    for i, check in enumerate(checks):
        check.sleep = 0.2 if i % 3 == 0 else 30.0  # some done, the rest still running
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(checks_factory=lambda: checks, config_loader=lambda: Config(deadline_s=60),
                            settings=settings, lang=lang, log_dir=Path(tmp))
        window.resize(900, 700)
        window.show()
        window.start()
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        window.resize(900, window.fitting_height())
        app.processEvents()
        ok = window.grab().save(out)
        window.cancel()
        window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
