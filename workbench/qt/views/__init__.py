"""Live views: each pulls the newest data from a sink when ``refresh()`` is called (~30 Hz by
its panel's timer) and only updates plot items it created once."""

from __future__ import annotations

from workbench.qt.views.bars import BarsView, HistogramView
from workbench.qt.views.curve import CurveView
from workbench.qt.views.heatmap import HeatmapView
from workbench.qt.views.image import ImageView
from workbench.qt.views.scatter import ScatterView

VIEW_KINDS = {
    "curve": CurveView,
    "image": ImageView,
    "heatmap": HeatmapView,
    "bars": BarsView,
    "histogram": HistogramView,
    "scatter": ScatterView,
}
