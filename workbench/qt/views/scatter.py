"""Points in the plane coloured by label (latent spaces), with a legend of the classes; a click
can send an action the point's coordinates."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg

from workbench.qt import theme
from workbench.qt.views.base import ArrayView
from workbench.qt.views.titles import titled_plot

PALETTE = [
    pg.mkBrush(c)
    for c in (
        "#e6194b",
        "#3cb44b",
        "#ffe119",
        "#4363d8",
        "#f58231",
        "#911eb4",
        "#46f0f0",
        "#f032e6",
        "#bcf60c",
        "#fabebe",
    )
]


class ScatterView(theme.PlacesLegend, ArrayView):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plot = titled_plot(self.ci, self.title)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.points = pg.ScatterPlotItem(size=4, pen=None)
        self.plot.addItem(self.points)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self.legend = theme.legend_below(self.ci, row=1, columns=10)
        classes = self.option("classes") or []
        for i, name in enumerate(classes):
            self.legend.addItem(pg.ScatterPlotItem(size=8, pen=None, brush=PALETTE[i % len(PALETTE)]), name)
        self.legend.setVisible(bool(classes))
        theme.follow(self)

    def apply_theme(self, look: theme.Theme) -> None:
        super().apply_theme(look)
        theme.style_plot(self.plot, look, self.option("x_label", ""), self.option("y_label", ""))
        theme.style_legend(self.legend, look)
        self.points.setBrush(pg.mkBrush(look.series[1]))

    def _clicked(self, event: Any) -> None:
        action = self.option("click")
        if not action or not self.plot.sceneBoundingRect().contains(event.scenePos()):
            return
        p = self.plot.vb.mapSceneToView(event.scenePos())
        self.clicked(action, float(p.x()), float(p.y()))

    def draw(self, arr: Any) -> None:
        xy = np.asarray(arr, dtype=float).reshape(-1, 2)
        brushes = None
        if len(self.spec.keys) > 1:
            _, labels = self.latest.read(self.spec.keys[1])
            if labels is not None and len(labels) == len(xy):
                brushes = [PALETTE[int(v) % len(PALETTE)] for v in np.asarray(labels).ravel()]
        if brushes is None:
            self.points.setData(xy[:, 0], xy[:, 1])
        else:
            self.points.setData(xy[:, 0], xy[:, 1], brush=brushes)
