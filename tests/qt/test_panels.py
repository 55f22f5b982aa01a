"""Every plugin opens in a panel, starts, takes a live change, and stops cleanly."""

from __future__ import annotations

import pytest

from workbench.core.config import specs
from workbench.core.manifest import discover
from workbench.qt.panel import PluginPanel

MANIFESTS = [m for m in discover() if not m.broken]


def first_live_change(panel):
    for spec in specs(panel.config_cls):
        if spec.live and spec.type is float and spec.lo is not None and spec.hi is not None:
            current = panel.values()[spec.name]
            return spec.name, spec.lo + (spec.hi - spec.lo) * (0.25 if current > (spec.lo + spec.hi) / 2 else 0.75)
    return None


@pytest.mark.parametrize("m", MANIFESTS, ids=lambda m: m.id)
def test_panel_starts_takes_a_live_change_and_stops(m, qtbot):
    panel = PluginPanel(m, dict(m.smoke), device="cpu")
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    panel.show()
    assert panel.start()
    panel.run.pause()  # hold the run at its first snapshot, however short the smoke budget
    qtbot.waitUntil(lambda: panel.run.status().state == "paused" or not panel.running, timeout=30_000)
    assert panel.running, panel.run.error
    locked = [s.name for s in specs(panel.config_cls) if not s.live]
    if locked:
        assert not panel.form.fields[locked[0]].isEnabled()
    change = first_live_change(panel)
    if change is not None:
        name, value = change
        field = panel.form.fields[name]
        assert field.isEnabled()
        field.set_value(value)
        panel._edited(name, field.value())
        panel.step()
        qtbot.waitUntil(lambda: bool(panel.run.changes), timeout=30_000)
        assert name in panel.run.changes[0]["changes"]
    with qtbot.waitSignal(panel.run_ended, timeout=30_000):
        panel.stop()
    assert panel.run.status().state in ("stopped", "finished"), panel.run.error
    panel.refresh()
    assert panel.history.keys() or panel.latest.keys()
    panel.shutdown()
