"""A 2-D array as colours, optionally with its numbers in the cells and arrows (greedy actions)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg

from workbench.qt.views.base import ArrayView

MAX_NUMBERED_CELLS = 400


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
        self.plot = self.addPlot(title=self.title)
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
        self.numbers: list[pg.TextItem] = []
        self._shape: tuple[int, ...] | None = None
        self._arrow_version = 0
        if self.option("click"):
            self.image.mouseClickEvent = self._clicked

    def _clicked(self, event: Any) -> None:
        pos = event.pos()
        names = self.option("click")
        self.set_config(**{names[0]: int(pos.x()), names[1]: int(pos.y())})
        event.accept()

    def levels(self, arr: np.ndarray) -> tuple[float, float]:
        finite = arr[np.isfinite(arr)]
        if finite.size == 0:
            return 0.0, 1.0
        lo, hi = float(finite.min()), float(finite.max())
        if self.option("symmetric", False):
            m = max(abs(lo), abs(hi), 1e-9)
            return -m, m
        return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)

    def draw(self, arr: Any) -> None:
        arr = np.asarray(arr, dtype=np.float32)
        if arr.ndim != 2:
            raise ValueError(f"heatmap {self.spec.keys[0]!r} needs a 2-D array, got shape {arr.shape}")
        lo, hi = self.levels(arr)
        self.image.setImage(arr, autoLevels=False, levels=(lo, hi))
        self.colorbar.setLevels((lo, hi))
        if arr.shape != self._shape:
            self._shape = arr.shape
            self._make_numbers(arr.shape)
            self.plot.getViewBox().enableAutoRange()  # keeps fitting as the panel resizes
        if self.numbers:
            for item, value in zip(self.numbers, arr.ravel()):
                item.setText(f"{value:.2g}" if abs(value) < 100 else f"{value:.0f}")
        key = self.option("arrows")
        if key:
            version, vectors = self.latest.read(key)
            if vectors is not None and version != self._arrow_version:
                self._arrow_version = version
                self.arrows.setData(*arrow_segments(np.asarray(vectors), dy=0.18 if self.numbers else 0.0))

    def _make_numbers(self, shape: tuple[int, ...]) -> None:
        for item in self.numbers:
            self.plot.removeItem(item)
        self.numbers = []
        if not self.option("numbers", False) or shape[0] * shape[1] > MAX_NUMBERED_CELLS:
            return
        for r in range(shape[0]):
            for c in range(shape[1]):
                item = pg.TextItem("", color="#ffffff", anchor=(0.5, 0.5))
                item.setPos(c + 0.5, r + 0.3)
                self.plot.addItem(item)
                self.numbers.append(item)

    def reset(self) -> None:
        super().reset()
        self._arrow_version = 0
        self.arrows.setData([], [])


