"""TD control against Sutton & Barto's chapter 5-8 results, on budgets that run in seconds."""

from __future__ import annotations

import threading

import gymnasium as gym
import numpy as np
import pytest
from cli_errors import rejected
from trainers import collect

from workbench.core.cli import main
from workbench.core.driver import RunContext
from workbench.core.sinks import read_metrics
from workbench.rl.tabular import greedy
from workbench_plugins.td_control.agents import Learner, Rates
from workbench_plugins.td_control.config import Config
from workbench_plugins.td_control.trainer import train

CLIFF_START, CLIFF_GOAL = 36, 47


def curves(changes: dict | None = None, **settings) -> dict[str, np.ndarray]:
    """Each scalar over the episodes; ``changes`` land live after the second episode."""
    rows = [s.scalars for s in collect(train, Config(render=False, **settings), changes)]
    return {k: np.array([r[k] for r in rows]) for k in rows[0]}


def greedy_cliff_path(algo: str) -> list[int]:
    learner = Learner(algo, gym.make("CliffWalking-v1", max_episode_steps=5000), seed=1)
    for _ in range(500):
        learner.run_episode(Rates(epsilon=0.1, alpha=0.5, gamma=1.0, n=1, planning_steps=1))
    s, path = CLIFF_START, [CLIFF_START]
    while s != CLIFF_GOAL and len(path) < 50:
        s = int(learner.env.unwrapped.P[s][int(learner.q[s].argmax())][0][1])
        path.append(s)
    return path


def test_greedy_takes_the_best_legal_action_and_breaks_ties_at_random():
    rng = np.random.default_rng(0)
    assert greedy(np.array([0.0, 2.0, 1.0]), rng) == 1
    assert greedy(np.array([0.0, 2.0, 1.0]), rng, np.array([True, False, True])) == 2
    assert {greedy(np.array([1.0, 1.0, 0.0]), rng) for _ in range(50)} == {0, 1}


def test_cliff_sarsa_earns_more_online_than_q_learning_example_6_6():
    """With eps = 0.1, SARSA and Expected SARSA learn the safe path and earn more per episode
    than Q-learning, whose optimal path along the edge makes it fall off while exploring."""
    c = curves(compare="sarsa,expected-sarsa,q-learning", episodes=200, runs=3)
    late = slice(100, 200)
    q_learning = c["episode_return/q-learning"][late].mean()
    assert c["episode_return/sarsa"][late].mean() > q_learning + 5
    assert c["episode_return/expected-sarsa"][late].mean() > q_learning + 5
    np.testing.assert_array_equal(c["episode_return"], c["episode_return/sarsa"])  # plain name: the first


def test_cliff_greedy_paths_safe_for_sarsa_optimal_for_q_learning():
    q_path, sarsa_path = greedy_cliff_path("q-learning"), greedy_cliff_path("sarsa")
    assert q_path[-1] == sarsa_path[-1] == CLIFF_GOAL
    assert len(q_path) == 14 and {s // 12 for s in q_path[1:-1]} == {2}  # 13 moves along the edge
    assert len(sarsa_path) > 14 and min(s // 12 for s in sarsa_path) <= 1  # a detour away from the edge


def test_double_q_learning_avoids_maximization_bias_figure_6_5():
    c = curves(env="workbench/MaximizationBias-v0", compare="q-learning,double-q", episodes=300, runs=50, alpha=0.1)
    early, late = slice(5, 40), slice(200, 300)
    assert c["pct_left/q-learning"][early].mean() > c["pct_left/double-q"][early].mean() + 15
    assert c["pct_left/double-q"][late].mean() < 10  # the optimum is eps / 2 = 5%


def test_td0_prediction_approaches_random_walk_values_example_6_2():
    c = curves(env="workbench/RandomWalk-v0", algo="td0", episodes=100, runs=10, alpha=0.1)
    assert c["rms_error"][0] > 0.3
    assert c["rms_error"][-10:].mean() < 0.12


def test_td0_error_is_measured_against_the_values_of_the_live_gamma():
    """After γ drops to 0.5 the estimates head for γ = 0.5's values, and the error is measured against
    those: against a same-seed run without the change, the error differs from the episode the change
    lands in, and falls as low (measured against γ = 1's values it would stay near 0.3)."""
    settings = dict(env="workbench/RandomWalk-v0", algo="td0", episodes=100, runs=10, alpha=0.1)
    changed, kept = curves({"gamma": 0.5}, **settings), curves(**settings)
    np.testing.assert_array_equal(changed["rms_error"][:2], kept["rms_error"][:2])
    assert abs(changed["rms_error"][2] - kept["rms_error"][2]) > 0.1
    assert changed["rms_error"][-10:].mean() < 0.12


def test_sarsa_learns_the_windy_gridworld_example_6_5():
    c = curves(env="workbench/WindyGridworld-v0", algo="sarsa", episodes=170, alpha=0.5)
    assert c["episode_length"][:3].mean() > 100
    assert c["episode_length"][-20:].mean() < 30  # 15 at best, plus exploration


def test_dyna_q_needs_fewer_real_steps_than_q_learning():
    c = curves(env="workbench/WindyGridworld-v0", compare="q-learning,dyna-q", episodes=20, runs=2, planning_steps=10)
    assert c["episode_length/dyna-q"].sum() < 0.75 * c["episode_length/q-learning"].sum()


def test_n_step_sarsa_and_monte_carlo_control_learn():
    c = curves(env="workbench/WindyGridworld-v0", algo="n-step-sarsa", episodes=120, runs=1, n=4)
    assert c["episode_length"][-20:].mean() < 40
    c = curves(env="FrozenLake-v1", slippery=False, algo="mc", episodes=300, runs=3)
    assert c["episode_return"][-100:].mean() > 0.6  # reaches the goal in most episodes (eps = 0.1)


def test_headless_run_writes_metrics_and_q_values(tmp_path):
    assert (
        main(
            [
                "run",
                "td-control",
                "--out",
                str(tmp_path),
                "--quiet",
                "--set",
                "compare=sarsa,q-learning",
                "--set",
                "episodes=20",
                "--set",
                "runs=2",
                "--set",
                "render=false",
            ]
        )
        == 0
    )
    m = read_metrics(tmp_path / "metrics.csv")
    assert {"episode_return", "episode_length", "epsilon", "episode_return/sarsa", "episode_return/q-learning"} <= set(
        m
    )
    assert len(m["step"]) == 20
    assert np.load(tmp_path / "q_values.npy").shape == (48, 4)


def test_a_live_epsilon_changes_the_next_episodes():
    """Against a same-seed run without the change: the same two episodes, then the new epsilon is
    reported and acted on (other returns on the cliff)."""
    changed, kept = curves({"epsilon": 0.5}, episodes=20), curves(episodes=20)
    assert changed["epsilon"].tolist() == [0.1, 0.1] + [0.5] * 18 and kept["epsilon"].tolist() == [0.1] * 20
    np.testing.assert_array_equal(changed["episode_return"][:2], kept["episode_return"][:2])
    assert changed["episode_return"][2:].mean() < kept["episode_return"][2:].mean() - 10  # more falls


def test_a_live_schedule_end_reaches_the_new_end():
    """Against a same-seed run without the change: the linear schedule now ends at the new value."""
    settings = dict(
        env="workbench/MaximizationBias-v0",
        episodes=30,
        epsilon_schedule="linear",
        epsilon=1.0,
        epsilon_end=0.0,
        epsilon_duration=20,
    )
    changed, kept = curves({"epsilon_end": 0.2}, **settings), curves(**settings)
    assert changed["epsilon"][:2].tolist() == kept["epsilon"][:2].tolist() == [1.0, 0.95]
    assert changed["epsilon"][-1] == pytest.approx(0.2) and kept["epsilon"][-1] == 0.0


@pytest.mark.parametrize(
    "sets, message",
    [
        (["epsilon=1.5"], "epsilon=1.5 is outside [0.0, 1.0]"),
        (["algo=dyna-q", "planning_steps=0"], "planning_steps=0 is not allowed for Dyna-Q"),
        (["env=workbench/EditableGrid-v0", "grid=S#G"], "no terminal (T, G or X) reachable"),
        (["n=0"], "n=0 is outside"),
        (["env=Pong"], "env='Pong' is not one of"),
    ],
)
def test_bad_input_is_one_line_with_exit_code_2(tmp_path, capsys, sets, message):
    assert message in rejected("td-control", sets, tmp_path / "out", capsys)


@pytest.mark.parametrize(("runs", "exact"), [(1, True), (3, False)])
def test_a_stop_between_episodes_keeps_the_state_exact_and_one_mid_index_does_not(runs, exact):
    """Stop seen before any learner plays the next episode index leaves a state a checkpoint
    holds exactly (Ctrl+C right after a snapshot had left no checkpoint at all); seen after
    one of several runs has played it, the index is half done and the last checkpoint stays."""
    cfg = Config(runs=runs, episodes=10, render=False)
    stop = threading.Event()
    ctx = RunContext(cfg, "cpu", None, None, stop)
    gen = train(cfg, ctx)
    next(gen)
    if runs > 1:
        stop_after_first_learner(ctx, stop)
    else:
        stop.set()
    with pytest.raises(StopIteration):
        next(gen)
    assert ctx.checkpoint_ok is exact


def stop_after_first_learner(ctx, stop: threading.Event) -> None:
    """Stop once the trainer has asked twice whether to: after its first learner's episode."""
    asked = []

    def should_stop() -> bool:
        asked.append(True)
        if len(asked) == 2:
            stop.set()
        return stop.is_set()

    ctx.should_stop = should_stop
