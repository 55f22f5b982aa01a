"""The window comes first: the panels are built once it is on screen."""

from __future__ import annotations

from PySide6 import QtWidgets

from workbench.qt.app import when_exposed


def test_the_deferred_work_runs_once_the_window_is_exposed(qtbot):
    window = QtWidgets.QMainWindow()
    qtbot.addWidget(window)
    seen: list[bool] = []
    when_exposed(window, lambda: seen.append(window.windowHandle().isExposed()))
    QtWidgets.QApplication.processEvents()
    assert seen == []  # nothing before the window shows
    window.show()
    qtbot.waitUntil(lambda: seen == [True], timeout=5000)
    window.hide()
    window.show()
    QtWidgets.QApplication.processEvents()
    assert seen == [True]  # once only
