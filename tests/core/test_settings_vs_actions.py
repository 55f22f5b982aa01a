"""Settings, actions and the vocabulary: when a field applies, renamed keys, and actions in a child process."""

from __future__ import annotations

import json
import threading

import pytest
from faulty import MANIFEST, Config, wait_for

from workbench.core.actions import actions_of
from workbench.core.cli import main
from workbench.core.config import from_dict, parse_sets, specs, to_dict
from workbench.core.manifest import discover, find
from workbench.core.process_run import ProcessRun
from workbench.core.sinks import HistorySink


def test_no_plugin_keeps_an_action_among_its_settings():
    """Clicks and presses are actions: no config field is a counter or a clicked coordinate."""
    for m in discover():
        names = {s.name for s in specs(m.config_class())}
        assert not names & {
            "evaluate",
            "record",
            "zx",
            "zy",
            "click_x",
            "click_y",
            "paint",
            "sample_a",
            "sample_b",
            "walk_1",
            "walk_2",
            "walk_3",
        }, m.id
    assert {a.name for a in actions_of(find("dqn").config_class())} == {
        "evaluate",
        "record",
        "play",
        "key",
        "release",
        "takeover",
    }
    assert {a.name for a in actions_of(find("gridworld-dp").config_class())} == {"paint"}


@pytest.mark.parametrize(
    "plugin, old, new, value",
    [
        ("dqn", "epsilon_min", "epsilon_end", 0.07),
        ("dqn", "epsilon_steps", "epsilon_duration", 1234),
        ("td-control", "schedule", "epsilon_schedule", "linear"),
        ("td-control", "schedule_episodes", "epsilon_duration", 42),
        ("td-control", "decay", "epsilon_decay", 0.2),
        ("bandit", "schedule_steps", "epsilon_duration", 77),
    ],
)
def test_old_epsilon_names_still_load_with_a_one_line_notice(plugin, old, new, value, capsys):
    cls = find(plugin).config_class()
    saved = {**to_dict(cls()), old: value}
    del saved[new]
    cfg = from_dict(cls, saved)
    assert getattr(cfg, new) == value
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"workbench: note: {old!r} is now called {new!r}; the saved value is used"]


def test_every_plugin_with_an_epsilon_schedule_uses_the_same_names():
    vocabulary = {"epsilon", "epsilon_end", "epsilon_schedule", "epsilon_duration", "epsilon_decay"}
    for plugin in ("dqn", "td-control", "bandit"):
        names = {s.name for s in specs(find(plugin).config_class())}
        assert vocabulary <= names, plugin


def test_an_old_name_in_a_saved_config_json_resumes(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        main(["run", "td-control", "--set", "episodes=3", "--set", "render=false", "--out", str(out), "--quiet"]) == 0
    )
    from workbench.core.checkpoint import load_checkpoint, save_checkpoint

    payload = load_checkpoint(out, "td-control")
    config = payload["config"]
    config["schedule"] = config.pop("epsilon_schedule")  # as a checkpoint from before the rename holds it
    save_checkpoint(out / "checkpoint.pt", payload["state"], "td-control", config)
    capsys.readouterr()
    assert main(["run", "td-control", "--resume", str(out), "--set", "episodes=5", "--out", str(out), "--quiet"]) == 0
    assert "'schedule' is now called 'epsilon_schedule'" in capsys.readouterr().err
    assert json.loads((out / "config.json").read_text())["config"]["epsilon_schedule"] == "constant"


@pytest.mark.parametrize(
    "plugin, sets, field, unless",
    [
        ("td-control", ["n=3"], "n", "n-step-sarsa is trained"),
        ("td-control", ["grid=S..G"], "grid", "env is workbench/EditableGrid-v0"),
        ("dqn", ["frame_stack=2"], "frame_stack", "env is an Atari game"),
        ("bandit", ["c=3"], "c", "compare is none and agent is ucb"),
    ],
)
def test_setting_a_field_that_does_not_apply_says_so_in_one_line(plugin, sets, field, unless, capsys):
    parse_sets(find(plugin).config_class(), sets)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"workbench: note: {field} has no effect unless {unless}")


def test_a_field_that_applies_gives_no_notice(capsys):
    parse_sets(find("td-control").config_class(), ["algo=n-step-sarsa", "n=3"])
    assert capsys.readouterr().err == ""


def test_run_help_lists_every_field_with_group_and_condition(capsys):
    assert main(["run", "td-control", "--help"]) == 0
    out = capsys.readouterr().out
    assert "basic:" in out and "advanced:" in out
    assert "planning_steps" in out and "only when dyna-q is trained" in out
    assert "[float; default 0.1; 0..1; live]" in out  # epsilon
    assert main(["run", "dqn", "--help"]) == 0
    out = capsys.readouterr().out
    assert "actions (buttons and clicks in the app):" in out and "evaluate" in out
    assert main(["run", "policy-gradient", "--help"]) == 0
    assert "[float; default ppo 0.98, others 0.99 (by algo); 0..1; live]" in capsys.readouterr().out  # gamma


def test_run_help_of_an_unknown_plugin_is_one_line_and_exit_2(capsys):
    assert main(["run", "nope", "--help"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("workbench: error: unknown plugin 'nope'; known plugins: ")


def test_an_action_crosses_to_a_trainer_process():
    history = HistorySink()
    run = ProcessRun(MANIFEST, Config(mode="slow"), device="cpu", sinks=[history])
    t = threading.Thread(target=run.run)
    t.start()
    assert wait_for(lambda: run.status().step >= 2)
    run.act("bump", by=4.0)
    assert wait_for(lambda: history.count("total") and history.read("total")[1][-1] == 4.0)
    assert wait_for(lambda: len(run.events) == 1)
    run.stop()
    t.join(15)
    assert run.events[0]["action"] == "bump" and run.events[0]["payload"] == {"by": 4.0}
    assert run.changes == []
    with pytest.raises(ValueError, match="unknown action"):
        run.act("nope")
