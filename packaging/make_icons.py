"""Render resources/icons/app.svg to the PNG, .ico and .icns the installers need.

Build-time only: needs PySide6 (QtSvg renders the SVG) and Pillow (writes .ico/.icns).
The outputs are committed, so a normal build does not run this.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "app.svg"
PNG = ROOT / "resources" / "icons" / "app.png"  # shipped: window icon on Linux
ICO = ROOT / "packaging" / "icons" / "app.ico"
ICNS = ROOT / "packaging" / "icons" / "app.icns"


def render(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image

    big = Image.open(io.BytesIO(render(1024))).convert("RGBA")
    PNG.write_bytes(render(256))
    ICO.parent.mkdir(parents=True, exist_ok=True)
    # Windows picks the nearest size: provide the usual ones, each rendered from the vector.
    sizes = [16, 24, 32, 48, 64, 128, 256]
    frames = [Image.open(io.BytesIO(render(s))).convert("RGBA") for s in sizes]
    frames[-1].save(ICO, format="ICO", sizes=[(s, s) for s in sizes], append_images=frames[:-1])
    big.save(ICNS, format="ICNS")
    for path in (PNG, ICO, ICNS):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
