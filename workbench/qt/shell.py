"""The main window: a plugin browser grouped by category, and one tab per opened plugin."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from workbench.core.about import about_lines
from workbench.core.assets import plugin_icon
from workbench.core.manifest import Manifest, discover, with_import_errors
from workbench.qt import settings
from workbench.qt.browser import add_run_browser
from workbench.qt.panel import PluginPanel


class PluginBrowser(QtWidgets.QTreeWidget):
    """Plugins by category with their one-line description; broken ones show their error."""

    open_requested = QtCore.Signal(str)

    def __init__(self, manifests: list[Manifest]) -> None:
        super().__init__()
        self.setHeaderLabels(["Plugin", "What it does"])
        self.setColumnWidth(0, 170)
        groups: dict[str, QtWidgets.QTreeWidgetItem] = {}
        for m in sorted(manifests, key=lambda m: (m.broken, m.category, m.title)):
            group = groups.get(m.category)
            if group is None:
                group = groups[m.category] = QtWidgets.QTreeWidgetItem(self, [m.category])
                group.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled)
            item = QtWidgets.QTreeWidgetItem(group, [m.title, f"BROKEN: {m.error}" if m.broken else m.description])
            item.setData(0, QtCore.Qt.ItemDataRole.UserRole, m.id)
            item.setIcon(0, QtGui.QIcon(str(plugin_icon(m.id))))
            item.setToolTip(1, m.error or m.description)
            if m.broken:
                item.setForeground(0, QtGui.QBrush(QtGui.QColor("#ff8a80")))
                item.setForeground(1, QtGui.QBrush(QtGui.QColor("#ff8a80")))
        self.expandAll()
        self.itemActivated.connect(self._activated)
        self.itemDoubleClicked.connect(self._activated)

    def _activated(self, item: QtWidgets.QTreeWidgetItem, _col: int = 0) -> None:
        plugin_id = item.data(0, QtCore.Qt.ItemDataRole.UserRole)
        if plugin_id:
            self.open_requested.emit(plugin_id)


class MainWindow(QtWidgets.QMainWindow):
    def __init__(self, device: str = "auto", max_steps: int | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Workbench")
        self.device, self.max_steps = device, max_steps
        self.manifests = {m.id: m for m in with_import_errors(discover())}
        self.saved = settings.load()
        self.tabs = QtWidgets.QTabWidget(tabsClosable=True, movable=True, documentMode=True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.setCentralWidget(self.tabs)
        self.browser = PluginBrowser(list(self.manifests.values()))
        self.browser.open_requested.connect(self.open_plugin)
        dock = QtWidgets.QDockWidget("Plugins", self)
        dock.setObjectName("plugins")
        dock.setWidget(self.browser)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        add_run_browser(self)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&About Workbench", self.show_about)
        screen = QtWidgets.QApplication.primaryScreen().availableGeometry()
        self.resize(int(screen.width() * 0.96), int(screen.height() * 0.94))
        if "geometry" in self.saved:
            self.restoreGeometry(QtCore.QByteArray.fromBase64(self.saved["geometry"].encode()))
            self.restoreState(QtCore.QByteArray.fromBase64(self.saved.get("state", "").encode()))

    def show_about(self) -> QtWidgets.QMessageBox:
        """The versions and device a bug report needs, in a box that does not block the event loop."""
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Information, "About Workbench",
                                    "\n".join(about_lines()), parent=self)
        box.setIconPixmap(QtWidgets.QApplication.windowIcon().pixmap(64, 64))
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def panels(self) -> list[PluginPanel]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]

    def open_plugin(self, plugin_id: str, values: dict[str, Any] | None = None) -> PluginPanel | None:
        """Show the plugin's panel (opening it once); a broken plugin shows its error instead."""
        for panel in self.panels():
            if panel.manifest.id == plugin_id:
                self.tabs.setCurrentWidget(panel)
                return panel
        m = self.manifests.get(plugin_id)
        if m is None or m.broken:
            QtWidgets.QMessageBox.warning(self, "Plugin unavailable",
                                          m.error if m is not None else f"unknown plugin {plugin_id!r}")
            return None
        remembered = settings.usable_values(m.config_class(), self.saved["configs"].get(plugin_id, {}), plugin_id)
        panel = PluginPanel(m, {**remembered, **(values or {})}, device=self.device, max_steps=self.max_steps)
        self.tabs.addTab(panel, m.title)
        self.tabs.setCurrentWidget(panel)
        return panel

    def close_tab(self, index: int) -> None:
        panel = self.tabs.widget(index)
        self._remember(panel)
        panel.shutdown()
        self.tabs.removeTab(index)
        panel.deleteLater()

    def _remember(self, panel: PluginPanel) -> None:
        self.saved["configs"][panel.manifest.id] = panel.values()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # Qt override
        for panel in self.panels():
            self._remember(panel)
            panel.shutdown()
        self.saved["open"] = [p.manifest.id for p in self.panels()]
        self.saved["geometry"] = bytes(self.saveGeometry().toBase64()).decode()
        self.saved["state"] = bytes(self.saveState().toBase64()).decode()
        settings.save(self.saved)
        super().closeEvent(event)
