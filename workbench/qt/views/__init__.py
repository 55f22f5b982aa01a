"""Live views: each pulls the newest data from a sink when ``refresh()`` is called (~30 Hz by
its panel's timer) and only updates plot items it created once.

``VIEW_KINDS`` maps a kind name to its widget class: the shell's own widgets for the built-in
kinds of ``workbench.core.view_kinds``, and for a kind a package registers, the widget its
``ViewKind.widget`` names, imported the first time it is looked up.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from workbench.core.view_kinds import BUILTIN_KINDS, registry
from workbench.qt.views.bars import BarsView, HistogramView
from workbench.qt.views.base import View
from workbench.qt.views.curve import CurveView
from workbench.qt.views.heatmap import HeatmapView
from workbench.qt.views.image import ImageView
from workbench.qt.views.scatter import ScatterView


class ViewClasses(Mapping[str, type[View]]):
    """Kind name -> widget class, over the built-in widgets and the kinds installed packages bring."""

    def __init__(self, builtin: dict[str, type[View]]) -> None:
        assert builtin.keys() == BUILTIN_KINDS.keys(), "every built-in kind needs a widget"
        self._classes = dict(builtin)

    def __getitem__(self, name: str) -> type[View]:
        if name not in self._classes:
            kind = registry()[0][name]  # KeyError for an unknown kind, as a dict does
            module, _, attr = kind.widget.partition(":")
            self._classes[name] = getattr(importlib.import_module(module), attr)
        return self._classes[name]

    def __contains__(self, name: object) -> bool:
        return name in self._classes or name in registry()[0]

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self._classes), **registry()[0]})

    def __len__(self) -> int:
        return len({**dict.fromkeys(self._classes), **registry()[0]})


VIEW_KINDS = ViewClasses(
    {
        "curve": CurveView,
        "image": ImageView,
        "heatmap": HeatmapView,
        "bars": BarsView,
        "histogram": HistogramView,
        "scatter": ScatterView,
    }
)
