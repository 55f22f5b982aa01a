"""The main window: a plugin browser grouped by category, a welcome page, one tab per opened
plugin, and menus that reach every run control, dock, theme and plugin README.

The window shows before the plotting side is loaded: panels, the run browser and the sweep
view (pyqtgraph, numpy, the trainers' core) are imported where they are first built.
"""

from __future__ import annotations

import importlib.resources
from typing import TYPE_CHECKING, Any, cast

from PySide6 import QtCore, QtGui, QtWidgets

from workbench.core.assets import plugin_icon
from workbench.core.config import from_dict, non_defaults, specs, to_dict
from workbench.core.manifest import Manifest, discover, with_import_errors
from workbench.core.recipes import Recipe
from workbench.qt import colours, settings
from workbench.qt.welcome import WelcomePage

if TYPE_CHECKING:
    from workbench.qt.browser import RunBrowser
    from workbench.qt.panel import PluginPanel


class PluginBrowser(QtWidgets.QTreeWidget):
    """Plugins by category with their one-line description; broken ones show their error."""

    open_requested = QtCore.Signal(str)

    def __init__(self, manifests: list[Manifest]) -> None:
        super().__init__()
        self.setHeaderLabels(["Plugin", "What it does"])
        # the whole title, never cut: the first column is as wide as its longest name
        self.header().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        groups: dict[str, QtWidgets.QTreeWidgetItem] = {}
        for m in sorted(manifests, key=lambda m: (m.broken, m.category, m.title)):
            group = groups.get(m.category)
            if group is None:
                group = groups[m.category] = QtWidgets.QTreeWidgetItem(self, [m.category])
                group.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled)
            item = QtWidgets.QTreeWidgetItem(group, [m.title, f"BROKEN: {m.error}" if m.broken else m.description])
            item.setData(0, QtCore.Qt.ItemDataRole.UserRole, m.id)
            item.setIcon(0, QtGui.QIcon(str(plugin_icon(m.id))))
            item.setToolTip(0, m.title)
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
        self.welcome: WelcomePage | None = None
        self.browser = PluginBrowser(list(self.manifests.values()))
        self.browser.open_requested.connect(self.open_plugin)
        dock = QtWidgets.QDockWidget("Plugins", self)
        dock.setObjectName("plugins")
        dock.setWidget(self.browser)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.runs_dock = QtWidgets.QDockWidget("Runs", self)  # filled on first use: see run_browser
        self.runs_dock.setObjectName("runs")
        self.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, self.runs_dock)
        self._run_browser: RunBrowser | None = None
        self._build_menus()
        screen = QtWidgets.QApplication.primaryScreen().availableGeometry()
        self.resize(int(screen.width() * 0.96), int(screen.height() * 0.94))
        if "geometry" in self.saved:
            self.restoreGeometry(QtCore.QByteArray.fromBase64(self.saved["geometry"].encode()))
            self.restoreState(QtCore.QByteArray.fromBase64(self.saved.get("state", "").encode()))
        # the window's chrome takes the theme too, the one chosen before or the views' default
        colours.use(self.saved["theme"] if self.saved.get("theme") in colours.THEMES else colours.current().name)
        if not self.saved.get("welcomed"):
            self.show_welcome()

    # ---------- menus ----------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction("&Open run folder…", self.open_run_folder)
        file_menu.addAction("&Resume from…", lambda: self._with_panel("ask_checkpoint"))
        file_menu.addAction("Open &sweep…", self.open_sweep)
        file_menu.addSeparator()
        file_menu.addAction("&Quit", QtGui.QKeySequence.StandardKey.Quit, self.close)
        self.view_menu = bar.addMenu("&View")
        self.view_menu.aboutToShow.connect(self._fill_view_menu)
        self._fill_view_menu()
        run_menu = bar.addMenu("&Run")
        for label, keys, slot in (
            ("&Start", "Ctrl+R", "start"),
            ("&Pause / Continue", "Ctrl+P", "toggle_pause"),
            ("S&tep", "Ctrl+T", "step"),
            ("St&op", "Ctrl+.", "stop"),
            ("R&eset", "", "reset"),
        ):
            run_menu.addAction(label, QtGui.QKeySequence(keys), lambda s=slot: self._with_panel(s))
        help_menu = bar.addMenu("&Help")
        help_menu.addAction("&Welcome page", self.show_welcome)
        readmes = help_menu.addMenu("Plugin &guides")
        for m in sorted(self.manifests.values(), key=lambda m: m.title):
            readmes.addAction(m.title, lambda plugin_id=m.id: self.show_readme(plugin_id))
        help_menu.addAction("&About Workbench", self.show_about)

    def _fill_view_menu(self) -> None:
        """Every dock (also one added later, or closed in an earlier session) can be brought back."""
        menu = self.view_menu
        menu.clear()
        for dock in self.findChildren(QtWidgets.QDockWidget):
            menu.addAction(dock.toggleViewAction())
        menu.addAction("&Welcome page", self.show_welcome)
        menu.addSeparator()
        themes = menu.addMenu("&Theme")
        for name in colours.THEMES:
            action = themes.addAction(name.capitalize(), lambda n=name: self.set_theme(n))
            action.setCheckable(True)
            action.setChecked(colours.current().name == name)

    def set_theme(self, name: str) -> None:
        """Dark or light views for every panel, now and after a relaunch."""
        from workbench.qt import theme

        theme.set_theme(name)
        self.saved["theme"] = name

    def _with_panel(self, action: str) -> None:
        """Call the method ``action`` of the current plugin's panel (the menus' run controls)."""
        panel = self.tabs.currentWidget()
        if panel in self.panels():
            getattr(panel, action)()

    @property
    def run_browser(self) -> RunBrowser:
        """The Runs dock's browser, built on first use (the app builds it once the window shows)."""
        if self._run_browser is None:
            from workbench.qt.browser import RunBrowser

            self._run_browser = RunBrowser(self)
            self.runs_dock.setWidget(self._run_browser)
        return self._run_browser

    def open_sweep(self) -> None:
        from workbench.qt.sweep_view import ask_and_open_sweep

        ask_and_open_sweep(self)

    def open_run_folder(self) -> None:
        QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(settings.home() / "runs")))

    def show_readme(self, plugin_id: str) -> QtWidgets.QDialog:
        """The plugin's README.md in a dialog that does not block the event loop."""
        m = self.manifests[plugin_id]
        dialog = QtWidgets.QDialog(self)
        dialog.setWindowTitle(f"{m.title}: guide")
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        text = QtWidgets.QTextBrowser()
        text.setOpenExternalLinks(True)
        text.setMarkdown(readme_of(m))
        QtWidgets.QVBoxLayout(dialog).addWidget(text)
        dialog.resize(760, 600)
        dialog.open()
        return dialog

    def show_about(self) -> QtWidgets.QMessageBox:
        """The versions and device a bug report needs, in a box that does not block the event loop."""
        from workbench.core.about import about_lines

        box = QtWidgets.QMessageBox(
            QtWidgets.QMessageBox.Icon.Information, "About Workbench", "\n".join(about_lines()), parent=self
        )
        box.setIconPixmap(QtWidgets.QApplication.windowIcon().pixmap(64, 64))
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    # ---------- tabs ----------
    def show_welcome(self) -> WelcomePage:
        """The welcome page's tab, opened once and brought to the front."""
        if self.welcome is None:
            self.welcome = WelcomePage(list(self.manifests.values()))
            self.welcome.open_requested.connect(self.open_plugin)
            self.welcome.recipe_requested.connect(self.open_recipe)
            self.tabs.insertTab(0, self.welcome, "Welcome")
        self.tabs.setCurrentWidget(self.welcome)
        return self.welcome

    def panels(self) -> list[PluginPanel]:
        """The plugins' panels: every tab but the welcome page."""
        tabs = (self.tabs.widget(i) for i in range(self.tabs.count()))
        return [cast("PluginPanel", w) for w in tabs if w is not self.welcome]

    def open_plugin(self, plugin_id: str, values: dict[str, Any] | None = None) -> PluginPanel | None:
        """Show the plugin's panel (opening it once); a broken plugin shows its error instead."""
        for panel in self.panels():
            if panel.manifest.id == plugin_id:
                self.tabs.setCurrentWidget(panel)
                return panel
        m = self.manifests.get(plugin_id)
        if m is None or m.broken:
            QtWidgets.QMessageBox.warning(
                self, "Plugin unavailable", m.error if m is not None else f"unknown plugin {plugin_id!r}"
            )
            return None
        from workbench.qt import theme
        from workbench.qt.panel import PluginPanel

        remembered = settings.usable_values(m.config_class(), self.saved["configs"].get(plugin_id, {}), plugin_id)
        panel = PluginPanel(m, {**remembered, **(values or {})}, device=self.device, max_steps=self.max_steps)
        panel.arrange(self.saved["layouts"].get(plugin_id, {}))
        theme.let_buttons_shrink(panel.start_button.parentWidget())
        self.tabs.addTab(panel, QtGui.QIcon(str(plugin_icon(m.id))), m.title)
        self.tabs.setCurrentWidget(panel)
        return panel

    def open_recipe(self, recipe: Recipe) -> PluginPanel | None:
        """Open the recipe's plugin with the recipe's values, the rest at the defaults of the
        recipe's choices (each recipe builds a valid config: tests/qt/test_recipes.py)."""
        panel = self.open_plugin(recipe.plugin)
        if panel is not None:
            panel.apply_values(to_dict(from_dict(panel.config_cls, recipe.values)))
        return panel

    def close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        self.tabs.removeTab(index)
        if widget is self.welcome:
            self.welcome = None
        else:
            self._remember(widget)
            widget.shutdown()
        widget.deleteLater()

    def _remember(self, panel: PluginPanel) -> None:
        """The panel's settings that differ from their defaults (the rest follow the defaults of
        the choices made, and of later versions), and its arrangement."""
        by_name = {s.name: s for s in specs(panel.config_cls)}
        self.saved["configs"][panel.manifest.id] = non_defaults(by_name, panel.values())
        self.saved["layouts"][panel.manifest.id] = panel.arrangement()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # Qt override
        for panel in self.panels():
            self._remember(panel)
            panel.shutdown()
        self.saved["open"] = [p.manifest.id for p in self.panels()]
        self.saved["welcomed"] = True
        self.saved["geometry"] = bytes(self.saveGeometry().toBase64()).decode()
        self.saved["state"] = bytes(self.saveState().toBase64()).decode()
        settings.save(self.saved)
        super().closeEvent(event)


def readme_of(m: Manifest) -> str:
    """The plugin's README.md, or its description when it ships none."""
    try:
        path = importlib.resources.files(m.package) / "README.md"
        return path.read_text() if path.is_file() else m.description
    except (ModuleNotFoundError, TypeError, OSError):
        return m.description
