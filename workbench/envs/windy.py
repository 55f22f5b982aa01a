"""Sutton & Barto's windy gridworld (Example 6.5): a crosswind pushes the agent up in the middle columns."""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from workbench.envs import drawing
from workbench.envs.layout import DOWN, LEFT, RIGHT, UP, GridLayout, rectangular
from workbench.envs.model_env import DeterministicModelEnv

SHAPE = (7, 10)
WIND = (0, 0, 0, 1, 1, 1, 2, 2, 1, 0)  # cells pushed upwards, per column
START, GOAL = (3, 0), (3, 7)
MOVES = [(-1, 0), (0, 1), (1, 0), (0, -1)]  # up right down left, as (d_row, d_col)


class WindyGridworld(DeterministicModelEnv):
    """7x10 grid, reward -1 per step until the goal; the wind of the column the agent leaves
    shifts it upwards. Observations are ``row * 10 + col``; actions 0 up, 1 right, 2 down, 3 left."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 8}

    def __init__(self, render_mode: str | None = None) -> None:
        self.render_mode = render_mode
        h, w = SHAPE
        self.observation_space = gym.spaces.Discrete(h * w)
        self.action_space = gym.spaces.Discrete(4)
        self.P = {s: {a: [self._outcome(s, a)] for a in range(4)} for s in range(h * w)}
        self.start = self.state = START[0] * w + START[1]

    def _outcome(self, s: int, a: int) -> tuple[float, int, float, bool]:
        h, w = SHAPE
        r, c = divmod(s, w)
        if (r, c) == GOAL:
            return 1.0, s, 0.0, True
        dr, dc = MOVES[a]
        r2 = min(max(r + dr - WIND[c], 0), h - 1)
        c2 = min(max(c + dc, 0), w - 1)
        return 1.0, r2 * w + c2, -1.0, (r2, c2) == GOAL

    def frame(self) -> np.ndarray:
        colors = np.full((*SHAPE, 3), drawing.FLOOR, dtype=np.uint8)
        for c, strength in enumerate(WIND):
            colors[:, c] = (235 - 30 * strength, 235 - 15 * strength, 235)
        colors[START] = drawing.START
        colors[GOAL] = drawing.GOAL
        return drawing.draw_grid(colors, divmod(self.state, SHAPE[1]))

    def layout(self) -> GridLayout:
        return rectangular(SHAPE, [UP, RIGHT, DOWN, LEFT])
