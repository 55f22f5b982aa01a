"""A 2-D array as colours with a labelled colour bar and masked non-states, optionally with numbers
in the cells' corners, arrows (greedy actions), named maps side by side and data axes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from workbench.qt import theme
from workbench.qt.views.base import ArrayView
from workbench.qt.views.names import bar_names
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
    value += 0.0  # no "-0"
    return f"{value:.2g}" if abs(value) < 100 else f"{value:.0f}"


class CellNumbers(pg.GraphicsObject):
    """Each cell's number, painted in one pass at 9 pt in the cell's top-left corner, only when
    the cell is drawn large enough to hold it above its arrow; masked (NaN) cells get none.

    One ``pg.TextItem`` per cell cost a 4x12 Q map 4.5 ms a repaint, the slowest thing in the
    TD control panel; one item drawing every text takes a fraction of that.
    """

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.color = QtGui.QColor("#ffffff")
        self._font = theme.font(theme.MIN_PT)
        self._width = 0
        self._height = 0

    def set_values(self, arr: np.ndarray) -> None:
        if arr.shape != (self._height, self._width):
            self.prepareGeometryChange()
            self._height, self._width = arr.shape
        self.texts = ["" if not math.isfinite(v) else cell_text(v) for v in arr.ravel().tolist()]
        self.update()

    def clear(self) -> None:
        self.set_values(np.zeros((0, 0)))

    def boundingRect(self) -> QtCore.QRectF:
        return QtCore.QRectF(0, 0, self._width, self._height)

    def fits(self, cell: QtCore.QRectF, metrics: QtGui.QFontMetricsF) -> bool:
        """Whether a cell drawn as ``cell`` (device pixels) holds a number over its arrow."""
        widest = max((metrics.horizontalAdvance(t) for t in self.texts), default=0.0)
        return cell.width() >= widest + 4 and cell.height() >= 2.6 * metrics.height()

    def paint(self, painter: QtGui.QPainter, *_: Any) -> None:
        to_device = painter.transform()
        cell = to_device.mapRect(QtCore.QRectF(0, 0, 1, 1))
        metrics = QtGui.QFontMetricsF(self._font)
        if not self.texts or not self.fits(cell, metrics):
            return
        painter.save()
        painter.resetTransform()  # text at its own size, however large the cells are drawn
        painter.setFont(self._font)
        painter.setPen(self.color)
        for i, text in enumerate(self.texts):
            r, c = divmod(i, self._width)
            corner = to_device.map(QtCore.QPointF(c, r))
            x, y = min(corner.x(), corner.x() + cell.width()), min(corner.y(), corner.y() + cell.height())
            painter.drawText(
                QtCore.QRectF(x + 2, y + 1, cell.width() - 4, metrics.height()), QtCore.Qt.AlignmentFlag.AlignLeft, text
            )
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


def tick_step(n: int, most: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... that labels ``n`` cells with at most ``most`` ticks."""
    steps = (m * 10**e for e in range(9) for m in (1, 2, 5))
    return next(step for step in steps if math.ceil(n / step) <= most)


def mask_image(arr: np.ndarray, color: str) -> np.ndarray:
    """(H, W, 4) RGBA: ``color`` where ``arr`` is NaN (no state), transparent elsewhere."""
    rgba = np.zeros((*arr.shape, 4), np.uint8)
    rgba[np.isnan(arr)] = pg.mkColor(color).getRgb()
    return rgba


def cells_to_data(extent: list[float] | None, shape: tuple[int, int]) -> QtGui.QTransform:
    """Cell coordinates (column, row) to the data coordinates ``extent`` names; identity without one."""
    if extent is None:
        return QtGui.QTransform()
    x0, x1, y0, y1 = extent
    h, w = shape
    return QtGui.QTransform((x1 - x0) / w, 0, 0, (y1 - y0) / h, x0, y0)


class HeatmapView(ArrayView):
    """A 2-D array as colours with a labelled colour bar; NaN cells as a grey mask; optional numbers
    in the cells' corners, arrows (greedy actions), named side-by-side maps and data axes (``extent``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plot = titled_plot(self.ci, self.title)
        self.extent = self.option("extent")
        if self.extent is None and not self.option("extent_key"):  # a grid: square cells, row 0 at the top
            self.plot.setAspectLocked(True)
            self.plot.invertY(True)
            self.plot.getViewBox().setDefaultPadding(0.01)  # the axes end at the grid's edges
        self.mask = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.mask)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get(self.option("colormap", "viridis")))
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap=self.image.getColorMap(), interactive=False, width=12)
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        self.arrows = pg.PlotDataItem(connect="pairs", pen=pg.mkPen("w", width=2))
        self.plot.addItem(self.arrows)
        self.numbers = CellNumbers()
        self.plot.addItem(self.numbers)
        self.panel_names: list[pg.TextItem] = []
        self._shape: tuple[int, ...] | None = None
        self._arrow_version = 0
        self._labels_version = 0
        self._extent_version = 0
        self._axes_version = 0
        self._axis_labels = (self.option("x_label", "column"), self.option("y_label", "row"))
        if self.option("click"):
            self.image.mouseClickEvent = self._clicked
        self.plot.getViewBox().sigResized.connect(self._renumber)
        self.plot.getViewBox().sigRangeChanged.connect(self._renumber)
        theme.follow(self)

    def apply_theme(self, look: theme.Theme) -> None:
        super().apply_theme(look)
        theme.style_plot(self.plot, look, *self._axis_labels)
        self.colorbar.axis.setStyle(tickFont=theme.font(theme.TICK_PT))
        self.colorbar.axis.setPen(look.foreground)
        self.colorbar.axis.setTextPen(look.foreground)
        if self.option("colorbar_label"):
            self.colorbar.axis.setLabel(
                self.option("colorbar_label"), **{"color": look.foreground, "font-size": f"{theme.LABEL_PT}pt"}
            )
        theme.plain_numbers(self.colorbar.axis)
        self.numbers.color = QtGui.QColor(look.cell_text)
        self.arrows.setPen(pg.mkPen(look.cell_text, width=2))
        for item in self.panel_names:
            item.fill = pg.mkBrush(look.legend_fill)
            item.setColor(look.text)
        self._mask_color = look.mask
        if self.image.image is not None:
            self.mask.setImage(mask_image(self.image.image, look.mask))

    def array_keys(self) -> set[str]:
        extra = {self.option(k) for k in ("arrows", "labels_key", "extent_key", "axes_key") if self.option(k)}
        return super().array_keys() | extra

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
        self._read_axes()
        lo, hi = self.levels(arr)
        self.image.setImage(arr, autoLevels=False, levels=(lo, hi))
        self.mask.setImage(mask_image(arr, self._mask_color))
        if (lo, hi) != tuple(self.colorbar.levels()):
            self.colorbar.setLevels((lo, hi))
        if arr.shape != self._shape:
            self._shape = arr.shape
            transform = cells_to_data(self.extent, arr.shape)
            for item in (self.mask, self.image, self.arrows, self.numbers):
                item.setTransform(transform)
            self.numbers.clear()  # a map grown past MAX_NUMBERED_CELLS keeps no numbers of its old shape
            self._labels_version = 0
            if self.extent is None:
                self._number_cells(arr.shape)
            self.plot.getViewBox().enableAutoRange()  # keeps fitting as the panel resizes
        numbered = self.option("numbers", False) and arr.size <= MAX_NUMBERED_CELLS
        if numbered:
            self.numbers.set_values(arr)
        key = self.option("arrows")
        if key:
            version, vectors = self.latest.read(key)
            if vectors is not None and version != self._arrow_version:
                self._arrow_version = version
                vectors = np.where(np.isnan(arr)[..., None], 0.0, vectors)  # masked cells are no states
                self.arrows.setData(*arrow_segments(vectors, dy=0.12 if numbered else 0.0))
        self._name_panels(arr.shape)

    def _number_cells(self, shape: tuple[int, ...]) -> None:
        """A grid's ticks name its rows and columns at their centres (0, 1, 2...), not its edges at
        0.5 steps, as many as fit its cells on screen ("9 10 11" ran together on a small grid)."""
        box = self.plot.getViewBox()
        (x0, x1), (y0, y1) = box.viewRange()
        metrics = QtGui.QFontMetricsF(theme.font(theme.TICK_PT))
        for side, n, px, label, most in (
            (
                "bottom",
                shape[1],
                box.width() / max(x1 - x0, 1e-9),
                metrics.horizontalAdvance(str(shape[1] - 1)) + 8,
                12,
            ),
            ("left", shape[0], box.height() / max(y1 - y0, 1e-9), metrics.height(), 8),
        ):
            if px > 0:  # laid out: no more labels than the cells' width on screen holds
                most = min(most, max(1, int(n * px // label)))
            step = tick_step(n, most)
            self.plot.getAxis(side).setTicks([[(i + 0.5, str(i)) for i in range(0, n, step)]])

    def _renumber(self, *_: object) -> None:
        """Number a plain grid's cells again for its new size on screen (side-by-side maps name their own)."""
        if (
            self._shape is not None
            and self.extent is None
            and not self.option("labels")
            and not self.option("labels_key")
        ):
            self._number_cells(self._shape)

    def _read_axes(self) -> None:
        """The slice's extent and axis names, when the trainer sends them (they depend on the env)."""
        if self.option("extent_key"):
            version, extent = self.latest.read(self.option("extent_key"))
            if extent is not None and version != self._extent_version:
                self._extent_version = version
                self.extent = [float(v) for v in np.asarray(extent).ravel()[:4]]
                self._shape = None  # place the items again
        if self.option("axes_key"):
            version, picks = self.latest.read(self.option("axes_key"))
            if picks is not None and version != self._axes_version:
                self._axes_version = version
                names = self.option("axis_names") or []
                x, y = (names[i] if 0 <= i < len(names) else "" for i in np.asarray(picks, dtype=int).ravel()[:2])
                self._axis_labels = (x or self.option("x_label"), y or self.option("y_label"))
                theme.style_plot(self.plot, theme.current(), *self._axis_labels)

    def _name_panels(self, shape: tuple[int, int]) -> None:
        """Write each side-by-side map's name in its top-left corner (maps tiled with a 1-cell gap)."""
        version, names = bar_names(self, self._labels_version)
        if names is None:
            return
        self._labels_version = version
        for item in self.panel_names:
            self.plot.removeItem(item)
        cols = self.option("columns", 0) or len(names)
        rows = math.ceil(len(names) / cols) if names else 1
        h, w = (shape[0] + 1) // rows, (shape[1] + 1) // cols
        if self.extent is None:  # each map's own rows and columns
            for side, size, count in (("bottom", w, cols), ("left", h, rows)):
                step = tick_step(size - 1, 6)
                ticks = [(t * size + i + 0.5, str(i)) for t in range(count) for i in range(0, size - 1, step)]
                self.plot.getAxis(side).setTicks([ticks])
        look = theme.current()
        self.panel_names = []
        for i, name in enumerate(names):
            r, c = divmod(i, cols)
            item = pg.TextItem(name, color=look.text, fill=pg.mkBrush(look.legend_fill), anchor=(0, 0))
            item.setFont(theme.font(theme.MIN_PT))
            item.setPos(cells_to_data(self.extent, shape).map(QtCore.QPointF(c * w, r * h)))
            self.plot.addItem(item)
            self.panel_names.append(item)

    def reset(self) -> None:
        super().reset()
        self._arrow_version = 0
        self._labels_version = self._extent_version = self._axes_version = 0
        self.arrows.setData([], [])
        self.numbers.clear()
