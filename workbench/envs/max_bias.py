"""The maximization-bias MDP of Sutton & Barto, Example 6.7 (Figure 6.5).

From A, ``left`` leads to B and ``right`` ends the episode, both with reward 0. From B, each of
``n_actions`` actions ends the episode with reward drawn from N(-0.1, 1). Going left is worse
on average, yet Q-learning's max over noisy estimates of B makes it look better at first.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from workbench.envs import drawing
from workbench.envs.layout import LEFT, RIGHT, GridLayout

A, B, LEFT_END, RIGHT_END = range(4)  # observations
GO_LEFT = 0  # in A; every other action in A goes right
MEAN, STD = -0.1, 1.0


class MaximizationBias(gym.Env):
    """States A (start), B and two terminal ends; actions are ``n_actions`` ints.

    In A only actions 0 (left) and 1 (right) are legal: ``info["action_mask"]`` says so, and any
    other action there counts as right. In B all actions are legal and alike.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(self, n_actions: int = 10, render_mode: str | None = None) -> None:
        if n_actions < 2:
            raise ValueError(f"n_actions={n_actions!r} must be at least 2")
        self.n_actions, self.render_mode = int(n_actions), render_mode
        self.observation_space = gym.spaces.Discrete(4)
        self.action_space = gym.spaces.Discrete(self.n_actions)
        self.masks = np.ones((4, self.n_actions), dtype=np.int8)
        self.masks[A, 2:] = 0
        go = {a: [(1.0, B if a == GO_LEFT else RIGHT_END, 0.0, a != GO_LEFT)] for a in range(self.n_actions)}
        end = {a: [(1.0, LEFT_END, MEAN, True)] for a in range(self.n_actions)}  # expected reward
        self.P = {
            A: go,
            B: end,
            LEFT_END: {a: [(1.0, LEFT_END, 0.0, True)] for a in range(self.n_actions)},
            RIGHT_END: {a: [(1.0, RIGHT_END, 0.0, True)] for a in range(self.n_actions)},
        }
        self.state = A

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[int, dict]:
        super().reset(seed=seed)
        self.state = A
        return self.state, {"action_mask": self.masks[A].copy()}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict]:
        if self.state == A:
            self.state, reward = (B, 0.0) if int(action) == GO_LEFT else (RIGHT_END, 0.0)
        elif self.state == B:
            self.state, reward = LEFT_END, float(self.np_random.normal(MEAN, STD))
        else:
            reward = 0.0
        terminated = self.state in (LEFT_END, RIGHT_END)
        return self.state, reward, terminated, False, {"action_mask": self.masks[self.state].copy()}

    def render(self) -> np.ndarray | None:
        if self.render_mode != "rgb_array":
            return None
        colors = np.array([[drawing.TERMINAL, drawing.PIT, drawing.START, drawing.TERMINAL]], dtype=np.uint8)
        return drawing.draw_grid(colors, (0, self.layout().cells[self.state, 1]))

    def layout(self) -> GridLayout:
        """One row: left end, B, A, right end."""
        cells = np.array([[0, 2], [0, 1], [0, 0], [0, 3]])
        arrows = np.zeros((4, self.n_actions, 2), dtype=np.float32)
        arrows[A, :] = RIGHT
        arrows[A, GO_LEFT] = LEFT
        arrows[B, :] = LEFT
        return GridLayout((1, 4), cells, arrows)
