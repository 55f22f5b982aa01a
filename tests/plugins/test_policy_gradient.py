"""The policy-gradient lab end to end: headless runs on real envs, the many-runs histogram, GIF
recording, live changes and the messages bad settings get."""

from __future__ import annotations

import dataclasses
import threading

import gymnasium as gym
import numpy as np
import pytest
from PIL import Image

from workbench.core.actions import Event
from workbench.core.cli import main
from workbench.core.config import parse_sets
from workbench.core.driver import Run, RunContext
from workbench.core.manifest import find
from workbench_plugins.policy_gradient.config import Config
from workbench_plugins.policy_gradient.search import LinearSearch, linear_actions
from workbench_plugins.policy_gradient.trainer import train

pytestmark = pytest.mark.filterwarnings("ignore:.*CartPole-v0 is out of date:DeprecationWarning")


def context(cfg, out=None) -> RunContext:
    return RunContext(cfg, "cpu", out, None, threading.Event())


def episode_return(env_id: str, seed: int, act) -> float:
    with gym.make(env_id) as env:
        obs, _ = env.reset(seed=seed)
        env.action_space.seed(seed)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(act(env, obs))
            total, done = total + float(reward), terminated or truncated
    return total


def random_policy_return(env_id: str, seeds: range) -> float:
    """The mean return of uniformly random actions, one episode from each seed."""
    return float(np.mean([episode_return(env_id, s, lambda env, obs: env.action_space.sample()) for s in seeds]))


def linear_policy_returns(weights: np.ndarray, env_id: str, seed: int) -> np.ndarray:
    """One episode of each lane's linear policy, every lane from the same start."""
    return np.array(
        [
            episode_return(env_id, seed, lambda env, obs, w=w: int(linear_actions(w[None], obs[None])[0]))
            for w in weights
        ]
    )


def learned_return(cfg: Config) -> float:
    """The mean return of a run's last five episodes."""
    returns = [s.scalars["episode_return"] for s in train(cfg, context(cfg)) if "episode_return" in s.scalars]
    return float(np.mean(returns[-5:]))


def test_random_search_many_runs_writes_the_histogram(tmp_path):
    cfg = Config(env="CartPole-v0", algo="random-search", runs=40, render=False)
    status = Run(find("policy-gradient"), cfg, device="cpu", out_dir=tmp_path).run()
    assert status.state == "finished"
    needed = np.load(tmp_path / "episodes_needed.npy")
    assert len(needed) == 40
    assert needed.min() >= 1 and needed.max() < cfg.episodes  # every run found 200-step weights
    assert 3 < needed.mean() < 60  # the seed reports 13.53 over 1000 runs


def test_hill_climbing_reports_the_runs_that_never_solve():
    cfg = Config(env="CartPole-v0", algo="hill-climbing", runs=30, episodes=50, render=False)
    last = {}
    for snap in train(cfg, context(cfg)):
        last.update(snap.scalars)
        arrays = snap.arrays
    assert arrays["episodes_needed"].shape == (30,)
    never = float(np.mean(arrays["episodes_needed"] == 50))
    assert last["never_solved"] == pytest.approx(never, abs=1 / 30 + 1e-9)
    assert 0.0 < last["never_solved"] < 1.0  # some start in a flat spot the noise cannot leave


def test_hill_climbing_keeps_the_weights_that_improve():
    """The best return of each search never falls, and the weights it keeps play far better than the
    ones it started from (from the same start state)."""
    cfg = Config(env="CartPole-v0", algo="hill-climbing", noise=0.5)
    search = LinearSearch(cfg, lanes=20, seed=0)
    start, best = search.weights.copy(), search.best.copy()
    try:
        for _ in range(20):
            search.update(cfg)
            assert np.all(search.best >= best)
            best = search.best.copy()
    finally:
        search.close()
    kept, initial = linear_policy_returns(search.weights, cfg.env, 1), linear_policy_returns(start, cfg.env, 1)
    assert kept.mean() > initial.mean() + 40


def test_a2c_run_reports_losses_and_maps():
    cfg = Config(algo="a2c", steps=256, num_envs=2, n_steps=16)
    snaps = list(train(cfg, context(cfg)))
    assert snaps[-1].step == 256
    keys = set().union(*(s.scalars for s in snaps))
    assert {"policy_loss", "value_loss", "entropy", "grad_norm", "episode_return"} <= keys
    arrays = {k: v for s in snaps for k, v in s.arrays.items()}
    assert arrays["policy_slice"].shape == arrays["value_slice"].shape == (41, 41)
    assert arrays["render"].ndim == 3 and arrays["render"].dtype == np.uint8


@pytest.mark.parametrize(
    ("algo", "settings"),
    [
        ("a2c", dict(steps=8000, num_envs=8, n_steps=16, lr=3e-3, lr_value=3e-3)),
        ("reinforce", dict(steps=4000, num_envs=4, lr=1e-2, lr_value=1e-2)),
    ],
)
def test_a_short_run_balances_the_pole_far_longer_than_random_actions(algo, settings):
    """109 (a2c) and 90 (reinforce) measured against random actions' 23, in a second or two."""
    assert learned_return(Config(algo=algo, render=False, **settings)) > 2.5 * random_policy_return(
        "CartPole-v1", range(20)
    )


@pytest.mark.parametrize("algo", ["reinforce", "ppo"])
def test_gaussian_policy_runs_on_pendulum(algo):
    cfg = Config(
        env="Pendulum-v1",
        algo=algo,
        steps=400,
        num_envs=2,
        n_steps=100,
        batch_size=100,
        epochs=2,
        standardize=True,
        render=False,
    )
    snaps = list(train(cfg, context(cfg)))
    assert snaps[-1].step >= 400
    assert all(np.isfinite(v) for s in snaps for v in s.scalars.values())


def test_the_gaussian_policy_learns_to_cost_less_on_pendulum():
    """PPO's Gaussian policy, 16,000 steps (a few seconds): -967 measured (seeds 1, 2: -995, -1032)
    against random torques' -1246 on the same seeds."""
    cfg = Config(
        env="Pendulum-v1",
        algo="ppo",
        steps=16_000,
        num_envs=4,
        n_steps=200,
        batch_size=200,
        epochs=10,
        lr=3e-3,
        lr_value=3e-3,
        gamma=0.9,
        lam=0.95,
        render=False,
    )
    assert learned_return(cfg) > random_policy_return("Pendulum-v1", range(20)) + 150


def test_ppo_learns_to_push_the_way_the_pole_falls():
    cfg = Config(algo="ppo", steps=6144, render=False, seed=1)
    snaps = list(train(cfg, context(cfg)))
    returns = [s.scalars["episode_return"] for s in snaps if "episode_return" in s.scalars]
    assert np.mean(returns[-5:]) > 3 * np.mean(returns[:5])
    push = [s.arrays["policy_slice"] for s in snaps if "policy_slice" in s.arrays][-1]
    assert push[0, -1] > 0.5 and push[-1, 0] < -0.5  # falling right fast: push right; left: left


def test_record_button_writes_a_gif_of_the_next_episode(tmp_path):
    cfg = Config(algo="reinforce", num_envs=1, steps=10_000, render=False)
    ctx = context(cfg, tmp_path)
    gen = train(cfg, ctx)
    next(gen)
    ctx.deliver(Event("record"))
    snap = next(gen)
    gen.close()
    gif = Image.open(tmp_path / "episode_1.gif")
    total_ms = 0
    for i in range(gif.n_frames):  # Pillow merges repeated frames, adding up their durations
        gif.seek(i)
        total_ms += gif.info["duration"]
    assert total_ms == 30 * (snap.scalars["recorded_return"] + 1)  # the reset frame, then one per step at 30 fps


def test_a_live_gamma_changes_the_next_value_targets():
    cfg = Config(algo="a2c", num_envs=2, n_steps=64, steps=10_000, render=False)
    changed_ctx = context(cfg)
    same, changed = train(cfg, context(cfg)), train(cfg, changed_ctx)
    assert next(same).scalars == next(changed).scalars
    kept = next(same).scalars["value_loss"]
    changed_ctx.config = dataclasses.replace(cfg, gamma=0.5)
    short = next(changed).scalars["value_loss"]
    same.close()
    changed.close()
    assert short < kept / 4  # returns of gamma 0.5 stay below 2; those of 0.99 grow with the episode


@pytest.mark.parametrize(
    "sets, message",
    [
        (["algo=random-search", "env=Pendulum-v1"], "algo='random-search' needs discrete actions"),
        (["algo=hill-climbing", "env=Pendulum-v1"], "env='Pendulum-v1' has continuous actions"),
        (["gamma=1.5"], r"gamma=1.5 is outside \[0.0, 1.0\]"),
        (["gamma=-0.1"], r"gamma=-0.1 is outside \[0.0, 1.0\]"),
        (["batch_size=512", "num_envs=2", "n_steps=16"], "batch_size=512 is larger than a rollout"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(sets, message):
    with pytest.raises(ValueError, match=message):
        parse_sets(Config, sets)


def test_cli_reports_bad_settings_in_one_line(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        ["run", "policy-gradient", "--out", str(out), "--set", "algo=random-search", "--set", "env=Pendulum-v1"]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "continuous actions" in err
    assert not out.exists()


@pytest.mark.parametrize("algo", ["a2c", "hill-climbing"])
def test_a_checkpoint_resumes_where_the_run_stopped(tmp_path, algo):
    from workbench.core.sinks import HistorySink

    manifest = find("policy-gradient")
    cfg = Config(algo=algo, env="CartPole-v0", runs=3, episodes=30, steps=640, num_envs=2, n_steps=16, render=False)
    first = Run(manifest, cfg, device="cpu", out_dir=tmp_path, max_steps=300)
    assert first.run().state == "finished"
    stopped_at = first.status().step
    history = HistorySink()
    second = Run(manifest, cfg, device="cpu", out_dir=tmp_path, sinks=[history], resume_from=tmp_path)
    assert second.run().state == "finished"
    steps, _ = history.read("never_solved")
    assert steps.min() > stopped_at  # nothing counted twice: the runs go on from the checkpoint
    assert len(np.load(tmp_path / "episodes_needed.npy")) == 3
