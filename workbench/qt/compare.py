"""Runs overlaid on one plot per metric: each run its colour and the name of the settings it
differs by, runs that differ only by seed pooled into a mean with a band of one standard
deviation, a fork branching off its parent's curve at the step it forked at (a dot marks the
point), the x axis by step or by wall-clock time, and TensorBoard's EMA smoothing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from workbench.core.compare import (
    SEED,
    ema,
    envelope,
    label,
    lineage,
    mean_band,
    seed_groups,
    settings_of,
    varying,
)
from workbench.core.manifest import ViewSpec, curve_keys
from workbench.core.runs import NOT_METRICS, RunInfo, read_curves
from workbench.qt import theme
from workbench.qt.setting_colours import legend_html, setting_colours
from workbench.qt.views.curve import X_LABEL
from workbench.qt.views.titles import SteadyViewBox

X_AXES = ("step", "wall-clock")
WALL_CLOCK_LABEL = "wall-clock time since the run started (s)"
PLOT_HEIGHT = 280  # pixels a row of plots keeps at the least
SMOOTHING_STEPS = 100  # the slider's positions: weights 0, 0.01, … 0.99
BAND_POINTS = 4000  # a mean ± std band's resolution: a screen's width, twice over


def _curve(plot: pg.PlotItem, x: np.ndarray, y: np.ndarray, **style: Any) -> pg.PlotDataItem:
    """A curve of a long run, drawn clipped to the view and peak-downsampled to about two points
    per pixel (the series hold no NaN: the finite check is skipped)."""
    item = plot.plot(x, y, skipFiniteCheck=True, **style)
    item.opts["autoDownsampleFactor"] = 1.0  # pyqtgraph's 5 samples a pixel add nothing the peaks show
    return item


def metrics_of(curves: list[dict[str, np.ndarray]]) -> list[str]:
    """Every metric any of the runs logged, in first-seen order."""
    seen: dict[str, None] = {}
    for columns in curves:
        seen.update(dict.fromkeys(k for k in columns if k not in NOT_METRICS))
    return list(seen)


def plot_names(views: tuple[ViewSpec, ...], metric: str) -> tuple[str, str, str]:
    """The title, y-axis label and step axis's label of ``metric``'s plot: those of the plugin's
    curve view that draws it, so a comparison reads like the panel; else the key in words."""
    plain = metric.replace("_", " ")
    for view in views:
        if not view.draws(metric):
            continue
        labels, y_label = view.options.get("labels") or {}, view.options.get("y_label") or plain
        x_label = view.options.get("x_label") or X_LABEL
        if view.keys == (metric,):
            return view.title or plain.capitalize(), y_label, x_label
        if metric in view.keys:  # one of the view's curves: its label says which, else its key
            title = f"{view.title} — {labels[metric]}" if metric in labels else plain.capitalize()
            return title, y_label, x_label
        variant = metric.partition("/")[2]  # a variant of a key of a view that compares
        return f"{view.title} — {labels.get(variant, theme.human_label(metric, labels))}", y_label, x_label
    return plain.capitalize(), plain, "step"


class CompareView(QtWidgets.QWidget):
    """Several runs on one plot per metric: with ``views`` (the runs' plugin's), the keys of its
    curve views under their titles and labels, else every metric logged."""

    def __init__(self, runs: list[RunInfo], views: tuple[ViewSpec, ...] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare runs")
        self.runs = runs
        self.curves = [read_curves(r.path) for r in runs]
        self.configs = configs = [settings_of(r) for r in runs]
        self.keys = keys = varying(configs)
        self.names = [label(c, keys) or r.name for c, r in zip(configs, runs)]
        known = {os.path.realpath(r.path): c for r, c in zip(runs, self.curves)}
        self.lineages = [lineage(c, r.parent, known) for r, c in zip(runs, self.curves)]
        by_path = {os.path.realpath(r.path): name for r, name in zip(runs, self.names)}
        self.labels = [
            name
            if lin.parent is None
            else f"{name}: fork of {by_path.get(os.path.realpath(lin.parent), Path(lin.parent).name)} "
            f"at step {lin.step:g}"
            for name, lin in zip(self.names, self.lineages)
        ]
        # runs pool as seeds only when they also forked from the same point
        self.groups = seed_groups([{**c, " fork": (lin.parent, lin.step)} for c, lin in zip(configs, self.lineages)])
        self.group_names = [label(configs[g[0]], [k for k in keys if k != SEED]) or "all" for g in self.groups]
        logged = metrics_of(self.curves)
        metrics = curve_keys(views)
        # a curve view's key stands for itself and its variants ("episode_return/sarsa", …)
        self.metrics = list(
            dict.fromkeys(m for key in (metrics or logged) for m in logged if m == key or m.startswith(key + "/"))
        )

        self.x_axis = QtWidgets.QComboBox()
        self.x_axis.addItems(list(X_AXES))
        self.smoothing = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, minimum=0, maximum=SMOOTHING_STEPS - 1)
        self.smoothing_label = QtWidgets.QLabel()
        self.pooled = QtWidgets.QCheckBox("seeds as mean ± std")
        self.pooled.setChecked(True)
        self.pooled.setEnabled(any(len(g) > 1 for g in self.groups))
        bar = QtWidgets.QHBoxLayout()
        for widget in (
            QtWidgets.QLabel("x axis"),
            self.x_axis,
            QtWidgets.QLabel("smoothing"),
            self.smoothing,
            self.smoothing_label,
            self.pooled,
        ):
            bar.addWidget(widget)
        self.graphics = pg.GraphicsLayoutWidget()
        self.plots: dict[str, pg.PlotItem] = {}
        self.y_labels: dict[str, str] = {}
        self.step_labels: dict[str, str] = {}  # what a step is on each plot: an env step, an episode…
        for i, metric in enumerate(self.metrics):
            title, self.y_labels[metric], self.step_labels[metric] = plot_names(views, metric)
            plot = self.graphics.addPlot(row=i // 2, col=i % 2, title=title, viewBox=SteadyViewBox())
            # long runs: each curve draws only what is in view, at most a few points per pixel
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            self.plots[metric] = plot
        # one legend for every plot, above them: the runs are the same in each, and it hides no data
        self.legend = QtWidgets.QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.legend)
        scroll = QtWidgets.QScrollArea()  # many metrics scroll rather than shrink to slivers
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.graphics)
        self.graphics.setMinimumHeight(PLOT_HEIGHT * ((len(self.metrics) + 1) // 2))
        layout.addWidget(scroll, 1)
        for signal in (self.x_axis.currentIndexChanged, self.smoothing.valueChanged, self.pooled.toggled):
            signal.connect(self.redraw)
        theme.follow(self)  # styled and drawn in the current theme, and again on a switch

    def apply_theme(self, look: theme.Theme) -> None:
        self._look = look
        self.graphics.setBackground(look.background)
        for metric, plot in self.plots.items():
            theme.style_plot(plot, look, self.x_label(metric), self.y_labels[metric])
        self.redraw()

    def x_label(self, metric: str) -> str:
        return self.step_labels[metric] if self.x_axis.currentText() == "step" else WALL_CLOCK_LABEL

    @property
    def weight(self) -> float:
        return self.smoothing.value() / SMOOTHING_STEPS

    def series(self, i: int, metric: str, smoothed: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Run ``i``'s ``metric`` against the chosen x, its NaNs left out, smoothed unless not
        ``smoothed``. A fork's starts at its branch point, on its parent's curve: smoothed over
        its ancestors' rows, and on the wall clock going on from the parent's time there."""
        x, y, before = self._lineage_xy(i, metric)
        start = max(before - 1, 0)
        return x[start:], ema(y, self.weight if smoothed else 0.0)[start:]

    def branch_point(self, i: int, metric: str) -> tuple[float, float] | None:
        """Where run ``i``'s curve leaves its parent's; None unless it is a fork of a readable run."""
        if self.lineages[i].parent is None or self._lineage_xy(i, metric)[2] == 0:
            return None
        x, y = self.series(i, metric)
        return float(x[0]), float(y[0])

    def _lineage_xy(self, i: int, metric: str) -> tuple[np.ndarray, np.ndarray, int]:
        """x and y of run ``i``'s lineage (NaNs left out) and how many of the points are its ancestors'."""
        lin = self.lineages[i]
        columns = lin.columns
        if metric not in columns:
            return np.empty(0), np.empty(0), 0
        y, x = columns[metric], columns["step"]
        if self.x_axis.currentText() == "wall-clock":
            wall = columns.get("wall_time", np.full(len(y), np.nan))
            x = wall - np.nanmin(wall) if np.isfinite(wall).any() else wall
        keep = np.isfinite(x) & np.isfinite(y)
        return x[keep], y[keep], int(keep[: lin.own_from].sum())

    def _pooled_name(self, n: int) -> str | None:
        """Group ``n``'s legend name where its seeds are drawn pooled, else None (each run its own)."""
        group = self.groups[n]
        if self.pooled.isChecked() and len(group) > 1:
            return f"{self.group_names[n]} (mean ± std of {len(group)} seeds)"
        return None

    def redraw(self) -> None:
        self.smoothing_label.setText(f"{self.weight:.2f}")
        shown: dict[str, dict[str, Any]] = {}  # the legend's names, in its order, with the settings they differ by
        for n, group in enumerate(self.groups):
            pooled = self._pooled_name(n)
            for name, i in [(pooled, group[0])] if pooled is not None else [(self.labels[i], i) for i in group]:
                shown.setdefault(name, {k: self.configs[i][k] for k in self.keys if k != SEED})
        entries = setting_colours(self._look, shown)
        for metric, plot in self.plots.items():
            plot.clear()
            plot.setLabel("bottom", self.x_label(metric))
            for n, group in enumerate(self.groups):
                pooled = self._pooled_name(n)
                if pooled is not None:
                    self._draw_band(plot, metric, group, entries[pooled], pooled)
                    continue
                for i in group:
                    self._draw_run(plot, i, metric, entries[self.labels[i]])
        self.legend.setText(legend_html(entries))

    def _draw_run(self, plot: pg.PlotItem, i: int, metric: str, color: Any) -> None:
        if self.weight > 0:  # TensorBoard's way: the raw values faint under the smoothed curve
            faint = pg.mkColor(color)
            faint.setAlpha(70)
            _curve(plot, *self.series(i, metric, smoothed=False), pen=pg.mkPen(faint, width=1))
        _curve(plot, *self.series(i, metric), pen=pg.mkPen(color, width=1), name=self.labels[i])
        branch = self.branch_point(i, metric)
        if branch is not None:
            plot.plot([branch[0]], [branch[1]], pen=None, symbol="o", symbolSize=8, symbolBrush=color)

    def _draw_band(self, plot: pg.PlotItem, metric: str, group: list[int], color: Any, name: str) -> None:
        x, mean, std = mean_band([self.series(i, metric) for i in group])
        # the band's edges are plot data items, so the fill follows their clipped, downsampled
        # paths; and at most BAND_POINTS, since filling between two curves is slow in pyqtgraph
        edges = envelope(x, mean - std, mean + std, BAND_POINTS)
        edge = pg.mkPen((0, 0, 0, 0))  # a pen that draws nothing: with none, the item makes no path to fill
        low, high = _curve(plot, edges[0], edges[1], pen=edge), _curve(plot, edges[0], edges[2], pen=edge)
        fill = pg.mkColor(color)
        fill.setAlpha(60)  # the band shows where the seeds spread; the mean line stays readable over it
        plot.addItem(pg.FillBetweenItem(low, high, brush=pg.mkBrush(fill)))
        _curve(plot, x, mean, pen=pg.mkPen(color, width=2), name=name)
