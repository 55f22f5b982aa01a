"""Any stored episode of a run replays step by step: a DQN run keeps its greedy evaluations in its
folder, and the replay view shows, for the frame under the slider, the Q-values that the
checkpoint kept at or before the evaluation's step computes for the stored observation."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from faulty import wait_for
from PySide6 import QtCore

from workbench.core.checkpoint import checkpoint_at, checkpoint_steps, load_checkpoint
from workbench.core.config import from_dict
from workbench.core.driver import Run
from workbench.core.manifest import discover
from workbench.core.sinks import HistorySink
from workbench.data.episodes import list_episodes, load_episode
from workbench.qt import settings
from workbench.qt.episode_replay import EpisodeReplay, ReplayWindow
from workbench.qt.panel import PluginPanel
from workbench.qt.shell import MainWindow
from workbench_plugins.dqn.model import QNetwork
from workbench_plugins.dqn.review import review
from workbench_plugins.policy_gradient.model import Policy

FRAME = 5  # the step of the evaluation episode the Q-values are compared at
CLIFF_PATH = [0] + [1] * 11 + [2]  # up, right x 11, down: CliffWalking's start to its goal


def manifest(plugin_id: str):
    return next(m for m in discover() if m.id == plugin_id)


@pytest.fixture(scope="module")
def dqn_run(tmp_path_factory):
    """A short CartPole run evaluated greedily every 150 steps, a checkpoint at every episode end."""
    out = tmp_path_factory.mktemp("dqn-run")
    values = {"steps": 600, "learning_starts": 100, "eval_every": 150, "eval_episodes": 2, "eval_max_steps": 60}
    cfg = from_dict(manifest("dqn").config_class(), values)
    run = Run(manifest("dqn"), cfg, device="cpu", out_dir=out, checkpoint_every_s=0.0)
    run.act("record")  # one GIF episode early on, kept for replay too
    assert run.run().state == "finished", run.error
    return out


def q_of_checkpoint(path, obs: np.ndarray) -> np.ndarray:
    """Q-values of ``obs`` by the online network a checkpoint file holds, loaded here by hand."""
    payload = load_checkpoint(path, "dqn")
    net = QNetwork((1, 4), 2, payload["config"]["hidden"], dueling=False)
    net.load_state_dict(payload["state"]["online"])
    with torch.no_grad():
        return net(torch.as_tensor(obs[None, None], dtype=torch.float32))[0].numpy()


def test_each_greedy_evaluation_and_recorded_episode_is_kept_with_its_step(dqn_run):
    greedy = [e for e in list_episodes(dqn_run) if e.kind == "greedy"]
    assert [e.step for e in greedy] == [150, 300, 450, 600]
    recorded = next(e for e in list_episodes(dqn_run) if e.kind == "recorded")
    assert list(dqn_run.glob(f"episode_*_step_{recorded.step}.gif"))  # the same episode as the GIF
    assert greedy[0].label == "greedy evaluation at step 150"
    episode = load_episode(greedy[0])
    assert episode.env == "CartPole-v1" and episode.observations.shape == (len(episode.actions) + 1, 4)
    assert episode.rewards.tolist() == [1.0] * len(episode.actions)


def test_replay_shows_the_q_values_of_the_checkpoint_of_that_time(qtbot, dqn_run):
    entry = next(e for e in list_episodes(dqn_run) if e.kind == "greedy" and e.step == 300)
    then = checkpoint_at(dqn_run, 300)
    view = EpisodeReplay(review(dqn_run, entry))
    qtbot.addWidget(view)
    view.slider.setValue(FRAME)
    obs = load_episode(entry).observations[FRAME]
    expected = q_of_checkpoint(then, obs)
    np.testing.assert_allclose(view.bars.opts["width"], expected, rtol=1e-5)
    assert not np.allclose(expected, q_of_checkpoint(dqn_run / "checkpoint.pt", obs))  # the last one differs
    step = load_checkpoint(then, "dqn")["step"]
    assert step <= 300 and view.source.text() == f"Q computed by the checkpoint at step {step}"
    assert view.caption.text().startswith(f"step {FRAME + 1} of ")


def test_scrubbing_changes_the_frame(qtbot, dqn_run):
    entry = next(e for e in list_episodes(dqn_run) if e.kind == "greedy")
    view = EpisodeReplay(review(dqn_run, entry))
    qtbot.addWidget(view)
    first = view.frame.image.copy()
    view.slider.setValue(view.slider.maximum())
    assert view.frame.image.shape == (400, 600, 3)
    assert not np.array_equal(view.frame.image, first)


def test_a_run_opened_from_the_runs_dock_replays_from_its_panel(qtbot, dqn_run):
    """Open in the Runs dock shows the kept run in the DQN panel, whose Replay… lists its episodes."""
    kept = settings.home() / "runs" / "dqn" / "20260101-100000-000"
    shutil.copytree(dqn_run, kept)
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    window.show()
    info = next(r for r in window.run_browser.runs if Path(r.path) == kept)
    panel = window.run_browser.open_run(info)
    assert panel.replay_button.isVisible() and panel.replay_button.text() == "Replay…"
    qtbot.mouseClick(panel.replay_button, QtCore.Qt.MouseButton.LeftButton)
    replay = panel.replay_window
    qtbot.addWidget(replay)
    assert replay.isVisible() and replay.run_dir == kept
    labels = [replay.episodes.item(i).text() for i in range(replay.episodes.count())]
    assert labels[0].startswith("recorded episode at step ")  # in the order they were played
    assert labels[1:3] == ["greedy evaluation at step 150", "greedy evaluation at step 300"]
    replay.episodes.setCurrentRow(2)
    assert replay.replay is not None and replay.replay.source.text().startswith("Q computed by the checkpoint")
    for key in (QtCore.Qt.Key.Key_Right, QtCore.Qt.Key.Key_Right, QtCore.Qt.Key.Key_Left):
        qtbot.keyClick(replay.episodes, key)  # the list keeps ↑ and ↓; ← and → step the episode
    assert replay.replay.slider.value() == 1 and replay.episodes.currentRow() == 2


def test_a_plugin_without_replay_has_no_button(qtbot):
    panel = PluginPanel(manifest("bandit"), device="cpu")
    qtbot.addWidget(panel)
    assert not hasattr(panel, "replay_button")


def test_an_episode_of_another_environment_is_refused_in_one_line(qtbot, dqn_run, tmp_path):
    window = ReplayWindow(manifest("dqn"), tmp_path)
    qtbot.addWidget(window)
    assert "holds no stored episodes yet" in window.message.text()
    entry = next(e for e in list_episodes(dqn_run) if e.kind == "greedy")
    moved = tmp_path / "episodes" / entry.path.name
    moved.parent.mkdir()
    with np.load(entry.path) as f:
        np.savez(moved, **{**f, "env": np.array("Acrobot-v1")})
    (tmp_path / "checkpoint.pt").symlink_to(dqn_run / "checkpoint.pt")
    window = ReplayWindow(manifest("dqn"), tmp_path)
    qtbot.addWidget(window)
    assert window.message.text() == "cannot replay greedy evaluation at step 150: played in Acrobot-v1, not CartPole-v1"
    (tmp_path / "episodes" / "greedy-step-000000300.npz").write_bytes(b"PK\x03\x04 a damaged file")
    window = ReplayWindow(manifest("dqn"), tmp_path)
    qtbot.addWidget(window)
    window.episodes.setCurrentRow(1)
    assert window.message.text().startswith("cannot replay greedy evaluation at step 300: ") and window.replay is None
    assert "\n" not in window.message.text()


def test_a_recorded_policy_gradient_episode_shows_the_policys_probabilities(qtbot, tmp_path):
    """A2C on CartPole records an episode mid-run; its replay shows pi(a|s) of the checkpoint of
    that time, which differs from a later one's, and the critic's TD errors."""
    values = {"algo": "a2c", "steps": 2000, "n_steps": 16, "num_envs": 2}
    cfg = from_dict(manifest("policy-gradient").config_class(), values)
    history = HistorySink()
    run = Run(manifest("policy-gradient"), cfg, device="cpu", out_dir=tmp_path, sinks=[history], checkpoint_every_s=0.0)
    thread = threading.Thread(target=run.run)
    thread.start()
    assert wait_for(lambda: run.status().step > 500, timeout=60)
    run.act("record")
    thread.join(timeout=120)
    assert run.status().state == "finished", run.error
    entry = next(e for e in list_episodes(tmp_path) if e.kind == "recorded")
    assert entry.label == f"recorded episode at step {entry.step}" and 500 < entry.step < 2000
    view = EpisodeReplay(manifest("policy-gradient").load(".review:review")(tmp_path, entry))
    qtbot.addWidget(view)
    view.slider.setValue(FRAME)
    then = checkpoint_at(tmp_path, entry.step)
    step = load_checkpoint(then, "policy-gradient")["step"]
    assert view.source.text() == f"π(a|s) computed by the checkpoint at step {step}"
    obs = torch.as_tensor(load_episode(entry).observations[FRAME][None], dtype=torch.float32)

    def probs(path) -> np.ndarray:
        policy = Policy(4, cfg.hidden, n_actions=2)
        policy.load_state_dict(load_checkpoint(path, "policy-gradient")["state"]["agent"]["policy"])
        with torch.no_grad():
            return policy.dist(obs).probs[0].numpy()

    np.testing.assert_allclose(view.bars.opts["width"], probs(then), rtol=1e-5)
    assert view.bars.opts["width"].sum() == pytest.approx(1.0)
    later = checkpoint_at(tmp_path, [s for s in checkpoint_steps(tmp_path) if s > step][0])
    assert not np.allclose(probs(then), probs(later))
    assert "TD error" in view.caption.text() and "push " in view.caption.text()


def test_a_played_grid_world_episode_replays_with_the_table_of_its_time(qtbot, tmp_path):
    """CliffWalking played by keys at the first episode, then 300 episodes of Q-learning: the
    replay shows the Q-table row of each state as the checkpoint of that time held it."""
    cfg = from_dict(manifest("td-control").config_class(), {"episodes": 300})
    run = Run(manifest("td-control"), cfg, device="cpu", out_dir=tmp_path, checkpoint_every_s=0.0)
    for name, action in [("play", None), *[("key", a) for a in CLIFF_PATH], ("play", None)]:
        run.act(name, **({} if action is None else {"action": action}))
    assert run.run().state == "finished", run.error
    entry = next(e for e in list_episodes(tmp_path) if e.kind == "demonstration")
    view = EpisodeReplay(manifest("td-control").load(manifest("td-control").replay)(tmp_path, entry))
    qtbot.addWidget(view)
    first = view.frame.image.copy()
    view.slider.setValue(FRAME)
    state = int(load_episode(entry).observations[FRAME])

    def q_row(path) -> np.ndarray:
        return np.asarray(load_checkpoint(path, "td-control")["state"]["learners"][0][0]["q"])[state]

    then = checkpoint_at(tmp_path, entry.step)
    np.testing.assert_allclose(view.bars.opts["width"], q_row(then))
    assert not np.allclose(q_row(then), q_row(tmp_path / "checkpoint.pt"))  # 300 episodes later
    assert view.caption.text().startswith(f"step {FRAME + 1} of 13 · action Right · reward -1")
    assert not np.array_equal(view.frame.image, first)  # the walker moved along the cliff


def test_the_list_takes_in_episodes_a_run_stores_while_the_window_is_open(qtbot, dqn_run, tmp_path):
    (tmp_path / "episodes").mkdir()
    (tmp_path / "checkpoint.pt").symlink_to(dqn_run / "checkpoint.pt")
    window = ReplayWindow(manifest("dqn"), tmp_path)
    qtbot.addWidget(window)
    assert window.episodes.count() == 0 and "holds no stored episodes yet" in window.message.text()
    greedy = [e.path for e in list_episodes(dqn_run) if e.kind == "greedy"]
    shutil.copy(greedy[1], tmp_path / "episodes")  # the run stores an evaluation
    qtbot.waitUntil(lambda: window.episodes.count() == 1, timeout=10_000)
    assert window.replay is not None and window.message.isHidden()  # the first one opens
    shown = window.replay
    shutil.copy(greedy[0], tmp_path / "episodes")  # one of an earlier step lists above it
    qtbot.waitUntil(lambda: window.episodes.count() == 2, timeout=10_000)
    labels = [window.episodes.item(i).text() for i in range(2)]
    assert labels == ["greedy evaluation at step 150", "greedy evaluation at step 300"]
    assert window.episodes.currentRow() == 1 and window.replay is shown  # the one picked stays, unreloaded
