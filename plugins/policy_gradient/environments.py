"""What the lab knows about each environment: when it counts as solved, which way each action
pushes, and the 2-D slice of its state space over which the policy and value maps are drawn."""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

SLICE_CELLS = 41


@dataclass(frozen=True)
class EnvInfo:
    """Args:
    solved_return: an episode with at least this return solves the env (CartPole: its
        maximum, as in the seed; the others: Gymnasium's reward threshold, Pendulum: -200).
    push: per discrete action, its direction (-1 left, 0 none, +1 right); None when continuous.
    axes: names and ranges of the slice's x and y axes.
    """

    solved_return: float
    push: tuple[float, ...] | None
    axes: tuple[tuple[str, float, float], tuple[str, float, float]]


INFO = {
    "CartPole-v0": EnvInfo(200.0, (-1.0, 1.0), (("pole angle", -0.21, 0.21), ("angular velocity", -2.0, 2.0))),
    "CartPole-v1": EnvInfo(500.0, (-1.0, 1.0), (("pole angle", -0.21, 0.21), ("angular velocity", -2.0, 2.0))),
    "Acrobot-v1": EnvInfo(
        -100.0,
        (-1.0, 0.0, 1.0),
        (("first joint angle", -np.pi, np.pi), ("first joint velocity", -4 * np.pi, 4 * np.pi)),
    ),
    "MountainCar-v0": EnvInfo(-110.0, (-1.0, 0.0, 1.0), (("position", -1.2, 0.6), ("velocity", -0.07, 0.07))),
    "Pendulum-v1": EnvInfo(-200.0, None, (("angle", -np.pi, np.pi), ("angular velocity", -8.0, 8.0))),
}


def slice_states(env_id: str, cells: int = SLICE_CELLS) -> np.ndarray:
    """(cells * cells, obs_dim) observations on the slice grid, row-major with the highest y on
    the top row; the state variables off the slice are 0 (angles upright, carts centred)."""
    (_, x_lo, x_hi), (_, y_lo, y_hi) = INFO[env_id].axes
    x, y = np.meshgrid(np.linspace(x_lo, x_hi, cells), np.linspace(y_hi, y_lo, cells))
    x, y, zero = x.ravel(), y.ravel(), np.zeros(cells * cells)
    if env_id.startswith("CartPole"):
        obs = [zero, zero, x, y]
    elif env_id == "Acrobot-v1":
        obs = [np.cos(x), np.sin(x), zero + 1.0, zero, y, zero]
    elif env_id == "Pendulum-v1":
        obs = [np.cos(x), np.sin(x), y]
    else:
        obs = [x, y]
    return np.stack(obs, axis=1).astype(np.float32)


SLICE_AXES = (
    "pole angle (rad)",
    "angular velocity (rad/s)",
    "joint 1 angle (rad)",
    "joint 1 velocity (rad/s)",
    "car position",
    "car velocity",
    "pendulum angle (rad)",
)
"""The slice maps' axis labels (plugin.toml's ``axis_names`` holds the same list), by env:"""
AXIS_LABELS = {"CartPole": (0, 1), "Acrobot": (2, 3), "MountainCar": (4, 5), "Pendulum": (6, 1)}


def slice_axes(env_id: str) -> np.ndarray:
    """The x and y axis labels of ``env_id``'s slice, as indices into ``SLICE_AXES``."""
    return np.array(AXIS_LABELS[env_id.split("-")[0]], dtype=np.int64)


def slice_extent(env_id: str, cells: int = SLICE_CELLS) -> np.ndarray:
    """[x0, x1, y0, y1] of the slice maps' outer cell edges (the cells' centres lie on the axes'
    ranges; the top row holds the highest y)."""
    (_, x_lo, x_hi), (_, y_lo, y_hi) = INFO[env_id].axes
    dx, dy = (x_hi - x_lo) / (cells - 1) / 2, (y_hi - y_lo) / (cells - 1) / 2
    return np.array([x_lo - dx, x_hi + dx, y_hi + dy, y_lo - dy], dtype=np.float32)


def make_vector_env(env_id: str, num_envs: int, autoreset: str = "NextStep") -> gym.vector.VectorEnv:
    """``num_envs`` copies stepped together (reset them with a seed before use); CartPole uses
    Gymnasium's numpy-batched version, which only resets on the step after an episode ends."""
    if env_id.startswith("CartPole") and autoreset == "NextStep":
        envs = gym.make_vec(env_id, num_envs=num_envs, vectorization_mode="vector_entry_point")
    else:
        mode = gym.vector.AutoresetMode(autoreset)
        envs = gym.make_vec(
            env_id, num_envs=num_envs, vectorization_mode="sync", vector_kwargs={"autoreset_mode": mode}
        )
    return envs
