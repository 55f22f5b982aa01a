"""While a run trains, a refresh tick redraws only the views that fit in its drawing budget, the
longest-waiting first, so painting neither holds the GUI thread nor takes the trainer's CPU; once
the run ends, every view catches up in one refresh."""

from __future__ import annotations

import dataclasses

import pytest
from faulty import MANIFEST

from workbench.core.manifest import ViewSpec
from workbench.core.snapshot import Snapshot
from workbench.qt.panel import DRAW_BUDGET_S, PluginPanel

KEYS = ("a", "b", "c")


def newest(view) -> float | None:
    curve = view.curves.get(view.spec.keys[0])
    return None if curve is None else float(curve.getData()[1][-1])


@pytest.fixture
def panel(qtbot):
    """A panel of three curves whose run trains until stopped ("slow" mode)."""
    m = dataclasses.replace(MANIFEST, views=tuple(ViewSpec("curve", (k,), k) for k in KEYS))
    panel = PluginPanel(m, {"mode": "slow"}, device="cpu")
    qtbot.addWidget(panel)
    panel.show()
    panel.start()
    qtbot.waitUntil(lambda: panel.run.status().step > 0, timeout=20_000)
    yield panel
    panel.shutdown()


def test_views_take_turns_within_the_budget_while_a_run_trains(panel, qtbot):
    for step, value in enumerate((1.0, 2.0), start=1):
        panel.history.write(Snapshot(step, scalars=dict.fromkeys(KEYS, value)))
        order = []
        for _ in range(500):  # each paint takes two ticks' budgets: one view at a time, then ticks of rest
            for view in panel.views:
                view.paint_s = 2 * DRAW_BUDGET_S
            panel.refresh()
            now = [k for k, v in zip(KEYS, panel.views) if newest(v) == value and k not in order]
            assert len(now) <= 1, now
            order += now
            if len(order) == len(KEYS):
                break
        assert order == list(KEYS)  # the longest-waiting first

    panel.history.write(Snapshot(3, scalars=dict.fromkeys(KEYS, 3.0)))
    with qtbot.waitSignal(panel.run_ended, timeout=20_000):
        panel.stop()
    assert [newest(v) for v in panel.views] == [3.0, 3.0, 3.0]  # the run's end redraws every view at once


def test_a_tick_over_its_budget_is_paid_back_by_ticks_that_draw_nothing(panel):
    drew = []
    for tick in range(30):
        panel.history.write(Snapshot(tick + 1, scalars=dict.fromkeys(KEYS, float(tick))))  # always new data
        before = [v.drawn_at for v in panel.views]
        for view in panel.views:
            view.paint_s = 2.5 * DRAW_BUDGET_S
        panel.refresh()
        if [v.drawn_at for v in panel.views] != before:
            drew.append(tick)
    assert drew and drew[0] == 0
    assert all(b - a >= 2 for a, b in zip(drew, drew[1:])), drew  # a tick of rest at least after each
    assert len(drew) <= 30 / 2.5 + 1, drew  # on average no more than the budget


def test_a_second_view_is_drawn_in_a_tick_only_where_its_cost_fits_what_is_left(panel):
    """A window paints the changes of all its views in one go, so two paints in one tick would hold
    the GUI thread for their sum: a view whose last paint takes more than the tick has left waits."""
    drawn_per_tick = []
    for tick in range(20):
        panel.history.write(Snapshot(tick + 1, scalars=dict.fromkeys(KEYS, float(tick))))
        before = [v.drawn_at for v in panel.views]
        for view in panel.views:
            view.paint_s = 0.6 * DRAW_BUDGET_S
        panel.refresh()
        drawn_per_tick.append(sum(v.drawn_at != b for v, b in zip(panel.views, before)))
    assert max(drawn_per_tick) == 1 and sum(drawn_per_tick) >= 10, drawn_per_tick
