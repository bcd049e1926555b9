"""Run-time hook of the console executable `wxdoctor` (packaging/wxdoctor.spec).

PyInstaller's own PySide6 hook imports QtCore at every start (about 80 ms, most of a
`wxdoctor --version`) to register a qt.conf that the PySide6 wheels embed themselves.
The console program needs Qt only to write a PDF, so the spec leaves that hook out of
this executable and this one sets what it sets besides: where Qt's plugins are (the
PDF writer's offscreen platform). Nothing is imported.
"""

import os
import sys

_qt = os.path.join(sys._MEIPASS, "PySide6")  # type: ignore[attr-defined]
if not sys.platform.startswith("win"):
    _qt = os.path.join(_qt, "Qt")
os.environ["QT_PLUGIN_PATH"] = os.path.join(_qt, "plugins")
del _qt
