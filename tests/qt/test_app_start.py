"""The window comes first: the panels are built once it is on screen, and the plotting side
(pyqtgraph, the panels, the run browser) is loaded only then."""

from __future__ import annotations

import subprocess
import sys

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


def test_the_window_is_built_without_the_plotting_side():
    code = (
        "import sys; from PySide6 import QtWidgets; app = QtWidgets.QApplication([]);"
        "from workbench.qt.app import MainWindow; window = MainWindow(device='cpu');"
        "late = ('pyqtgraph', 'workbench.qt.panel', 'workbench.qt.browser');"
        "print('window', [m for m in late if m in sys.modules]);"
        "assert window.findChild(QtWidgets.QDockWidget, 'runs').widget() is None;"
        "window.run_browser; window.open_plugin('bandit');"
        "print('panel', [m for m in late if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "window []" in lines
    assert "panel ['pyqtgraph', 'workbench.qt.panel', 'workbench.qt.browser']" in lines
