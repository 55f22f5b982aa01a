"""The welcome page: a card per plugin (icon, full title, what it does) with recipes to try,
each of which opens its plugin on a known experiment."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from workbench.core.assets import plugin_icon
from workbench.core.manifest import Manifest
from workbench.core.recipes import Recipe, recipes_of

COLUMNS = 2
ICON_PX = 40


class PluginCard(QtWidgets.QFrame):
    """One plugin: its icon, title and description, an Open button and its recipes."""

    def __init__(self, manifest: Manifest, recipes: list[Recipe], page: WelcomePage) -> None:
        super().__init__()
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        layout = QtWidgets.QGridLayout(self)
        icon = QtWidgets.QLabel()
        icon.setPixmap(QtGui.QIcon(str(plugin_icon(manifest.id))).pixmap(ICON_PX, ICON_PX))
        icon.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        layout.addWidget(icon, 0, 0, 2, 1)
        title = QtWidgets.QLabel(f"<b>{manifest.title}</b>")
        title.setWordWrap(True)
        layout.addWidget(title, 0, 1)
        about = QtWidgets.QLabel(f"BROKEN: {manifest.error}" if manifest.broken else manifest.description)
        about.setWordWrap(True)
        layout.addWidget(about, 1, 1)
        self.open_button = QtWidgets.QPushButton("Open")
        self.open_button.setEnabled(not manifest.broken)
        self.open_button.clicked.connect(lambda: page.open_requested.emit(manifest.id))
        layout.addWidget(self.open_button, 0, 2, alignment=QtCore.Qt.AlignmentFlag.AlignTop)
        self.recipe_buttons: list[QtWidgets.QPushButton] = []
        for i, recipe in enumerate(recipes):
            button = QtWidgets.QPushButton(f"Try: {recipe.title}")
            button.setToolTip(recipe.about)
            button.setStyleSheet("text-align: left; padding: 3px 8px;")
            button.clicked.connect(lambda _=False, r=recipe: page.recipe_requested.emit(r))
            layout.addWidget(button, 2 + i, 1, 1, 2)
            self.recipe_buttons.append(button)
        layout.setColumnStretch(1, 1)
        layout.setRowStretch(2 + len(recipes), 1)  # the slack goes under the card's text, not between its lines


class WelcomePage(QtWidgets.QScrollArea):
    """``open_requested(plugin_id)`` and ``recipe_requested(recipe)`` ask the window to open a panel."""

    open_requested = QtCore.Signal(str)
    recipe_requested = QtCore.Signal(object)

    def __init__(self, manifests: list[Manifest], parent: Any = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        body = QtWidgets.QWidget()
        outer = QtWidgets.QVBoxLayout(body)
        intro = QtWidgets.QLabel(
            "<h2>Welcome to Workbench</h2>Each plugin trains an agent or a model while its panel shows what "
            "happens inside. Open one, press <b>Start</b>, and drag a ● setting while it trains. "
            "The <b>Try</b> buttons open a plugin on a known experiment from the textbooks."
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)
        grid = QtWidgets.QGridLayout()
        self.cards: dict[str, PluginCard] = {}
        ordered = sorted(manifests, key=lambda m: (m.broken, m.category, m.title))
        for i, m in enumerate(ordered):
            card = PluginCard(m, [] if m.broken else recipes_of(m), self)
            grid.addWidget(card, i // COLUMNS, i % COLUMNS)
            self.cards[m.id] = card
        for col in range(COLUMNS):
            grid.setColumnStretch(col, 1)
        outer.addLayout(grid)
        outer.addStretch(1)
        self.setWidget(body)
