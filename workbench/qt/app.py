"""Starting the desktop app (``workbench`` or ``workbench gui``)."""

from __future__ import annotations

import dataclasses
import signal
import sys
from typing import Any

from PySide6 import QtCore, QtWidgets

from workbench.qt.shell import MainWindow

DEFAULT_PLUGIN = "td-control"


def main(plugin: str | None = None, cfg: Any = None, autorun: bool = False, exit_when_done: bool = False,
         steps: int | None = None, device: str = "auto") -> int:
    """Open the main window on ``plugin`` (or the last opened ones, or the default plugin)."""
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("Workbench")
    app.setStyle("Fusion")
    window = MainWindow(device=device, max_steps=steps)
    values = dataclasses.asdict(cfg) if cfg is not None else None
    opened = [plugin] if plugin else window.saved.get("open") or [DEFAULT_PLUGIN]
    panel = None
    for plugin_id in opened:
        panel = window.open_plugin(plugin_id, values if plugin_id == plugin else None) or panel
    if plugin and panel is not None:
        window.open_plugin(plugin)
        panel = window.tabs.currentWidget()
        if exit_when_done:
            panel.run_ended.connect(lambda _state: QtCore.QTimer.singleShot(500, window.close))
        if autorun:
            QtCore.QTimer.singleShot(200, panel.start)
    window.show()
    for sig in (signal.SIGINT, signal.SIGTERM):  # Ctrl+C or a kill closes the window cleanly
        signal.signal(sig, lambda *_: window.close())
    wake = QtCore.QTimer(window)
    wake.timeout.connect(lambda: None)  # lets Python run its signal handlers during Qt's loop
    wake.start(200)
    return app.exec()
