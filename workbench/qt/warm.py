"""A trainer process waits, its imports done, for the plugin in view: pressing Start then only
sends it the config (torch alone took 0.8 s of a torch lab's 2 s to its first point)."""

from __future__ import annotations

import weakref

from PySide6 import QtCore, QtWidgets

from workbench.core.process_run import WARM
from workbench.qt.panel import PluginPanel


class TrainerWarmer(QtCore.QObject):
    """Prepares a trainer process for the current tab's plugin when the tab comes into view and
    when its run ends, ready for the next Start."""

    def __init__(self, tabs: QtWidgets.QTabWidget) -> None:
        super().__init__(tabs)
        self.tabs = tabs
        self._watched: weakref.WeakSet[PluginPanel] = weakref.WeakSet()
        tabs.currentChanged.connect(self.prepare)

    @QtCore.Slot()
    def prepare(self, *_: object) -> None:
        panel = self.tabs.currentWidget()
        if not isinstance(panel, PluginPanel):
            return
        if panel not in self._watched:
            self._watched.add(panel)
            panel.run_ended.connect(self.prepare)
        if not panel.running:
            WARM.prepare(panel.manifest)
