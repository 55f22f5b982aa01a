"""Colours for settings shown side by side, in the sweep view and the compare window alike: no
two the same, and where the settings are values of one number, that number's order along one
colour map, so a learning-rate search reads low to high as a figure of it would."""

from __future__ import annotations

import html
from typing import Any

import pyqtgraph as pg

from workbench.qt.colours import Theme

ORDERED_MAP = "plasma"
ORDERED_SPAN = {"dark": (0.3, 1.0), "light": (0.0, 0.8)}  # the map's ends that show on the background


def one_number(settings: dict[str, dict[str, Any]]) -> dict[str, float] | None:
    """Each name's value where ``settings`` (name -> its values, the seed left out) vary one
    numeric field, else None."""
    fields = {field for values in settings.values() for field in values}
    if len(fields) != 1:
        return None
    (field,) = fields
    numbers = {}
    for name, values in settings.items():
        value = values.get(field)
        if isinstance(value, bool):
            return None
        try:
            numbers[name] = float(value)
        except (TypeError, ValueError):
            return None
    return numbers


def setting_colours(look: Theme, settings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A QColor per name of ``settings``, in the legend's order: along ``ORDERED_MAP`` by value
    for values of one number; else the theme's series colours while they last, then as many hues."""
    names = list(settings)
    numbers = one_number(settings)
    if numbers is not None and len(names) > 1:
        low, high = ORDERED_SPAN.get(look.name, ORDERED_SPAN["dark"])
        colour_map = pg.colormap.get(ORDERED_MAP)
        by_value = sorted(names, key=numbers.__getitem__)
        return {
            name: colour_map.map(low + (high - low) * i / (len(names) - 1), mode="qcolor")
            for i, name in enumerate(by_value)
        }
    if len(names) <= len(look.series):
        return {name: pg.mkColor(colour) for name, colour in zip(names, look.series, strict=False)}
    lightness = 200 if look.name == "dark" else 150
    return {name: pg.intColor(i, hues=len(names), minValue=lightness) for i, name in enumerate(names)}


def legend_html(colours: dict[str, Any]) -> str:
    """A legend of ``colours`` (name -> QColor) as rich text, each entry kept on one line."""
    return "&nbsp;&nbsp; ".join(
        f"<span style='color:{c.name()}'>━━</span>&nbsp;{html.escape(name).replace(' ', '&nbsp;')}"
        for name, c in colours.items()
    )
