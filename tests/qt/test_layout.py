"""The panel's layout: run controls and Record always in sight, views that fit the window
without scrolling, each view maximised, detached or hidden, the arrangement kept per plugin."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from workbench.core.manifest import ViewSpec
from workbench.core.sinks import HistorySink, LatestSink
from workbench.qt.shell import MainWindow
from workbench.qt.view_grid import ViewGrid, columns_for
from workbench.qt.views.curve import CurveView


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


@pytest.mark.parametrize("size", [(1366, 768), (1600, 1000)], ids=["1366x768", "1600x1000"])
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
    placed = panel.grid.placed()
    assert placed and [v.title for v in placed if not inside(window, v)] == []
    assert all(v.width() >= v.minimumWidth() and v.height() >= v.minimumHeight() for v in placed)
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


def test_thirteen_views_fit_the_room_a_1366x768_window_leaves_them(qtbot):
    """DQN on CartPole shows 13 views once its data arrives; the grid gets about 930x600 px."""
    history, latest = HistorySink(), LatestSink()
    views = [CurveView(ViewSpec("curve", (f"k{i}",), f"metric {i}"), history, latest) for i in range(13)]
    grid = ViewGrid(views)
    qtbot.addWidget(grid)
    grid.resize(930, 600)
    grid.show()
    qtbot.waitUntil(lambda: all(v.isVisible() for v in views))
    assert [v.title for v in views if not inside(grid, v)] == []
    assert min(v.height() for v in views) >= views[0].minimumHeight()


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
