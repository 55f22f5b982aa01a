"""An episode drawn again from its stored states, so a replay needs no frames on disk: the
environment's state is set back and rendered, one frame when it is asked for (a 500-step
CartPole episode drawn at once took 5 s and 360 MB; one frame takes about 10 ms).

It serves the environments whose observation is their state: classic control (``state``), the
toy-text grid worlds (``s``) and Workbench's grid worlds (``state``).
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

STATE_NAMES = ("state", "s")


class StateFrames:
    """The frames of ``states`` as a sequence: ``frames[t]`` sets the env's ``name`` to state t
    (in the type the env keeps it in) and renders it."""

    def __init__(self, env: gym.Env, name: str, states: np.ndarray) -> None:
        self._env, self._name, self.states = env, name, states
        self._dtype = np.asarray(getattr(env.unwrapped, name)).dtype

    def __len__(self) -> int:
        return len(self.states)

    def __getitem__(self, t: int) -> np.ndarray:
        state = np.asarray(self.states[t]).astype(self._dtype)
        setattr(self._env.unwrapped, self._name, state.item() if state.ndim == 0 else state)
        frame: np.ndarray = self._env.render()
        return frame

    def __del__(self) -> None:
        self._env.close()


def frames_of(env: gym.Env, states: np.ndarray) -> StateFrames | None:
    """Each stored state drawn by ``env`` (made with ``render_mode="rgb_array"``; the frames own
    it from here) on demand; None, the env closed, where the observation is not the state (Acrobot
    observes sines and cosines of its angles)."""
    env.reset(seed=0)
    for name in STATE_NAMES:
        if hasattr(env.unwrapped, name) and np.shape(getattr(env.unwrapped, name)) == states.shape[1:]:
            return StateFrames(env, name, states)
    env.close()
    return None
