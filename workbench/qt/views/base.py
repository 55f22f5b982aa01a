"""What every view shares: a titled pyqtgraph widget reading one or more keys from a sink."""

from __future__ import annotations

import time
from typing import Any, Callable

import pyqtgraph as pg

from workbench.core.manifest import ViewSpec
from workbench.core.sinks import HistorySink, LatestSink

pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)


class View(pg.GraphicsLayoutWidget):
    """Base of all views. ``clicked(action, x, y)`` is how a view asks for the action its spec
    names under ``click`` at the point clicked, in data coordinates."""

    def __init__(self, spec: ViewSpec, history: HistorySink, latest: LatestSink,
                 clicked: Callable[[str, float, float], None] | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.spec, self.history, self.latest = spec, history, latest
        self.clicked = clicked or (lambda action, x, y: None)
        self.setMinimumSize(250, 230)
        self.title = spec.title or ", ".join(spec.keys)

    @property
    def optional(self) -> bool:
        """Optional views show only once their data arrives (their keys come in some configs)."""
        return bool(self.option("optional", False))

    def has_data(self) -> bool:
        raise NotImplementedError

    def waiting(self) -> bool:
        """True when new data waits for a costly redraw the panel may put off to a later tick."""
        return False

    def array_keys(self) -> set[str]:
        """The arrays this view reads (a panel asks its trainer process for these only)."""
        return set(self.spec.keys)

    def option(self, name: str, default: Any = None) -> Any:
        return self.spec.options.get(name, default)

    def refresh(self) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        """Forget what is drawn (a new run starts)."""


class ArrayView(View):
    """A view of the latest array under its first key; redraws only when a new one arrives."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._version = 0
        self.drawn_at = 0.0  # time.monotonic() of the last redraw: the panel serves the oldest first

    def waiting(self) -> bool:
        return self.latest.read(self.spec.keys[0])[0] != self._version

    def refresh(self) -> None:
        version, arr = self.latest.read(self.spec.keys[0])
        if arr is None or version == self._version:
            return
        self._version = version
        self.drawn_at = time.monotonic()
        self.draw(arr)

    def reset(self) -> None:
        self._version = 0

    def has_data(self) -> bool:
        return self._version > 0

    def draw(self, arr: Any) -> None:
        raise NotImplementedError
