"""Bar charts: a 1-D array as bars (with optional markers), and a histogram of samples."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg

from workbench.qt.views.base import ArrayView
from workbench.qt.views.titles import titled_plot


class BarsView(ArrayView):
    """Bars of the first key; the optional second key is drawn as markers over them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plot = titled_plot(self.ci, self.title)

        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush="#4fc3f7")
        self.plot.addItem(self.bars)
        self.markers = pg.ScatterPlotItem(symbol="t1", size=12, brush="#f5c542", pen=None)
        self.plot.addItem(self.markers)
        labels = self.option("labels")
        if labels:
            self.plot.getAxis("bottom").setTicks([list(enumerate(labels))])
        self._n = -1

    def draw(self, arr: Any) -> None:
        values = np.asarray(arr, dtype=float).ravel()
        x = np.arange(len(values))
        self.bars.setOpts(x=x, height=values, width=0.7)
        if len(self.spec.keys) > 1:
            _, marks = self.latest.read(self.spec.keys[1])
            if marks is not None:
                marks = np.asarray(marks, dtype=float).ravel()
                self.markers.setData(np.arange(len(marks)), marks)
        if len(values) != self._n:
            self._n = len(values)
            self.plot.enableAutoRange()


class HistogramView(ArrayView):
    """A histogram of the latest (N,) samples; ``mean = true`` marks the mean and names it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plot = titled_plot(self.ci, self.title)
        self.curve = self.plot.plot(stepMode="center", fillLevel=0, brush=(79, 195, 247, 150), pen="#4fc3f7")
        self.mean_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#f5c542", width=2))
        if self.option("mean", False):
            self.plot.addItem(self.mean_line)

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
            self.plot.setTitle(f"{self.title} (mean {mean:.4g}, n={samples.size})")
