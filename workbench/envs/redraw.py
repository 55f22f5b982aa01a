"""A classic-control episode drawn again from its stored states, so a replay needs no frames on
disk: the environment's state is set back and rendered, one frame when it is asked for (a
500-step CartPole episode drawn at once took 5 s and 360 MB; one frame takes about 10 ms)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from workbench.core.envs import register_all


class StateFrames:
    """The frames of ``states`` in ``env_id``, as a sequence: ``frames[t]`` draws state t."""

    def __init__(self, env: gym.Env, states: np.ndarray) -> None:
        self._env, self.states = env, states

    def __len__(self) -> int:
        return len(self.states)

    def __getitem__(self, t: int) -> np.ndarray:
        self._env.unwrapped.state = np.array(self.states[t], dtype=np.float64)
        frame: np.ndarray = self._env.render()
        return frame

    def __del__(self) -> None:
        self._env.close()


def frames_of(env_id: str, states: np.ndarray) -> StateFrames | None:
    """Each stored state drawn by the environment on demand; None for an environment whose
    observation is not its state (Acrobot observes sines and cosines of its angles)."""
    register_all()
    env = gym.make(env_id, render_mode="rgb_array")
    env.reset(seed=0)
    if np.shape(getattr(env.unwrapped, "state", None)) != states.shape[1:]:
        env.close()
        return None
    return StateFrames(env, states)
