"""REINFORCE (Williams 1992; Sutton & Barto section 13.3-13.4), with an optional learned baseline.

Each update plays one whole episode in each of ``num_envs`` environments and pushes up the
log-probability of every action actually taken, weighted by the return that followed it (minus
the value of the state when the baseline is on). The gamma^t factor of Sutton & Barto's episodic
pseudocode is left out, as nearly all implementations do: it would make the late steps of a long
CartPole episode count almost nothing.
"""

from __future__ import annotations

import time

import gymnasium as gym
import numpy as np
import torch

from workbench.rl.returns import discounted_returns
from workbench_plugins.policy_gradient.agent import NetworkAgent, Update
from workbench_plugins.policy_gradient.config import Config

CHUNK_S = 0.05


def policy_gradient_loss(logp_chosen: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """``-mean(log pi(a_t|s_t) * w_t)``: its gradient is the REINFORCE estimate. ``logp_chosen``
    must be the log-probability of the action taken at each step, not of every action."""
    return -(logp_chosen * weights.detach()).mean()


def standardized(x: torch.Tensor) -> torch.Tensor:
    return (x - x.mean()) / (x.std(unbiased=False) + 1e-8)


class Reinforce(NetworkAgent):
    """Plays its batch of episodes in chunks of about CHUNK_S seconds, so the trainer can show
    progress and stop between them, and learns once every episode of the batch has ended."""

    def __init__(self, cfg: Config, seed: int, device: str) -> None:
        super().__init__(cfg, device)
        self.envs = [gym.make(cfg.env) for _ in range(cfg.num_envs)]
        self.next_seed: int | None = seed
        self.alive = np.zeros(cfg.num_envs, dtype=bool)  # no batch under way
        self.obs = np.zeros(0)
        self.trace: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def play(self) -> int:
        """Go on with the batch (one episode in every env, side by side; an env that finished
        early waits) for about CHUNK_S seconds; returns the environment steps taken."""
        if not self.alive.any():
            n = len(self.envs)
            seeds = [None] * n if self.next_seed is None else [self.next_seed + i for i in range(n)]
            self.next_seed = None
            self.obs = np.stack([env.reset(seed=s)[0] for env, s in zip(self.envs, seeds)])
            self.alive[:] = True
            self.trace = []
        steps, end = 0, time.perf_counter() + CHUNK_S
        while self.alive.any() and time.perf_counter() < end:
            with torch.no_grad():
                action = self.policy.dist(self.tensor(self.obs)).sample()
            env_action = self.env_action(action)
            rewards = np.zeros(len(self.envs))
            self.trace.append((self.obs.copy(), action.cpu().numpy(), rewards, self.alive.copy()))
            for i in np.flatnonzero(self.alive):
                self.obs[i], rewards[i], terminated, truncated, _ = self.envs[i].step(env_action[i])
                self.alive[i] = not (terminated or truncated)
                steps += 1
        return steps

    def update(self, cfg: Config) -> Update:
        # ALGO LOGIC: play a batch of episodes with the current policy
        steps = self.play()
        if self.alive.any():
            return Update(steps)
        obs, actions, rewards, mask = (np.stack(x) for x in zip(*self.trace))
        last = mask & ~np.append(mask[1:], np.zeros((1, mask.shape[1]), dtype=bool), axis=0)
        returns = discounted_returns(rewards, last, cfg.gamma)

        # ALGO LOGIC: fit the value function to the returns; weight log pi(a|s) by return - baseline
        flat_obs, flat_actions = self.tensor(obs[mask]), torch.as_tensor(actions[mask], device=self.device)
        g = self.tensor(returns[mask])
        dist = self.policy.dist(flat_obs)
        logp = self.policy.log_prob(dist, flat_actions)
        values = self.value(flat_obs)
        weights = g - values.detach() if cfg.baseline else g
        if cfg.standardize:
            weights = standardized(weights)
        policy_loss = policy_gradient_loss(logp, weights)
        value_loss = ((values - g) ** 2).mean()
        entropy = self.policy.entropy(dist).mean()
        grad_norm = self.optimise(policy_loss - cfg.ent_coef * entropy + cfg.vf_coef * value_loss, cfg)

        lengths = mask.sum(axis=0)
        episodes = [(i, float(rewards[:, i].sum()), int(lengths[i])) for i in range(len(self.envs))]
        scalars = {
            "policy_loss": policy_loss.item(),
            "value_loss": value_loss.item(),
            "entropy": entropy.item(),
            "grad_norm": grad_norm,
        }
        return Update(steps, episodes, scalars)

    def close(self) -> None:
        for env in self.envs:
            env.close()
