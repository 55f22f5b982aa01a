"""Settings and actions in the panel: forms that fit the choice, one drag one change, clicks and
buttons as actions that never touch the config."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtWidgets

from workbench.core.actions import actions_of
from workbench.core.manifest import discover, find
from workbench.qt.panel import PluginPanel


def shown(panel: PluginPanel) -> set[str]:
    return {name for name in panel.form.fields if panel.form.applies(name)}


@pytest.fixture
def open_panel(qtbot):
    panels = []

    def make(plugin: str, values: dict | None = None) -> PluginPanel:
        panel = PluginPanel(find(plugin), values or {}, device="cpu")
        qtbot.addWidget(panel)
        panel.resize(1200, 800)
        panel.show()
        panels.append(panel)
        return panel

    yield make
    for panel in panels:
        panel.shutdown()


@pytest.mark.parametrize(
    "plugin, first, second, only_first, only_second",
    [
        (
            "td-control",
            {"env": "CliffWalking-v1"},
            {"env": "workbench/EditableGrid-v0"},
            {"step_limit"},
            {"grid", "slip", "step_reward"},
        ),
        ("td-control", {"algo": "dyna-q"}, {"algo": "n-step-sarsa"}, {"planning_steps"}, {"n"}),
        (
            "dqn",
            {"env": "CartPole-v1"},
            {"env": "ALE/Pong-v5"},
            {"slice_x", "slice_v"},
            {"frame_size", "frame_stack", "noop_max", "life_terminal"},
        ),
        ("dqn", {"target_update": "hard"}, {"target_update": "soft"}, {"target_every"}, {"tau"}),
        ("bandit", {"compare": "none", "agent": "ucb"}, {"compare": "epsilon"}, {"c", "alpha", "q_init"}, set()),
        ("gridworld-dp", {"world": "editable"}, {"world": "4x4"}, {"grid", "slip", "step_reward"}, set()),
        ("policy-gradient", {"algo": "hill-climbing"}, {"algo": "ppo"}, {"noise"}, {"clip", "lam", "steps"}),
        ("policy-gradient", {"algo": "reinforce"}, {"algo": "a2c"}, {"baseline"}, {"lam"}),
        ("vae", {"model": "vae"}, {"model": "ae"}, {"beta"}, set()),
        ("gan", {"mode": "images"}, {"mode": "toy"}, {"data", "size", "channels"}, {"modes"}),
        (
            "ddpm",
            {"sampler": "ddim", "conditional": True},
            {"sampler": "ddpm", "conditional": False},
            {"sample_steps", "eta", "guidance", "p_uncond"},
            set(),
        ),
        ("draw", {"attention": True}, {"attention": False}, {"read_n", "write_n"}, set()),
    ],
)
def test_the_form_shows_only_the_fields_that_apply(open_panel, plugin, first, second, only_first, only_second):
    panel = open_panel(plugin, first)
    a = shown(panel)
    assert only_first <= a and not only_second & a
    for name, value in second.items():  # as a person picks it: the form follows at once
        panel.form.fields[name].set_value(value)
        panel.form.fields[name].changed.emit(value)
    b = shown(panel)
    assert only_second <= b and not only_first & b
    panel.form.advanced_toggle.setChecked(True)  # hidden even with the advanced settings open
    assert not any(panel.form.fields[n].isVisible() for n in only_first)
    assert all(panel.form.fields[n].isVisible() for n in only_second)


def test_advanced_settings_fold_away(open_panel):
    panel = open_panel("dqn")
    assert not panel.form.advanced_box.isVisible() and panel.form.advanced_toggle.isVisible()
    assert not panel.form.fields["batch_size"].isVisible() and panel.form.fields["lr"].isVisible()
    panel.form.advanced_toggle.click()
    assert panel.form.fields["batch_size"].isVisible()


def test_one_drag_of_a_slider_is_one_change_and_one_mark(open_panel, qtbot):
    panel = open_panel("td-control", {"episodes": 100000, "render": False})
    assert panel.start()
    qtbot.waitUntil(lambda: panel.run.status().step > 0, timeout=30_000)
    slider = panel.form.fields["epsilon"].slider
    slider.setSliderDown(True)  # the user grabs the handle...
    for tick in range(100, 800, 100):  # ...drags it across seven positions...
        slider.setValue(tick)
    slider.setSliderDown(False)  # ...and lets go
    qtbot.waitUntil(lambda: len(panel.history.marks()) >= 1, timeout=30_000)
    qtbot.waitUntil(
        lambda: (
            panel.history.count("epsilon") > 0 and panel.history.read("epsilon")[1][-1] == pytest.approx(0.7, abs=1e-3)
        ),
        timeout=30_000,
    )
    assert len(panel.run.changes) == 1 and len(panel.history.marks()) == 1
    step, new, old = panel.history.marks()[0]
    assert new == {"epsilon": pytest.approx(0.7, abs=1e-3)} and old == {"epsilon": 0.1}
    qtbot.waitUntil(lambda: panel.log.count() == 1, timeout=5_000)
    assert panel.log.item(0).text() == f"step {step}: ε 0.1→0.7"


def test_a_click_on_the_value_map_paints_through_an_action_never_a_change(open_panel, qtbot):
    panel = open_panel(
        "gridworld-dp", {"world": "editable", "algo": "value-iteration", "hold": True, "sweeps_per_s": 0.0}
    )
    assert panel.start()
    qtbot.waitUntil(lambda: panel.run.status().progress == 1.0, timeout=30_000)  # converged, holding
    view = next(v for v in panel.views if v.option("click"))
    panel.actions_box.inputs["paint"]["cell"].set_value("goal")
    view.clicked(view.option("click"), 1.4, 0.6)  # what a click on cell (1, 0) calls
    qtbot.waitUntil(lambda: len(panel.run.events) == 1, timeout=30_000)
    assert panel.run.events[0]["payload"] == {"col": 1, "row": 0, "cell": "goal"}
    assert panel.run.changes == [] and panel.history.marks() == []
    key = view.spec.keys[0]

    def goal_painted() -> bool:  # a goal is terminal: V = 0, or masked as no state
        cells = panel.latest.read(key)[1]
        return cells is not None and (cells[0, 1] == 0.0 or bool(np.isnan(cells[0, 1])))

    qtbot.waitUntil(goal_painted, timeout=30_000)
    assert "grid" not in panel.form.values() or panel.form.values()["grid"] == panel.run.cfg.grid


def test_the_evaluate_button_evaluates_through_an_action(open_panel, qtbot):
    panel = open_panel("dqn", {"steps": 100000, "eval_every": 0, "eval_episodes": 1, "learning_starts": 100000})
    assert not panel.actions_box.buttons["evaluate"].isEnabled()  # nothing to act on before a run
    assert panel.start()
    qtbot.waitUntil(lambda: panel.run.status().step > 0, timeout=60_000)
    assert panel.actions_box.buttons["evaluate"].isEnabled()
    panel.actions_box.buttons["evaluate"].click()
    qtbot.waitUntil(lambda: panel.history.count("eval_return") == 1, timeout=60_000)
    assert [e["action"] for e in panel.run.events] == ["evaluate"] and panel.run.changes == []


def test_a_panel_for_a_script_ends_its_run_on_a_nan_instead_of_pausing_forever(qtbot):
    from faulty import MANIFEST

    panel = PluginPanel(MANIFEST, {"mode": "nan", "steps": 5}, device="cpu")
    qtbot.addWidget(panel)
    panel.on_nonfinite = "stop"  # what `workbench gui --exit-when-done` sets
    with qtbot.waitSignal(panel.run_ended, timeout=30_000) as ended:
        panel.start()
    assert ended.args == ["failed"] and "loss is nan at step 5" in panel.run.status().message


ACTING = [(m, a.name) for m in discover() if not m.broken for a in actions_of(m.config_class())]


@pytest.mark.parametrize("m, action", ACTING, ids=[f"{m.id}:{a}" for m, a in ACTING])
def test_every_action_button_reaches_the_trainer_as_an_event_and_never_a_change(open_panel, qtbot, m, action):
    panel = open_panel(m.id, dict(m.smoke))
    assert panel.start()
    panel.run.pause()  # hold the run however short its smoke budget
    qtbot.waitUntil(lambda: panel.run.status().state == "paused" or not panel.running, timeout=60_000)
    assert panel.running, panel.run.error
    panel.actions_box.buttons[action].click()
    panel.run.step_once()
    qtbot.waitUntil(lambda: any(e["action"] == action for e in panel.run.events), timeout=60_000)
    assert panel.run.changes == [] and panel.history.marks() == []
    qtbot.waitUntil(lambda: panel.log.count() >= 1, timeout=5_000)  # listed with its step
    assert panel.actions_box.declared[action].label in panel.log.item(0).text()


@pytest.mark.parametrize("runs, shown", [(1, False), (3, True)])
def test_views_that_do_not_apply_to_the_settings_are_hidden(open_panel, qtbot, runs, shown):
    panel = open_panel("policy-gradient", {"algo": "random-search", "runs": runs, "episodes": 20, "render": False})
    conditional = [v for v in panel.views if v.option("when")]
    assert conditional and all(v.option("when") == "runs > 1" for v in conditional)
    assert panel.start()
    assert all(v.applies == shown for v in conditional)
    if not shown:  # left out of the grid, whatever data comes
        assert not any(v.isVisible() for v in conditional)
    panel.stop()


def test_the_sweep_button_opens_a_sweep_of_this_plugin(open_panel, qtbot):
    panel = open_panel("bandit")
    panel.sweep_button.click()
    dialog = next(w for w in panel.findChildren(QtWidgets.QDialog))
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and dialog.manifest.id == "bandit"
    dialog.close()


def test_the_value_a_schedule_puts_in_effect_shows_under_its_field(open_panel, qtbot):
    settings = {
        "episodes": 100000,
        "render": False,
        "epsilon": 1.0,
        "epsilon_schedule": "linear",
        "epsilon_end": 0.0,
        "epsilon_duration": 50,
    }
    panel = open_panel("td-control", settings)
    field = panel.form.fields["epsilon"]
    qtbot.waitUntil(lambda: field.width() > 0)
    width = field.width()
    assert panel.start()
    label = panel.form.effective["epsilon"]
    qtbot.waitUntil(lambda: label.isVisible() and label.text() == "now 0", timeout=30_000)  # the schedule's end
    assert field.width() >= width  # the label takes no width from the field: the slider stays a slider
