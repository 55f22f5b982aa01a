"""Controls that behave: any order of presses raises nothing and ends consistent, Reset clears
every view, Stop while paused reads "stopping", Step after an ended run asks first."""

from __future__ import annotations

import random
import sys

import numpy as np
import pyqtgraph as pg
import pytest
from faulty import MANIFEST
from PySide6 import QtWidgets

from workbench.core.manifest import find
from workbench.core.status import State
from workbench.qt.panel import PluginPanel


@pytest.fixture
def excepthook(monkeypatch):
    """Every exception that reaches the event loop, in order (Qt slots print and go on otherwise)."""
    caught: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: caught.append(value))
    return caught


def drawn(view) -> list[str]:
    """What a view still shows: images, non-empty curves, scatters and bars."""
    shown = []
    for item in view.scene().items():
        if isinstance(item, pg.ImageItem) and item.image is not None:
            shown.append("image")
        elif isinstance(item, pg.PlotDataItem) and item.xData is not None and len(item.xData):
            shown.append("curve")
        elif isinstance(item, pg.ScatterPlotItem) and len(item.data):
            shown.append("scatter")
        elif isinstance(item, pg.BarGraphItem) and len(np.atleast_1d(item.opts.get("height") or [])):
            shown.append("bars")
    return shown


def test_reset_clears_every_view_and_its_ranges(qtbot):
    panel = PluginPanel(find("td-control"), {"episodes": 30, "runs": 1}, device="cpu")
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    panel.show()
    with qtbot.waitSignal(panel.run_ended, timeout=60_000):
        panel.start()
    panel.refresh()
    panel.refresh()
    shown = [v for v in panel.views if v.isVisible()]
    assert all(drawn(v) for v in shown), [v.title for v in shown if not drawn(v)]
    curve = panel.views[0]
    curve.plot.getViewBox().setRange(xRange=(3, 7), yRange=(-5, -4))  # a zoom by hand...
    curve.plot.getViewBox().sigRangeChangedManually.emit([True, True])
    assert curve.zoomed()
    panel.reset()
    assert [(v.title, drawn(v)) for v in panel.views if drawn(v)] == []
    assert not curve.zoomed()
    assert curve.plot.getViewBox().viewRange()[0] == [0, 10]  # ...is forgotten with the run


def test_stop_while_paused_reads_stopping_and_step_after_the_end_asks(qtbot, excepthook):
    panel = PluginPanel(MANIFEST, {"mode": "slow"}, device="cpu")
    qtbot.addWidget(panel)
    panel.show()
    panel.start()
    qtbot.waitUntil(lambda: panel.run.status().step > 2, timeout=10_000)
    panel.toggle_pause()
    qtbot.waitUntil(lambda: panel.run.status().state == State.PAUSED, timeout=10_000)
    with qtbot.waitSignal(panel.run_ended, timeout=15_000):
        panel.stop()
        assert panel.status.text().startswith("stopping")
        assert not panel.pause_button.isEnabled() and not panel.step_button.isEnabled()
    asked: list[str] = []
    panel.confirm = lambda question: asked.append(question) or False
    panel.step()
    assert asked and "Start a new run" in asked[0] and not panel.running  # "no" starts nothing
    panel.confirm = lambda question: True
    panel.step()
    assert panel.running
    qtbot.waitUntil(lambda: panel.run.status().state == State.PAUSED, timeout=10_000)
    panel.shutdown()
    assert excepthook == []


def test_paused_runs_keep_their_rate(qtbot):
    panel = PluginPanel(MANIFEST, {"mode": "slow"}, device="cpu")
    qtbot.addWidget(panel)
    panel.start()
    qtbot.waitUntil(lambda: panel.run.status().step > 10, timeout=10_000)
    panel.toggle_pause()
    qtbot.waitUntil(lambda: panel.run.status().state == State.PAUSED, timeout=10_000)
    rate = panel.run.status().steps_per_s
    step = panel.run.status().step
    panel.toggle_pause()  # a pause is no part of the rate: the first steps after it keep it
    qtbot.waitUntil(lambda: panel.run.status().step > step + 2, timeout=10_000)
    assert panel.run.status().steps_per_s > 0.5 * rate
    panel.shutdown()


def press(panel: PluginPanel, rng: random.Random) -> str:
    """One control a person could use, picked by ``rng``."""
    name = rng.choice(["start", "pause", "step", "stop", "reset", "record", "slider", "refresh", "refresh"])
    buttons = {
        "start": panel.start_button,
        "pause": panel.pause_button,
        "step": panel.step_button,
        "stop": panel.stop_button,
        "reset": panel.reset_button,
    }
    if name in buttons:
        buttons[name].click()
    elif name == "record":
        panel.record_button.toggle()
    elif name == "slider":
        live = [f for n, f in panel.form.fields.items() if panel.form.specs[n].live and getattr(f, "slider", None)]
        field = rng.choice(live)
        if field.isEnabled():
            field.slider.setValue(rng.randrange(0, field.slider.maximum() + 1))
    else:
        panel.refresh()
    return name


@pytest.mark.parametrize(
    "plugin, values",
    [
        (MANIFEST, {"mode": "slow"}),
        ("td-control", {"episodes": 200, "render": False}),
    ],
    ids=["faulty", "td-control"],
)
def test_a_random_sequence_of_controls_raises_nothing_and_ends_consistent(qtbot, excepthook, plugin, values):
    manifest = find(plugin) if isinstance(plugin, str) else plugin
    panel = PluginPanel(manifest, values, device="cpu")
    panel.confirm = lambda question: True
    qtbot.addWidget(panel)
    panel.resize(1000, 700)
    panel.show()
    rng = random.Random(7)
    pressed = []
    for _ in range(200):
        pressed.append(press(panel, rng))
        QtWidgets.QApplication.processEvents()  # ended runs and timers are delivered between presses
    assert {"start", "pause", "step", "stop", "reset", "record", "slider"} <= set(pressed)
    panel.shutdown()
    qtbot.waitUntil(lambda: not panel.running and panel.start_button.isEnabled(), timeout=20_000)
    assert excepthook == []
    assert not panel.state().active and panel.recorder is None
    assert not panel.record_button.isChecked()
