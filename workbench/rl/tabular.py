"""Action selection from a row of action values, shared by the tabular agents.

``legal`` is an optional boolean mask of the actions allowed in the state (from an environment's
``info["action_mask"]``); ties between equal values are broken at random, as Sutton & Barto do.
"""

from __future__ import annotations

import numpy as np


def greedy(q_row: np.ndarray, rng: np.random.Generator, legal: np.ndarray | None = None) -> int:
    """An action of highest value among the legal ones, ties broken at random."""
    values = q_row if legal is None else np.where(legal, q_row, -np.inf)
    best = np.flatnonzero(values == values.max())
    return int(best[0] if len(best) == 1 else rng.choice(best))


def epsilon_greedy(q_row: np.ndarray, epsilon: float, rng: np.random.Generator, legal: np.ndarray | None = None) -> int:
    """With probability ``epsilon`` a uniformly random legal action, else a greedy one."""
    if rng.random() < epsilon:
        choices = np.arange(len(q_row)) if legal is None else np.flatnonzero(legal)
        return int(rng.choice(choices))
    return greedy(q_row, rng, legal)


def epsilon_greedy_probs(q_row: np.ndarray, epsilon: float, legal: np.ndarray | None = None) -> np.ndarray:
    """The probabilities ``epsilon_greedy`` picks each action with (greedy mass split among ties)."""
    allowed = np.ones(len(q_row), bool) if legal is None else np.asarray(legal, bool)
    values = np.where(allowed, q_row, -np.inf)
    best = values == values.max()
    probs = allowed * (epsilon / allowed.sum())
    return probs + best * ((1.0 - epsilon) / best.sum())


def legal_mask(info: dict, n_actions: int) -> np.ndarray | None:
    """The environment's action mask as booleans, or None when it has none."""
    mask = info.get("action_mask")
    return None if mask is None else np.asarray(mask, dtype=bool).reshape(n_actions)
