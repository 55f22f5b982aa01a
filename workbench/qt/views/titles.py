"""View titles that wrap to the width they are given.

pyqtgraph's ``LabelItem`` makes its whole text the minimum width of its layout column, so a
long title (many carry instructions, such as "click a cell to paint it") pushed its plot past
the view's edge and cut the plot off. These titles ask for no width and wrap instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from workbench.qt.theme import SpacedAxis

MIN_WIDTH = 40


class WrappedTitle(pg.LabelItem):
    """A centred label that wraps to its width; ``on_height(h)`` hears when its height changes."""

    def __init__(self, text: str, on_height: Callable[[float], None] | None = None, **style: Any) -> None:
        self._on_height = on_height
        self._height = 0.0
        super().__init__(text, **style)
        self.item.document().setDefaultTextOption(QtGui.QTextOption(QtCore.Qt.AlignmentFlag.AlignHCenter))

    def resizeEvent(self, event: Any) -> None:
        width = max(self.width(), MIN_WIDTH)
        if self.item.textWidth() != width:
            self.item.setTextWidth(width)
        super().resizeEvent(event)

    def updateMin(self) -> None:
        height = self.itemRect().height()
        self.setMinimumWidth(MIN_WIDTH)
        self.setMinimumHeight(height)
        self._sizeHint = {
            QtCore.Qt.SizeHint.MinimumSize: (MIN_WIDTH, height),
            QtCore.Qt.SizeHint.PreferredSize: (MIN_WIDTH, height),
            QtCore.Qt.SizeHint.MaximumSize: (-1, -1),
            QtCore.Qt.SizeHint.MinimumDescent: (0, 0),
        }
        self.updateGeometry()
        if height != self._height:
            self._height = height
            if self._on_height is not None:
                self._on_height(height)


FLAT = 1e-9
"""A range narrower than this share of its values is rounding noise (a mean of equal values)."""
FLAT_SPAN = 0.02
"""The share of its value a flat range is widened to, so the axis reads 99.5, 100, 100.5."""


class SteadyViewBox(pg.ViewBox):
    """A view box that shows data equal up to rounding as flat: pyqtgraph zooms into a range of
    about 1e-14 there, and labels the axis 100.0000000000003 over a zigzag of float noise."""

    def setRange(self, rect: Any = None, xRange: Any = None, yRange: Any = None, **kwargs: Any) -> None:
        if rect is not None:
            rect = QtCore.QRectF(rect)
            xRange, yRange, rect = (rect.left(), rect.right()), (rect.top(), rect.bottom()), None
        super().setRange(None, widen_flat(xRange), widen_flat(yRange), **kwargs)


def widen_flat(span: Any) -> Any:
    """``span`` (low, high), or a range of ``FLAT_SPAN`` around it when it is flat but for noise."""
    if span is None:
        return None
    low, high = min(span), max(span)
    middle = (low + high) / 2
    if 0 < high - low <= FLAT * abs(middle):
        return middle - FLAT_SPAN / 2 * abs(middle), middle + FLAT_SPAN / 2 * abs(middle)
    return span


def titled_plot(layout: pg.GraphicsLayout, title: str) -> pg.PlotItem:
    """A plot in ``layout`` whose title wraps (in place of pyqtgraph's one-line title), whose
    x ticks leave room for their labels, and whose range shows noise-flat data as flat."""
    plot = layout.addPlot(viewBox=SteadyViewBox(), axisItems={"bottom": SpacedAxis("bottom")})
    plot.layout.removeItem(plot.titleLabel)
    if plot.titleLabel.scene() is not None:
        plot.titleLabel.scene().removeItem(plot.titleLabel)
    plot.titleLabel = WrappedTitle(
        title, on_height=lambda h: plot.layout.setRowFixedHeight(0, h), size="11pt", parent=plot
    )
    plot.layout.addItem(plot.titleLabel, 0, 1)
    return plot
