"""A classic-control episode drawn again from its stored states, so a replay needs no frames on
disk: the environment's state is set back, step by step, and rendered."""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from workbench.core.envs import register_all


def frames_of(env_id: str, states: np.ndarray) -> np.ndarray | None:
    """Each stored state drawn by the environment; None for an environment whose observation is
    not its state (Acrobot observes sines and cosines of its angles)."""
    register_all()
    env = gym.make(env_id, render_mode="rgb_array")
    env.reset(seed=0)
    try:
        if np.shape(getattr(env.unwrapped, "state", None)) != states.shape[1:]:
            return None
        frames = []
        for s in states:
            env.unwrapped.state = np.array(s, dtype=np.float64)
            frames.append(env.render())
        return np.stack(frames)
    finally:
        env.close()
