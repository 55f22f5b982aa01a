"""What every method hands the trainer after a chunk of work, and the networks, optimiser and
maps the three gradient methods share."""

from __future__ import annotations

from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from workbench_plugins.policy_gradient.config import Config
from workbench_plugins.policy_gradient.environments import INFO
from workbench_plugins.policy_gradient.model import Policy, Value


@dataclass
class Update:
    """Args:
    steps: environment steps taken, all lanes together.
    episodes: (lane, return, length) of each episode that ended.
    scalars: losses, entropy, gradient norm.
    """

    steps: int
    episodes: list[tuple[int, float, int]] = field(default_factory=list)
    scalars: dict[str, float] = field(default_factory=dict)


class NetworkAgent:
    """A policy and a value network trained by one Adam with a learning rate for each, so the two
    rates can change live; the gradient is clipped over both together, as in PPO implementations."""

    def __init__(self, cfg: Config, device: str) -> None:
        env = gym.make(cfg.env)  # only to read its spaces
        obs_dim = env.observation_space.shape[0]
        self.discrete = isinstance(env.action_space, gym.spaces.Discrete)
        if self.discrete:
            self.policy = Policy(obs_dim, cfg.hidden, n_actions=int(env.action_space.n))
        else:
            self.low, self.high = env.action_space.low, env.action_space.high
            self.policy = Policy(obs_dim, cfg.hidden, action_dim=env.action_space.shape[0])
        env.close()
        self.policy.to(device)
        self.value = Value(obs_dim, cfg.hidden).to(device)
        self.device = device
        self.push = INFO[cfg.env].push
        self.optimizer = torch.optim.Adam(
            [
                {"params": self.policy.parameters(), "lr": cfg.lr},
                {"params": self.value.parameters(), "lr": cfg.lr_value},
            ],
            eps=1e-5,
            fused=True,  # one kernel per tensor instead of a dozen ops each: these networks are dispatch-bound
        )

    def tensor(self, x: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(x), dtype=torch.float32, device=self.device)

    def env_action(self, action: torch.Tensor) -> np.ndarray:
        """The sampled action as the env takes it: an index, or clipped into the action box."""
        a = action.cpu().numpy()
        return a if self.discrete else np.clip(a, self.low, self.high)

    def optimise(self, loss: torch.Tensor, cfg: Config) -> float:
        """One gradient step on ``loss`` with the live learning rates; returns the gradient norm."""
        self.optimizer.param_groups[0]["lr"] = cfg.lr
        self.optimizer.param_groups[1]["lr"] = cfg.lr_value
        self.optimizer.zero_grad()
        loss.backward()
        params = [p for group in self.optimizer.param_groups for p in group["params"]]
        limit = cfg.max_grad_norm if cfg.max_grad_norm > 0 else float("inf")
        norm = nn.utils.clip_grad_norm_(params, limit, foreach=True)
        self.optimizer.step()
        return float(norm)

    @torch.no_grad()
    def act(self, obs: np.ndarray) -> np.ndarray:
        """An action of the current stochastic policy for one observation (display and GIFs)."""
        return self.env_action(self.policy.dist(self.tensor(obs)[None]).sample()[0])

    @torch.no_grad()
    def policy_map(self, states: np.ndarray) -> np.ndarray:
        """Expected push per state in [-1, 1]: sum of pi(a|s) times each action's direction, or the
        Gaussian mean over the action bound."""
        dist = self.policy.dist(self.tensor(states))
        if self.discrete:
            return (dist.probs.cpu().numpy() @ np.asarray(self.push)).astype(np.float32)
        return np.clip(dist.mean[:, 0].cpu().numpy() / self.high[0], -1.0, 1.0).astype(np.float32)

    @torch.no_grad()
    def value_map(self, states: np.ndarray) -> np.ndarray | None:
        return self.value(self.tensor(states)).cpu().numpy().astype(np.float32)

    def state_dict(self) -> dict:
        return {
            "policy": self.policy.state_dict(),
            "value": self.value.state_dict(),
            "optimizer": self.optimizer.state_dict(),
        }

    def load_state_dict(self, state: dict) -> None:
        self.policy.load_state_dict(state["policy"])
        self.value.load_state_dict(state["value"])
        self.optimizer.load_state_dict(state["optimizer"])

    def close(self) -> None:
        """Release the agent's environments."""
