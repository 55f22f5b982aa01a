"""Dynamic programming on a known tabular model (Sutton & Barto, chapter 4).

The model comes from an environment's ``P[s][a] = [(prob, next_state, reward, terminated), ...]``
(Gymnasium's toy-text worlds and Workbench's own grids have one). Sweeps are synchronous: each
new value is computed from the previous sweep's values only, as in Figure 4.1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TabularModel:
    """Expected rewards and transition probabilities; transitions that end the episode lead nowhere.

    Args:
        P: (S, A, S) probabilities of reaching s' and going on (terminating mass left out).
        R: (S, A) expected immediate reward.
        terminal: (S,) states from which every action ends the episode at once with reward 0.
    """

    P: np.ndarray
    R: np.ndarray
    terminal: np.ndarray

    @classmethod
    def from_env(cls, env) -> TabularModel:
        """Read ``env.unwrapped.P`` into arrays."""
        base = env.unwrapped
        n_s, n_a = base.observation_space.n, base.action_space.n
        P, R = np.zeros((n_s, n_a, n_s)), np.zeros((n_s, n_a))
        terminal = np.ones(n_s, dtype=bool)
        for s in range(n_s):
            for a in range(n_a):
                for prob, nxt, reward, done in base.P[s][a]:
                    R[s, a] += prob * reward
                    if not done:
                        P[s, a, int(nxt)] += prob
                    terminal[s] &= bool(done) and int(nxt) == s and reward == 0
        return cls(P, R, terminal)


def q_values(model: TabularModel, v: np.ndarray, gamma: float) -> np.ndarray:
    """(S, A) one-step lookahead: r(s, a) + gamma * sum_s' p(s' | s, a) v(s')."""
    return model.R + gamma * model.P @ v


def random_policy(model: TabularModel) -> np.ndarray:
    """(S, A) the equiprobable policy."""
    n_s, n_a = model.R.shape
    return np.full((n_s, n_a), 1.0 / n_a)


def evaluation_sweep(model: TabularModel, policy: np.ndarray, v: np.ndarray, gamma: float) -> np.ndarray:
    """One sweep of iterative policy evaluation: v(s) <- sum_a pi(a|s) q(s, a)."""
    return (policy * q_values(model, v, gamma)).sum(axis=1)


def value_iteration_sweep(model: TabularModel, v: np.ndarray, gamma: float) -> np.ndarray:
    """One sweep of value iteration: v(s) <- max_a q(s, a)."""
    return q_values(model, v, gamma).max(axis=1)


def greedy_actions(q: np.ndarray, keep: np.ndarray | None = None, tol: float = 1e-9) -> np.ndarray:
    """(S,) a best action per state; an action of ``keep`` that is still among the best stays,
    so policy iteration does not flip between equally good policies forever."""
    best = q >= q.max(axis=1, keepdims=True) - tol
    actions = best.argmax(axis=1)
    if keep is not None:
        stays = best[np.arange(len(q)), keep]
        actions = np.where(stays, keep, actions)
    return actions


def one_hot(actions: np.ndarray, n_actions: int) -> np.ndarray:
    """(S, A) the deterministic policy choosing ``actions``."""
    return np.eye(n_actions)[actions]


def exact_values(model: TabularModel, policy: np.ndarray, gamma: float) -> np.ndarray:
    """v_pi solved exactly from the linear Bellman equations (for reference values in tests and
    error curves); raises numpy's LinAlgError when the policy never ends an episode at gamma = 1."""
    p_pi = np.einsum("sa,sat->st", policy, model.P)
    r_pi = (policy * model.R).sum(axis=1)
    return np.linalg.solve(np.eye(len(r_pi)) - gamma * p_pi, r_pi)
