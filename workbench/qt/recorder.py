"""Recording a widget (one view or a whole panel) to GIF or MP4 while it updates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from workbench.core.recorder import AnimationWriter


def grab_rgb(widget: QtWidgets.QWidget) -> np.ndarray:
    """The widget's pixels as an (H, W, 3) uint8 array."""
    image = widget.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * h)
    return buf.reshape(h, stride)[:, : w * 3].reshape(h, w, 3).copy()


class WidgetRecorder(QtCore.QObject):
    """Grabs ``widget`` ``fps`` times a second and streams the frames to ``path``."""

    def __init__(self, widget: QtWidgets.QWidget, path: Path, fps: float = 15.0,
                 size: tuple[int, int] | None = None) -> None:
        super().__init__(widget)
        self.widget = widget
        self.writer = AnimationWriter(path, fps, size)
        self.timer = QtCore.QTimer(self)
        self.timer.timeout.connect(self.capture)
        self.timer.start(int(1000 / fps))

    @property
    def frames(self) -> int:
        """Frames grabbed so far; the file holds exactly these once ``stop`` returns."""
        return self.writer.frames

    def capture(self) -> None:
        """Grab one frame; a failed recording stops grabbing and ``stop`` raises its error."""
        try:
            self.writer.add(grab_rgb(self.widget))
        except RuntimeError:
            self.timer.stop()

    def stop(self) -> Path | None:
        """Finish the file and return its path.

        Raises:
            RuntimeError: naming the file and the cause, when writing it failed.
        """
        self.timer.stop()
        return self.writer.close()
