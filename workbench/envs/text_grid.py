"""A grid world written as text, so a user can edit it cell by cell (and on the command line).

Rows are separated by ``/``; each character is one cell:

====  =======================================================
``.``  floor
``#``  wall (moves into it leave the agent in place)
``S``  start (none: each episode starts on a random floor cell)
``T``  terminal, no bonus
``G``  goal: terminal, +1 on entering
``X``  pit: terminal, -1 on entering
====  =======================================================

Every move costs ``step_reward``; entering a terminal adds its bonus. With probability ``slip``
the move goes to one of the two perpendicular directions instead (half each), as in Russell &
Norvig's 4x3 world, whose utilities this reproduces with ``step_reward=-0.04, slip=0.2``.
Sutton & Barto's 4x4 grid (Example 4.1) is ``T.../..../..../...T`` with ``step_reward=-1``.
"""

from __future__ import annotations

from collections import deque

import gymnasium as gym
import numpy as np

from workbench.envs import drawing
from workbench.envs.layout import DOWN, LEFT, RIGHT, UP, GridLayout, rectangular

CELL_CHARS = ".#STGX"
TERMINAL_BONUS = {"T": 0.0, "G": 1.0, "X": -1.0}
MOVES = [(-1, 0), (0, 1), (1, 0), (0, -1)]  # up right down left, as (d_row, d_col)
COLORS = {
    ".": drawing.FLOOR,
    "#": drawing.WALL,
    "S": drawing.START,
    "T": drawing.TERMINAL,
    "G": drawing.GOAL,
    "X": drawing.PIT,
}
RUSSELL_NORVIG = "...G/.#.X/S..."
SUTTON_BARTO_4X4 = "T.../..../..../...T"


def parse_grid(text: str) -> np.ndarray:
    """The (H, W) array of cell characters of ``text``; ValueError saying what is wrong otherwise.

    Example:
        >>> parse_grid("S.G/.#.").shape
        (2, 3)
    """
    rows = text.strip().split("/")
    if not rows or not all(rows):
        raise ValueError(f"grid {text!r} has an empty row; write rows of cells separated by '/'")
    if len({len(r) for r in rows}) != 1:
        raise ValueError(
            f"grid {text!r} has rows of different lengths {[len(r) for r in rows]}; all rows must be equally long"
        )
    bad = sorted(set("".join(rows)) - set(CELL_CHARS))
    if bad:
        raise ValueError(
            f"grid {text!r} has unknown cell {bad[0]!r}; cells are . # S T G X "
            "(floor, wall, start, terminal, goal +1, pit -1)"
        )
    cells = np.array([list(r) for r in rows])
    if (cells == "S").sum() > 1:
        raise ValueError(f"grid {text!r} has {(cells == 'S').sum()} starts; mark at most one cell S")
    starts = np.argwhere(cells == "S") if (cells == "S").any() else np.argwhere(cells == ".")
    if len(starts) == 0:
        raise ValueError(f"grid {text!r} has no floor cell to start from")
    if not _reaches_terminal(cells, [tuple(s) for s in starts]):
        raise ValueError(f"grid {text!r} has no terminal (T, G or X) reachable from the start")
    return cells


def _reaches_terminal(cells: np.ndarray, starts: list[tuple[int, int]]) -> bool:
    """Whether every start can walk to some terminal cell (walls block, edges block)."""
    h, w = cells.shape
    for start in starts:
        seen, todo, found = {start}, deque([start]), False
        while todo and not found:
            r, c = todo.popleft()
            found = cells[r, c] in TERMINAL_BONUS
            for dr, dc in MOVES:
                nxt = (r + dr, c + dc)
                if 0 <= nxt[0] < h and 0 <= nxt[1] < w and cells[nxt] != "#" and nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        if not found:
            return False
    return True


class TextGrid(gym.Env):
    """A grid world parsed from text (see the module docstring for the cell characters).

    Observations are cell indices ``row * W + col``; actions are 0 up, 1 right, 2 down, 3 left.
    ``P[s][a]`` lists ``(probability, next_state, reward, terminated)`` like Gymnasium's toy-text
    worlds, so dynamic programming can solve it.

    Args:
        grid: the world as text.
        step_reward: reward of every move.
        slip: probability that a move goes sideways instead, in [0, 1).
        render_mode: None or "rgb_array".

    Raises:
        ValueError: for a malformed grid, one with no reachable terminal, or a bad ``slip``.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 8}

    def __init__(
        self, grid: str = RUSSELL_NORVIG, step_reward: float = -0.04, slip: float = 0.0, render_mode: str | None = None
    ) -> None:
        if not 0.0 <= slip < 1.0:
            raise ValueError(f"slip={slip!r} must be in [0, 1)")
        self.cells = parse_grid(grid)
        self.step_reward, self.slip, self.render_mode = float(step_reward), float(slip), render_mode
        h, w = self.cells.shape
        self.observation_space = gym.spaces.Discrete(h * w)
        self.action_space = gym.spaces.Discrete(4)
        flat = self.cells.ravel()
        self.terminal = np.isin(flat, list(TERMINAL_BONUS))
        marked = np.flatnonzero(flat == "S")
        self.starts = marked if len(marked) else np.flatnonzero(flat == ".")
        self.P = {s: {a: self._outcomes(s, a) for a in range(4)} for s in range(h * w)}
        self.state = int(self.starts[0])

    def _move(self, s: int, direction: int) -> int:
        h, w = self.cells.shape
        r, c = divmod(s, w)
        dr, dc = MOVES[direction]
        if 0 <= r + dr < h and 0 <= c + dc < w and self.cells[r + dr, c + dc] != "#":
            return (r + dr) * w + c + dc
        return s

    def _outcomes(self, s: int, a: int) -> list[tuple[float, int, float, bool]]:
        if self.terminal[s] or self.cells.flat[s] == "#":
            return [(1.0, s, 0.0, bool(self.terminal[s]))]
        probs: dict[int, float] = {}
        for direction, p in ((a, 1.0 - self.slip), ((a + 1) % 4, self.slip / 2), ((a + 3) % 4, self.slip / 2)):
            if p > 0:
                nxt = self._move(s, direction)
                probs[nxt] = probs.get(nxt, 0.0) + p
        return [
            (p, nxt, self.step_reward + TERMINAL_BONUS.get(self.cells.flat[nxt], 0.0), bool(self.terminal[nxt]))
            for nxt, p in probs.items()
        ]

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[int, dict]:
        super().reset(seed=seed)
        self.state = int(self.np_random.choice(self.starts))
        return self.state, {}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict]:
        outcomes = self.P[self.state][int(action)]
        i = self.np_random.choice(len(outcomes), p=[o[0] for o in outcomes]) if len(outcomes) > 1 else 0
        _, self.state, reward, terminated = outcomes[i]
        return self.state, reward, terminated, False, {}

    def render(self) -> np.ndarray | None:
        if self.render_mode != "rgb_array":
            return None
        colors = np.array([[COLORS[ch] for ch in row] for row in self.cells], dtype=np.uint8)
        return drawing.draw_grid(colors, divmod(self.state, self.cells.shape[1]))

    def layout(self) -> GridLayout:
        return rectangular(self.cells.shape, [UP, RIGHT, DOWN, LEFT], blocked=self.cells == "#")
