"""Where the shipped icons are: read from the installed ``workbench_assets`` package through
``importlib.resources``, so a wheel, a pipx install and a standalone build find the same files."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

ASSETS_PACKAGE = "workbench_assets"
APP_ICON = "workbench"
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)


def asset_path(*parts: str) -> Path:
    """A file of the assets package; an installed package is a plain folder, so this is a real path
    that Qt and the desktop installer can open."""
    return Path(str(importlib.resources.files(ASSETS_PACKAGE).joinpath(*parts)))


def icon_path(name: str = APP_ICON, size: int | None = None) -> Path:
    """The SVG icon ``name`` or its PNG at ``size`` pixels; the app icon when there is no such icon."""
    file = f"{name}.svg" if size is None else f"{name}-{size}.png"
    path = asset_path("icons", file)
    return path if path.is_file() or name == APP_ICON else icon_path(APP_ICON, size)


def plugin_icon(plugin_id: str) -> Path:
    """The plugin's own SVG icon, or the app icon for a plugin that brings none."""
    path = asset_path("plugins", f"{plugin_id}.svg")
    return path if path.is_file() else icon_path()
