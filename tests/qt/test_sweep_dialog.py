"""The Sweep… dialog: fields ticked with values or ranges become a sweep that runs in a sweep view
while the dialog's table shows each trial's state."""

from __future__ import annotations

from PySide6 import QtWidgets

from workbench.core.config import specs, to_dict
from workbench.core.manifest import find
from workbench.core.sweep import read_sweep
from workbench.qt.sweep_dialog import SweepDialog, expand, open_sweep_dialog


def test_ranges_expand_on_the_fields_scale():
    by_name = {s.name: s for s in specs(find("dqn").config_class())}
    assert expand("1e-4..1e-2 x3", by_name["lr"]) == ["0.0001", "0.001", "0.01"]
    assert expand("0.1, 0.3", by_name["gamma"]) == ["0.1", "0.3"]
    assert expand("32..256 x4", by_name["batch_size"]) == ["32", "107", "181", "256"]


def test_the_dialog_runs_a_sweep_of_the_panels_plugin_and_shows_each_trial(qtbot, tmp_path):
    manifest = find("td-control")
    panel = QtWidgets.QWidget()
    qtbot.addWidget(panel)
    panel.manifest = manifest
    panel.values = lambda: {**to_dict(manifest.config_class()()), "episodes": 15, "render": False}
    dialog = open_sweep_dialog(panel)
    dialog.tick("alpha", "0.1..2 x3")
    dialog.out.setText(str(tmp_path / "sweep"))
    dialog.start()
    assert "alpha=1.05 is outside [0.0, 1.0]" in dialog.message.text() and not dialog.running()
    dialog.tick("alpha", "0.2..0.4 x2")
    dialog.seeds.setText("0")
    dialog.workers.setValue(1)
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=90_000)
    rows = {dialog.trials.item(r, 0).text(): dialog.trials.item(r, 1).text() for r in range(dialog.trials.rowCount())}
    assert rows == {"alpha=0.2,seed=0": "finished", "alpha=0.4,seed=0": "finished"}
    assert {r["state"] for r in read_sweep(tmp_path / "sweep")["trials"]} == {"finished"}
    assert isinstance(dialog, SweepDialog) and "2 finished" in dialog.message.text()
    # the sweep ran in its view (a window of the panel's), which stays open after the dialog closes
    dialog.close()
    dialog.view.refresh()
    assert dialog.view.isVisible()
    assert sorted(g.name for g in dialog.view.groups) == ["alpha=0.2", "alpha=0.4"]


def test_a_setting_at_its_default_is_left_to_each_trials_own_algorithm(qtbot):
    manifest = find("policy-gradient")
    panel = QtWidgets.QWidget()
    qtbot.addWidget(panel)
    panel.manifest = manifest
    panel.values = lambda: {**to_dict(manifest.config_class()(algo="a2c")), "lr": 0.002}
    dialog = open_sweep_dialog(panel)
    dialog.tick("algo", "a2c, ppo")
    spec = dialog.spec()
    assert sorted(spec.sets) == ["lr=0.002"]  # not gamma 0.99: A2C's default, and PPO's is 0.98
    dialog.close()
