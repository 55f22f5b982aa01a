"""The sweep view: each setting's seeds drawn as their mean and band (numpy's mean and std), the
settings ranked by the mean over seeds of each trial's recent value (the mean of its last 10), and
Stop / Resume: a stopped
sweep's trials end at a step and Resume finishes only them."""

from __future__ import annotations

import html
import json
import threading

import numpy as np
import pytest
from faulty import MANIFEST

from workbench.core.runs import read_curves, read_run
from workbench.core.sweep import Sweep, read_sweep
from workbench.core.sweep_groups import lead_text
from workbench.core.sweep_spec import SweepError, SweepSpec
from workbench.qt.compare import CompareView
from workbench.qt.sweep_view import TRIAL_ALPHA, SweepView, open_sweep_view


def test_each_setting_is_the_mean_and_band_of_its_seeds_and_the_table_ranks_them(qtbot, tmp_path):
    out = tmp_path / "sweep"
    spec = SweepSpec("td-control", grid={"alpha": ["0.05", "0.5"]}, seeds=[0, 1], sets=["episodes=30", "render=false"])
    assert Sweep(spec, out, workers=2).run() == {"finished": 4}
    view = open_sweep_view(out)
    qtbot.addWidget(view)
    records = {r["id"]: r for r in read_sweep(out)["trials"]}
    returns = {i: read_curves(out / i)["episode_return"] for i in records}
    figures = {}
    for name in ("alpha=0.05", "alpha=0.5"):
        seeds = np.array([returns[f"{name},seed={s}"] for s in (0, 1)])
        x, mean, std = view.group_series(name)
        np.testing.assert_array_equal(x, np.arange(1, 31))
        np.testing.assert_allclose(mean, seeds.mean(axis=0))
        np.testing.assert_allclose(std, seeds.std(axis=0))
        drawn_x, drawn_mean = view._means[name].getData()
        np.testing.assert_allclose(drawn_mean, seeds.mean(axis=0))
        figures[name] = np.mean([returns[f"{name},seed={s}"][-10:].mean() for s in (0, 1)])
        assert figures[name] == np.mean([records[f"{name},seed={s}"]["recent"] for s in (0, 1)])
    order = sorted(figures, key=figures.get, reverse=True)  # episode_return: higher is better
    table = [[view.table.item(r, c).text() for c in range(3)] for r in range(view.table.rowCount())]
    assert table == [["1", order[0], f"{figures[order[0]]:.4g}"], ["2", order[1], f"{figures[order[1]]:.4g}"]]
    assert view.table.horizontalHeaderItem(2).text() == "mean of last 10"
    assert len(view._trial_curves) == 4 and view.legend.text().count("mean ± std over seeds") == 1
    assert {curve.opts["pen"].color().alpha() for curve in view._trial_curves.values()} == {TRIAL_ALPHA}
    # the plot is named as the lab's panel names its plot of the metric
    assert view.plot.titleLabel.text == "Episode return: every trial"
    assert (view.plot.getAxis("bottom").labelText, view.plot.getAxis("left").labelText) == ("episode", "return")
    assert not view.resume_button.isEnabled() and not view.stop_button.isEnabled()  # nothing left to do
    lead = lead_text(view.groups)  # the status line says how clear the first setting's lead is
    assert lead.startswith(f"{order[0]} leads {order[1]} by ") and html.escape(lead) in view.message.text()
    compare = CompareView([read_run(out / i) for i in records])  # the same settings, the same colours
    qtbot.addWidget(compare)
    for name in ("alpha=0.05", "alpha=0.5"):
        assert f"color:{view._colour(name).name()}'>━━</span>&nbsp;{name}&nbsp;" in compare.legend.text()


def test_stop_ends_every_trial_at_a_step_and_resume_finishes_only_them(qtbot, tmp_path):
    out = tmp_path / "sweep"
    spec = SweepSpec("faulty", grid={"mode": ["slow"]}, seeds=[0, 1], steps=150, metric="loss")
    sweep = Sweep(spec, out, manifest=MANIFEST, workers=2)
    sweep.save()
    view = SweepView(out, manifest=MANIFEST)
    qtbot.addWidget(view)
    view.start(sweep)
    ids = ["mode=slow,seed=0", "mode=slow,seed=1"]

    def rows(i: str) -> int:
        return len(view.trial_series(i)[0])

    # the curves grow while the trials run, read by the view's own timer
    qtbot.waitUntil(lambda: all(rows(i) > 5 for i in ids), timeout=60_000)
    assert view.stop_button.isEnabled() and not view.resume_button.isEnabled()
    view.stop_button.click()
    qtbot.waitUntil(lambda: not view.running(), timeout=30_000)
    assert {r["state"] for r in read_sweep(out)["trials"]} == {"stopped"}
    stopped_at = {i: len(read_curves(out / i)["step"]) for i in ids}
    assert all(0 < n < 150 for n in stopped_at.values())
    qtbot.waitUntil(view.resume_button.isEnabled, timeout=5_000)

    view.resume_button.click()
    qtbot.waitUntil(lambda: not view.running(), timeout=60_000)
    view.refresh()
    records = read_sweep(out)["trials"]
    assert {r["state"] for r in records} == {"finished"} and {r["attempts"] for r in records} == {1}
    for i in ids:  # resumed from the checkpoint: every step once
        assert list(read_curves(out / i)["step"]) == list(range(1, 151))
        assert rows(i) == 150
    assert not view.resume_button.isEnabled()


def test_resume_waits_while_another_process_runs_the_sweep(qtbot, tmp_path):
    out = tmp_path / "sweep"
    spec = SweepSpec("faulty", grid={"mode": ["slow"]}, steps=100, metric="loss")
    sweep = Sweep(spec, out, manifest=MANIFEST, workers=1)
    elsewhere = threading.Thread(target=sweep.run)  # as `workbench sweep` in a terminal runs it
    elsewhere.start()
    try:
        qtbot.waitUntil(lambda: len(read_curves(out / "mode=slow").get("step", [])) > 3, timeout=60_000)
        view = SweepView(out, manifest=MANIFEST)
        qtbot.addWidget(view)
        assert view.running_elsewhere() and not view.resume_button.isEnabled()
        assert "running in another process" in view.message.text()
    finally:
        elsewhere.join(60)
    view.refresh()
    assert not view.running_elsewhere() and read_sweep(out)["trials"][0]["state"] == "finished"


def test_a_folder_without_a_sweep_is_refused(tmp_path):
    with pytest.raises(SweepError, match="holds no sweep.json"):
        SweepView(tmp_path)


def test_the_table_puts_the_settings_asha_pruned_after_those_it_let_go_on(qtbot, tmp_path):
    """A pruned trial's early figure (147) tops the finished ones' (145, 95), yet ASHA found the
    best of those that went on: the table ranks it so and the status line says why."""
    trials = []
    for lr, state, values in [
        ("0.1", "pruned", [150, 144]),
        ("0.2", "finished", [150, 140, 146]),
        ("0.3", "finished", [90, 100]),
    ]:
        trial_id = f"lr={lr},seed=0"
        (tmp_path / trial_id).mkdir()
        rows = "".join(f"{1000 * (k + 1)},{v}\n" for k, v in enumerate(values))
        (tmp_path / trial_id / "metrics.csv").write_text("step,eval_return\n" + rows)
        trials.append({"id": trial_id, "settings": {"lr": lr, "seed": "0"}, "state": state, "step": 1000 * len(values)})
    doc = {"plugin": "dqn", "spec": {"plugin": "dqn", "metric": "eval_return", "mode": "max"}, "trials": trials}
    (tmp_path / "sweep.json").write_text(json.dumps(doc))
    view = SweepView(tmp_path)
    qtbot.addWidget(view)
    table = [[view.table.item(r, c).text() for c in (0, 1, 2, 5)] for r in range(view.table.rowCount())]
    assert table == [
        ["1", "lr=0.2", "145.3", "1 finished"],
        ["2", "lr=0.3", "95", "1 finished"],
        ["3", "lr=0.1", "147", "1 pruned"],
    ]
    assert "those ASHA pruned after the rest" in view.message.text()
    # each setting has one seed: its curve is the setting's line, in full colour, not a faint seed
    assert {view._trial_curves[t["id"]].opts["pen"].color().alpha() for t in trials} == {255}


def test_resume_runs_a_sweep_where_it_ran_before_an_asha_sweep_on_ray(qtbot, tmp_path, ray_instance):
    """Resume takes the backend sweep.json names; a file from before it named one gets Ray for an
    ASHA sweep, the only backend that runs ASHA (the local pool refuses it)."""
    spec = SweepSpec("td-control", grid={"alpha": ["0.02", "0.1", "0.5", "0.9"]}, sets=["render=false"], steps=90)
    spec = SweepSpec(**{**spec.to_dict(), "scheduler": "asha"})
    Sweep(spec, tmp_path, backend="ray", workers=2).save()  # planned, not run: every trial pending
    doc = json.loads((tmp_path / "sweep.json").read_text())
    assert (doc["backend"], doc["address"]) == ("ray", None)
    del doc["backend"], doc["address"]
    (tmp_path / "sweep.json").write_text(json.dumps(doc))
    view = SweepView(tmp_path)
    qtbot.addWidget(view)
    assert view.resume_button.isEnabled()
    view.resume_button.click()
    qtbot.waitUntil(lambda: not view.running(), timeout=120_000)
    assert "needs --backend ray" not in view.message.text()
    states = [r["state"] for r in read_sweep(tmp_path)["trials"]]
    assert "pruned" in states and set(states) <= {"pruned", "finished"}, states
