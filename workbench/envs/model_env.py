"""A base for Workbench's deterministic grid worlds: the transition table ``P`` (Gymnasium's
toy-text format, one outcome per action) is the dynamics, so DP and the env never disagree."""

from __future__ import annotations

import gymnasium as gym
import numpy as np


class DeterministicModelEnv(gym.Env):
    """Subclasses build ``P``, the spaces and ``start``, and draw ``frame()``."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}
    start = 0

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[int, dict]:
        super().reset(seed=seed)
        self.state = self.start
        return self.state, {}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict]:
        _, self.state, reward, terminated = self.P[self.state][int(action)][0]
        return self.state, reward, terminated, False, {}

    def render(self) -> np.ndarray | None:
        return self.frame() if self.render_mode == "rgb_array" else None

    def frame(self) -> np.ndarray:
        raise NotImplementedError
