"""A panel's views in a grid that fits the space it is given: no scrolling, at most three
columns, each view maximised, detached into a window of its own or hidden on request.

The arrangement (hidden views, the maximised one) is plain data a panel saves per plugin.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from workbench.qt.views.base import View

MAX_COLUMNS = 3
CELL_ASPECT = 1.3  # width / height a view reads best at: a plot a little wider than tall


def columns_for(n: int, width: int, height: int, least: tuple[int, int] = (0, 0)) -> int:
    """The number of columns (1 to 3) whose cells come closest to ``CELL_ASPECT`` among those
    whose cells are at least ``least`` (width, height); the most columns when none is."""
    if n <= 1:
        return 1
    options = range(1, min(n, MAX_COLUMNS) + 1)

    def misfit(cols: int) -> float:
        rows = math.ceil(n / cols)
        return abs(math.log((width / cols) / max(height / rows, 1.0) / CELL_ASPECT))

    fitting = [c for c in options if width / c >= least[0] and height / math.ceil(n / c) >= least[1]]
    return min(fitting, key=misfit) if fitting else options[-1]


class DetachedView(QtWidgets.QWidget):
    """A window holding one view; closing it puts the view back into its grid."""

    closed = QtCore.Signal(object)

    def __init__(self, view: View, title: str) -> None:
        super().__init__(None, QtCore.Qt.WindowType.Window)
        self.view = view
        self.setWindowTitle(title)
        QtWidgets.QVBoxLayout(self).addWidget(view)
        self.resize(max(view.width(), 640), max(view.height(), 480))

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # Qt override
        self.closed.emit(self.view)
        super().closeEvent(event)


class ViewGrid(QtWidgets.QWidget):
    """The views that are neither hidden nor detached, laid out to fill this widget.

    ``arranged()`` fires when a person changes the arrangement, so the panel can remember it.
    """

    arranged = QtCore.Signal()

    def __init__(self, views: list[View], plugin_title: str = "", parent: Any = None) -> None:
        super().__init__(parent)
        self.views = views
        self.plugin_title = plugin_title
        self.hidden: set[View] = set()
        self.maximised: View | None = None
        self.windows: dict[View, DetachedView] = {}
        self._shown = self._showable()
        self._grid = QtWidgets.QGridLayout(self)
        self._grid.setContentsMargins(2, 2, 2, 2)
        self._grid.setSpacing(4)
        self._columns = 0
        for view in views:
            view.arrange_requested.connect(lambda name, v=view: self.arrange(v, name))
        self.relayout()

    # ---------- what is shown ----------
    def placed(self) -> list[View]:
        """The views in the grid, in the plugin's order."""
        if self.maximised is not None:
            return [self.maximised]
        return [v for v in self.views if v not in self.hidden and v not in self.windows and self._shown.get(v, True)]

    def relayout(self, force: bool = True) -> None:
        placed = self.placed()
        least = max((v.minimumWidth() for v in placed), default=0), max((v.minimumHeight() for v in placed), default=0)
        cols = columns_for(len(placed), self.width(), self.height(), least)
        if not force and cols == self._columns:
            return
        self._columns = cols
        for view in self.views:
            if view not in self.windows:
                self._grid.removeWidget(view)
                view.setVisible(False)
        for i in range(self._grid.columnCount()):
            self._grid.setColumnStretch(i, 0)
        for i in range(self._grid.rowCount()):
            self._grid.setRowStretch(i, 0)
        for i, view in enumerate(placed):
            self._grid.addWidget(view, i // cols, i % cols)
            self._grid.setColumnStretch(i % cols, 1)
            self._grid.setRowStretch(i // cols, 1)
            view.setVisible(True)

    def _showable(self) -> dict[View, bool]:
        """Per view, whether its data and the run's settings let it show: an optional view waits
        for its data, a view whose condition the settings do not meet stays out."""
        return {v: getattr(v, "applies", True) and (not v.optional or v.has_data()) for v in self.views}

    def notice_data(self) -> None:
        """Show views whose data arrived or whose condition now holds; drop those that went."""
        now = self._showable()
        if now != self._shown:
            self._shown = now
            self.relayout()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self.relayout(force=False)

    # ---------- what a person asks for ----------
    def arrange(self, view: View, how: str) -> None:
        """``maximise`` (toggles), ``detach`` into a window, ``hide``, or ``show`` a hidden one."""
        if how == "maximise":
            self.maximised = None if self.maximised is view else view
            if view in self.windows:
                self.windows[view].close()
        elif how == "detach" and view not in self.windows:
            self.maximised = None if self.maximised is view else self.maximised
            self._grid.removeWidget(view)
            window = DetachedView(view, f"{view.title} · {self.plugin_title}")
            window.closed.connect(self._attach)
            self.windows[view] = window
            window.show()
        elif how == "hide":
            self.hidden.add(view)
            self.maximised = None if self.maximised is view else self.maximised
            if view in self.windows:
                self.windows[view].close()
        elif how == "show":
            self.hidden.discard(view)
        self.relayout()
        self.arranged.emit()

    def _attach(self, view: View) -> None:
        if self.windows.pop(view, None) is not None:
            view.setParent(self)
            self.relayout()

    def close_windows(self) -> None:
        for window in list(self.windows.values()):
            window.close()

    # ---------- remembered between launches ----------
    def state(self) -> dict[str, Any]:
        return {
            "hidden": [v.title for v in self.views if v in self.hidden],
            "maximised": self.maximised.title if self.maximised is not None else None,
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Apply a saved ``state``; titles no view has any more are ignored."""
        by_title = {v.title: v for v in self.views}
        hidden = state.get("hidden", [])
        self.hidden = {by_title[t] for t in hidden if isinstance(t, str) and t in by_title}
        maximised = state.get("maximised")
        self.maximised = by_title.get(maximised) if isinstance(maximised, str) else None
        self.relayout()
