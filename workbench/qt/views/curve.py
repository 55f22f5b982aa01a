"""Scalars against step, with an optional running mean and markers where live changes happened."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pyqtgraph as pg

from workbench.qt import theme
from workbench.qt.views.base import View
from workbench.qt.views.marks import MarkLayer
from workbench.qt.views.titles import titled_plot

X_LABEL = "env step"
"""A curve's x axis, its steps, unless its view names them otherwise (episodes, gradient steps)."""


def running_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` values at each point (fewer at the start)."""
    c = np.cumsum(np.insert(values, 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    lo = np.maximum(idx - window, 0)
    return (c[idx] - c[lo]) / (idx - lo)


def extend_running_mean(means: np.ndarray, values: np.ndarray, window: int) -> np.ndarray:
    """``means`` (the running means of the first ``len(means)`` values) extended to all of
    ``values``, computing only the new points: a curve gains a few points a tick."""
    n = len(means)
    start = max(n - window, 0)  # the new points' windows lie within values[start:]
    return np.concatenate([means, running_mean(values[start:], window)[n - start :]])


class LogAxis(pg.AxisItem):
    """A log axis that labels decades, then 2 and 5, then 3, 4, 6..9 as far as they have room.

    pyqtgraph puts decades and the ticks between them in one level, which is always labelled:
    eighteen labels crowded the gridworld's 300-pixel residual plot.
    """

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.setStyle(textFillLimits=[(0, 0.8), (2, 0.3)])  # with two decades labelled, fill at most 30%

    def logTickValues(self, minVal: float, maxVal: float, size: float, stdTicks: list) -> list:
        levels = super().logTickValues(minVal, maxVal, size, stdTicks)
        if len(levels) != 1:
            return levels
        values = np.asarray(levels[0][1])
        mantissa = np.round(10.0 ** (values - np.floor(values + 1e-9)))  # 1 at decades, else 2..9
        return [
            (1.0, list(values[mantissa == 1])),
            (None, list(values[np.isin(mantissa, (2, 5))])),
            (None, list(values[~np.isin(mantissa, (1, 2, 5))])),
        ]


class CurveView(theme.PlacesLegend, View):
    """Scalars against step; comparisons (``prefix``) and several keys get a legend under the plot,
    with human names; a lone point is drawn as a marker."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plot = titled_plot(self.ci, self.title)
        # no grid: a grid makes each axis span the plot, so every curve update repainted the axes
        if self.option("logy", False):
            self.plot.setAxisItems({"left": LogAxis("left")})
            self.plot.setLogMode(y=True)
        # The x axis grows in 25% jumps instead of at every point: a moving range re-lays-out
        # and repaints the axes on every refresh, which was most of the GUI thread's time.
        self.plot.enableAutoRange(x=False)
        self._follow_x = True
        self.plot.getViewBox().sigRangeChangedManually.connect(self._stop_following)
        self.legend = theme.legend_below(self.ci, row=1)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.means: dict[str, pg.PlotDataItem] = {}
        self._mean_values: dict[str, np.ndarray] = {}
        self._versions: dict[str, tuple[int, int]] = {}
        self._lone: set[str] = set()  # keys drawn as one marker
        self.marks = MarkLayer(self.plot)
        theme.follow(self)

    def apply_theme(self, look: theme.Theme) -> None:
        super().apply_theme(look)
        theme.style_plot(self.plot, look, self.option("x_label", X_LABEL), self.option("y_label", ""))
        theme.style_legend(self.legend, look)
        for i, key in enumerate(self.curves):
            self._colour(key, look.series[i % len(look.series)])

    def _colour(self, key: str, color: str) -> None:
        # with a running mean, the raw values are a faint backdrop to it; every pen is one
        # pixel wide: wider pens took a quarter of the GUI's time (drawn segment by segment)
        faint = pg.mkColor(color).darker(300) if theme.current().name == "dark" else pg.mkColor(color).lighter(170)
        raw = faint if key in self.means else pg.mkColor(color)  # opaque: blending cost more
        self.curves[key].setPen(pg.mkPen(raw, width=1))
        self.curves[key].setSymbolBrush(pg.mkBrush(color))
        if key in self.means:
            self.means[key].setPen(pg.mkPen(color, width=1))

    def _keys(self) -> list[str]:
        keys = list(self.spec.keys)
        if self.option("prefix", False):
            known = self.history.keys()
            variants = sorted(name for name in known for k in self.spec.keys if name.startswith(k + "/"))
            # a comparison's variants replace the plain key (which repeats the first of them)
            keys = [k for k in keys if k in known and not any(v.startswith(k + "/") for v in variants)] + variants
        return keys

    def _curve(self, key: str) -> pg.PlotDataItem:
        if key not in self.curves:
            window = self.option("mean")
            item = self.plot.plot(symbol=None, symbolSize=7, symbolPen=None)
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
            item.setSkipFiniteCheck(False)
            self.curves[key] = item
            named = item
            if window:
                mean = self.plot.plot()
                mean.setDownsampling(auto=True, method="peak")
                mean.setClipToView(True)
                self.means[key] = mean
                named = mean
            self.legend.addItem(named, theme.human_label(key, self.option("labels")))
            self.legend.setVisible(len(self.curves) > 1)
            self.legend.place(self.width(), self.height())
            look = theme.current()
            self._colour(key, look.series[(len(self.curves) - 1) % len(look.series)])
            theme.style_legend(self.legend, look)
        return self.curves[key]

    def _mark_lone_point(self, key: str, n: int) -> None:
        """One point draws no line: it gets a marker until a second one arrives."""
        lone = n == 1
        if lone != (key in self._lone):
            self.curves[key].setSymbol("o" if lone else None)
            (self._lone.add if lone else self._lone.discard)(key)
            for sample, _ in self.legend.items:  # legend samples draw the marker too: repaint them
                sample.update()

    def _stop_following(self, *_: object) -> None:
        self._follow_x = False

    def _grow_x(self, last_step: float) -> None:
        lo, hi = self.plot.getViewBox().viewRange()[0]
        if self._follow_x and (last_step > hi or hi > 4 * max(last_step, 1.0)):
            self.plot.setXRange(0, max(last_step * 1.25, 10.0), padding=0)

    def waiting(self) -> bool:
        return any(self.history.version(key) != self._versions.get(key, (0, 0)) for key in self._keys())

    def refresh(self) -> None:
        newest = None
        for key in self._keys():
            version = self.history.version(key)
            seen = self._versions.get(key, (0, 0))
            if version == seen:
                continue
            if version[0] != seen[0]:  # the history thinned its points: means start over
                self._mean_values.pop(key, None)
            self._versions[key] = version
            steps, values = self.history.read(key)
            self._curve(key).setData(steps, values)
            self._mark_lone_point(key, len(steps))
            newest = max(newest or steps[-1], steps[-1])
            if key in self.means:
                means = extend_running_mean(self._mean_values.get(key, np.empty(0)), values, int(self.option("mean")))
                self._mean_values[key] = means
                self.means[key].setData(steps, means)
        if newest is not None:
            self.drawn_at = time.monotonic()
            self._grow_x(newest)
            self.show_waiting()
        lo, hi = self.plot.getViewBox().viewRange()[0]
        self.marks.update(self.history.marks(), hi - lo)

    def has_data(self) -> bool:
        return self.applies and bool(self.curves)

    def reset(self) -> None:
        for item in [*self.curves.values(), *self.means.values()]:
            self.plot.removeItem(item)
        self.marks.clear()
        self.legend.clear()
        self.legend.setVisible(False)
        self.curves.clear()
        self.means.clear()
        self._mean_values.clear()
        self._versions.clear()
        self._lone.clear()
        self.follow()
        self.show_waiting()

    def follow(self) -> None:
        """Fit y and let x grow with the data again (x is never auto-ranged: see ``__init__``)."""
        super().follow()
        self.plot.enableAutoRange(x=False)
        self._follow_x = True
        ends = [item.xData[-1] for item in self.curves.values() if item.xData is not None and len(item.xData)]
        self.plot.setXRange(0, max(max(ends, default=0.0) * 1.25, 10.0), padding=0)
