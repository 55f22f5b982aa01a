"""The dark and light themes' colours and the window's palette. Qt alone, no plotting library:
the window takes its theme before the views' pyqtgraph is loaded (0.4 s of a 1 s start-up)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtGui, QtWidgets


@dataclass(frozen=True)
class Theme:
    """The colours one theme gives every view."""

    name: str
    background: str
    foreground: str  # axis lines, ticks and labels
    text: str  # titles and legends
    legend_fill: str  # legend background, opaque enough to read over anything
    mask: str  # cells that are no state (walls, cliffs, terminals)
    cell_text: str  # numbers written on heatmap cells
    series: tuple[str, ...]
    window: str  # the window's chrome: docks, toolbar, menus, forms
    button: str
    highlight: str  # selected items and focused fields


THEMES = {
    "dark": Theme(
        "dark",
        background="#15181c",
        foreground="#b8bcc2",
        text="#e6e6e6",
        legend_fill="#15181ce6",
        mask="#5a5f66",
        cell_text="#ffffff",
        series=("#f5c542", "#4fc3f7", "#e57373", "#81c784", "#ba68c8", "#ffb74d", "#90a4ae", "#f06292"),
        window="#23272d",
        button="#2e333a",
        highlight="#2f7fc1",
    ),
    "light": Theme(
        "light",
        background="#ffffff",
        foreground="#404448",
        text="#202124",
        legend_fill="#ffffffe6",
        mask="#b0b4b8",
        cell_text="#000000",
        series=("#c78c00", "#0277bd", "#c62828", "#2e7d32", "#6a1b9a", "#e65100", "#455a64", "#ad1457"),
        window="#eef0f2",
        button="#e2e5e8",
        highlight="#2f7fc1",
    ),
}


_current = THEMES["dark"]


def current() -> Theme:
    return _current


def use(name: str) -> None:
    """Make ``name`` the current theme and give the app's window its colours (views follow
    through ``theme.set_theme``).

    Raises:
        ValueError: naming the unknown theme.
    """
    global _current
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}; themes: {', '.join(THEMES)}")
    _current = THEMES[name]
    app = QtWidgets.QApplication.instance()
    if isinstance(app, QtWidgets.QApplication):
        app.setPalette(palette(_current))


def palette(look: Theme) -> QtGui.QPalette:
    """The window's colours in ``look``, so docks, toolbar, menus and forms match the views."""
    roles = QtGui.QPalette.ColorRole
    colours = {
        roles.Window: look.window,
        roles.WindowText: look.text,
        roles.Base: look.background,
        roles.AlternateBase: look.window,
        roles.Text: look.text,
        roles.Button: look.button,
        roles.ButtonText: look.text,
        roles.ToolTipBase: look.window,
        roles.ToolTipText: look.text,
        roles.PlaceholderText: look.foreground,
        roles.Highlight: look.highlight,
        roles.HighlightedText: "#ffffff",
        roles.Link: look.series[1],
        roles.BrightText: look.series[2],
    }
    pal = QtGui.QPalette()
    for role, colour in colours.items():
        pal.setColor(role, QtGui.QColor(colour))
    disabled = QtGui.QColor(look.foreground)
    disabled.setAlpha(130)
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        pal.setColor(QtGui.QPalette.ColorGroup.Disabled, role, disabled)
    return pal
