"""Races: every optimiser from the same start on one surface, and on copies of one MLP over the
same digits batches. Each racer is a plain torch.optim loop: zero_grad, loss, backward, step."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from workbench_plugins.optimisers.methods import METHODS, apply, make
from workbench_plugins.optimisers.surfaces import Surface

ESCAPED = 1e3  # a racer this far outside the drawn plane (in plane widths) has diverged


def descend(
    optimiser: torch.optim.Optimizer,
    method: str,
    cfg: Any,
    loss_fn: Callable[[], torch.Tensor],
    noise: torch.Tensor | None = None,
) -> torch.Tensor:
    """One step of a plain torch.optim loop under the sliders' current values; ``noise`` is added
    to the gradient of the optimiser's one parameter (a noisy surface)."""
    apply(optimiser, method, cfg)
    optimiser.zero_grad()
    loss = loss_fn()
    loss.backward()
    if noise is not None:
        optimiser.param_groups[0]["params"][0].grad += noise
    optimiser.step()
    return loss


class SurfaceRace:
    """One point per optimiser descending ``surface`` from ``start``; with a noisy surface, every
    racer gets the same gradient noise at a step."""

    def __init__(self, surface: Surface, start: tuple[float, float], cfg: Any, seed: int) -> None:
        self.surface, self.start = surface, start
        self.points = {m: torch.tensor(start, dtype=torch.float64, requires_grad=True) for m in METHODS}
        self.optimisers = {m: make(m, [p], cfg) for m, p in self.points.items()}
        self.paths: dict[str, list[tuple[float, float]]] = {m: [start] for m in METHODS}
        self.reached: dict[str, int] = {}  # method -> step it first came within tol of a minimum
        self.diverged: set[str] = set()
        self.steps = 0
        self.noise = torch.Generator().manual_seed(seed)
        self.width = max(surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0])

    def step(self, cfg: Any) -> None:
        noise = torch.randn(2, generator=self.noise, dtype=torch.float64) * self.surface.noise
        self.steps += 1
        for method, p in self.points.items():
            if method in self.diverged:
                continue
            descend(
                self.optimisers[method],
                method,
                cfg,
                lambda p=p: self.surface.f(p[0], p[1]),
                noise if self.surface.noise else None,
            )
            x, y = p.tolist()
            if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > ESCAPED * self.width:
                self.diverged.add(method)
                continue
            self.paths[method].append((x, y))
            if method not in self.reached and self.surface.distance_to_minimum(x, y) < cfg.tol:
                self.reached[method] = self.steps

    def state_dict(self) -> dict[str, Any]:
        """Everything the race needs to go on exactly: points, optimiser states, paths, noise."""
        return {
            "start": list(self.start),
            "points": {m: p.detach().clone() for m, p in self.points.items()},
            "optimisers": {m: o.state_dict() for m, o in self.optimisers.items()},
            "paths": {m: [list(xy) for xy in path] for m, path in self.paths.items()},
            "reached": dict(self.reached),
            "diverged": sorted(self.diverged),
            "steps": self.steps,
            "noise": self.noise.get_state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        with torch.no_grad():
            for m, p in self.points.items():
                p.copy_(state["points"][m])
        for m, o in self.optimisers.items():
            o.load_state_dict(state["optimisers"][m])
        self.paths = {m: [(float(x), float(y)) for x, y in path] for m, path in state["paths"].items()}
        self.reached = {m: int(s) for m, s in state["reached"].items()}
        self.diverged, self.steps = set(state["diverged"]), int(state["steps"])
        self.noise.set_state(state["noise"])

    def gaps(self) -> dict[str, float]:
        """f - f* of every racer still on the plane."""
        lowest = self.surface.lowest
        with torch.no_grad():
            return {
                m: float(self.surface.f(p[0], p[1])) - lowest for m, p in self.points.items() if m not in self.diverged
            }


class Mlp(nn.Module):
    def __init__(self, n_in: int, hidden: int, n_out: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class MlpRace:
    """Copies of one freshly initialised MLP, one per optimiser, fed the same minibatches."""

    def __init__(
        self, images: torch.Tensor, labels: torch.Tensor, hidden: int, batch_size: int, cfg: Any, seed: int
    ) -> None:
        self.images, self.labels, self.batch_size = images, labels, batch_size
        self.batches = torch.Generator().manual_seed(seed)
        first = Mlp(images[0].numel(), hidden, int(labels.max()) + 1)
        self.models = {m: copy.deepcopy(first) for m in METHODS}
        self.optimisers = {m: make(m, net.parameters(), cfg) for m, net in self.models.items()}
        self.diverged: set[str] = set()

    def state_dict(self) -> dict[str, Any]:
        return {
            "models": {m: net.state_dict() for m, net in self.models.items()},
            "optimisers": {m: o.state_dict() for m, o in self.optimisers.items()},
            "diverged": sorted(self.diverged),
            "batches": self.batches.get_state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for m, net in self.models.items():
            net.load_state_dict(state["models"][m])
        for m, o in self.optimisers.items():
            o.load_state_dict(state["optimisers"][m])
        self.diverged = set(state["diverged"])
        self.batches.set_state(state["batches"])

    def step(self, cfg: Any) -> dict[str, float]:
        """One minibatch step of every optimiser; the losses on that batch of those that have not diverged."""
        idx = torch.randint(len(self.images), (self.batch_size,), generator=self.batches)
        x, y = self.images[idx], self.labels[idx]
        losses = {}
        for method, net in self.models.items():
            if method in self.diverged:
                continue
            loss = descend(self.optimisers[method], method, cfg, lambda net=net: F.cross_entropy(net(x), y))
            if not math.isfinite(loss.item()):
                self.diverged.add(method)
                continue
            losses[method] = loss.item()
        return losses
