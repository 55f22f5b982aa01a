"""The panel's layout: run controls and Record always in sight, views that fit the window
without scrolling, each view maximised, detached or hidden, the arrangement kept per plugin."""

from __future__ import annotations

import gc
import weakref

import pytest
from PySide6 import QtCore, QtWidgets

from workbench.core.manifest import ViewSpec, discover
from workbench.core.sinks import HistorySink, LatestSink
from workbench.core.snapshot import Snapshot
from workbench.qt.params import SLIDER_MIN_WIDTH
from workbench.qt.shell import MainWindow
from workbench.qt.view_grid import ViewGrid, columns_for, per_page, split_pages
from workbench.qt.views.base import MIN_SIZE, View
from workbench.qt.views.curve import CurveView

SIZES = pytest.mark.parametrize("size", [(1366, 768), (1600, 1000)], ids=["1366x768", "1600x1000"])


def inside(window: QtWidgets.QWidget, widget: QtWidgets.QWidget) -> bool:
    """Shown, and wholly within the window's rectangle."""
    rect = QtCore.QRect(widget.mapTo(window, QtCore.QPoint(0, 0)), widget.size())
    return widget.isVisible() and window.rect().contains(rect)


def open_at(qtbot, plugin_id: str, width: int, height: int) -> tuple[MainWindow, object]:
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    window.resize(width, height)
    panel = window.open_plugin(plugin_id)
    window.show()
    qtbot.waitUntil(lambda: panel.grid.width() > 300)
    return window, panel


@SIZES
@pytest.mark.parametrize("plugin_id", ["td-control", "dqn", "vae"])
def test_every_control_and_view_is_in_the_window_without_scrolling(qtbot, plugin_id, size):
    window, panel = open_at(qtbot, plugin_id, *size)
    controls = [
        panel.start_button,
        panel.pause_button,
        panel.step_button,
        panel.stop_button,
        panel.reset_button,
        panel.save_button,
        panel.load_button,
        panel.record_button,
        panel.config_button,
    ]
    assert [b.text() for b in controls if not inside(window, b)] == []
    placed = panel.grid.on_page()
    assert placed and [v.title for v in placed if not inside(window, v)] == []
    assert all(v.width() >= v.minimumWidth() and v.height() >= v.minimumHeight() for v in placed)
    sliders = [f.slider for f in panel.form.fields.values() if getattr(f, "slider", None) and f.slider.isVisible()]
    assert sliders and [s.width() for s in sliders if s.width() < SLIDER_MIN_WIDTH] == []  # wide enough to drag
    side = panel.side.viewport()
    cut = [n for n, f in panel.form.fields.items() if f.isVisible() and not inside(side, f)]
    assert cut == []  # no field runs past the side panel's edge, where its value or arrows would be cut off
    scroll = panel.grid.parentWidget()
    while scroll is not None:
        assert not isinstance(scroll, QtWidgets.QScrollArea), "the views scroll"
        scroll = scroll.parentWidget()


def test_columns_stay_between_one_and_three_and_follow_the_shape():
    assert columns_for(1, 800, 600) == 1
    assert columns_for(6, 1200, 500) == 3
    assert columns_for(6, 500, 900) <= 2
    assert all(1 <= columns_for(n, 1000, 600) <= 3 for n in range(1, 12))
    assert columns_for(13, 930, 620, (160, 110)) == 3  # two columns would need 7 rows of 110 px


def test_views_that_do_not_fit_at_a_readable_size_go_on_pages_of_their_own(qtbot):
    """13 views in the ~700x640 px a 1366x768 window leaves them: pages of 2x3, none smaller than its minimum."""
    history, latest = HistorySink(), LatestSink()
    views = [CurveView(ViewSpec("curve", (f"k{i}",), f"metric {i}"), history, latest) for i in range(13)]
    grid = ViewGrid(views)
    qtbot.addWidget(grid)
    grid.resize(700, 640)
    grid.show()
    qtbot.waitUntil(lambda: views[0].isVisible())
    pages = grid.pages()
    assert [len(p) for p in pages] == [5, 4, 4] and sum(pages, []) == views
    assert grid.tabs.isVisible() and grid.tabs.count() == 3
    for i, page in enumerate(pages):
        grid.tabs.setCurrentIndex(i)  # a click on the page's tab
        assert [v.isVisible() for v in views] == [v in page for v in views]
        assert [v.title for v in page if not inside(grid, v)] == []
        assert all(v.width() >= MIN_SIZE[0] and v.height() >= MIN_SIZE[1] for v in page)
    grid.tabs.setCurrentIndex(0)
    views[12].arrange_requested.emit("hide")
    grid.arrange(views[12], "show")  # what the Views menu does: its page comes to the front
    assert views[12].isVisible() and grid.tabs.currentIndex() == grid.page == 2
    grid.resize(1000, 1200)  # room for all of them (3 columns of 5): one page, no tabs
    qtbot.waitUntil(lambda: all(v.isVisible() for v in views))
    assert not grid.tabs.isVisible()


def test_the_last_view_of_a_page_spans_the_cells_its_row_leaves_empty(qtbot):
    history, latest = HistorySink(), LatestSink()
    views = [CurveView(ViewSpec("curve", (f"k{i}",), f"metric {i}"), history, latest) for i in range(3)]
    grid = ViewGrid(views)
    qtbot.addWidget(grid)
    grid.resize(700, 640)  # two columns, two rows: the third view has a row to itself
    grid.show()
    qtbot.waitUntil(lambda: views[2].isVisible())
    assert views[2].width() > views[0].width() + views[1].width() - 10
    assert views[2].geometry().left() == views[0].geometry().left()


def test_long_page_titles_do_not_widen_the_grid(qtbot):
    history, latest = HistorySink(), LatestSink()
    title = "Each optimiser's path on the surface's contours, coloured as in the plane's legend"
    views = [CurveView(ViewSpec("curve", (f"k{i}",), f"{title} {i}"), history, latest) for i in range(13)]
    grid = ViewGrid(views)
    qtbot.addWidget(grid)
    grid.resize(1400, 640)  # wide first: the tabs are named with room to spare, then the window narrows
    grid.show()
    qtbot.waitUntil(lambda: views[0].isVisible())
    grid.resize(700, 640)
    qtbot.waitUntil(lambda: grid.tabs.isVisible())
    assert grid.minimumSizeHint().width() <= MIN_SIZE[0] + 20


def test_pages_are_as_even_as_they_can_be():
    assert per_page(700, 610, (270, 200), 4) == 6
    assert per_page(2000, 2000, (270, 200), 4) == 27  # never more than three columns
    assert per_page(100, 100, (270, 200)) == 1
    assert [len(p) for p in split_pages(13, 6)] == [5, 4, 4]
    assert [len(p) for p in split_pages(6, 6)] == [6]
    assert split_pages(0, 6) == [range(0, 0)]


def show_every_view_with_data(panel) -> None:
    """Every view a plugin declares, as when all of its data has come: curves with their
    legends' entries (a comparison two variants), the optional ones and those under conditions."""
    for view in panel.views:
        view.applies = True
        view.has_data = lambda: True
        if isinstance(view, CurveView):
            keys = list(view.spec.keys)
            if view.option("prefix"):
                keys = [f"{k}/{label}" for k in keys for label in (view.option("labels") or {"a": 0, "b": 0})]
            for step in range(3):
                panel.history.write(Snapshot(step, scalars={k: float(step) for k in keys}))
            view.refresh()
    panel.grid.notice_data()


def legend_outside(view) -> bool:
    """Whether the view's legend, or any of its entries, reaches past the view's edges."""
    legend = getattr(view, "legend", None)
    if legend is None or not legend.isVisible():
        return False
    parts = [legend, *(label for _, label in legend.items)]
    return any(not view.rect().contains(view.mapFromScene(p.sceneBoundingRect()).boundingRect()) for p in parts)


@SIZES
def test_every_view_of_every_plugin_is_readable_on_its_page(qtbot, size):
    """No view smaller than its stated minimum, none outside the window, no legend outside its view."""
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    for manifest in discover():
        if manifest.broken:
            continue
        panel = window.open_plugin(manifest.id)
        qtbot.waitUntil(lambda panel=panel: panel.grid.width() > 300)
        show_every_view_with_data(panel)
        pages = panel.grid.pages()
        assert sum(pages, []) == panel.grid.placed() == panel.views, manifest.id
        tabs = panel.grid.tabs
        if len(pages) > 1:  # a tab per page, all of them in sight
            assert tabs.count() == len(pages) and tabs.tabRect(len(pages) - 1).right() <= panel.grid.width()
        for i, page in enumerate(pages):
            panel.grid.tabs.setCurrentIndex(i)  # a click on the page's tab
            qtbot.waitUntil(lambda page=page: all(v.isVisible() for v in page))
            small = [v.title for v in page if v.width() < MIN_SIZE[0] or v.height() < MIN_SIZE[1]]
            assert small == [], (manifest.id, small)
            assert [v.title for v in page if not inside(window, v)] == [], manifest.id
            qtbot.waitUntil(lambda page=page: not any(legend_outside(v) for v in page), timeout=2000)
        window.close_tab(window.tabs.indexOf(panel))


def test_a_closed_panel_leaves_no_view_or_history_behind(qtbot):
    """The views on other pages belong to the grid too: closing the tab frees them with the
    panel and its curves, where they had lived on as hidden windows of their own."""
    window, panel = open_at(qtbot, "dqn", 1366, 768)
    assert len(panel.grid.pages()) > 1
    closed = weakref.ref(panel)
    window.close_tab(window.tabs.indexOf(panel))
    del panel
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    gc.collect()
    assert [type(w).__name__ for w in QtWidgets.QApplication.topLevelWidgets() if isinstance(w, View)] == []
    assert closed() is None


def test_maximise_hide_and_detach_then_the_arrangement_comes_back_after_a_relaunch(qtbot):
    window, panel = open_at(qtbot, "td-control", 1366, 768)
    first, second = panel.grid.placed()[:2]
    qtbot.mouseDClick(first.viewport(), QtCore.Qt.MouseButton.LeftButton)
    assert panel.grid.placed() == [first]
    assert first.width() > 0.8 * panel.grid.width()
    first.arrange_requested.emit("maximise")  # double-click again: back in the grid
    assert len(panel.grid.placed()) > 2
    second.arrange_requested.emit("hide")
    assert second not in panel.grid.placed() and not second.isVisible()
    first.arrange_requested.emit("detach")
    window_of_first = panel.grid.windows[first]
    assert first.window() is window_of_first and window_of_first.isVisible()
    window_of_first.close()  # closing its window puts it back
    assert first in panel.grid.placed() and first.window() is window
    panel.config_button.click()
    assert not panel.side.isVisible()
    window.close()
    again = MainWindow(device="cpu")
    qtbot.addWidget(again)
    panel = again.open_plugin("td-control")
    again.show()
    titles = [v.title for v in panel.grid.placed()]
    assert second.title not in titles and first.title in titles
    assert not panel.config_button.isChecked() and not panel.side.isVisible()
    shown_again = panel._view_actions[next(v for v in panel.views if v.title == second.title)]
    shown_again.setChecked(True)  # the Views menu brings a hidden view back
    assert second.title in [v.title for v in panel.grid.placed()]


def test_a_zoomed_plot_offers_to_follow_the_data_again(qtbot):
    _, panel = open_at(qtbot, "td-control", 1366, 768)
    curve = panel.views[0]
    assert not curve.zoomed()
    box = curve.plot.getViewBox()
    box.setRange(xRange=(2, 3))
    box.sigRangeChangedManually.emit([True, False])  # what a wheel or a drag reports
    assert curve.zoomed() and curve.follow_button.isVisible()
    assert inside(curve, curve.follow_button)
    curve.follow_button.click()
    assert not curve.zoomed() and curve._follow_x
    assert box.viewRange()[0] == [0, 10]


def test_a_recorded_view_on_another_page_keeps_drawing_its_data(qtbot):
    """Views off the shown page rest, except the one being recorded: its recording must not freeze."""
    window, panel = open_at(qtbot, "dqn", 1366, 768)
    show_every_view_with_data(panel)
    recorded = next(v for v in reversed(panel.views) if isinstance(v, CurveView) and v not in panel.grid.on_page())
    assert not recorded.isVisible()
    panel.record_target.setCurrentIndex(panel.views.index(recorded))
    panel.record_button.setChecked(True)
    try:
        panel.history.write(Snapshot(10, scalars={key: 5.0 for key in recorded.spec.keys}))
        panel.refresh()
        assert max(curve.xData[-1] for curve in recorded.curves.values()) == 10
    finally:
        panel.record_button.setChecked(False)
