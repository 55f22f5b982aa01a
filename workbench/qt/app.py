"""Starting the desktop app (``workbench`` or ``workbench gui``)."""

from __future__ import annotations

import dataclasses
import signal
import sys
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from workbench import __version__
from workbench.core.assets import ICON_SIZES, icon_path
from workbench.core.desktop import DESKTOP_ID
from workbench.qt.shell import MainWindow

DEFAULT_PLUGIN = "td-control"


def app_icon() -> QtGui.QIcon:
    """The app icon from its PNGs, which need no SVG plugin in a standalone build."""
    icon = QtGui.QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(icon_path(size=size)), QtCore.QSize(size, size))
    return icon


def identify(app: QtWidgets.QApplication) -> None:
    """Name, version, icon and desktop entry, so window lists and docks show the app as installed."""
    app.setApplicationName("Workbench")
    app.setApplicationDisplayName("Workbench")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(DESKTOP_ID)
    app.setWindowIcon(app_icon())


class _FirstExpose(QtCore.QObject):
    """Calls ``then`` once, just after the window it watches is first put on screen."""

    def __init__(self, window: QtWidgets.QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self.then = then

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QtCore.QEvent.Type.Expose and isinstance(watched, QtGui.QWindow) and watched.isExposed():
            watched.removeEventFilter(self)
            QtCore.QTimer.singleShot(0, self.then)  # after this event: the window paints first
        return False


def when_exposed(window: QtWidgets.QWidget, then: Callable[[], None]) -> None:
    """Call ``then`` once ``window`` (not yet shown) is on screen."""
    window.winId()  # creates the native window, to watch before it shows
    handle = window.windowHandle()
    handle.installEventFilter(_FirstExpose(window, then))


def opened_at_launch(window: MainWindow, plugin: str | None) -> list[str]:
    """The plugins whose panels open at launch, the one left in view last: ``plugin``, or the
    ones open when the app last closed, or the default plugin."""
    return [plugin] if plugin else window.saved.get("open") or [DEFAULT_PLUGIN]


def warm_up(window: MainWindow, plugin: str | None) -> None:
    """Spawn the trainer process of the plugin that will be in view before the window shows: it
    imports torch on the other core while the window and its panels are built (the app's side
    costs 15 ms), so it is more often ready when Start is pressed."""
    from workbench.core.process_run import WARM

    in_view = window.manifests.get(opened_at_launch(window, plugin)[-1])
    if in_view is not None and not in_view.broken:
        WARM.prepare(in_view)


def open_panels(window: MainWindow, plugin: str | None, cfg: Any, autorun: bool, exit_when_done: bool) -> None:
    """Open the panels (``opened_at_launch``), ``plugin``'s with ``cfg``; start it at once with
    ``autorun``. Builds what imports the plotting side, once the window shows: the panels with
    their trainer warmer, and the run browser."""
    from workbench.qt.warm import TrainerWarmer

    TrainerWarmer(window.tabs)
    values = dataclasses.asdict(cfg) if cfg is not None else None
    panel = None
    opened = opened_at_launch(window, plugin)
    for plugin_id in opened:
        panel = window.open_plugin(plugin_id, values if plugin_id == plugin else None) or panel
    if plugin and panel is not None:
        window.open_plugin(plugin)
        panel = window.tabs.currentWidget()
        if exit_when_done:
            panel.on_nonfinite = "stop"  # nobody is there to look at a NaN pause: it would never end
            panel.run_ended.connect(lambda _state: QtCore.QTimer.singleShot(500, window.close))
        if autorun:
            QtCore.QTimer.singleShot(200, panel.start)
    window.run_browser  # noqa: B018 - builds the Runs dock's contents, after the panel in view


def main(
    plugin: str | None = None,
    cfg: Any = None,
    autorun: bool = False,
    exit_when_done: bool = False,
    steps: int | None = None,
    device: str = "auto",
) -> int:
    """Open the main window on ``plugin`` (or the last opened ones, or the default plugin)."""
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    identify(app)
    app.setStyle("Fusion")
    window = MainWindow(device=device, max_steps=steps)
    warm_up(window, plugin)
    # the panels (their views and pyqtgraph, most of the time to a shown window) come once it is up
    when_exposed(window, lambda: open_panels(window, plugin, cfg, autorun, exit_when_done))
    window.show()
    for sig in (signal.SIGINT, signal.SIGTERM):  # Ctrl+C or a kill closes the window cleanly
        signal.signal(sig, lambda *_: window.close())
    wake = QtCore.QTimer(window)
    wake.timeout.connect(lambda: None)  # lets Python run its signal handlers during Qt's loop
    wake.start(200)
    return app.exec()
