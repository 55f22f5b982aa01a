"""A 2-D array as colours, optionally with its numbers in the cells and arrows (greedy actions)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from workbench.qt.views.base import ArrayView
from workbench.qt.views.titles import titled_plot

MAX_NUMBERED_CELLS = 400


def rounded_levels(lo: float, hi: float) -> tuple[float, float]:
    """``lo`` and ``hi`` moved outward to multiples of a 1-2-5 step of at least 1/20 of the range.

    The colour bar then changes only when the values cross a step, not with every update: its
    repaint was half of a Q map's drawing time.
    """
    raw = (hi - lo) / 20
    decade = 10.0 ** math.floor(math.log10(raw))
    step = next(m * decade for m in (1, 2, 5, 10) if m * decade >= raw)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step


def cell_text(value: float) -> str:
    return f"{value:.2g}" if abs(value) < 100 else f"{value:.0f}"


class CellNumbers(pg.GraphicsObject):
    """Each cell's number, painted in one pass at a fixed font size near the top of its cell.

    One ``pg.TextItem`` per cell cost a 4x12 Q map 4.5 ms a repaint, the slowest thing in the
    TD control panel; one item drawing every text takes a fraction of that.
    """

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._width = 0
        self._height = 0

    def set_values(self, arr: np.ndarray) -> None:
        if arr.shape != (self._height, self._width):
            self.prepareGeometryChange()
            self._height, self._width = arr.shape
        self.texts = [cell_text(v) for v in arr.ravel().tolist()]
        self.update()

    def clear(self) -> None:
        self.set_values(np.zeros((0, 0)))

    def boundingRect(self) -> QtCore.QRectF:
        return QtCore.QRectF(0, 0, self._width, self._height)

    def paint(self, painter: QtGui.QPainter, *_: Any) -> None:
        to_device = painter.transform()
        painter.save()
        painter.resetTransform()  # text at its own size, however large the cells are drawn
        painter.setPen(QtGui.QColor("#ffffff"))
        for i, text in enumerate(self.texts):
            r, c = divmod(i, self._width)
            centre = to_device.map(QtCore.QPointF(c + 0.5, r + 0.3))
            painter.drawText(QtCore.QRectF(centre.x() - 50, centre.y() - 10, 100, 20),
                             QtCore.Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


def arrow_segments(vectors: np.ndarray, scale: float = 0.28, dy: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Line segments (pairs of points) drawing an arrow from each cell centre (moved down by
    ``dy``, to leave room for a number) along the cell's (dx, dy) vector."""
    h, w = vectors.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    cx, cy = xs.ravel() + 0.5, ys.ravel() + 0.5 + dy
    d = vectors.reshape(-1, 2).astype(float)
    norm = np.linalg.norm(d, axis=1)
    keep = norm > 1e-9
    cx, cy, d = cx[keep], cy[keep], d[keep] / norm[keep, None] * scale
    tip_x, tip_y = cx + d[:, 0], cy + d[:, 1]
    # two barbs at +-150 degrees from the direction
    barbs = []
    for angle in (2.6, -2.6):
        c, s = np.cos(angle), np.sin(angle)
        bx = tip_x + 0.45 * (c * d[:, 0] - s * d[:, 1])
        by = tip_y + 0.45 * (s * d[:, 0] + c * d[:, 1])
        barbs.append((bx, by))
    x = np.stack([cx - d[:, 0] * 0.6, tip_x, tip_x, barbs[0][0], tip_x, barbs[1][0]], axis=1).ravel()
    y = np.stack([cy - d[:, 1] * 0.6, tip_y, tip_y, barbs[0][1], tip_y, barbs[1][1]], axis=1).ravel()
    return x, y


class HeatmapView(ArrayView):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plot = titled_plot(self.ci, self.title)
        self.plot.setAspectLocked(True)
        self.plot.invertY(True)
        self.plot.hideAxis("bottom")
        self.plot.hideAxis("left")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get(self.option("colormap", "viridis")))
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap=self.image.getColorMap(), interactive=False, width=12)
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        self.arrows = pg.PlotDataItem(connect="pairs", pen=pg.mkPen("w", width=2))
        self.plot.addItem(self.arrows)
        self.numbers = CellNumbers()
        self.plot.addItem(self.numbers)
        self._shape: tuple[int, ...] | None = None
        self._arrow_version = 0
        if self.option("click"):
            self.image.mouseClickEvent = self._clicked

    def array_keys(self) -> set[str]:
        return super().array_keys() | ({self.option("arrows")} if self.option("arrows") else set())

    def _clicked(self, event: Any) -> None:
        pos = event.pos()
        self.clicked(self.option("click"), float(pos.x()), float(pos.y()))
        event.accept()

    def levels(self, arr: np.ndarray) -> tuple[float, float]:
        finite = arr[np.isfinite(arr)]
        if finite.size == 0:
            return 0.0, 1.0
        lo, hi = float(finite.min()), float(finite.max())
        if self.option("symmetric", False):
            m = max(abs(lo), abs(hi), 1e-9)
            lo, hi = -m, m
        return rounded_levels(lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)

    def draw(self, arr: Any) -> None:
        arr = np.asarray(arr, dtype=np.float32)
        if arr.ndim != 2:
            raise ValueError(f"heatmap {self.spec.keys[0]!r} needs a 2-D array, got shape {arr.shape}")
        lo, hi = self.levels(arr)
        self.image.setImage(arr, autoLevels=False, levels=(lo, hi))
        if (lo, hi) != tuple(self.colorbar.levels()):
            self.colorbar.setLevels((lo, hi))
        if arr.shape != self._shape:
            self._shape = arr.shape
            self.numbers.clear()  # a map grown past MAX_NUMBERED_CELLS keeps no numbers of its old shape
            self.plot.getViewBox().enableAutoRange()  # keeps fitting as the panel resizes
        numbered = self.option("numbers", False) and arr.size <= MAX_NUMBERED_CELLS
        if numbered:
            self.numbers.set_values(arr)
        key = self.option("arrows")
        if key:
            version, vectors = self.latest.read(key)
            if vectors is not None and version != self._arrow_version:
                self._arrow_version = version
                self.arrows.setData(*arrow_segments(np.asarray(vectors), dy=0.18 if numbered else 0.0))

    def reset(self) -> None:
        super().reset()
        self._arrow_version = 0
        self.arrows.setData([], [])
        self.numbers.clear()


