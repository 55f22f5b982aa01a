"""Where each state of a tabular environment sits on a 2-D canvas, and which way each action
points there: what value heatmaps and greedy-policy arrows are drawn from.

Workbench's own environments describe themselves with a ``layout()`` method; Gymnasium's toy-text
worlds (CliffWalking, FrozenLake, Taxi) are described here.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

# screen (dx, dy), y growing downwards
UP, RIGHT, DOWN, LEFT = (0.0, -1.0), (1.0, 0.0), (0.0, 1.0), (-1.0, 0.0)
NONE = (0.0, 0.0)


@dataclass(frozen=True)
class GridLayout:
    """States on a canvas.

    Args:
        shape: (H, W) of the canvas.
        cells: (S, 2) integer (row, col) of each state on the canvas.
        arrows: (S, A, 2) on-screen (dx, dy) of each action in each state; zero where an action
            has no direction (a pick-up, an action that does nothing).
        blocked: (H, W) canvas cells that are walls, or None.
    """

    shape: tuple[int, int]
    cells: np.ndarray
    arrows: np.ndarray
    blocked: np.ndarray | None = None

    def paint(self, per_state: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """Spread (S,) or (S, k) values onto the (H, W) or (H, W, k) canvas; unused cells get ``fill``."""
        per_state = np.asarray(per_state, dtype=np.float32)
        out = np.full((*self.shape, *per_state.shape[1:]), fill, dtype=np.float32)
        out[self.cells[:, 0], self.cells[:, 1]] = per_state
        return out

    def policy_arrows(self, actions: np.ndarray) -> np.ndarray:
        """(H, W, 2) arrows of one chosen action per state (``actions`` is (S,) ints)."""
        states = np.arange(len(self.cells))
        return self.paint(self.arrows[states, actions])


def rectangular(
    shape: tuple[int, int], moves: list[tuple[float, float]], blocked: np.ndarray | None = None
) -> GridLayout:
    """A layout where state s is cell s of a row-major (H, W) grid and action a moves along ``moves[a]``."""
    h, w = shape
    cells = np.stack(np.divmod(np.arange(h * w), w), axis=1)
    arrows = np.broadcast_to(np.array(moves, dtype=np.float32), (h * w, len(moves), 2)).copy()
    return GridLayout((h, w), cells, arrows, blocked)


def taxi_layout() -> GridLayout:
    """Taxi's 500 states as a 5x4 array of 5x5 maps: block row = passenger location, block column = destination."""
    cells = np.zeros((500, 2), dtype=int)
    for s in range(500):
        dest = s % 4
        pas = (s // 4) % 5
        col = (s // 20) % 5
        row = s // 100
        cells[s] = (pas * 5 + row, dest * 5 + col)
    moves = [DOWN, UP, RIGHT, LEFT, NONE, NONE]  # south north east west pickup dropoff
    arrows = np.broadcast_to(np.array(moves, dtype=np.float32), (500, 6, 2)).copy()
    return GridLayout((25, 20), cells, arrows)


def layout_of(env: gym.Env) -> GridLayout:
    """The layout of a tabular environment; a plain row of states when nothing better is known."""
    base = env.unwrapped
    if hasattr(base, "layout"):
        return base.layout()
    name = env.spec.name if env.spec is not None else ""
    if name == "CliffWalking":
        return rectangular((4, 12), [UP, RIGHT, DOWN, LEFT])
    if name == "FrozenLake":
        return rectangular(tuple(base.desc.shape), [LEFT, DOWN, RIGHT, UP])
    if name == "Taxi":
        return taxi_layout()
    n_states, n_actions = env.observation_space.n, env.action_space.n
    return GridLayout(
        (1, n_states),
        np.stack([np.zeros(n_states, int), np.arange(n_states)], 1),
        np.zeros((n_states, n_actions, 2), np.float32),
    )
