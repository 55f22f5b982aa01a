"""The Sweep… dialog: fields ticked with values or ranges become a sweep that runs in a sweep view
while the dialog's table shows each trial's state."""

from __future__ import annotations

from PySide6 import QtWidgets

from workbench.core.config import specs, to_dict
from workbench.core.manifest import find
from workbench.core.sweep import read_sweep, where_it_ran
from workbench.qt.sweep_dialog import SweepDialog, expand, metrics_of, open_sweep_dialog


def test_ranges_expand_on_the_fields_scale():
    by_name = {s.name: s for s in specs(find("dqn").config_class())}
    assert expand("1e-4..1e-2 x3", by_name["lr"]) == ["0.0001", "0.001", "0.01"]
    assert expand("0.1, 0.3", by_name["gamma"]) == ["0.1", "0.3"]
    assert expand("32..256 x4", by_name["batch_size"]) == ["32", "107", "181", "256"]


def dialog_of(qtbot, plugin: str, **values) -> SweepDialog:
    """The dialog as a panel of ``plugin`` opens it, its form holding a config made of ``values``."""
    manifest = find(plugin)
    panel = QtWidgets.QWidget()
    qtbot.addWidget(panel)
    panel.manifest = manifest
    panel.values = lambda: to_dict(manifest.config_class()(**values))
    dialog = open_sweep_dialog(panel)
    dialog.opened_from = panel  # the panel owns the dialog: it lives as long as the test's dialog
    return dialog


def test_the_dialog_runs_a_sweep_of_the_panels_plugin_and_shows_each_trial(qtbot, tmp_path):
    dialog = dialog_of(qtbot, "td-control", episodes=15, render=False)
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
    dialog = dialog_of(qtbot, "policy-gradient", algo="a2c", lr=0.002)
    dialog.tick("algo", "a2c, ppo")
    spec = dialog.spec()
    assert sorted(spec.sets) == ["lr=0.002"]  # not gamma 0.99: A2C's default, and PPO's is 0.98
    dialog.close()


def test_the_metric_is_one_the_panel_plots_and_the_address_and_asha_come_with_ray(qtbot):
    dialog = dialog_of(qtbot, "dqn")
    items = [dialog.rank_by.itemText(i) for i in range(dialog.rank_by.count())]
    assert items[0] == "episode_return" and "eval_return" in items and "loss" in items
    assert metrics_of(find("vae"))[0] == "loss" and "episode_return" not in metrics_of(find("vae"))
    assert dialog.backend.currentText() == "local" and not dialog.asha.isEnabled() and not dialog.address.isEnabled()
    dialog.backend.setCurrentText("ray")
    assert dialog.asha.isEnabled() and dialog.address.isEnabled()
    dialog.asha.setChecked(True)
    dialog.rank_by.setCurrentText("eval_return")
    spec = dialog.spec()  # ASHA's budget: the config's own steps when none is given
    assert (spec.scheduler, spec.steps, spec.metric, spec.mode) == ("asha", 80_000, "eval_return", "max")
    dialog.backend.setCurrentText("local")
    assert not dialog.asha.isChecked() and dialog.spec().scheduler == "none"
    dialog.close()


def test_asha_without_a_step_budget_is_refused_with_what_to_give(qtbot, tmp_path):
    dialog = dialog_of(qtbot, "td-control", render=False)  # counts episodes: no steps to take for a budget
    dialog.tick("alpha", "0.1, 0.5")
    dialog.backend.setCurrentText("ray")
    dialog.asha.setChecked(True)
    dialog.out.setText(str(tmp_path / "sweep"))
    dialog.start()
    assert "give the steps per trial" in dialog.message.text() and not dialog.running()
    dialog.close()


def test_a_sweep_started_here_on_ray_with_asha_prunes_and_says_where_it_ran(qtbot, tmp_path, ray_instance):
    dialog = dialog_of(qtbot, "td-control", render=False)
    dialog.tick("alpha", "0.02, 0.1, 0.5, 0.9")
    dialog.seeds.setText("")
    dialog.steps.setValue(90)  # episodes: ASHA judges at 10 and 30
    dialog.backend.setCurrentText("ray")
    dialog.asha.setChecked(True)
    dialog.workers.setValue(2)
    dialog.out.setText(str(tmp_path / "sweep"))
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=120_000)
    doc = read_sweep(tmp_path / "sweep")
    states = [r["state"] for r in doc["trials"]]
    assert "pruned" in states and "finished" in states and set(states) <= {"pruned", "finished"}, states
    assert doc["spec"]["scheduler"] == "asha" and where_it_ran(doc) == {"backend": "ray", "address": None}
    dialog.close()


def test_without_ray_installed_the_ray_backend_is_offered_greyed_with_how_to_get_it(qtbot, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    dialog = dialog_of(qtbot, "td-control")
    item = dialog.backend.model().item(1)
    assert item.text() == "ray" and not item.isEnabled() and "pip install 'workbench[ray]'" in item.toolTip()
    assert dialog.backend.currentText() == "local" and not dialog.asha.isEnabled()
    dialog.close()
