"""What every view shares: a titled pyqtgraph widget reading one or more keys from a sink, that
a person can maximise, detach or hide (double-click, right-click menu) and send back to
following new data after a zoom."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from workbench.core.manifest import ViewSpec
from workbench.core.sinks import HistorySink, LatestSink
from workbench.core.view_kinds import waiting_line
from workbench.core.view_when import holds
from workbench.qt import theme
from workbench.qt.views.notice import WaitingNotice

pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)

# The least a view needs to stay readable: a two-line title, a plot, its axes' labels and a row
# of legend. The grid puts views that do not fit at this size on pages of their own.
MIN_SIZE = (270, 200)


class View(pg.GraphicsLayoutWidget):
    """Base of all views. ``clicked(action, x, y)`` is how a view asks for the action its spec
    names under ``click`` at the point clicked, in data coordinates."""

    arrange_requested = QtCore.Signal(str)

    def __init__(
        self,
        spec: ViewSpec,
        history: HistorySink,
        latest: LatestSink,
        clicked: Callable[[str, float, float], None] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.spec, self.history, self.latest = spec, history, latest
        self.clicked = clicked or (lambda action, x, y: None)
        self.setMinimumSize(*MIN_SIZE)
        self.title = spec.title or ", ".join(spec.keys)
        self.applies = True  # whether the run's config satisfies the view's `when`
        self.notice = WaitingNotice(self, self.option("waiting", ""))
        self.follow_button = QtWidgets.QToolButton(self, text="⟲ follow")
        self.follow_button.setToolTip("Zoomed: new data is not followed. Click to fit the data again and follow it")
        self.follow_button.clicked.connect(self.follow)
        self.follow_button.hide()
        self._watched: set[int] = set()
        self.drawn_at = 0.0  # time.monotonic() of the last redraw: the panel serves the oldest first
        self.paint_s = 0.0  # how long the last paint took: the panel counts it against a tick's budget
        menu = self.scene().contextMenu
        for name, label in (
            ("maximise", "Maximise / restore (double-click)"),
            ("detach", "Detach into a window"),
            ("hide", "Hide this view"),
        ):
            action = QtGui.QAction(label, self)
            action.triggered.connect(lambda _=False, n=name: self.arrange_requested.emit(n))
            menu.append(action)
        follow = QtGui.QAction("Follow new data", self)
        follow.triggered.connect(self.follow)
        menu.append(follow)

    def view_boxes(self) -> list[pg.ViewBox]:
        return [item for item in self.scene().items() if isinstance(item, pg.ViewBox)]

    def zoomed(self) -> bool:
        """Whether a person zoomed or panned a plot, so it no longer follows new data."""
        return self.follow_button.isVisibleTo(self)

    def follow(self) -> None:
        """Fit the plots to their data again and follow new data (undoes a zoom or pan)."""
        for box in self.view_boxes():
            box.enableAutoRange()
        self.follow_button.hide()

    def _zoomed_by_hand(self, *_: object) -> None:
        self.follow_button.show()
        self.follow_button.raise_()

    def _watch_zoom(self) -> None:
        """Notice zooms and pans by hand on every plot, including ones a subclass made after ``__init__``."""
        for box in self.view_boxes():
            if id(box) not in self._watched:
                self._watched.add(id(box))
                box.sigRangeChangedManually.connect(self._zoomed_by_hand)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # Qt override
        start = time.perf_counter()
        super().paintEvent(event)
        self.paint_s = time.perf_counter() - start

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # Qt override
        self._watch_zoom()
        super().showEvent(event)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        button = getattr(self, "follow_button", None)  # pyqtgraph resizes during super().__init__
        if button is not None:
            button.move(self.width() - button.sizeHint().width() - 4, 4)

    def mouseDoubleClickEvent(self, event: QtGui.QMouseEvent) -> None:  # Qt override
        super().mouseDoubleClickEvent(event)
        self.arrange_requested.emit("maximise")

    def clear_drawn(self) -> None:
        """Empty every image, curve, scatter and bar item and fit the axes again: after a reset a
        view shows nothing of the run before, not even its ranges."""
        for item in self.scene().items():
            if isinstance(item, pg.ImageItem):
                item.clear()
            elif isinstance(item, pg.PlotDataItem):
                item.setData([], [])
            elif isinstance(item, pg.ScatterPlotItem) and not isinstance(item.parentItem(), pg.PlotDataItem):
                item.clear()
            elif isinstance(item, pg.BarGraphItem):
                item.setOpts(x=[], height=[], width=1)
        self.follow()

    def apply_theme(self, look: theme.Theme) -> None:
        """Restyle in ``look``; views extend this and call ``theme.follow(self)`` once built."""
        self.setBackground(look.background)

    def configure(self, config: dict[str, Any]) -> None:
        """Show the view only in runs whose ``config`` satisfies its ``when`` condition."""
        self.applies = holds(self.option("when", ""), config)  # the panel's grid shows or drops it
        self.say_waiting(config)

    def say_waiting(self, config: dict[str, Any]) -> None:
        """The waiting line with ``config``'s values in it: "first samples at step 250"."""
        self.notice.say(waiting_line(self.option("waiting", ""), config))

    def show_waiting(self) -> None:
        """Say what the view waits for while it has no data."""
        self.notice.setVisible(not self.has_data())

    @property
    def optional(self) -> bool:
        """Optional views show only once their data arrives (their keys come in some configs)."""
        return bool(self.option("optional", False))

    def has_data(self) -> bool:
        raise NotImplementedError

    def waiting(self) -> bool:
        """True when new data waits for a costly redraw the panel may put off to a later tick."""
        return False

    def array_keys(self) -> set[str]:
        """The arrays this view reads (a panel asks its trainer process for these only)."""
        return set(self.spec.keys)

    def option(self, name: str, default: Any = None) -> Any:
        return self.spec.options.get(name, default)

    def refresh(self) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        """Forget what is drawn (a new run starts)."""
        self.clear_drawn()


class ArrayView(View):
    """A view of the latest array under its first key; redraws only when a new one arrives."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._version = 0

    def waiting(self) -> bool:
        return self.latest.read(self.spec.keys[0])[0] != self._version

    def refresh(self) -> None:
        version, arr = self.latest.read(self.spec.keys[0])
        if arr is None or version == self._version:
            return
        self._version = version
        self.drawn_at = time.monotonic()
        self.draw(arr)
        self.show_waiting()

    def reset(self) -> None:
        self._version = 0
        self.clear_drawn()
        self.show_waiting()

    def has_data(self) -> bool:
        return self.applies and self._version > 0

    def draw(self, arr: Any) -> None:
        raise NotImplementedError
