"""Two-dimensional test functions for watching optimisers, each with its minima, the part of the
plane drawn, and a start where the methods behave differently. Written in torch, so the same
function gives the optimisers their gradients and the contour map its values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Surface:
    """f(x, y) on tensors of any shape; ``minima``: where f is lowest; ``noise``: the standard
    deviation of Gaussian noise added to the gradient at each step (a stochastic objective)."""

    name: str
    label: str  # the surface named in words
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    minima: tuple[tuple[float, float], ...]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    start: tuple[float, float]
    noise: float = 0.0

    @property
    def lowest(self) -> float:
        """f at the minimum."""
        x, y = self.minima[0]
        return float(self.f(torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)))

    def distance_to_minimum(self, x: float, y: float) -> float:
        return min(((x - mx) ** 2 + (y - my) ** 2) ** 0.5 for mx, my in self.minima)

    def grid(self, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """f on an n x n grid with row 0 at the top (largest y), as an image reads: (xs, ys, values)."""
        xs = torch.linspace(*self.xlim, n, dtype=torch.float64)
        ys = torch.linspace(self.ylim[1], self.ylim[0], n, dtype=torch.float64)
        gy, gx = torch.meshgrid(ys, xs, indexing="ij")
        return xs, ys, self.f(gx, gy)


def rosenbrock(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """A curved, narrow valley; the minimum (1, 1) lies at its flat floor."""
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def beale(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Flat plateaus and steep walls; minimum (3, 0.5)."""
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def saddle(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """x^2 - y^2 near the origin, bounded below by y^4 / 4: a saddle at (0, 0) between minima at
    (0, +-sqrt(2)). A start on the ridge line y ~ 0 shows which methods escape."""
    return x**2 - y**2 + y**4 / 4


def ill_conditioned(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """A quadratic bowl 50 times steeper across (x + y) than along (x - y): condition number 50."""
    u, v = (x + y) / 2**0.5, (x - y) / 2**0.5
    return 0.5 * (50 * u**2 + v**2)


def quadratic(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return 0.5 * (x**2 + 4 * y**2)


SURFACES = {
    s.name: s
    for s in (
        Surface("rosenbrock", "Rosenbrock", rosenbrock, ((1.0, 1.0),), (-2.0, 2.0), (-1.0, 3.0), (-1.5, 2.5)),
        Surface("beale", "Beale", beale, ((3.0, 0.5),), (-4.5, 4.5), (-4.5, 4.5), (0.7, 1.4)),
        Surface("saddle", "Saddle", saddle, ((0.0, 2**0.5), (0.0, -(2**0.5))), (-2.5, 2.5), (-2.5, 2.5), (2.0, 1e-3)),
        Surface(
            "ill-conditioned", "Ill-conditioned", ill_conditioned, ((0.0, 0.0),), (-3.0, 3.0), (-3.0, 3.0), (-2.5, 1.5)
        ),
        Surface(
            "noisy-quadratic",
            "Noisy quadratic",
            quadratic,
            ((0.0, 0.0),),
            (-3.0, 3.0),
            (-3.0, 3.0),
            (-2.5, 2.0),
            noise=2.0,
        ),
    )
}
