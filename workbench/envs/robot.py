"""The 3x3 robot grid of the course slides: the state is the robot's cell and heading
(3 x 3 x 4 = 36 states) and it can only turn left, turn right or move forward."""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from workbench.envs import drawing
from workbench.envs.layout import GridLayout
from workbench.envs.model_env import DeterministicModelEnv

SIZE = 3
UP = 0  # headings: 0 up, 1 right, 2 down, 3 left (drawing.HEADINGS)
TURN_LEFT, TURN_RIGHT, FORWARD = range(3)  # actions
START = (2, 0, UP)  # bottom-left, facing up
TARGET = (0, 2)  # top-right cell


def encode(row: int, col: int, heading: int) -> int:
    return (row * SIZE + col) * 4 + heading


def decode(s: int) -> tuple[int, int, int]:
    cell, heading = divmod(s, 4)
    return cell // SIZE, cell % SIZE, heading


class RobotGrid(DeterministicModelEnv):
    """Reach the top-right cell (any heading) from the bottom-left one, facing up; every action costs -1.
    Moving forward into the edge leaves the robot in place. The fastest route takes 5 actions."""

    def __init__(self, render_mode: str | None = None) -> None:
        self.render_mode = render_mode
        self.observation_space = gym.spaces.Discrete(SIZE * SIZE * 4)
        self.action_space = gym.spaces.Discrete(3)
        self.P = {s: {a: [self._outcome(s, a)] for a in range(3)} for s in range(SIZE * SIZE * 4)}
        self.start = self.state = encode(*START)

    def _outcome(self, s: int, a: int) -> tuple[float, int, float, bool]:
        row, col, heading = decode(s)
        if (row, col) == TARGET:
            return 1.0, s, 0.0, True
        if a == TURN_LEFT:
            heading = (heading - 1) % 4
        elif a == TURN_RIGHT:
            heading = (heading + 1) % 4
        else:
            dx, dy = drawing.HEADINGS[heading]
            row, col = min(max(row + dy, 0), SIZE - 1), min(max(col + dx, 0), SIZE - 1)
        return 1.0, encode(row, col, heading), -1.0, (row, col) == TARGET

    def frame(self) -> np.ndarray:
        colors = np.full((SIZE, SIZE, 3), drawing.FLOOR, dtype=np.uint8)
        colors[START[:2]] = drawing.START
        colors[TARGET] = drawing.GOAL
        row, col, heading = decode(self.state)
        return drawing.draw_grid(colors, (row, col), heading)

    def layout(self) -> GridLayout:
        """A 6x6 canvas of four 3x3 maps, one per heading: up top-left, right top-right,
        down bottom-left, left bottom-right. Arrows show where an action points the robot."""
        n = SIZE * SIZE * 4
        cells = np.zeros((n, 2), dtype=int)
        arrows = np.zeros((n, 3, 2), dtype=np.float32)
        for s in range(n):
            row, col, heading = decode(s)
            cells[s] = (heading // 2 * SIZE + row, heading % 2 * SIZE + col)
            arrows[s, TURN_LEFT] = drawing.HEADINGS[(heading - 1) % 4] * 0.5
            arrows[s, TURN_RIGHT] = drawing.HEADINGS[(heading + 1) % 4] * 0.5
            arrows[s, FORWARD] = drawing.HEADINGS[heading]
        return GridLayout((2 * SIZE, 2 * SIZE), cells, arrows)
