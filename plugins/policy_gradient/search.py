"""Random search and hill climbing over a linear policy (the seed's CartPole methods), one
independent search per env lane so a thousand runs step together as numpy arrays.

The policy is a weight matrix W, drawn uniformly from [-1, 1]: with two actions the seed's
threshold ``action = 1 if w . obs >= 0 else 0``, with more the action of the largest ``W obs``.
Random search draws fresh weights for every episode and keeps the best; hill climbing adds
uniform noise scaled by ``noise`` to its weights and keeps the change when the return improves.
"""

from __future__ import annotations

import time

import numpy as np

from workbench_plugins.policy_gradient.agent import Update
from workbench_plugins.policy_gradient.config import Config
from workbench_plugins.policy_gradient.environments import INFO, make_vector_env

CHUNK_S = 0.05


def linear_actions(weights: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """Actions of (L, K, D) weights for (L, D) observations: a threshold when K == 1, else argmax."""
    scores = np.einsum("lkd,ld->lk", weights, obs)
    return (scores[:, 0] >= 0).astype(np.int64) if weights.shape[1] == 1 else scores.argmax(axis=1)


class LinearSearch:
    def __init__(self, cfg: Config, lanes: int, seed: int) -> None:
        self.hill = cfg.algo == "hill-climbing"
        self.rng = np.random.default_rng(seed)
        self.envs = make_vector_env(cfg.env, lanes)
        self.obs, _ = self.envs.reset(seed=seed)
        n_actions = int(self.envs.single_action_space.n)
        shape = (lanes, 1 if n_actions == 2 else n_actions, self.obs.shape[1])
        self.weights = self.rng.uniform(-1.0, 1.0, shape)  # the best (random search) or current (hill)
        self.trial = self.weights.copy()  # the weights playing the running episode
        self.best = np.full(lanes, -np.inf)
        self.ep_return = np.zeros(lanes)
        self.ep_length = np.zeros(lanes, dtype=np.int64)
        self.resetting = np.zeros(lanes, dtype=bool)  # the env resets this lane on its next step
        self.push = np.asarray(INFO[cfg.env].push)

    def update(self, cfg: Config) -> Update:
        """Step every lane for about CHUNK_S seconds, judging each episode's weights as it ends."""
        steps, episodes = 0, []
        end = time.perf_counter() + CHUNK_S
        while time.perf_counter() < end:
            self.obs, reward, terminated, truncated, _ = self.envs.step(linear_actions(self.trial, self.obs))
            playing = ~self.resetting
            steps += int(playing.sum())
            self.ep_return += reward * playing
            self.ep_length += playing
            done = (terminated | truncated) & playing
            # ALGO LOGIC: keep weights that beat the best return so far, then pick the next trial
            better = done & (self.ep_return > self.best)
            self.best[better] = self.ep_return[better]
            self.weights[better] = self.trial[better]
            n = int(done.sum())
            if n:
                noise = self.rng.uniform(-1.0, 1.0, (n, *self.weights.shape[1:]))
                self.trial[done] = self.weights[done] + cfg.noise * noise if self.hill else noise
                episodes += [(int(i), float(self.ep_return[i]), int(self.ep_length[i])) for i in np.flatnonzero(done)]
            self.ep_return[done], self.ep_length[done] = 0.0, 0
            self.resetting = done
        return Update(steps, episodes)

    def act(self, obs: np.ndarray) -> int:
        """The action of the first lane's kept weights (display and GIFs)."""
        return int(linear_actions(self.weights[:1], obs[None])[0])

    def policy_map(self, states: np.ndarray) -> np.ndarray:
        """The push (-1, 0 or +1) of the first lane's kept weights at each state."""
        w = np.broadcast_to(self.weights[:1], (len(states), *self.weights.shape[1:]))
        return self.push[linear_actions(w, states)].astype(np.float32)

    def value_map(self, states: np.ndarray) -> None:
        return None

    def state_dict(self) -> dict:
        """The searches' weights and best returns; the episodes being played restart on resume."""
        return {"weights": self.weights, "trial": self.trial, "best": self.best, "rng": self.rng.bit_generator.state}

    def load_state_dict(self, state: dict) -> None:
        self.weights = np.asarray(state["weights"]).copy()
        self.trial = np.asarray(state["trial"]).copy()
        self.best = np.asarray(state["best"]).copy()
        self.rng.bit_generator.state = state["rng"]

    def close(self) -> None:
        self.envs.close()
