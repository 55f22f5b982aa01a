"""A panel's views in a grid that fits the space it is given: no scrolling, at most three
columns, each view maximised, detached into a window of its own or hidden on request.

A view never gets less than its minimum size (what it needs to stay readable): when the views
do not all fit, they are split in order into pages of as many as fit, with a tab per page.
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


def per_page(width: int, height: int, least: tuple[int, int], spacing: int = 0) -> int:
    """How many views of at least ``least`` (width, height) fit in ``width`` x ``height``, in at
    most three columns; one at least, so a window smaller than one view still shows one."""
    cols = min(MAX_COLUMNS, (width + spacing) // (least[0] + spacing))
    rows = (height + spacing) // (least[1] + spacing)
    return max(1, cols * rows)


def split_pages(n: int, room: int) -> list[range]:
    """``n`` views in order on as few pages as hold ``room`` each, as even as can be (13 in
    pages of 6: 5, 4, 4), so no page is left with one lonely view."""
    pages = max(1, math.ceil(n / max(room, 1)))
    size, extra = divmod(n, pages)
    starts = [i * size + min(i, extra) for i in range(pages + 1)]
    return [range(a, b) for a, b in zip(starts, starts[1:])]


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
    """The views that are neither hidden nor detached, laid out to fill this widget, on pages
    (a tab bar above them) when they do not all fit at their minimum size.

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
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.tabs = QtWidgets.QTabBar(documentMode=True, expanding=False, usesScrollButtons=False)
        self.tabs.setToolTip("The views that do not fit the window at a readable size are on the other pages")
        # its tabs are cut to the grid's width (_name_pages): their length must not widen the window
        self.tabs.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        self.tabs.currentChanged.connect(self._turn)
        outer.addWidget(self.tabs)
        self.body = QtWidgets.QWidget()
        outer.addWidget(self.body, 1)
        self._grid = QtWidgets.QGridLayout(self.body)
        self._grid.setContentsMargins(2, 2, 2, 2)
        self._grid.setSpacing(4)
        # the grid asks for room for one view: a page of many must not widen the window, which
        # gave the views more room, hence more per page, and pushed the window off the screen
        self._grid.setSizeConstraint(QtWidgets.QLayout.SizeConstraint.SetNoConstraint)
        self.body.setMinimumSize(*(m + 4 for m in self.least(views)))
        self._laid_out: tuple[Any, ...] = ()
        self.page = 0
        for view in views:
            # every view is the grid's, laid out or not: one on another page, or waiting for its
            # data, would otherwise be a hidden window of its own that outlives the panel
            view.setParent(self.body)
            view.arrange_requested.connect(lambda name, v=view: self.arrange(v, name))
        self.relayout()

    # ---------- what is shown ----------
    def placed(self) -> list[View]:
        """The views in the grid, on any page, in the plugin's order."""
        if self.maximised is not None:
            return [self.maximised]
        return [v for v in self.views if v not in self.hidden and v not in self.windows and self._shown.get(v, True)]

    def pages(self) -> list[list[View]]:
        """The placed views split into pages that each fit the grid at the views' minimum size."""
        placed = self.placed()
        room = per_page(self.width() - 4, self.height() - 4 - self.tabs.sizeHint().height(), self.least(placed), 4)
        return [[placed[i] for i in page] for page in split_pages(len(placed), room)]

    def on_page(self) -> list[View]:
        """The views of the page shown now."""
        pages = self.pages()
        return pages[min(self.page, len(pages) - 1)]

    @staticmethod
    def least(views: list[View]) -> tuple[int, int]:
        return max((v.minimumWidth() for v in views), default=0), max((v.minimumHeight() for v in views), default=0)

    def _turn(self, index: int) -> None:
        if index >= 0 and index != self.page:
            self.page = index
            self.relayout()

    def relayout(self, force: bool = True) -> None:
        pages = self.pages()
        self.page = min(self.page, len(pages) - 1)
        shown = pages[self.page]
        height = self.height() - (self.tabs.sizeHint().height() if len(pages) > 1 else 0)
        cols = columns_for(len(shown), self.width(), height, self.least(shown))
        laid_out = (cols, tuple(map(tuple, pages)), self.page)
        self._name_pages(pages)
        if not force and laid_out == self._laid_out:
            return
        self._laid_out = laid_out
        for view in self.views:
            if view not in self.windows:
                self._grid.removeWidget(view)
                view.setVisible(False)
        for i in range(self._grid.columnCount()):
            self._grid.setColumnStretch(i, 0)
        for i in range(self._grid.rowCount()):
            self._grid.setRowStretch(i, 0)
        for i, view in enumerate(shown):
            # the last view spans the cells its row leaves empty: no blank hole in the grid
            span = cols - i % cols if i == len(shown) - 1 else 1
            self._grid.addWidget(view, i // cols, i % cols, 1, span)
            self._grid.setColumnStretch(i % cols, 1)
            self._grid.setRowStretch(i // cols, 1)
            view.setVisible(True)

    def _name_pages(self, pages: list[list[View]]) -> None:
        """A tab per page, named by its first view and how many more it holds, cut short to share
        the width (a long first title hid the other tabs); every title of the page in its tooltip.
        No tab bar when everything fits on one page."""
        with QtCore.QSignalBlocker(self.tabs):
            while self.tabs.count() > len(pages):
                self.tabs.removeTab(self.tabs.count() - 1)
            while self.tabs.count() < len(pages):
                self.tabs.addTab("")
            metrics = self.tabs.fontMetrics()
            room = self.width() // max(len(pages), 1) - 3 * metrics.averageCharWidth() - 24
            for i, page in enumerate(pages):
                more = f" + {len(page) - 1}" if len(page) > 1 else ""
                title = page[0].title if page else ""
                short = metrics.elidedText(
                    title, QtCore.Qt.TextElideMode.ElideRight, room - metrics.horizontalAdvance(more)
                )
                self.tabs.setTabText(i, short + more)
                self.tabs.setTabToolTip(i, "\n".join(v.title for v in page))
            self.tabs.setCurrentIndex(self.page)
        self.tabs.setVisible(len(pages) > 1)

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
            # the page that holds it comes to the front, so the view asked for is seen
            self.page = next((i for i, page in enumerate(self.pages()) if view in page), self.page)
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
