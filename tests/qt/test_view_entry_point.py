"""A view kind an installed package brings through the ``workbench.views`` entry point is
checked like the built-in ones, and the panel builds and draws its widget."""

from __future__ import annotations

import importlib.metadata
import sys

import numpy as np
from fixtures.dist_info import FIXTURES, write_dist_info
from PySide6 import QtGui

from workbench.core.manifest import parse_manifest
from workbench.core.sinks import HistorySink, LatestSink
from workbench.core.snapshot import Snapshot
from workbench.qt.views import VIEW_KINDS

TOML = """
id = "sparkly"
title = "Sparkly"
category = "Test"
config = "faulty:Config"
trainer = "faulty:train"

[[views]]
kind = "sparkline"
keys = ["loss"]
title = "Loss, newest values"
last = 4
"""


def test_an_entry_point_kind_loads_validates_and_draws(qtbot, tmp_path, monkeypatch):
    write_dist_info(tmp_path, "viewkind_pkg", {"workbench.views": {"sparkline": "viewkind_pkg.kinds:SPARKLINE"}})
    monkeypatch.syspath_prepend(str(FIXTURES))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "viewkind_pkg.widgets", raising=False)
    assert [ep.value for ep in importlib.metadata.entry_points(group="workbench.views")] == [
        "viewkind_pkg.kinds:SPARKLINE"
    ]

    spec = parse_manifest(TOML, "faulty").views[0]
    assert (spec.kind, spec.options) == ("sparkline", {"optional": False, "waiting": "", "when": "", "last": 4})
    assert "viewkind_pkg.widgets" not in sys.modules  # checking a manifest imports no widget
    assert "sparkline" in VIEW_KINDS

    history = HistorySink()
    view = VIEW_KINDS[spec.kind](spec, history, LatestSink(), lambda **_: None)  # as the panel builds it
    qtbot.addWidget(view)
    assert type(view).__name__ == "SparklineView"
    view.resize(300, 240)
    assert not _has_colour(view.grab().toImage(), "#f5c542")
    for step in range(1, 7):
        history.write(Snapshot(step, scalars={"loss": float(step)}))
    view.refresh()
    np.testing.assert_array_equal(view.line.getData()[1], [3, 4, 5, 6])  # the newest `last` values
    assert _has_colour(view.grab().toImage(), "#f5c542")


def _has_colour(image: QtGui.QImage, colour: str) -> bool:
    """Whether any pixel of ``image`` is (close to) ``colour``: the line was painted."""
    rgb = QtGui.QColor(colour)
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    bgr = np.array([rgb.blue(), rgb.green(), rgb.red()])
    return bool((np.abs(pixels[..., :3].astype(int) - bgr).max(axis=-1) < 40).any())
