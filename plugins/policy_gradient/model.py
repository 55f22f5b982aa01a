"""The networks of the gradient methods: a stochastic policy (categorical for discrete actions,
Gaussian for continuous ones) and a state-value function, both two tanh layers as in CleanRL."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.distributions import Categorical, Distribution, Normal


def layer_init(layer: nn.Linear, std: float = np.sqrt(2), bias: float = 0.0) -> nn.Linear:
    """Orthogonal weights and constant biases (the initialisation PPO implementations use)."""
    nn.init.orthogonal_(layer.weight, std)
    nn.init.constant_(layer.bias, bias)
    return layer


def mlp(n_in: int, hidden: int, n_out: int, out_std: float) -> nn.Sequential:
    return nn.Sequential(
        layer_init(nn.Linear(n_in, hidden)),
        nn.Tanh(),
        layer_init(nn.Linear(hidden, hidden)),
        nn.Tanh(),
        layer_init(nn.Linear(hidden, n_out), std=out_std),
    )


class Policy(nn.Module):
    """pi(a|s): logits for ``n_actions`` discrete actions, or a Gaussian over ``action_dim``
    continuous ones with a state-independent learned log standard deviation."""

    def __init__(self, obs_dim: int, hidden: int, n_actions: int = 0, action_dim: int = 0) -> None:
        super().__init__()
        self.discrete = n_actions > 0
        self.net = mlp(obs_dim, hidden, n_actions if self.discrete else action_dim, out_std=0.01)
        self.log_std = None if self.discrete else nn.Parameter(torch.zeros(action_dim))

    def dist(self, obs: torch.Tensor) -> Distribution:
        out = self.net(obs)  # finite by construction: the distributions skip checking their arguments
        if self.discrete:
            return Categorical(logits=out, validate_args=False)
        return Normal(out, self.log_std.exp().expand_as(out), validate_args=False)

    def log_prob(self, dist: Distribution, actions: torch.Tensor) -> torch.Tensor:
        """log pi(a|s) of the actions actually taken (summed over the dimensions of a Gaussian)."""
        logp = dist.log_prob(actions)
        return logp if self.discrete else logp.sum(-1)

    def entropy(self, dist: Distribution) -> torch.Tensor:
        ent = dist.entropy()
        return ent if self.discrete else ent.sum(-1)


class Value(nn.Module):
    """V(s), the baseline and critic."""

    def __init__(self, obs_dim: int, hidden: int) -> None:
        super().__init__()
        self.net = mlp(obs_dim, hidden, 1, out_std=1.0)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net(obs).squeeze(-1)
