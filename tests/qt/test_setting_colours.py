"""Colours of settings side by side (the sweep view's, the compare window's): no two alike, and
the values of one number in that number's order along one map."""

from __future__ import annotations

import pyqtgraph as pg
import pytest

from workbench.qt import theme
from workbench.qt.setting_colours import ORDERED_MAP, setting_colours


def grid(**values: list) -> dict[str, dict]:
    """Settings by name, as a sweep over ``values`` names them."""
    settings: list[dict] = [{}]
    for field, options in values.items():
        settings = [{**done, field: option} for done in settings for option in options]
    return {",".join(f"{k}={v}" for k, v in one.items()): one for one in settings}


def _distance(a, b) -> float:
    return sum((x - y) ** 2 for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


@pytest.mark.parametrize("look", ["dark", "light"])
def test_the_values_of_one_number_run_along_the_map_low_to_high_whatever_their_order(look):
    shuffled = ["0.01", "0.0001", "0.001", "3e-4", "0.003", "0.03", "1e-5", "0.1", "0.3"]
    colours = setting_colours(theme.THEMES[look], grid(lr=shuffled))
    by_value = sorted(colours, key=lambda name: float(name.split("=")[1]))
    assert list(colours) == by_value  # the legend's order
    assert len({c.name() for c in colours.values()}) == len(by_value)
    colour_map = pg.colormap.get(ORDERED_MAP)
    places = [
        min((t / 100 for t in range(101)), key=lambda t: _distance(colour_map.map(t, mode="qcolor"), colours[name]))
        for name in by_value
    ]
    assert places == sorted(places) and places[0] < places[-1]


@pytest.mark.parametrize("look", ["dark", "light"])
def test_no_two_settings_share_a_colour_past_the_themes_series(look):
    series = theme.THEMES[look].series
    twelve = setting_colours(
        theme.THEMES[look], grid(alpha=["0.1", "0.2", "0.3"], epsilon=["0.01", "0.05", "0.1", "0.2"])
    )
    assert len(twelve) == 12 > len(series) and len({c.name() for c in twelve.values()}) == 12
    words = setting_colours(theme.THEMES[look], grid(algo=["dqn", "double"]))
    assert [c.name() for c in words.values()] == list(series[:2])
    switches = setting_colours(theme.THEMES[look], grid(render=[True, False]))  # a bool is no number to order
    assert [c.name() for c in switches.values()] == list(series[:2])
