"""Every plugin opens in a panel, starts, takes a live change that its trainer acts on, and stops cleanly."""

from __future__ import annotations

import pytest

from workbench.core.config import from_dict, specs
from workbench.core.driver import Run
from workbench.core.manifest import discover
from workbench.core.sinks import HistorySink
from workbench.qt.panel import PluginPanel

MANIFESTS = [m for m in discover() if not m.broken]
# plugins whose first live float shows no effect on their smoke budget: the settings and field to change instead
LIVE_FIELD = {
    "bandit": ({"compare": "none"}, "epsilon"),  # under a comparison the single agent's settings do not apply
    "policy-gradient": ({"render": False}, "lr"),  # the live render samples actions at wall-clock times
    "dqn": ({"epsilon_schedule": "constant"}, "epsilon"),
}
# plugins that also snapshot on a wall-clock timer: only the scalars that do not depend on when snapshots come
COMPARABLE = {"dqn": {"epsilon", "episode_return", "episode_length"}}


def first_live_float(config_cls) -> str | None:
    return next(
        (s.name for s in specs(config_cls) if s.live and s.type is float and s.lo is not None and s.hi is not None),
        None,
    )


def new_value(config_cls, name: str, current: float) -> float:
    spec = next(s for s in specs(config_cls) if s.name == name)
    return spec.lo + (spec.hi - spec.lo) * (0.25 if current > (spec.lo + spec.hi) / 2 else 0.75)


def scalars_by_step(history: HistorySink) -> dict[str, dict[int, float]]:
    return {key: dict(zip(*(a.tolist() for a in history.read(key)))) for key in history.keys()}


def responded(changed: dict, kept: dict, at: int) -> list[str]:
    """The scalars that differ between the two runs at a step both logged, from step ``at`` on (a trainer
    may snapshot step ``at`` again after taking the change); AssertionError if any differs before."""
    moved = []
    for key in changed.keys() & kept.keys():
        both = changed[key].keys() & kept[key].keys()
        differ = [s for s in both if changed[key][s] != kept[key][s]]
        assert all(s >= at for s in differ), f"{key} differs before the change, at {min(differ)}"
        if differ:
            moved.append(key)
    return moved


@pytest.mark.parametrize("m", MANIFESTS, ids=lambda m: m.id)
def test_panel_starts_takes_a_live_change_and_stops(m, qtbot, tmp_path):
    """The change is recorded, and the panel's curves leave those of a same-seed headless run without it."""
    settings, name = LIVE_FIELD.get(m.id, ({}, None))
    panel = PluginPanel(m, {**m.smoke, **settings}, device="cpu")
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    panel.show()
    cfg = from_dict(panel.config_cls, panel.values())
    assert panel.start()
    panel.run.pause()  # hold the run at its first snapshot, however short the smoke budget
    qtbot.waitUntil(lambda: panel.run.status().state == "paused" or not panel.running, timeout=30_000)
    assert panel.running, panel.run.error
    locked = [s.name for s in specs(panel.config_cls) if not s.live]
    if locked:
        assert not panel.form.fields[locked[0]].isEnabled()
    name = name or first_live_float(panel.config_cls)
    assert name is not None, f"{m.id} has no live float setting to change"
    field = panel.form.fields[name]
    assert field.isEnabled()
    field.set_value(new_value(panel.config_cls, name, panel.values()[name]))
    panel._edited(name, field.value())
    with qtbot.waitSignal(panel.run_ended, timeout=60_000):
        panel.toggle_pause()  # run on to the end of the smoke budget
    assert panel.run.status().state == "finished", panel.run.error
    assert [list(c["changes"]) for c in panel.run.changes] == [[name]]
    kept = HistorySink()
    assert Run(m, cfg, device="cpu", out_dir=tmp_path, sinks=[kept]).run().state == "finished"
    changed, kept = (
        {k: v for k, v in scalars_by_step(h).items() if k in COMPARABLE.get(m.id, h.keys())}
        for h in (panel.history, kept)
    )
    moved = responded(changed, kept, panel.run.changes[0]["step"])
    assert moved, f"no curve of {m.id} responded to {name}"
    panel.refresh()
    panel.shutdown()
