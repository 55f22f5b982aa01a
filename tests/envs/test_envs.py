"""Workbench's own environments: Gymnasium's checker, the textbook dynamics, and known solutions."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import workbench.envs
from workbench.envs.layout import layout_of
from workbench.envs.text_grid import parse_grid
from workbench.rl.dp import TabularModel, exact_values, random_policy, value_iteration_sweep

IDS = sorted(workbench.envs.ENVS)


def optimal_values(env_id: str, gamma: float = 1.0, sweeps: int = 500, **kwargs) -> np.ndarray:
    model = TabularModel.from_env(gym.make(env_id, **kwargs))
    v = np.zeros(len(model.R))
    for _ in range(sweeps):
        v = value_iteration_sweep(model, v, gamma)
    return v


@pytest.mark.parametrize("env_id", IDS)
def test_passes_gymnasium_checker_and_renders(env_id):
    env = gym.make(env_id, render_mode="rgb_array")
    check_env(env.unwrapped)
    env.reset(seed=0)
    frame = env.render()
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
    lay = layout_of(env)
    assert lay.arrows.shape[:2] == (env.observation_space.n, env.action_space.n)
    assert len({tuple(c) for c in lay.cells}) == env.observation_space.n  # one canvas cell per state


def test_windy_gridworld_shortest_episode_is_15_steps():
    """Sutton & Barto, Example 6.5: the optimal path from S to G takes 15 moves."""
    v = optimal_values("workbench/WindyGridworld-v0")
    assert v[3 * 10 + 0] == pytest.approx(-15.0)


def test_windy_gridworld_wind_pushes_up():
    env = gym.make("workbench/WindyGridworld-v0")
    env.reset(seed=0)
    for _ in range(3):  # walk right to column 3, whose wind is 1
        obs, *_ = env.step(1)
    obs, *_ = env.step(1)  # leaving column 3 to the right: pushed up one row
    assert divmod(obs, 10) == (2, 4)


def test_russell_norvig_world_utilities():
    """Russell & Norvig, Figure 17.3: the 4x3 world with reward -0.04 per move and 0.8/0.1/0.1 moves."""
    v = optimal_values("workbench/EditableGrid-v0", slip=0.2).reshape(3, 4)
    expected = [[0.812, 0.868, 0.918], [0.762, None, 0.660], [0.705, 0.655, 0.611, 0.388]]
    for r, row in enumerate(expected):
        for c, value in enumerate(row):
            if value is not None:
                assert v[r, c] == pytest.approx(value, abs=1e-3)


def test_slip_splits_probability_sideways():
    env = gym.make("workbench/EditableGrid-v0", grid="...../..S../...../....G", slip=0.2)
    outcomes = {nxt: p for p, nxt, _, _ in env.unwrapped.P[7][1]}  # S at (1, 2), move right
    assert outcomes == {8: pytest.approx(0.8), 2: pytest.approx(0.1), 12: pytest.approx(0.1)}


@pytest.mark.parametrize(
    "grid, message",
    [
        ("S#G", "no terminal"),
        ("S..", "no terminal"),
        ("S./..G", "different lengths"),
        ("S.Q/..G", "unknown cell 'Q'"),
        ("SS/.G", "2 starts"),
    ],
)
def test_bad_grids_are_refused_with_the_reason(grid, message):
    with pytest.raises(ValueError, match=message) as err:
        parse_grid(grid)
    assert repr(grid) in str(err.value)


def test_maximization_bias_mdp():
    env = gym.make("workbench/MaximizationBias-v0")
    obs, info = env.reset(seed=0)
    assert list(info["action_mask"]) == [1, 1] + [0] * 8  # only left and right in A
    rewards = []
    for _ in range(3000):
        env.reset()
        obs, r, terminated, _, info = env.step(0)  # left: to B, nothing yet
        assert (obs, r, terminated) == (1, 0.0, False) and info["action_mask"].all()
        obs, r, terminated, _, _ = env.step(3)
        assert terminated
        rewards.append(r)
    assert np.mean(rewards) == pytest.approx(-0.1, abs=0.06)
    env.reset()
    assert env.step(1)[2]  # right ends the episode at once


def test_random_walk_true_values():
    """Sutton & Barto, Example 6.2: v(A..E) = 1/6 .. 5/6 under the random policy."""
    model = TabularModel.from_env(gym.make("workbench/RandomWalk-v0"))
    v = exact_values(model, random_policy(model), 1.0)
    np.testing.assert_allclose(v[1:6], np.arange(1, 6) / 6)


def test_robot_grid_turns_and_moves():
    """Bottom-left facing up to the top-right cell: forward, forward, right, forward, forward."""
    env = gym.make("workbench/RobotGrid-v0")
    env.reset(seed=0)
    env.step(0)  # turn left: now facing left, at the edge
    obs, *_ = env.step(2)  # forward into the edge: stays
    assert obs == (2 * 3 + 0) * 4 + 3
    env.reset()
    for a in (2, 2, 1, 2):
        obs, r, terminated, *_ = env.step(a)
        assert not terminated and r == -1.0
    assert env.step(2)[2]
    assert optimal_values("workbench/RobotGrid-v0")[(2 * 3 + 0) * 4 + 0] == -5.0
