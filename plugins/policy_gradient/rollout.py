"""Fixed-length rollouts of parallel environments for a2c and ppo, with GAE advantages.

An episode cut by the time limit is not a real ending: its last reward gets gamma * V(final
observation) added, so the value of what would have followed is not lost (as stable-baselines3
does); a real termination adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from workbench.rl.returns import gae
from workbench_plugins.policy_gradient.agent import NetworkAgent
from workbench_plugins.policy_gradient.environments import make_vector_env


@dataclass
class Batch:
    """A rollout, flattened over time and envs, ready for the loss."""

    obs: torch.Tensor
    actions: torch.Tensor
    logp: torch.Tensor
    advantages: torch.Tensor
    returns: torch.Tensor
    episodes: list[tuple[int, float, int]]


class Rollout:
    def __init__(self, env_id: str, num_envs: int, seed: int) -> None:
        self.envs = make_vector_env(env_id, num_envs, autoreset="SameStep")
        self.obs, _ = self.envs.reset(seed=seed)
        self.ep_return = np.zeros(num_envs)
        self.ep_length = np.zeros(num_envs, dtype=np.int64)

    @torch.no_grad()
    def collect(self, agent: NetworkAgent, n_steps: int, gamma: float, lam: float) -> Batch:
        n = self.envs.num_envs
        obs, actions, rewards, dones = [], [], [], []
        episodes = []
        for _ in range(n_steps):
            obs_t = agent.tensor(self.obs)
            action = agent.policy.dist(obs_t).sample()
            obs.append(obs_t)
            actions.append(action)
            next_obs, reward, terminated, truncated, info = self.envs.step(agent.env_action(action))
            self.ep_return += reward
            self.ep_length += 1
            reward = reward.astype(np.float64)
            # TRY NOT TO MODIFY: bootstrap the episodes the time limit cut short
            cut = truncated & ~terminated
            if cut.any():
                final = np.stack([info["final_obs"][i] for i in np.flatnonzero(cut)])
                reward[cut] += gamma * agent.value(agent.tensor(final)).cpu().numpy()
            done = terminated | truncated
            for i in np.flatnonzero(done):
                episodes.append((int(i), float(self.ep_return[i]), int(self.ep_length[i])))
            self.ep_return[done], self.ep_length[done] = 0.0, 0
            rewards.append(reward)
            dones.append(done)
            self.obs = next_obs
        # the policy and value stay fixed through the rollout: score all its states in one batch
        states = torch.cat([*obs, agent.tensor(self.obs)])  # the rollout's, then the next ones
        values = agent.value(states).cpu().numpy().reshape(n_steps + 1, n)
        advantages = gae(np.stack(rewards), values[:-1], np.stack(dones), values[-1], gamma, lam)
        returns = advantages + values[:-1]
        states, actions_t = states[:-n], torch.cat(actions)
        return Batch(
            obs=states,
            actions=actions_t,
            logp=agent.policy.log_prob(agent.policy.dist(states), actions_t),
            advantages=agent.tensor(advantages.reshape(-1)),
            returns=agent.tensor(returns.reshape(-1)),
            episodes=episodes,
        )

    def close(self) -> None:
        self.envs.close()
