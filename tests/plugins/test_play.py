"""A person plays the environment with the keyboard: keys reach the trainer as actions, the
returns land on the curves and in metrics.csv, and the episodes round-trip through Minari."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Generator

import gymnasium as gym
import numpy as np
import pytest
from faulty import wait_for
from PySide6 import QtCore, QtWidgets

from workbench.core.actions import Event
from workbench.core.config import from_dict
from workbench.core.driver import Run, RunContext
from workbench.core.manifest import discover
from workbench.core.sinks import HistorySink, read_metrics
from workbench.core.snapshot import Snapshot
from workbench.data.demos import load_demos
from workbench.data.episodes import list_episodes
from workbench.envs.keys import key_map
from workbench.envs.play import MAX_GAP_S, Player
from workbench.qt.episode_replay import EpisodeReplay
from workbench.qt.panel import PluginPanel
from workbench_plugins.dqn.review import review

K = QtCore.Qt.Key
CLIFF_START, CLIFF_GOAL = 36, 47


def manifest(plugin_id: str):
    return next(m for m in discover() if m.id == plugin_id)


def playing_panel(qtbot, plugin_id: str, **values) -> PluginPanel:
    """A panel whose run has started and whose Play button has been pressed."""
    panel = PluginPanel(manifest(plugin_id), values, device="cpu")
    qtbot.addWidget(panel)
    panel.show()
    assert panel.start()
    assert panel.play_keys.button.isEnabled()
    qtbot.waitUntil(lambda: panel.run.status().step > 0, timeout=60_000)  # the trainer is at its loop
    qtbot.mouseClick(panel.play_keys.button, QtCore.Qt.MouseButton.LeftButton)
    assert panel.play_keys.playing
    return panel


def press(qtbot, panel: PluginPanel, *keys: QtCore.Qt.Key) -> None:
    for key in keys:
        qtbot.keyClick(panel, key)


def stop(qtbot, panel: PluginPanel) -> None:
    with qtbot.waitSignal(panel.run_ended, timeout=60_000):
        panel.stop()


def test_keyboard_maps_follow_each_environment():
    assert key_map("CliffWalking-v1") == {"Up": 0, "Right": 1, "Down": 2, "Left": 3}
    assert key_map("FrozenLake-v1") == {"Left": 0, "Down": 1, "Right": 2, "Up": 3}
    assert key_map("CartPole-v1") == {"Left": 0, "Right": 1}
    assert key_map("MountainCar-v0")["Right"] == 2
    assert key_map("Pendulum-v1") == {}  # continuous torque: nothing to press
    pong = key_map("ALE/Pong-v5")
    assert pong["Space"] == 1 and pong["Left"] == 3  # from Pong's own action meanings


def test_cliff_walking_by_keys_reaches_the_goal_with_return_minus_13(qtbot):
    """Up, right x 11, down from the start: 13 moves of -1 along the row above the cliff."""
    panel = playing_panel(qtbot, "td-control", episodes=1_000_000)
    assert panel.play_keys.hint.text().startswith("you play CliffWalking-v1: press") and panel.play_keys.speed is None
    press(qtbot, panel, K.Key_Up, *[K.Key_Right] * 11, K.Key_Down)
    qtbot.waitUntil(lambda: panel.history.count("human_return") == 1, timeout=30_000)
    assert panel.history.read("human_return")[1].tolist() == [-13.0]
    assert panel.history.read("human_length")[1].tolist() == [13.0]
    assert [e["payload"]["action"] for e in panel.run.events if e["action"] == "key"] == [0] + [1] * 11 + [2]
    out = panel.run.out_dir
    stop(qtbot, panel)
    assert read_metrics(out / "metrics.csv")["human_return"][-1] == -13.0
    demos = load_demos(out, "CliffWalking-v1")
    episode = next(demos.iterate_episodes())
    np.testing.assert_array_equal(episode.actions, [0] + [1] * 11 + [2])
    np.testing.assert_array_equal(episode.rewards, [-1] * 13)
    assert episode.observations.tolist() == [CLIFF_START, 24, *range(25, 36), CLIFF_GOAL]
    assert episode.terminations[-1] and not episode.terminations[:-1].any()
    with pytest.raises(ValueError, match="played in CliffWalking-v1, not CartPole-v1"):
        load_demos(out, "CartPole-v1")


def test_a_key_with_no_action_only_says_so(qtbot):
    panel = playing_panel(qtbot, "td-control", episodes=1_000_000)
    press(qtbot, panel, K.Key_A, K.Key_Space)
    assert panel.play_keys.hint.text() == "Space plays nothing in CliffWalking-v1: use Up, Right, Down, Left"
    qtbot.wait(100)  # the panel rewrites its status line on its timer: the hint stays
    assert "plays nothing" in panel.play_keys.hint.text() and panel.play_keys.hint.isVisible()
    press(qtbot, panel, K.Key_Up)  # a mapped key after them: the only key the trainer gets
    qtbot.waitUntil(lambda: any(e["action"] == "key" for e in panel.run.events), timeout=30_000)
    assert [e["payload"] for e in panel.run.events if e["action"] == "key"] == [{"action": 0}]
    stop(qtbot, panel)


def test_cartpole_runs_while_left_is_held_falls_and_scores_its_length(qtbot):
    """One press of Left, held: CartPole steps by itself, pushed left, until the pole tips within a
    few dozen steps, each scored +1, and goes on into a second episode; both join the run's Minari
    dataset. Letting go reaches the run as a release."""
    panel = playing_panel(qtbot, "policy-gradient", algo="reinforce", steps=10_000_000, play_speed=1.0)
    speed = panel.form.fields["play_speed"]  # on the Play line while a real-time game is played
    assert speed.isVisible() and panel.play_keys.line.isAncestorOf(speed) and not panel.form.isAncestorOf(speed)
    assert panel.play_keys.hint.text() == "you play CartPole-v1: hold Left → 0, Right → 1"
    qtbot.keyPress(panel, K.Key_Left)
    qtbot.waitUntil(lambda: panel.history.count("human_return") >= 2, timeout=30_000)
    qtbot.keyRelease(panel, K.Key_Left)
    qtbot.waitUntil(lambda: any(e["action"] == "release" for e in panel.run.events), timeout=30_000)
    assert [(e["action"], e["payload"]) for e in panel.run.events if e["action"] != "play"] == [
        ("key", {"action": 0}),
        ("release", {"action": 0}),
    ]
    speed.spin.setValue(0.5)
    qtbot.waitUntil(lambda: [c["changes"] for c in panel.run.changes] == [{"play_speed": 0.5}], timeout=30_000)
    out = panel.run.out_dir
    stop(qtbot, panel)
    assert not speed.isVisible()
    returns, lengths = panel.history.read("human_return")[1][:2], panel.history.read("human_length")[1][:2]
    np.testing.assert_array_equal(returns, lengths)
    assert all(5 <= n < 60 for n in lengths)
    demos = load_demos(out, "CartPole-v1")
    episodes = list(demos.iterate_episodes())[:2]
    assert [len(e.actions) for e in episodes] == lengths.astype(int).tolist()
    for episode in episodes:
        assert set(episode.actions.tolist()) == {0} and episode.terminations[-1]
        assert episode.rewards.sum() == len(episode.actions)
        assert episode.observations[-1][1] < 0  # the cart was pushed left all along


def player_in(env_id: str, play_speed: float) -> tuple[Player, RunContext]:
    """A person playing ``env_id`` as a trainer holds for them, with the config's speed."""
    cfg = from_dict(manifest("policy-gradient").config_class(), {"env": env_id, "play_speed": play_speed})
    player = Player(lambda: gym.make(env_id, render_mode="rgb_array"), "render", None)
    player.handle([Event("play")])
    return player, RunContext(cfg, "cpu", None, None, threading.Event())


def play_until(held: Generator[Snapshot, None, list[Event]], done: Callable[[], bool]) -> list[Snapshot]:
    """The snapshots of the held game (taken as a run takes them) until ``done``."""
    snaps = []
    while not done():
        snaps.append(next(held))
        assert len(snaps) < 10_000, "the game never got there"
    return snaps


def test_a_released_key_hands_mountain_car_back_its_no_push():
    player, ctx = player_in("MountainCar-v0", play_speed=1.0)
    held = player.hold(ctx, 0)
    ctx.deliver(Event("key", {"action": 2}))
    play_until(held, lambda: len(player.episode.actions) >= 5)
    ctx.deliver(Event("release", {"action": 2}))
    play_until(held, lambda: player.episode.actions[-3:] == [1, 1, 1])
    actions = player.episode.actions
    pushed = actions.index(1)
    assert pushed >= 4 and set(actions[:pushed]) == {2} and set(actions[pushed:]) == {1}
    player.close()


@pytest.mark.parametrize("play_speed", [1.0, 0.25])
def test_the_speed_sets_the_steps_per_second_of_the_players_clock(play_speed):
    """CartPole's 50 steps a second times the speed, counted against the clock the game keeps
    (so a loaded machine changes nothing); a pause of the run is a pause of the game."""
    player, ctx = player_in("CartPole-v1", play_speed)
    held = player.hold(ctx, 0)
    clock = player.clock
    snaps = play_until(held, lambda: clock.played_s >= 0.8)
    assert 50 * play_speed - 1.5 <= clock.steps / clock.played_s <= 50 * play_speed
    lengths = [s.scalars["human_length"] for s in snaps if "human_length" in s.scalars]
    assert sum(lengths) + len(player.episode.actions) == clock.steps  # each step due was played
    steps = clock.steps
    clock.last -= 0.5  # the run stood paused at the last snapshot for half a second
    next(held)
    assert clock.steps - steps <= 50 * play_speed * MAX_GAP_S + 1
    player.close()


@pytest.mark.parametrize("play_speed", [1.0, 0.25])
def test_a_taken_over_env_steps_on_the_clock_of_the_game_played(play_speed):
    """Env 0 plays the last key held, at CartPole's 50 steps a second times the speed, as the
    game does when the person plays it (a loaded machine's late steps are caught up)."""
    player = Player(lambda: gym.make("CartPole-v1", render_mode="rgb_array"), "render", None)
    player.handle([Event("takeover"), Event("key", {"action": 0})])
    calls = 0
    while player.clock is None or player.clock.played_s < 0.8:
        actions = np.ones(4, dtype=np.int64)
        took = player.steer(actions, play_speed)
        calls += 1
    assert took.tolist() == [True, False, False, False] and actions.tolist() == [0, 1, 1, 1]
    assert 0.8 * 50 * play_speed <= calls / player.clock.played_s <= 50 * play_speed + 1 / player.clock.played_s
    player.close()


def test_play_is_disabled_where_the_environment_has_no_keys(qtbot):
    panel = PluginPanel(manifest("policy-gradient"), {"env": "Pendulum-v1", "algo": "ppo"}, device="cpu")
    qtbot.addWidget(panel)
    assert not panel.play_keys.button.isEnabled()
    assert "no keyboard map" in panel.play_keys.button.toolTip()
    assert not panel.actions_box.buttons["key"].isVisibleTo(panel)


@pytest.mark.parametrize("plugin_id", ["td-control", "policy-gradient"])
def test_the_play_line_makes_no_label_a_window_of_its_own(qtbot, plugin_id):
    """TD control plays without a speed field: its speed label was a window of its own."""
    before = set(QtWidgets.QApplication.topLevelWidgets())
    panel = PluginPanel(manifest(plugin_id), {}, device="cpu")
    qtbot.addWidget(panel)
    assert panel.play_keys is not None
    made = set(QtWidgets.QApplication.topLevelWidgets()) - before
    assert [w.text() for w in made if isinstance(w, QtWidgets.QLabel)] == []


def test_takeover_marks_the_persons_steps_on_the_curves_and_in_metrics(qtbot):
    """T hands CartPole's training env to the person (the last key held) and back; the episodes
    they played log human_steps and human_return, and their rows carry the taken_over flag."""
    panel = PluginPanel(manifest("dqn"), {"steps": 10_000_000, "learning_starts": 500}, device="cpu")
    qtbot.addWidget(panel)
    panel.show()
    assert panel.start()
    qtbot.waitUntil(lambda: panel.run.status().step > 0, timeout=60_000)
    press(qtbot, panel, K.Key_T, K.Key_Left)
    qtbot.waitUntil(lambda: panel.history.count("human_return") >= 1, timeout=60_000)
    press(qtbot, panel, K.Key_T)
    qtbot.waitUntil(lambda: [e["action"] for e in panel.run.events] == ["takeover", "key", "takeover"], timeout=30_000)
    qtbot.waitUntil(lambda: panel.history.read("human_steps")[1][-1:].tolist() == [0.0], timeout=30_000)
    out = panel.run.out_dir
    stop(qtbot, panel)
    metrics = read_metrics(out / "metrics.csv")
    played, agent_only = metrics["human_steps"] > 0, metrics["human_steps"] == 0
    assert played.any() and agent_only.any()
    assert np.isfinite(metrics["human_return"][played]).all() and np.isnan(metrics["human_return"][agent_only]).all()
    assert metrics["taken_over"][played][0] == 1.0  # (a later one may have ended after the hand-back)
    assert np.isnan(metrics["taken_over"][-1])  # handed back: the last rows are the agent's


@pytest.mark.parametrize("learn_from_human", [True, False])
def test_learn_from_human_decides_whether_the_persons_steps_are_replayed(learn_from_human, tmp_path):
    cfg = from_dict(
        manifest("dqn").config_class(),
        {"steps": 300, "learning_starts": 100_000, "keep_replay": True, "learn_from_human": learn_from_human},
    )
    history = HistorySink()
    run = Run(manifest("dqn"), cfg, device="cpu", out_dir=tmp_path, sinks=[history])
    run.act("takeover")
    run.act("key", action=0)  # from the first snapshot on, the person pushes left
    thread = threading.Thread(target=run.run)
    thread.start()
    assert wait_for(lambda: history.count("human_return") > 0, timeout=60)
    run.act("takeover")  # and hands back after the first episode
    thread.join(timeout=120)
    assert run.status().state == "finished", run.error
    human = int(np.nansum(read_metrics(tmp_path / "metrics.csv")["human_steps"]))
    assert human > 0
    with np.load(tmp_path / "replay.npz") as replay:
        replayable = int(replay["valid"][0].sum())
    assert replayable == (300 if learn_from_human else 300 - human)


def test_episode_replay_scrubs_a_played_episode_with_the_checkpoints_td_errors(qtbot, tmp_path):
    """A person's CartPole episode in a finished DQN run, replayed step by step: its actions and
    rewards, frames rendered from its states, and TD errors that match the checkpoint's network."""
    cfg = from_dict(manifest("dqn").config_class(), {"steps": 400, "learning_starts": 100})
    history = HistorySink()
    run = Run(manifest("dqn"), cfg, device="cpu", out_dir=tmp_path, sinks=[history])
    run.act("play")
    for _ in range(60):
        run.act("key", action=1)  # pushed right until the pole falls: one episode, then a few steps more
    thread = threading.Thread(target=run.run)
    thread.start()
    assert wait_for(lambda: history.count("human_return") > 0, timeout=60)
    run.act("play")  # back to training, which ends at its budget with a checkpoint
    thread.join(timeout=120)
    assert run.status().state == "finished", run.error
    demo = next(e for e in list_episodes(tmp_path) if e.kind == "demonstration")
    episode = review(tmp_path, demo)
    assert demo.label == f"demonstration 0 at step {demo.step}" and demo.step < 400
    assert episode.source == f"the run's last checkpoint, at step 400 (none was kept by step {demo.step})"
    n = int(history.read("human_length")[1][0])
    assert episode.actions.tolist() == [1] * n and episode.rewards.tolist() == [1.0] * n
    assert len(episode.frames) == n and episode.frames[0].shape == (400, 600, 3) and episode.values.shape == (n, 2)
    q = episode.values
    np.testing.assert_allclose(episode.td_errors[:-1], 1.0 + cfg.gamma * q[1:].max(axis=1) - q[:-1, 1], rtol=1e-5)
    assert episode.td_errors[-1] == pytest.approx(1.0 - q[-1, 1])  # the fall ends it: nothing to bootstrap
    view = EpisodeReplay(episode)
    qtbot.addWidget(view)
    view.slider.setValue(n - 1)
    assert view.caption.text().startswith(f"step {n} of {n} · action push right · reward 1")
    np.testing.assert_array_equal(view.frame.image, episode.frames[n - 1])
    with pytest.raises(ValueError, match="demonstration 1000 is not recorded"):
        review(tmp_path, dataclasses.replace(demo, index=1000))
