"""Renders the app icon SVG to the PNG sizes desktops and the window icon use (committed to assets/).

.venv/bin/python packaging/render_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtCore, QtGui, QtSvg  # noqa: E402

from workbench.core.assets import APP_ICON, ICON_SIZES  # noqa: E402

ICONS = Path(__file__).resolve().parent.parent / "assets" / "icons"


def render(svg: Path, size: int, out: Path) -> None:
    image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    QtSvg.QSvgRenderer(str(svg)).render(painter)
    painter.end()
    if not image.save(str(out)):
        sys.exit(f"could not write {out}")


def main() -> None:
    for size in ICON_SIZES:
        out = ICONS / f"{APP_ICON}-{size}.png"
        render(ICONS / f"{APP_ICON}.svg", size, out)
        print(out)


if __name__ == "__main__":
    main()
