"""Discounted returns and generalised advantage estimation over rollouts of one or many envs.

Arrays are time-major: ``(T,)`` for one env or ``(T, N)`` for N envs side by side. ``dones[t]``
is true when the episode ended at step ``t``, so nothing after ``t`` flows back into it.
"""

from __future__ import annotations

import numpy as np


def discounted_returns(
    rewards: np.ndarray, dones: np.ndarray, gamma: float, last_value: float | np.ndarray = 0.0
) -> np.ndarray:
    """Monte Carlo returns ``G_t = r_t + gamma * G_{t+1}``, cut at episode ends.

    Args:
        rewards: (T,) or (T, N) rewards.
        dones: same shape; true where the episode ended at that step.
        gamma: discount factor in [0, 1].
        last_value: what the step after the rollout is worth (0 for complete episodes).

    Example:
        >>> discounted_returns(np.array([1.0, 1.0, 1.0]), np.array([0, 0, 1]), 0.5).tolist()
        [1.75, 1.5, 1.0]
    """
    rewards = np.asarray(rewards, dtype=np.float64)
    keep = 1.0 - np.asarray(dones, dtype=np.float64)
    out = np.empty_like(rewards)
    g = np.broadcast_to(np.asarray(last_value, dtype=np.float64), rewards.shape[1:]).copy()
    for t in reversed(range(len(rewards))):
        g = rewards[t] + gamma * keep[t] * g
        out[t] = g
    return out


def gae(
    rewards: np.ndarray, values: np.ndarray, dones: np.ndarray, last_value: float | np.ndarray, gamma: float, lam: float
) -> np.ndarray:
    """Generalised advantage estimates (Schulman et al. 2016):
    ``delta_t = r_t + gamma V(s_{t+1}) - V(s_t)`` and ``A_t = delta_t + gamma lam A_{t+1}``,
    both cut at episode ends. ``lam = 0`` gives the one-step TD error, ``lam = 1`` the Monte
    Carlo return minus ``V(s_t)``.

    Args:
        rewards, values, dones: (T,) or (T, N); ``values[t] = V(s_t)``.
        last_value: ``V(s_T)``, the state after the rollout.
        gamma: discount factor in [0, 1].
        lam: the GAE lambda in [0, 1].
    """
    rewards = np.asarray(rewards, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    keep = 1.0 - np.asarray(dones, dtype=np.float64)
    tail = np.broadcast_to(np.asarray(last_value, dtype=np.float64), values.shape[1:])
    next_values = np.concatenate([values[1:], tail[None]])
    deltas = rewards + gamma * keep * next_values - values
    out = np.empty_like(rewards)
    a = np.zeros(rewards.shape[1:])
    for t in reversed(range(len(rewards))):
        a = deltas[t] + gamma * lam * keep[t] * a
        out[t] = a
    return out
