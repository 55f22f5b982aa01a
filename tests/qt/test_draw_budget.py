"""While a run trains, a refresh tick redraws only the views that fit in its drawing budget, the
longest-waiting first, so painting neither holds the GUI thread nor takes the trainer's CPU; once
the run ends, every view catches up in one refresh."""

from __future__ import annotations

import dataclasses

from faulty import MANIFEST

from workbench.core.manifest import ViewSpec
from workbench.core.snapshot import Snapshot
from workbench.qt.panel import DRAW_BUDGET_S, PluginPanel

KEYS = ("a", "b", "c")


def newest(view) -> float | None:
    curve = view.curves.get(view.spec.keys[0])
    return None if curve is None else float(curve.getData()[1][-1])


def test_views_take_turns_within_the_budget_while_a_run_trains(qtbot):
    m = dataclasses.replace(MANIFEST, views=tuple(ViewSpec("curve", (k,), k) for k in KEYS))
    panel = PluginPanel(m, {"mode": "slow"}, device="cpu")  # "slow" trains until stopped
    qtbot.addWidget(panel)
    panel.show()
    panel.start()
    qtbot.waitUntil(lambda: panel.run.status().step > 0, timeout=20_000)
    views = panel.views
    for step, value in enumerate((1.0, 2.0), start=1):
        panel.history.write(Snapshot(step, scalars=dict.fromkeys(KEYS, value)))
        for view in views:
            view.paint_s = 2 * DRAW_BUDGET_S  # as if each paint took twice a tick's budget
        drawn = []
        for _ in KEYS:
            panel.refresh()
            drawn.append([k for k, v in zip(KEYS, views) if newest(v) == value])
        assert drawn == [["a"], ["a", "b"], ["a", "b", "c"]], drawn  # one a tick, the longest-waiting first

    panel.history.write(Snapshot(3, scalars=dict.fromkeys(KEYS, 3.0)))
    with qtbot.waitSignal(panel.run_ended, timeout=20_000):
        panel.stop()
    assert [newest(v) for v in views] == [3.0, 3.0, 3.0]  # the run's end redraws every view at once
