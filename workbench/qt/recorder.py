"""Recording a widget (one view or a whole panel) to GIF or MP4 while it updates, each frame
with a caption under the picture: what is shown, at which step, with which live settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from workbench.core.recorder import AnimationWriter

CAPTION_PT = 10
CAPTION_BACKGROUND = "#15181c"
CAPTION_TEXT = "#e6e6e6"


def to_rgb(image: QtGui.QImage) -> np.ndarray:
    """A QImage's pixels as an (H, W, 3) uint8 array."""
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * h)
    return buf.reshape(h, stride)[:, : w * 3].reshape(h, w, 3).copy()


def captioned(picture: QtGui.QPixmap, caption: str, band: int | None = None) -> QtGui.QImage:
    """``picture`` with ``caption`` written in a band under it, wrapped to the picture's width;
    ``band`` fixes the band's height (pixels), else it is as tall as the text needs."""
    font = QtGui.QFont()
    font.setPointSize(CAPTION_PT)
    metrics = QtGui.QFontMetrics(font)
    width = max(picture.width(), 1)
    flags = int(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.TextFlag.TextWordWrap)
    text_rect = metrics.boundingRect(QtCore.QRect(0, 0, width - 12, 10_000), flags, caption)
    band = band or text_rect.height() + 8
    image = QtGui.QImage(width, picture.height() + band, QtGui.QImage.Format.Format_RGB888)
    image.fill(QtGui.QColor(CAPTION_BACKGROUND))
    painter = QtGui.QPainter(image)
    try:
        painter.drawPixmap(0, 0, picture)
        painter.setFont(font)
        painter.setPen(QtGui.QColor(CAPTION_TEXT))
        painter.drawText(QtCore.QRect(6, picture.height() + 4, width - 12, band - 4), flags, caption)
    finally:
        painter.end()
    return image


class WidgetRecorder(QtCore.QObject):
    """Grabs ``widget`` ``fps`` times a second and streams the frames to ``path``; with a
    ``caption`` function, each frame carries its text (read at the moment of the grab)."""

    def __init__(
        self,
        widget: QtWidgets.QWidget,
        path: Path,
        fps: float = 15.0,
        size: tuple[int, int] | None = None,
        caption: Callable[[], str] | None = None,
    ) -> None:
        super().__init__(widget)
        self.widget = widget
        self.caption = caption
        self.band: int | None = None  # the caption band's height, fixed by the first frame: frames keep one size
        self.writer = AnimationWriter(path, fps, size)
        self.timer = QtCore.QTimer(self)
        self.timer.timeout.connect(self.capture)
        self.timer.start(int(1000 / fps))

    @property
    def frames(self) -> int:
        """Frames grabbed so far; the file holds exactly these once ``stop`` returns."""
        return self.writer.frames

    @property
    def written(self) -> int:
        """Frames already in the file on disk."""
        return self.writer.written

    def frame(self) -> np.ndarray:
        picture = self.widget.grab()
        if self.caption is None:
            return to_rgb(picture.toImage())
        image = captioned(picture, self.caption(), self.band)
        self.band = image.height() - picture.height()
        return to_rgb(image)

    def capture(self) -> None:
        """Grab one frame; a failed recording stops grabbing and ``stop`` raises its error."""
        try:
            self.writer.add(self.frame())
        except RuntimeError:
            self.timer.stop()

    def stop(self) -> Path | None:
        """Finish the file and return its path.

        Raises:
            RuntimeError: naming the file and the cause, when writing it failed.
        """
        self.timer.stop()
        return self.writer.close()
