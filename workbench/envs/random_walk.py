"""Sutton & Barto's random walk (Example 6.2): five states A..E between two terminals; only
reaching the right end pays +1. Under the equiprobable policy the true values of A..E are 1/6..5/6."""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from workbench.envs import drawing
from workbench.envs.layout import LEFT, RIGHT, GridLayout, rectangular
from workbench.envs.model_env import DeterministicModelEnv

N = 7  # 0 and 6 are the terminals; 3 (C) is the start
START = 3


class RandomWalk(DeterministicModelEnv):
    """Observations 0..6; actions 0 left, 1 right."""

    def __init__(self, render_mode: str | None = None) -> None:
        self.render_mode = render_mode
        self.observation_space = gym.spaces.Discrete(N)
        self.action_space = gym.spaces.Discrete(2)
        self.P = {s: {a: [self._outcome(s, a)] for a in range(2)} for s in range(N)}
        self.start = self.state = START

    @staticmethod
    def _outcome(s: int, a: int) -> tuple[float, int, float, bool]:
        if s in (0, N - 1):
            return 1.0, s, 0.0, True
        nxt = s + (1 if a == 1 else -1)
        return 1.0, nxt, float(nxt == N - 1), nxt in (0, N - 1)

    def frame(self) -> np.ndarray:
        colors = np.full((1, N, 3), drawing.FLOOR, dtype=np.uint8)
        colors[0, 0], colors[0, N - 1], colors[0, START] = drawing.TERMINAL, drawing.GOAL, drawing.START
        return drawing.draw_grid(colors, (0, self.state))

    def layout(self) -> GridLayout:
        return rectangular((1, N), [LEFT, RIGHT])
