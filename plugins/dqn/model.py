"""Q-networks: an MLP for state vectors, the Nature DQN convnet for Atari frames, each with a plain
or a dueling head, and the two targets (DQN's max, Double DQN's argmax-then-evaluate)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import torch
from torch import nn

from workbench_plugins.dqn.replay import Batch


def dueling_q(value: torch.Tensor, advantage: torch.Tensor) -> torch.Tensor:
    """Q = V + A - mean_a A, the mean taken over each sample's own actions (Wang et al. 2016, eq. 9)."""
    return value + advantage - advantage.mean(dim=1, keepdim=True)


def _head(inputs: int, hidden: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, outputs))


class QNetwork(nn.Module):
    """Q-values for every action from an observation of shape (stack, *frame).

    ``features`` is the shared trunk: for images the three convolutions of Mnih et al. 2015
    (named ``conv1..conv3`` so feature maps can be hooked), for vectors one hidden layer.
    Dueling networks split after it into ``value`` (one output) and ``advantage`` (one per action).
    Images are uint8 and scaled to [0, 1] inside ``forward``.
    """

    def __init__(self, obs_shape: tuple[int, ...], n_actions: int, hidden: int, dueling: bool) -> None:
        super().__init__()
        self.obs_shape = tuple(obs_shape)
        self.image = len(obs_shape) == 3
        if self.image:
            self.features = nn.Sequential()
            self.features.add_module("conv1", nn.Conv2d(obs_shape[0], 32, 8, stride=4))
            self.features.add_module("relu1", nn.ReLU())
            self.features.add_module("conv2", nn.Conv2d(32, 64, 4, stride=2))
            self.features.add_module("relu2", nn.ReLU())
            self.features.add_module("conv3", nn.Conv2d(64, 64, 3, stride=1))
            self.features.add_module("relu3", nn.ReLU())
            self.features.add_module("flatten", nn.Flatten())
        else:
            inputs = int(torch.tensor(obs_shape).prod())
            self.features = nn.Sequential(nn.Flatten(), nn.Linear(inputs, hidden), nn.ReLU())
        with torch.no_grad():
            width = self.features(torch.zeros(1, *obs_shape)).shape[1]
        self.dueling = dueling
        if dueling:
            self.value = _head(width, hidden, 1)
            self.advantage = _head(width, hidden, n_actions)
        else:
            self.q = _head(width, hidden, n_actions)

    def trunk(self, obs: torch.Tensor) -> torch.Tensor:
        x = obs.float() / 255.0 if self.image else obs.float()
        return self.features(x)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        h = self.trunk(obs)
        return dueling_q(self.value(h), self.advantage(h)) if self.dueling else self.q(h)

    def streams(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(V, A) per sample: the dueling streams, or max_a Q and Q - mean_a Q for a plain head."""
        h = self.trunk(obs)
        if self.dueling:
            return self.value(h)[:, 0], self.advantage(h)
        q = self.q(h)
        return q.max(dim=1).values, q - q.mean(dim=1, keepdim=True)


class NumpyQ:
    """Q-values of a plain MLP QNetwork on the CPU by numpy, for acting on one observation at a time:
    torch's dispatch costs ~45 us a call where these three matrix products cost ~10 us. It reads
    views of the network's own weights, which optimiser steps and ``load_state_dict`` update in place.
    """

    def __init__(self, net: QNetwork) -> None:
        linears = [m for m in (*net.features, *net.q) if isinstance(m, nn.Linear)]
        self.layers = [(m.weight.detach().numpy().T, m.bias.detach().numpy()) for m in linears]

    @staticmethod
    def fits(net: QNetwork, device: torch.device) -> bool:
        return device.type == "cpu" and not net.image and not net.dueling

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        x = obs.reshape(len(obs), -1)
        for i, (weight, bias) in enumerate(self.layers):
            x = x @ weight + bias
            if i < len(self.layers) - 1:
                np.maximum(x, 0.0, out=x)
        return x


@torch.no_grad()
def bootstrap_values(online: QNetwork, target: QNetwork, next_obs: torch.Tensor, double: bool) -> torch.Tensor:
    """Value of the next state in the TD target.

    DQN: max_a Q_target(s', a). Double DQN (van Hasselt et al. 2016): the online network picks
    a* = argmax_a Q_online(s', a) and the target network evaluates it, Q_target(s', a*).
    """
    q_target = target(next_obs)
    if not double:
        return q_target.max(dim=1).values
    best = online(next_obs).argmax(dim=1, keepdim=True)
    return q_target.gather(1, best)[:, 0]


@dataclass
class TensorBatch:
    """A replayed batch on the device: what one update regresses on. A burst's batches can be
    moved over as one and cut with ``part``."""

    obs: torch.Tensor
    actions: torch.Tensor
    returns: torch.Tensor
    discounts: torch.Tensor
    next_obs: torch.Tensor
    weights: torch.Tensor
    index: np.ndarray  # flat slot ids, for priority updates

    @classmethod
    def of(cls, batch: Batch, obs_shape: tuple[int, ...], device: torch.device) -> TensorBatch:
        def tensor(a: np.ndarray) -> torch.Tensor:
            return torch.as_tensor(a, device=device)

        return cls(
            tensor(batch.obs).reshape(-1, *obs_shape),
            tensor(batch.actions),
            tensor(batch.returns),
            tensor(batch.discounts),
            tensor(batch.next_obs).reshape(-1, *obs_shape),
            tensor(batch.weights),
            batch.index,
        )

    def part(self, lo: int, hi: int) -> TensorBatch:
        """Samples ``lo`` to ``hi`` (views, no copies)."""
        return TensorBatch(*(getattr(self, f.name)[lo:hi] for f in fields(self)))


def td_targets(online: QNetwork, target: QNetwork, batch: TensorBatch, double: bool) -> torch.Tensor:
    """The regression target of each sample: its n-step return plus the discounted bootstrap value."""
    return batch.returns + batch.discounts * bootstrap_values(online, target, batch.next_obs, double)
