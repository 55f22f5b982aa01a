"""Proximal policy optimisation (Schulman et al. 2017) with the clipped surrogate objective, GAE
advantages normalised per minibatch, and several epochs of minibatch steps over each rollout."""

from __future__ import annotations

import numpy as np
import torch

from workbench_plugins.policy_gradient.agent import NetworkAgent, Update
from workbench_plugins.policy_gradient.config import Config
from workbench_plugins.policy_gradient.rollout import Rollout


def clipped_surrogate(
    logp: torch.Tensor, old_logp: torch.Tensor, advantages: torch.Tensor, clip: float
) -> torch.Tensor:
    """``-mean(min(r A, clip(r, 1 - clip, 1 + clip) A))`` with ``r = pi(a|s) / pi_old(a|s)``:
    the ratio gains nothing by leaving [1 - clip, 1 + clip] in the direction A favours."""
    ratio = (logp - old_logp).exp()
    return -torch.min(ratio * advantages, ratio.clamp(1.0 - clip, 1.0 + clip) * advantages).mean()


class PPO(NetworkAgent):
    def __init__(self, cfg: Config, seed: int, device: str) -> None:
        super().__init__(cfg, device)
        self.rollout = Rollout(cfg.env, cfg.num_envs, seed)
        self.rng = np.random.default_rng(seed)

    def update(self, cfg: Config) -> Update:
        # ALGO LOGIC: collect a rollout with the current policy, then epochs of minibatch steps
        batch = self.rollout.collect(self, cfg.n_steps, cfg.gamma, cfg.lam)
        size = len(batch.returns)
        sums = {"policy_loss": 0.0, "value_loss": 0.0, "entropy": 0.0, "grad_norm": 0.0, "clip_fraction": 0.0}
        count = 0
        for _ in range(cfg.epochs):
            order = torch.as_tensor(self.rng.permutation(size), device=self.device)
            for start in range(0, size, cfg.batch_size):
                mb = order[start : start + cfg.batch_size]
                dist = self.policy.dist(batch.obs[mb])
                logp = self.policy.log_prob(dist, batch.actions[mb])
                adv = batch.advantages[mb]
                adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                policy_loss = clipped_surrogate(logp, batch.logp[mb], adv, cfg.clip)
                value_loss = ((self.value(batch.obs[mb]) - batch.returns[mb]) ** 2).mean()
                entropy = self.policy.entropy(dist).mean()
                loss = policy_loss - cfg.ent_coef * entropy + cfg.vf_coef * value_loss
                sums["grad_norm"] += self.optimise(loss, cfg)
                sums["policy_loss"] += policy_loss.item()
                sums["value_loss"] += value_loss.item()
                sums["entropy"] += entropy.item()
                with torch.no_grad():
                    ratio = (logp - batch.logp[mb]).exp()
                    sums["clip_fraction"] += ((ratio - 1.0).abs() > cfg.clip).float().mean().item()
                count += 1
        return Update(size, batch.episodes, {k: v / count for k, v in sums.items()})

    def close(self) -> None:
        self.rollout.close()
