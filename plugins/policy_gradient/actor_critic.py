"""Advantage actor-critic (A2C; Mnih et al. 2016, synchronous): after every ``n_steps`` in each
env, one gradient step on the policy with the GAE(lambda) advantage and on the critic toward the
lambda-return. lambda = 0 makes the advantage the one-step TD error r + gamma V(s') - V(s)."""

from __future__ import annotations

from workbench_plugins.policy_gradient.agent import NetworkAgent, Update
from workbench_plugins.policy_gradient.config import Config
from workbench_plugins.policy_gradient.reinforce import policy_gradient_loss
from workbench_plugins.policy_gradient.rollout import Rollout


class ActorCritic(NetworkAgent):
    def __init__(self, cfg: Config, seed: int, device: str) -> None:
        super().__init__(cfg, device)
        self.rollout = Rollout(cfg.env, cfg.num_envs, seed)

    def update(self, cfg: Config) -> Update:
        # ALGO LOGIC: collect n_steps in every env, then one step on actor and critic together
        batch = self.rollout.collect(self, cfg.n_steps, cfg.gamma, cfg.lam)
        dist = self.policy.dist(batch.obs)
        policy_loss = policy_gradient_loss(self.policy.log_prob(dist, batch.actions), batch.advantages)
        value_loss = ((self.value(batch.obs) - batch.returns) ** 2).mean()
        entropy = self.policy.entropy(dist).mean()
        grad_norm = self.optimise(policy_loss - cfg.ent_coef * entropy + cfg.vf_coef * value_loss, cfg)
        scalars = {
            "policy_loss": policy_loss.item(),
            "value_loss": value_loss.item(),
            "entropy": entropy.item(),
            "grad_norm": grad_norm,
        }
        return Update(len(batch.returns), batch.episodes, scalars)

    def close(self) -> None:
        self.rollout.close()
