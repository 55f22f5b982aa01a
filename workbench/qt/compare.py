"""Runs overlaid on one plot per metric: each run its colour and the name of the settings it
differs by, runs that differ only by seed pooled into a mean with a band of one standard
deviation, the x axis by step or by wall-clock time, and TensorBoard's EMA smoothing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from workbench.core.compare import SEED, ema, label, mean_band, seed_groups, varying
from workbench.core.runs import NOT_METRICS, RunInfo, read_curves

X_AXES = {"step": "Step", "wall-clock": "Wall-clock time since the run started (s)"}
SMOOTHING_STEPS = 100  # the slider's positions: weights 0, 0.01, … 0.99


def _color(i: int) -> Any:
    """The ``i``-th of eight well-separated hues, light enough for a dark plot."""
    return pg.intColor(i, hues=8, minValue=200)


def metrics_of(curves: list[dict[str, np.ndarray]]) -> list[str]:
    """Every metric any of the runs logged, in first-seen order."""
    seen: dict[str, None] = {}
    for columns in curves:
        seen.update(dict.fromkeys(k for k in columns if k not in NOT_METRICS))
    return list(seen)


class CompareView(QtWidgets.QWidget):
    """Several runs on one plot per metric (``metrics``: the plugin's curve keys, else all)."""

    def __init__(self, runs: list[RunInfo], metrics: list[str] | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare runs")
        self.runs = runs
        self.curves = [read_curves(r.path) for r in runs]
        configs = [r.config for r in runs]
        keys = varying(configs)
        self.names = [label(c, keys) or r.name for c, r in zip(configs, runs)]
        self.groups = seed_groups(configs)
        self.group_names = [label(configs[g[0]], [k for k in keys if k != SEED]) or "all" for g in self.groups]
        self.metrics = [m for m in (metrics or metrics_of(self.curves)) if any(m in c for c in self.curves)]

        self.x_axis = QtWidgets.QComboBox()
        self.x_axis.addItems(list(X_AXES))
        self.smoothing = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, minimum=0, maximum=SMOOTHING_STEPS - 1)
        self.smoothing_label = QtWidgets.QLabel()
        self.pooled = QtWidgets.QCheckBox("seeds as mean ± std")
        self.pooled.setChecked(True)
        self.pooled.setEnabled(any(len(g) > 1 for g in self.groups))
        bar = QtWidgets.QHBoxLayout()
        for widget in (QtWidgets.QLabel("x axis"), self.x_axis, QtWidgets.QLabel("smoothing"), self.smoothing,
                       self.smoothing_label, self.pooled):
            bar.addWidget(widget)
        self.graphics = pg.GraphicsLayoutWidget()
        self.plots: dict[str, pg.PlotItem] = {}
        for i, metric in enumerate(self.metrics):
            plot = self.graphics.addPlot(row=i // 2, col=i % 2, title=metric.replace("_", " ").capitalize())
            plot.setLabel("left", metric.replace("_", " "))
            plot.addLegend(offset=(-5, 5), brush=pg.mkBrush(0, 0, 0, 170))
            self.plots[metric] = plot
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.graphics, 1)
        for signal in (self.x_axis.currentIndexChanged, self.smoothing.valueChanged, self.pooled.toggled):
            signal.connect(self.redraw)
        self.redraw()

    @property
    def weight(self) -> float:
        return self.smoothing.value() / SMOOTHING_STEPS

    def series(self, i: int, metric: str) -> tuple[np.ndarray, np.ndarray]:
        """Run ``i``'s ``metric`` against the chosen x, its NaNs left out, smoothed."""
        columns = self.curves[i]
        y = columns.get(metric, np.empty(0))
        x = columns.get("step", np.empty(0))
        if self.x_axis.currentText() == "wall-clock":
            wall = columns.get("wall_time", np.full(len(y), np.nan))
            x = wall - np.nanmin(wall) if np.isfinite(wall).any() else wall
        keep = np.isfinite(x) & np.isfinite(y)
        return x[keep], ema(y[keep], self.weight)

    def redraw(self) -> None:
        self.smoothing_label.setText(f"{self.weight:.2f}")
        for metric, plot in self.plots.items():
            plot.clear()
            plot.legend.clear()
            plot.setLabel("bottom", X_AXES[self.x_axis.currentText()])
            for n, group in enumerate(self.groups):
                if self.pooled.isChecked() and len(group) > 1:
                    self._draw_band(plot, metric, group, _color(n), self.group_names[n])
                else:
                    for i in group:
                        x, y = self.series(i, metric)
                        plot.plot(x, y, pen=pg.mkPen(_color(i), width=1), name=self.names[i])

    def _draw_band(self, plot: pg.PlotItem, metric: str, group: list[int], color: str, name: str) -> None:
        x, mean, std = mean_band([self.series(i, metric) for i in group])
        low, high = pg.PlotDataItem(x, mean - std, pen=None), pg.PlotDataItem(x, mean + std, pen=None)
        fill = pg.mkColor(color)
        fill.setAlpha(60)  # the band shows where the seeds spread; the mean line stays readable over it
        plot.addItem(pg.FillBetweenItem(low, high, brush=pg.mkBrush(fill)))
        plot.plot(x, mean, pen=pg.mkPen(color, width=2), name=f"{name} (mean ± std of {len(group)} seeds)")
