"""Bar charts: a 1-D array as bars named by ``labels`` (or by the names a trainer picks with
``labels_key``), a second array as markers or as bars beside them; and a histogram of samples."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from workbench.qt import theme
from workbench.qt.views.base import ArrayView
from workbench.qt.views.names import bar_names
from workbench.qt.views.titles import titled_plot

WIDTH = 0.7  # of the space one bar name has
MAX_LINES = 4  # bar names are staggered on at most this many lines


def staggered(names: list[str], room: float, metrics: QtGui.QFontMetricsF) -> list[str]:
    """``names`` of bars ``room`` pixels apart, staggered on as many lines as keep neighbours from
    running together: on a 300-pixel plot, "SGD Mom. Nest. RMSP. Adag." ran into one word."""
    widest = max((metrics.horizontalAdvance(n) for n in names), default=0.0) + 8
    lines = min(MAX_LINES, max(1, math.ceil(widest / max(room, 1.0))))
    return ["\n" * (i % lines) + n for i, n in enumerate(names)]


class BarsView(theme.PlacesLegend, ArrayView):
    """Bars of the first key; the optional second key is drawn as markers over them, or, when
    ``series`` names both keys, as a second bar beside each, with a legend under the plot."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plot = titled_plot(self.ci, self.title)
        self.grouped = len(self.spec.keys) == 2 and len(self.option("series") or []) == 2
        self.bars = pg.BarGraphItem(x=[], height=[], width=WIDTH)
        self.plot.addItem(self.bars)
        self.second = pg.BarGraphItem(x=[], height=[], width=WIDTH / 2)
        self.markers = pg.ScatterPlotItem(symbol="t1", size=12, pen=None)
        self.plot.addItem(self.second if self.grouped else self.markers)
        self.legend = theme.legend_below(self.ci, row=1)
        for item, name in zip((self.bars, self.second if self.grouped else self.markers), self.option("series") or []):
            self.legend.addItem(item, name)
        self.legend.setVisible(bool(self.option("series")))
        self._n = -1
        self._names_version = 0
        self._names: list[str] = []
        self.plot.getViewBox().sigResized.connect(self._name_bars)  # the room a name has changes
        self.plot.getViewBox().sigXRangeChanged.connect(self._name_bars)  # with the plot's width or range
        theme.follow(self)

    def apply_theme(self, look: theme.Theme) -> None:
        super().apply_theme(look)
        theme.style_plot(self.plot, look, self.option("x_label", ""), self.option("y_label", ""))
        theme.style_legend(self.legend, look)
        first, second = look.series[1], look.series[0]
        self.bars.setOpts(brush=first, pen=None)
        self.second.setOpts(brush=second, pen=None)
        self.markers.setBrush(pg.mkBrush(second))

    def array_keys(self) -> set[str]:
        return super().array_keys() | ({self.option("labels_key")} if self.option("labels_key") else set())

    def draw(self, arr: Any) -> None:
        values = np.asarray(arr, dtype=float).ravel()
        x = np.arange(len(values), dtype=float)
        if self.grouped:
            self.bars.setOpts(x=x - WIDTH / 4, height=values, width=WIDTH / 2)
        else:
            self.bars.setOpts(x=x, height=values, width=WIDTH)
        if len(self.spec.keys) > 1:
            _, other = self.latest.read(self.spec.keys[1])
            if other is not None:
                other = np.asarray(other, dtype=float).ravel()
                if self.grouped:
                    self.second.setOpts(x=np.arange(len(other)) + WIDTH / 4, height=other, width=WIDTH / 2)
                else:
                    self.markers.setData(np.arange(len(other)), other)
        version, names = bar_names(self, self._names_version)
        if names is not None:
            self._names_version = version
            self._names = names
            self._name_bars()
        if len(values) != self._n:
            self._n = len(values)
            self.plot.enableAutoRange()

    def _name_bars(self, *_: object) -> None:
        if not self._names:
            return
        axis, box = self.plot.getAxis("bottom"), self.plot.getViewBox()
        lo, hi = box.viewRange()[0]
        room = box.width() / max(hi - lo, 1e-9)
        metrics = QtGui.QFontMetricsF(axis.style["tickFont"] or QtGui.QFont())
        axis.setTicks([list(enumerate(staggered(self._names, room, metrics)))])

    def reset(self) -> None:
        super().reset()
        self._names_version = 0


class HistogramView(ArrayView):
    """A histogram of the latest (N,) samples; ``mean = true`` marks the mean and names it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plot = titled_plot(self.ci, self.title)
        self.curve = self.plot.plot(stepMode="center", fillLevel=0)
        self.mean_line = pg.InfiniteLine(angle=90)
        if self.option("mean", False):
            self.plot.addItem(self.mean_line)
        theme.follow(self)

    def apply_theme(self, look: theme.Theme) -> None:
        super().apply_theme(look)
        theme.style_plot(self.plot, look, self.option("x_label", ""), self.option("y_label", "count"))
        color = pg.mkColor(look.series[1])
        self.curve.setPen(pg.mkPen(color))
        color.setAlpha(150)
        self.curve.setBrush(pg.mkBrush(color))
        self.mean_line.setPen(pg.mkPen(look.series[0], width=2))

    def draw(self, arr: Any) -> None:
        samples = np.asarray(arr, dtype=float).ravel()
        samples = samples[np.isfinite(samples)]
        if samples.size == 0:
            return
        counts, edges = np.histogram(samples, bins=int(self.option("bins", 30)))
        self.curve.setData(edges, counts)
        if self.option("mean", False):
            mean = float(samples.mean())
            self.mean_line.setValue(mean)
            self.plot.titleLabel.setText(f"{self.title} (mean {mean:.4g}, n={samples.size})")
