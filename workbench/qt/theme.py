"""One look for every view: the dark or light theme's colours (``colours``), fonts of at least 9 pt,
labelled axes, legends with a background placed off the data, and human names for series.

Views call ``style_plot`` once when they build a plot and register themselves with ``follow``;
``set_theme("light")`` then restyles every live view, images included.
"""

from __future__ import annotations

import math
import re
import weakref
from typing import Any, Protocol

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from workbench.qt import colours
from workbench.qt.colours import THEMES as THEMES
from workbench.qt.colours import Theme as Theme
from workbench.qt.colours import current as current
from workbench.qt.colours import palette as palette

MIN_PT = 9  # the smallest text a view draws, in points at 100% scale
TICK_PT = 9
LABEL_PT = 10
TITLE_PT = 10
UNLIMITED = 16_777_215  # Qt's QWIDGETSIZE_MAX


class Themed(Protocol):
    def apply_theme(self, theme: Theme) -> None: ...


_followers: weakref.WeakSet[Any] = weakref.WeakSet()


def set_theme(name: str) -> None:
    """Switch the window and every view, now and later, to the ``"dark"`` or ``"light"`` theme.

    Raises:
        ValueError: naming the unknown theme.
    """
    colours.use(name)
    plot_defaults()
    for view in list(_followers):
        try:
            view.apply_theme(current())
        except RuntimeError:  # a closed view's wrapper outlived its Qt items: it shows nothing now
            _followers.discard(view)


def plot_defaults() -> None:
    """pyqtgraph's own colours for what no view styles, from the current theme."""
    pg.setConfigOptions(background=current().background, foreground=current().foreground)


def follow(view: Themed) -> None:
    """Restyle ``view`` now and whenever the theme changes."""
    _followers.add(view)
    view.apply_theme(current())


def let_buttons_shrink(bar: QtWidgets.QWidget) -> None:
    """Push buttons in ``bar`` may narrow to their text when the window is small: Qt keeps a push
    button at least 80 px wide, and a panel's row of ten pushed a 1366-pixel window off the screen."""
    for button in bar.findChildren(QtWidgets.QPushButton):
        text = button.fontMetrics().horizontalAdvance(button.text())
        button.setMinimumWidth(min(text + 16, button.sizeHint().width()))


def font(pt: int = TICK_PT) -> QtGui.QFont:
    f = QtGui.QFont()
    f.setPointSizeF(max(pt, MIN_PT))
    return f


def style_plot(plot: pg.PlotItem, theme: Theme, x_label: str = "", y_label: str = "") -> None:
    """Axis labels, tick fonts and colours of ``plot`` in ``theme``; an empty label keeps the axis unlabelled."""
    for side, label in (("bottom", x_label), ("left", y_label)):
        axis = plot.getAxis(side)
        axis.setStyle(tickFont=font(TICK_PT))
        axis.setPen(theme.foreground)
        axis.setTextPen(theme.foreground)
        if label:
            axis.setLabel(label, **{"color": theme.foreground, "font-size": f"{LABEL_PT}pt"})
        plain_numbers(axis)
    for side in ("right", "top"):
        plot.getAxis(side).setStyle(tickFont=font(TICK_PT))
    if hasattr(plot.titleLabel, "setText"):
        plot.titleLabel.setText(plot.titleLabel.text, color=theme.text, size=f"{TITLE_PT}pt")


class LegendRow(pg.LegendItem):
    """A legend laid out as a row of its layout: as tall as its entries, no height when hidden,
    with as many columns as its width holds (up to ``most``), so a small view is not pushed wide."""

    ROW_PX = 18  # one row of entries
    MIN_PLOT_PX = 180  # a legend goes beside the plot only if this much width is left for it

    def __init__(self, grid: QtWidgets.QGraphicsGridLayout, most: int, **kwargs: Any) -> None:
        super().__init__(colCount=most, **kwargs)
        self.grid, self.most = grid, most
        self.beside = False
        self.setMinimumWidth(0)

    def updateSize(self) -> None:
        self._fit()  # not pyqtgraph's: it moves the legend to (0, 0), over the plot

    def entry_width(self) -> float:
        """One entry's width: its sample and label, each followed by the layout's spacing."""
        gap = 2 * self.layout.horizontalSpacing()
        return max(
            (sample.width() + label.item.boundingRect().width() + gap for sample, label in self.items), default=1.0
        )

    def columns_in(self, width: float) -> int:
        """How many entries side by side fit ``width`` (the tenth digit class ran past a 320-pixel view)."""
        left, _, right, _ = self.layout.getContentsMargins()
        return max(1, min(self.most, int((width - left - right) // self.entry_width())))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        columns = 1 if self.beside else self.columns_in(self.width())
        if columns != self.columnCount:
            self.setColumnCount(columns)

    def place(self, width: float, height: float) -> None:
        """Under the plot of a view ``width`` x ``height``, or beside it when under it would take
        more than a third of the height (seven optimisers in a 200-pixel view left no plot)."""
        entry = self.entry_width()
        rows_below = math.ceil(len(self.items) / self.columns_in(width))
        beside = rows_below * self.ROW_PX > height / 3 and width - entry > self.MIN_PLOT_PX
        if beside != self.beside:
            self.beside = beside
            # moved once the resize that asked for it is over: changing a layout inside its own resize crashed
            QtCore.QTimer.singleShot(0, self, self._move)

    def _move(self) -> None:
        self.grid.removeItem(self)
        self.grid.addItem(self, *((0, 1) if self.beside else (1, 0)))
        self.setMaximumWidth(self.entry_width() + 8 if self.beside else UNLIMITED)
        self.setColumnCount(1 if self.beside else self.most)
        self._fit()

    def setVisible(self, visible: bool) -> None:
        super().setVisible(visible)
        self._fit()

    def _fit(self) -> None:
        height = self.layout.sizeHint(QtCore.Qt.SizeHint.PreferredSize).height() + 4 if self.isVisible() else 0
        self.setMinimumHeight(height)
        self.setMaximumHeight(height)
        self.layout.setMinimumWidth(0)
        self.setMinimumWidth(0)
        self.updateGeometry()


class SpacedAxis(pg.AxisItem):
    """An x axis whose labelled ticks are spaced by their text's width: pyqtgraph always labels
    its major ticks, and on a 200-pixel plot "5000 10000 15000" ran together."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list:
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels or self._tickSpacing is not None or self.logMode or size <= 0:
            return levels
        metrics = QtGui.QFontMetricsF(self.style["tickFont"] or QtGui.QFont())
        widest = max(metrics.horizontalAdvance(f"{v * self.scale:g}") for v in (minVal, maxVal)) + 14
        major = levels[0][0]
        while (maxVal - minVal) / major * widest > size:
            decade = 10.0 ** math.floor(math.log10(major) + 1e-9)
            major = next(m * decade for m in (2, 5, 10) if m * decade > major * (1 + 1e-9))
        return levels if major == levels[0][0] else [(major, 0), (major / 5, 0)]


def plain_numbers(axis: pg.AxisItem) -> None:
    """Ticks in the data's own units: an SI prefix ("x0.001" after a label) reads as a unit and
    scaled 0.2 rad to 200. pyqtgraph computes a scale even while disabling it, hence the reset."""
    axis.enableAutoSIPrefix(False)
    axis.autoSIPrefixScale, axis.labelUnitPrefix = 1.0, ""
    axis.picture = None
    axis.update()


class PlacesLegend:
    """For a view with a ``legend`` (a ``LegendRow``): it moves under or beside the plot as the view resizes."""

    legend: LegendRow

    def resizeEvent(self, event: Any) -> None:  # Qt override
        super().resizeEvent(event)
        # pyqtgraph resizes during __init__, before the legend exists, and in close(), after the scene is gone
        legend = getattr(self, "legend", None)
        if legend is not None and not getattr(self, "closed", False):
            legend.place(self.width(), self.height())


def legend_below(layout: pg.GraphicsLayout, row: int, columns: int = 4) -> pg.LegendItem:
    """A legend in its own row of ``layout`` under the plot (or beside it: ``LegendRow.place``): it
    never covers data. Hidden until shown; compact, as small views at 1366x768 have little height."""
    legend = LegendRow(layout.layout, columns, labelTextSize=f"{LABEL_PT}pt", verSpacing=-6, horSpacing=8)
    legend.layout.setContentsMargins(4, 0, 4, 0)
    layout.addItem(legend, row=row, col=0)
    legend.setVisible(False)
    return legend


def style_legend(legend: pg.LegendItem, theme: Theme) -> None:
    legend.setBrush(pg.mkBrush(theme.legend_fill))
    legend.setPen(pg.mkPen(theme.foreground, width=0.5))
    legend.setLabelTextColor(theme.text)
    legend.setLabelTextSize(f"{LABEL_PT}pt")
    for _, label in legend.items:
        label.setText(label.text, color=theme.text, size=f"{LABEL_PT}pt")


SYMBOLS = {
    "eps": "ε",
    "epsilon": "ε",
    "alpha": "α",
    "gamma": "γ",
    "lr": "lr",
    "beta": "β",
    "tau": "τ",
    "c": "c",
    "q0": "Q₀",
    "temperature": "T",
    "lambda": "λ",
    "n": "n",
}


def human_label(key: str, labels: dict[str, str] | None = None) -> str:
    """What a legend calls the series ``key``: the plugin's own name for it if it gives one,
    a variant ``avg_reward/eps=0.01`` as ``ε = 0.01``, else the key with spaces for underscores.

    Example:
        >>> human_label("avg_reward/eps=0.01")
        'ε = 0.01'
        >>> human_label("avg_reward/ucb c=2", {"avg_reward/ucb c=2": "UCB, c = 2"})
        'UCB, c = 2'
    """
    labels = labels or {}
    if key in labels:
        return labels[key]
    head, _, variant = key.partition("/")
    if variant:
        if variant in labels:
            return labels[variant]
        return re.sub(r"([A-Za-z_][A-Za-z0-9_]*)=", lambda m: f"{SYMBOLS.get(m.group(1), m.group(1))} = ", variant)
    return labels.get(head, head.replace("_", " "))


plot_defaults()  # views built before any set_theme draw in the chosen theme too
